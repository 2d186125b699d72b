"""Slots that compose whatever the order: mail filters, dates, people by role, CRM and Teams targets."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crm_app.assistant.intents import Intent
from crm_app.assistant.offline.evaluation import compare, plan_shape
from crm_app.assistant.offline.roles import by_role, title_matches

NEW_YORK = ZoneInfo("America/New_York")
THIS_WEEK = {"start": "2026-03-23T00:00:00+00:00", "end": "2026-03-30T00:00:00+01:00"}


@pytest.mark.parametrize(
    "text",
    [
        "emails from the last 3 days that are unread",
        "unread emails from the last 3 days",
        "from the last 3 days, unread emails",
    ],
)
def test_two_mail_constraints_combine_in_any_order(run, text: str) -> None:  # type: ignore[no-untyped-def]
    plan = run(text)
    assert plan.intent is Intent.MAIL_SEARCH
    assert plan.args["unread_only"] is True
    assert plan.args["start"] == "2026-03-22T10:30:00+00:00"
    assert "query" not in plan.args


@pytest.mark.parametrize(
    "text",
    [
        "emails with attachments from maria this week",
        "emails from maria this week with attachments",
        "this week's emails from maria that have attachments",
    ],
)
def test_sender_dates_and_attachments_compose(run, text: str) -> None:  # type: ignore[no-untyped-def]
    plan = run(text)
    assert plan.intent is Intent.MAIL_SEARCH
    assert plan.args["sender"] == "maria.garcia@acme.example"
    assert plan.args["has_attachments"] is True
    assert {k: plan.args[k] for k in ("start", "end")} == THIS_WEEK
    assert "query" not in plan.args


def test_an_attachment_word_with_a_topic_keeps_the_topic(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("find the email with the pricing attachment")
    assert plan.args["query"] == "pricing"
    assert plan.args["has_attachments"] is True


@pytest.mark.parametrize(
    ("text", "folder"),
    [
        ("show my drafts", "drafts"),
        ("anything in junk?", "junkemail"),
        ("deleted emails from last week", "deleteditems"),
        ("what did i send yesterday", "sentitems"),
        ("any unread messages in clients", "clients"),
        ("what's in my Clients folder", "Clients"),
    ],
)
def test_folders_by_name(run, text: str, folder: str) -> None:  # type: ignore[no-untyped-def]
    plan = run(text)
    assert plan.intent is Intent.MAIL_SEARCH
    assert plan.args["folder"] == folder


def test_a_thread_is_a_mail_search_and_its_sender_is_not_a_search_word(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("the thread with hannah about SSO")
    assert plan.intent is Intent.MAIL_SEARCH
    assert plan.args == {"sender": "hannah.okafor@globex.example", "query": "SSO"}


def test_a_word_that_could_be_a_sender_counts_only_when_the_crm_knows_it(run) -> None:  # type: ignore[no-untyped-def]
    assert run("wayne retail emails").args == {"sender_company": "Wayne Retail"}
    assert "sender_name" not in run("unread emails").args


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("emails received on 12/03/2026", "2026-03-12"),
        ("emails from 3/18/2026", "2026-03-18"),
    ],
)
def test_numeric_dates_read_day_first_in_london(run, text: str, day: str) -> None:  # type: ignore[no-untyped-def]
    assert run(text).args["start"].startswith(day)


def test_numeric_dates_read_month_first_in_an_american_zone(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("emails received on 02/03/2026", tz=NEW_YORK, now=datetime(2026, 3, 25, 6, 30, tzinfo=NEW_YORK))
    assert plan.args["start"].startswith("2026-02-03")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("mail from globex this quarter", "2026-01-01T00:00:00+00:00", "2026-04-01T00:00:00+01:00"),
        ("emails from last quarter about the renewal", "2025-10-01T00:00:00+01:00", "2026-01-01T00:00:00+00:00"),
        ("emails between 2 and 9 march", "2026-03-02T00:00:00+00:00", "2026-03-10T00:00:00+00:00"),
    ],
)
def test_quarters_and_spans_of_days(run, text: str, start: str, end: str) -> None:  # type: ignore[no-untyped-def]
    plan = run(text)
    assert (plan.args["start"], plan.args["end"]) == (start, end)


def test_a_quoted_title_is_not_a_quarter(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("put a 'Q2 planning' meeting in my calendar next Tuesday at 14:30")
    assert plan.intent is Intent.CALENDAR_CREATE
    assert plan.args["start"] == "2026-03-31T14:30:00+01:00"


def test_a_meeting_said_by_its_length_first(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("book 30 mins with ethan brooks next monday at half past ten")
    assert plan.intent is Intent.CALENDAR_CREATE
    assert plan.args["attendees"] == ["ethan.brooks@wayneretail.example"]
    assert (plan.args["start"], plan.args["end"]) == ("2026-03-30T10:30:00+01:00", "2026-03-30T11:00:00+01:00")
    assert "default_length" not in plan.args


def test_people_by_role_and_company(directory) -> None:  # type: ignore[no-untyped-def]
    assert [p.name for p in by_role("the cfo at globex", directory) or []] == ["Hannah Okafor"]
    assert [p.name for p in by_role("globex cfo", directory) or []] == ["Hannah Okafor"]
    assert [p.name for p in by_role("mr smith", directory) or []] == ["John Smith"]
    assert sorted(p.name for p in by_role("the acme contact", directory) or []) == ["John Smith", "Maria Garcia"]
    assert by_role("the finance team", directory) is None
    assert by_role("cfo at nowhere", directory) is None
    assert title_matches("coo", "COO") and title_matches("procurement director", "Procurement Director")
    assert not title_matches("cfo", "Chief Medical Officer")


def test_a_role_several_people_fit_is_a_question(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("emails from the acme contact")
    assert plan.intent is Intent.CLARIFY
    assert sorted(plan.args["candidates"]) == ["john.smith@acme.example", "maria.garcia@acme.example"]


def test_deals_by_close_date_keep_the_range(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("deals in negotiation closing this month")
    assert plan.intent is Intent.CRM_SEARCH
    assert plan.args["stage"] == "negotiation"
    assert (plan.args["start"], plan.args["end"]) == ("2026-03-01T00:00:00+00:00", "2026-04-01T00:00:00+01:00")
    assert "start" not in run("show my deals").args


@pytest.mark.parametrize(
    ("text", "team", "channel"),
    [
        ("post in the sales general channel: globex signed", "sales", "general"),
        ("post to finance budget 2027: sales tab updated", "finance", "budget 2027"),
        ("tell the sales team in renewals that globex wants SSO", "sales", "renewals"),
    ],
)
def test_teams_targets_written_as_one_phrase(run, text: str, team: str, channel: str) -> None:  # type: ignore[no-untyped-def]
    plan = run(text)
    assert plan.intent is Intent.TEAMS_POST
    assert (plan.args["team_name"], plan.args["channel_name"]) == (team, channel)
    assert plan.side_effect


def test_a_reference_and_an_action_search_then_propose(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("forward the last email from grace to jane@roe.io")
    assert plan.intent is Intent.MAIL_FORWARD
    assert plan.args["find"]["sender"] == "grace.kim@starklogistics.example"
    assert plan.args["to"] == ["jane@roe.io"]
    assert "ref" not in plan.args
    owner = run("reply to maria's last email and say the contract is signed")
    assert owner.args["find"] == {"top": 1, "sender": "maria.garcia@acme.example"}


def test_opening_the_newest_email_of_a_search(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("read the latest email from hannah")
    assert plan.intent is Intent.MAIL_GET
    assert plan.args["find"]["sender"] == "hannah.okafor@globex.example"
    assert run("show me the latest 5 emails from hannah").intent is Intent.MAIL_SEARCH


def test_the_label_of_a_described_email_is_compared_with_the_plans_find() -> None:
    labels = {"ref": {"kind": "email", "sender": "x@y.example"}, "to": ["a@b.example"]}
    shaped = plan_shape(labels)
    assert shaped == {"find": {"sender": "x@y.example"}, "to": ["a@b.example"]}
    assert not compare(shaped, {"find": {"top": 1, "sender": "x@y.example"}, "to": ["a@b.example"]})
    assert compare(shaped, {"ref": {"kind": "email", "index": 0, "id": "m1"}, "to": ["a@b.example"]})
    shown = {"ref": {"kind": "email", "index": 1, "id": "m2"}}
    assert plan_shape(shown) == shown
