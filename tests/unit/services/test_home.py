"""The home overview: open stages only, with counts and totals in the shared money format; newest activity first."""

from __future__ import annotations

import asyncio

from crm_app.services import auth, crm, home


def test_overview_lists_open_stages_with_totals_and_the_newest_activity(database):
    owner = auth.sign_up("home@example.com", "long enough pw", "Home Owner").id
    acme = crm.create_company({"name": "Acme"}, owner)
    crm.create_deal({"title": "Open one", "amount": "85000", "currency": "USD", "stage": "proposal",
                     "company_id": acme["id"]}, owner)
    crm.create_deal({"title": "Open two", "amount": "1000.5", "currency": "EUR", "stage": "proposal"}, owner)
    won = crm.create_deal({"title": "Closed", "amount": "5", "currency": "USD", "stage": "won"}, owner)
    crm.add_activity({"kind": "note", "subject": "First", "company_id": acme["id"]}, owner)
    crm.add_activity({"kind": "meeting", "subject": "Second", "deal_id": won["id"]}, owner)

    found = home.overview(limit=5)
    assert [p["label"] for p in found.pipeline] == ["Lead", "Qualified", "Proposal", "Negotiation"]
    proposal = next(p for p in found.pipeline if p["stage"] == "proposal")
    assert proposal["count"] == "2" and proposal["total"] == "EUR 1,000.50 · USD 85,000.00"
    assert next(p for p in found.pipeline if p["stage"] == "lead")["total"] == "—"
    assert found.pipeline_total == "EUR 1,000.50 · USD 85,000.00", "won deals are not open"
    assert [a["subject"] for a in found.activity[:2]] == ["Second", "First"]
    assert found.activity[0]["record"] == "Closed" and found.activity[0]["href"] == f"/deals/{won['id']}"
    assert found.activity[1]["record"] == "Acme" and found.activity[1]["href"] == f"/companies/{acme['id']}"
    assert found.activity[0]["kind"] == "Meeting"


def test_without_a_microsoft_connection_nothing_is_asked(database):
    owner = auth.sign_up("nohome@example.com", "long enough pw", "No Connection").id
    today = asyncio.run(home.ms365_today(owner, "Europe/London"))
    assert today.connected is False and today.meetings == [] and today.unread is None and today.problem == ""
