"""Requests in steps through the real stack: the reads run at once, the one side effect waits on one card that
lists every step, and after Confirm the sandbox holds exactly its result."""

from __future__ import annotations

import httpx

from tests.integration.assistant.conftest import fixed_now, mint

FINANCE = "finance@northwind.example"


def permissions(avery, item_id: str) -> list[dict]:
    token = mint(avery.sandbox)["access_token"]
    r = httpx.get(f"{avery.sandbox.url}/v1.0/me/drive/items/{item_id}/permissions",
                  headers={"Authorization": f"Bearer {token}"}, timeout=10)
    r.raise_for_status()
    return [p for p in r.json()["value"] if FINANCE in str(p)]


async def test_find_the_q4_report_and_share_it_with_the_finance_team(avery, monkeypatch):
    from crm_app.services.assistant import confirm_action

    fixed_now(monkeypatch)
    turn = await avery.say("find the Q4 report and share it with the finance team")
    assert turn.status == "done"
    tools = avery.tools()
    assert tools[0] == "onedrive_search_files" and avery.calls[0][1]["query"] == "Q4 report"
    assert "onedrive_share_file" not in tools
    files = [c for c in turn.cards if c["kind"] == "file"]
    confirms = [c for c in turn.cards if c["kind"] == "confirm"]
    assert files and len(confirms) == 1 and turn.cards[-1] is confirms[0]
    card = confirms[0]
    assert card["file"] == files[0]["title"] and "q4" in files[0]["title"].lower()
    assert card["recipients"] == FINANCE
    assert card["steps"].splitlines()[0].startswith("1. Searching files: found “" + files[0]["title"] + "”")
    assert card["steps"].splitlines()[1] == "2. Share this file — waits for your Confirm"
    assert turn.chips[0]["label"] == "Plan: Searching files, then sharing the file"
    assert permissions(avery, files[0]["id"]) == []

    done = await confirm_action(avery.user, turn.message_id, card["id"])
    assert done.status == "done"
    granted = permissions(avery, files[0]["id"])
    assert len(granted) == 1
    again = await confirm_action(avery.user, turn.message_id, card["id"])
    assert again.text == "That action was already handled."
    assert len(permissions(avery, files[0]["id"])) == 1


async def test_a_first_step_that_finds_nothing_proposes_nothing(avery, monkeypatch):
    fixed_now(monkeypatch)
    turn = await avery.say("find the zyzzogeton report and share it with the finance team")
    assert turn.status == "failed"
    assert avery.tools() == ["onedrive_search_files"]
    assert not [c for c in turn.cards if c["kind"] == "confirm"]
    assert "found nothing" in turn.cards[-1]["body"]
