"""The meeting brief through the real stack: the event, its attendees' CRM records and open deals, the last mail
with them; the reply states only what its cards show."""

from __future__ import annotations

import datetime as dt

from tests.integration.assistant.conftest import fixed_now


def next_meetings(avery, now: dt.datetime) -> list[dict]:
    """The mailbox's events of the next days, read straight from the sandbox's Graph, in start order."""
    import httpx

    from tests.integration.assistant.conftest import mint

    token = mint(avery.sandbox)["access_token"]
    r = httpx.get(f"{avery.sandbox.url}/v1.0/me/calendarView", headers={"Authorization": f"Bearer {token}",
                                                                        "Prefer": 'outlook.timezone="UTC"'},
                  params={"startDateTime": now.isoformat(), "endDateTime": (now + dt.timedelta(days=14)).isoformat(),
                          "$orderby": "start/dateTime", "$top": "100"}, timeout=10)
    r.raise_for_status()
    return [e for e in r.json()["value"] if not e.get("isAllDay")]


async def test_brief_me_on_my_next_meeting(avery, monkeypatch):
    now = fixed_now(monkeypatch)
    upcoming = next_meetings(avery, now)
    turn = await avery.say("brief me on my next meeting")
    assert turn.status == "done"
    assert [name for name, _ in avery.calls] == ["outlook_get_calendar_events", "outlook_search_emails"]
    event = turn.cards[0]
    assert event["kind"] == "event" and event["title"] == upcoming[0]["subject"]
    attendees = {a["emailAddress"]["address"].lower() for a in upcoming[0]["attendees"]} - {"avery.chen@northwind.example"}
    assert set(avery.calls[1][1]["participants"]) == attendees
    contacts = [c for c in turn.cards if c["kind"] == "crm" and c["entity"] == "contact"]
    deals = [c for c in turn.cards if c["kind"] == "crm" and c["entity"] == "deal"]
    emails = [c for c in turn.cards if c["kind"] == "email"]
    assert contacts and deals and emails
    assert all(d["subtitle"].split(" · ")[0].lower() not in ("won", "lost") for d in deals)
    assert all(any(a in f"{e['from_address']} {e['to']}".lower() for a in attendees) for e in emails)
    # every fact of the reply is on a card
    assert event["title"] in turn.text
    for card in contacts + deals:
        assert card["title"] in turn.text
    assert emails[0]["title"] in turn.text
    assert turn.cards == [event, *contacts, *deals, *emails]


async def test_prepare_me_for_the_acme_call_finds_it_by_the_companys_people(avery, monkeypatch):
    now = fixed_now(monkeypatch)
    acme = [e for e in next_meetings(avery, now)
            if any(a["emailAddress"]["address"].lower().endswith("@acme.example") for a in e["attendees"])]
    turn = await avery.say("Prepare me for the Acme call")
    assert turn.status == "done"
    assert turn.cards[0]["kind"] == "event" and turn.cards[0]["title"] == acme[0]["subject"]
    assert "acme.example" in turn.cards[0]["attendees"]


async def test_no_matching_meeting_is_said_plainly_and_nothing_else_is_looked_up(avery, monkeypatch):
    fixed_now(monkeypatch)
    turn = await avery.say("prepare me for the Umbrella Corp call")
    assert turn.status == "failed"
    assert [name for name, _ in avery.calls] == ["outlook_get_calendar_events"]
    assert [c["kind"] for c in turn.cards] == ["error"]
    assert "no meeting matching “Umbrella Corp”" in turn.cards[0]["body"]
