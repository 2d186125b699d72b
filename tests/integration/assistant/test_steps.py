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
    assert turn.chips[0].label == "Plan: Searching files, then sharing the file"
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


async def test_log_my_last_email_from_hannah_to_the_globex_deal(avery, monkeypatch):
    from crm_app.services import crm
    from crm_app.services.assistant import confirm_action

    fixed_now(monkeypatch)
    deal = crm.find_deals("Globex renewal 2027")[0]
    before = [a for a in crm.timeline(deal_id=deal["id"]) if a["kind"] == "email"]
    turn = await avery.say("log my last email from Hannah to the Globex deal")
    assert turn.status == "done"
    assert avery.tools() == ["outlook_search_emails", "outlook_get_email"]  # the search, then the full body to log
    assert avery.calls[0][1] == {"sender": "hannah.okafor@globex.example", "top": 1}
    emails = [c for c in turn.cards if c["kind"] == "email"]
    assert avery.calls[1][1].get("message_id") == emails[0]["id"]
    confirms = [c for c in turn.cards if c["kind"] == "confirm"]
    assert len(emails) == 1 and emails[0]["from_address"] == "hannah.okafor@globex.example"
    assert len(confirms) == 1
    card = confirms[0]
    assert card["record"] == "Deal: Globex renewal 2027" and card["subject"] == emails[0]["title"]
    assert card["steps"].splitlines()[1] == "2. Log this email to the CRM — waits for your Confirm"
    assert [a for a in crm.timeline(deal_id=deal["id"]) if a["kind"] == "email"] == before

    done = await confirm_action(avery.user, turn.message_id, card["id"])
    assert done.status == "done"
    logged = [a for a in crm.timeline(deal_id=deal["id"]) if a["kind"] == "email"]
    assert len(logged) == len(before) + 1 and logged[0]["subject"] == emails[0]["title"]
    assert logged[0]["email_message_id"] == emails[0]["id"]
    again = await confirm_action(avery.user, turn.message_id, card["id"])
    assert again.text == "That action was already handled."
    assert len([a for a in crm.timeline(deal_id=deal["id"]) if a["kind"] == "email"]) == len(logged)


def sent_to(avery, address: str) -> list[dict]:
    token = mint(avery.sandbox)["access_token"]
    r = httpx.get(f"{avery.sandbox.url}/v1.0/me/mailFolders/sentitems/messages",
                  params={"$top": "100", "$select": "subject,toRecipients,body"},
                  headers={"Authorization": f"Bearer {token}"}, timeout=10)
    r.raise_for_status()
    return [m for m in r.json()["value"]
            if any(p["emailAddress"]["address"].lower() == address for p in m.get("toRecipients") or [])]


async def test_email_everyone_on_tomorrows_10am_meeting_the_agenda(avery, monkeypatch):
    from crm_app.services.assistant import confirm_action

    fixed_now(monkeypatch)
    jordan = "jordan.patel@northwind.example"
    before = len(sent_to(avery, jordan))
    turn = await avery.say("email everyone on tomorrow's 10am meeting the agenda")
    assert turn.status == "done"
    assert avery.tools() == ["outlook_get_calendar_events"]
    assert avery.calls[0][1]["start"].startswith("2026-03-26")
    events = [c for c in turn.cards if c["kind"] == "event"]
    confirms = [c for c in turn.cards if c["kind"] == "confirm"]
    assert [e["title"] for e in events] == ["Weekly sales meeting"] and len(confirms) == 1
    card = confirms[0]
    assert card["to"] == jordan and card["subject"] == "Agenda: Weekly sales meeting"
    assert card["steps"].splitlines() == [
        "1. Reading your calendar: found “Weekly sales meeting” — done",
        "2. Send this email — waits for your Confirm — the invite has no agenda text: add it with Edit first",
    ]
    assert len(sent_to(avery, jordan)) == before

    agenda = "Agenda: pipeline, Globex renewal, Initech pilot."
    done = await confirm_action(avery.user, turn.message_id, card["id"], {"body": agenda})
    assert done.status == "done"
    sent = sent_to(avery, jordan)
    assert len(sent) == before + 1
    assert any(m["subject"] == "Agenda: Weekly sales meeting" and "Globex renewal" in m["body"]["content"] for m in sent)
    again = await confirm_action(avery.user, turn.message_id, card["id"])
    assert again.text == "That action was already handled." and len(sent_to(avery, jordan)) == before + 1


async def test_the_agenda_comes_from_the_invite_when_it_has_one(avery, monkeypatch):
    fixed_now(monkeypatch)
    turn = await avery.say("Email all the attendees of today's 2pm call the agenda")
    card = next(c for c in turn.cards if c["kind"] == "confirm")
    assert set(card["to"].split(", ")) == {"john.smith@acme.example", "maria.garcia@acme.example"}
    assert "maintenance terms after year one" in card["body"]
    assert card["steps"].splitlines()[1] == "2. Send this email — waits for your Confirm"
    assert "outlook_send_email" not in avery.tools()
