"""Deals by expected close date: the CRM search tool filters by the bounds it is given, and says so."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from crm_app.assistant import replies
from crm_app.assistant.intents import Intent, Plan
from crm_app.services import crm
from crm_app.services.assistant.reads import close_dates
from crm_app.tools.base import ToolContext, ToolRegistry
from crm_app.tools.crm_tools import crm_tools

LONDON = ZoneInfo("Europe/London")


def _deals() -> dict[str, int]:
    made = {}
    for title, close, stage in (("Early", "2026-11-30", "lead"), ("First day", "2026-12-01", "negotiation"),
                                ("Last day", "2026-12-31", "proposal"), ("Next year", "2027-01-01", "negotiation"),
                                ("No date", None, "negotiation")):
        made[title] = crm.create_deal({"title": title, "amount": "100", "currency": "USD", "stage": stage,
                                       "expected_close": close}, None)["id"]
    return made


async def _search(args: dict) -> object:
    registry = ToolRegistry()
    registry.register_all(crm_tools(crm))
    return await registry.execute("crm_search", ToolContext(1), {"query": "", **args})


async def test_close_date_bounds_keep_exactly_the_deals_inside(database):
    _deals()
    result = await _search({"entity": "deal", "close_from": "2026-12-01", "close_before": "2027-01-01"})
    assert result.ok, result.error_message
    assert sorted(r["title"] for r in result.data["records"]) == ["First day", "Last day"]
    staged = await _search({"entity": "deal", "stage": "negotiation", "close_from": "2026-12-01",
                            "close_before": "2027-01-01"})
    assert [r["title"] for r in staged.data["records"]] == ["First day"]
    # a date bound means deals even when the entity was left open
    either = await _search({"entity": "all", "close_before": "2026-12-01"})
    assert [(r["entity"], r["title"]) for r in either.data["records"]] == [("deal", "Early")]


async def test_a_bad_date_is_a_clear_failure_not_an_unfiltered_list(database):
    _deals()
    result = await _search({"entity": "deal", "close_from": "next tuesday"})
    assert not result.ok and result.data is None
    assert "YYYY-MM-DD" in result.error_message


def test_plan_times_become_local_close_dates():
    month = {"start": "2026-12-01T00:00:00+00:00", "end": "2027-01-01T00:00:00+00:00"}
    assert close_dates(month, LONDON) == {"close_from": "2026-12-01", "close_before": "2027-01-01"}
    # an end within a day still counts that day; a summer offset is read in local time
    assert close_dates({"end": "2026-06-30T17:00:00+01:00"}, LONDON) == {"close_before": "2026-07-01"}
    assert close_dates({"start": "2026-05-31T23:30:00+00:00"}, LONDON) == {"close_from": "2026-06-01"}
    assert close_dates({"start": "not a time"}, LONDON) == {}
    assert close_dates({}, LONDON) == {}


def test_the_reply_names_the_close_date_range_and_stage():
    args = {"entity": "deal", "stage": "negotiation", "start": "2026-12-01T00:00:00+00:00",
            "end": "2027-01-01T00:00:00+00:00"}
    plan = Plan(Intent.CRM_SEARCH, args)
    cards = [{"kind": "crm", "title": "First day"}]
    text = replies.results_reply("crm.search", plan, cards, args)
    assert text == "I found 1 deal in Negotiation expected to close from Tue 1 Dec to Thu 31 Dec."
    assert replies.results_reply("crm.search", plan, [], args) == (
        "No deal in Negotiation in the CRM is expected to close from Tue 1 Dec to Thu 31 Dec.")
    plain = replies.results_reply("crm.search", Plan(Intent.CRM_SEARCH, {}), cards, {})
    assert "close" not in plain
