"""The seeded demo tenant: deterministic, relative to "now", and carrying what demos and tests need."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sandbox_unit_support import PINNED_NOW

from crm_app.sandbox.odata.values import format_datetime
from crm_app.sandbox.state import SandboxState


def summary(state: SandboxState) -> list[tuple[str, str, str]]:
    mailbox = state.mailbox(state.tenant.main_user)
    return [(m.id, m.data["subject"], m.received) for m in mailbox.messages.values()]


def test_same_seed_same_tenant_other_seed_other_tenant(tenant, links):
    first = SandboxState(tenant, 42, 500, links, PINNED_NOW)
    again = SandboxState(tenant, 42, 500, links, PINNED_NOW)
    other = SandboxState(tenant, 43, 500, links, PINNED_NOW)
    assert summary(first) == summary(again)
    assert summary(first) != summary(other)
    assert [e.id for e in first.calendar(tenant.main_user).ordered()] == \
        [e.id for e in again.calendar(tenant.main_user).ordered()]


def test_reset_restores_the_seeded_data(tenant, links):
    state = SandboxState(tenant, 42, 500, links, PINNED_NOW)
    before = summary(state)
    mailbox = state.mailbox(tenant.main_user)
    mailbox.remove(next(iter(mailbox.messages.values())))
    state.reset()
    assert summary(state) == before


def test_main_mailbox_size_and_small_mailboxes(demo_state):
    tenant = demo_state.tenant
    assert len(demo_state.mailbox(tenant.main_user).messages) == 500
    for user in tenant.users:
        if user is not tenant.main_user:
            assert 0 < len(demo_state.mailbox(user).messages) < 100


def test_dates_are_relative_to_now_and_never_in_the_future(demo_state):
    messages = list(demo_state.mailbox(demo_state.tenant.main_user).messages.values())
    now = format_datetime(PINNED_NOW)
    assert all(m.received <= now for m in messages)
    today = format_datetime(PINNED_NOW.replace(hour=0, minute=0, second=0))
    three_days = format_datetime(PINNED_NOW - timedelta(days=3))
    assert sum(1 for m in messages if m.received >= today) >= 3
    assert sum(1 for m in messages if m.received >= three_days) >= 15


def test_mailbox_covers_the_required_cases(demo_state):
    tenant = demo_state.tenant
    messages = list(demo_state.mailbox(tenant.main_user).messages.values())
    subjects = " | ".join(m.data["subject"] for m in messages).lower()
    for phrase in ("quarterly report", "meeting", "meetings", "acme plant expansion", "globex renewal"):
        assert phrase in subjects, phrase
    html = [m for m in messages if m.data["body"]["contentType"] == "html"]
    assert html and any("<html" in m.data["body"]["content"] for m in html)
    assert any(len(m.text) > 255 and len(m.data["bodyPreview"]) == 255 for m in messages)
    assert any(m.text == "" and m.data["bodyPreview"] == "" for m in messages)
    assert any(m.attachments and m.data["hasAttachments"] for m in messages)
    assert any(not m.data["isRead"] for m in messages)
    crm = {address.lower() for c in tenant.contacts for address in c.emails}
    externals = {p.address for p in tenant.external_senders}
    senders = {m.sender for m in messages}
    assert crm <= senders, crm - senders
    assert externals <= senders
    assert "m.garcia@acme.example" in senders and "o'brien@initech.example" in senders


def test_hostile_and_injection_messages(demo_state):
    messages = list(demo_state.mailbox(demo_state.tenant.main_user).messages.values())
    assert any("<script>" in m.data["subject"] for m in messages)
    assert any("javascript:" in m.data["subject"] for m in messages)
    bodies = [m.data["body"]["content"] for m in messages]
    assert any("onerror=" in b for b in bodies) and any("javascript:" in b for b in bodies)
    injection = [m for m in messages if "ignore previous instructions" in m.text.lower()]
    assert injection and "attacker@evil.example" in injection[0].text
    hostile = next(m for m in messages if "<script>" in m.data["subject"])
    assert "<script" not in hostile.text and "fetch(" not in hostile.text


def test_folders_hold_sent_drafts_archive(demo_state):
    mailbox = demo_state.mailbox(demo_state.tenant.main_user)
    for name in ("inbox", "sentitems", "drafts", "archive", "deleteditems", "junkemail"):
        assert mailbox.folder(name).data["totalItemCount"] > 0, name
    sent = [m for m in mailbox.messages.values() if m.folder_id == mailbox.folder("sentitems").id]
    assert all(m.sender == demo_state.tenant.main_user.mail for m in sent)
    assert sum(f.data["totalItemCount"] for f in mailbox.folders.values()) == 500


def test_calendar_spans_past_and_coming_weeks(demo_state):
    events = demo_state.calendar(demo_state.tenant.main_user).ordered()
    assert any(e.start < PINNED_NOW - timedelta(days=14) for e in events)
    assert any(e.start > PINNED_NOW + timedelta(days=21) for e in events)
    today = [e for e in events if e.start.date() == PINNED_NOW.date()]
    tomorrow = [e for e in events if e.start.date() == PINNED_NOW.date() + timedelta(days=1)]
    assert today and tomorrow
    assert any(e.data["attendees"] for e in events) and any(e.data["isAllDay"] for e in events)
    assert any(e.data["isCancelled"] for e in events) and any(not e.data["isOrganizer"] for e in events)


def test_shared_meetings_are_in_both_calendars(demo_state):
    tenant = demo_state.tenant
    jordan = next(u for u in tenant.users if u.local_part == "jordan.patel")
    mine = {e.data["iCalUId"] for e in demo_state.calendar(tenant.main_user).ordered()}
    theirs = {e.data["iCalUId"] for e in demo_state.calendar(jordan).ordered()}
    assert len(mine & theirs) >= 5


def test_files_sites_and_teams(demo_state):
    drive = demo_state.drive(demo_state.tenant.main_user)
    names = {r.name for r in drive.items.values()}
    assert {"Q4 Report 2026.docx", "Budget 2027.xlsx", "Meeting notes - Acme.txt", "Globex renewal notes.md",
            "Call log.csv"} <= names
    notes = next(r for r in drive.items.values() if r.name == "Meeting notes - Acme.txt")
    assert "Acme" in notes.content.decode()
    sites = {s.name: s for s in demo_state.data.sites}
    assert {"Sales", "Finance"} <= set(sites)
    assert any(r.name.startswith("Q4 Report") for r in sites["Sales"].drive.items.values())
    teams = {t.data["displayName"]: t for t in demo_state.data.teams}
    assert {"Sales", "Finance"} <= set(teams)
    assert all(len(c.messages) >= 2 for t in teams.values() for c in t.channels.values())


def test_today_has_mail_even_just_after_midnight(tenant, links):
    just_after = datetime(2026, 3, 4, 0, 3, tzinfo=timezone.utc)
    state = SandboxState(tenant, 42, 200, links, just_after)
    received = [m.received for m in state.mailbox(tenant.main_user).messages.values()]
    today = [r for r in received if r >= "2026-03-04T00:00:00Z"]
    assert len(today) >= 4 and max(received) < "2026-03-04T00:03:00Z"
