"""Dates and times, resolved in the user's zone with Monday-first weeks."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crm_app.assistant.intents import Intent
from crm_app.assistant.offline.dates import extract
from crm_app.assistant.offline.periods import event_times, search_range

from .conftest import LONDON, NOW


def _range(
    text: str, direction: str = "past", now: datetime = NOW
) -> tuple[str, str] | None:
    when = extract(text, now, direction)  # type: ignore[arg-type]
    found = search_range(when, now.tzinfo)  # type: ignore[arg-type]
    return (found[0].isoformat(), found[1].isoformat()) if found else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", ("2026-03-25T00:00:00+00:00", "2026-03-26T00:00:00+00:00")),
        ("tomorrow", ("2026-03-26T00:00:00+00:00", "2026-03-27T00:00:00+00:00")),
        ("yesterday", ("2026-03-24T00:00:00+00:00", "2026-03-25T00:00:00+00:00")),
        ("this week", ("2026-03-23T00:00:00+00:00", "2026-03-30T00:00:00+01:00")),
        ("last week", ("2026-03-16T00:00:00+00:00", "2026-03-23T00:00:00+00:00")),
        ("next week", ("2026-03-30T00:00:00+01:00", "2026-04-06T00:00:00+01:00")),
        ("last 3 days", ("2026-03-22T10:30:00+00:00", "2026-03-25T10:30:00+00:00")),
        (
            "the past 24 hours",
            ("2026-03-24T10:30:00+00:00", "2026-03-25T10:30:00+00:00"),
        ),
        ("since monday", ("2026-03-23T00:00:00+00:00", "2026-03-25T10:30:00+00:00")),
        ("in march", ("2026-03-01T00:00:00+00:00", "2026-04-01T00:00:00+01:00")),
        ("last month", ("2026-02-01T00:00:00+00:00", "2026-03-01T00:00:00+00:00")),
        ("this weekend", ("2026-03-28T00:00:00+00:00", "2026-03-30T00:00:00+01:00")),
    ],
)
def test_ranges(text: str, expected: tuple[str, str]) -> None:
    assert _range(text) == expected


def test_a_month_without_year_looks_back_for_mail_and_ahead_for_the_calendar() -> None:
    assert _range("in may", "past") == (
        "2025-05-01T00:00:00+01:00",
        "2025-06-01T00:00:00+01:00",
    )
    assert _range("in may", "future") == (
        "2026-05-01T00:00:00+01:00",
        "2026-06-01T00:00:00+01:00",
    )
    assert _range("on 12 may", "future") == (
        "2026-05-12T00:00:00+01:00",
        "2026-05-13T00:00:00+01:00",
    )
    assert _range("on 12 may", "past") == (
        "2025-05-12T00:00:00+01:00",
        "2025-05-13T00:00:00+01:00",
    )


def test_bare_weekday_depends_on_direction() -> None:
    assert _range("friday", "future")[0] == "2026-03-27T00:00:00+00:00"  # type: ignore[index]
    assert _range("friday", "past")[0] == "2026-03-20T00:00:00+00:00"  # type: ignore[index]
    assert _range("next thursday", "future")[0] == "2026-04-02T00:00:00+01:00"  # type: ignore[index]
    assert _range("this thursday", "future")[0] == "2026-03-26T00:00:00+00:00"  # type: ignore[index]
    assert _range("last friday", "past")[0] == "2026-03-20T00:00:00+00:00"  # type: ignore[index]


def _event(text: str, now: datetime = NOW) -> tuple[str, str] | None:
    times = event_times(extract(text, now, "future"), now)
    return (times[0].isoformat(), times[1].isoformat()) if times else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "next monday at 2pm",
            ("2026-03-30T14:00:00+01:00", "2026-03-30T14:30:00+01:00"),
        ),
        (
            "tomorrow at 14:30",
            ("2026-03-26T14:30:00+00:00", "2026-03-26T15:00:00+00:00"),
        ),
        (
            "tomorrow at 3pm for an hour",
            ("2026-03-26T15:00:00+00:00", "2026-03-26T16:00:00+00:00"),
        ),
        (
            "tomorrow from 2 to 3pm",
            ("2026-03-26T14:00:00+00:00", "2026-03-26T15:00:00+00:00"),
        ),
        (
            "on 14 april from 9 to 11am",
            ("2026-04-14T09:00:00+01:00", "2026-04-14T11:00:00+01:00"),
        ),
        (
            "friday from 11 to 1pm",
            ("2026-03-27T11:00:00+00:00", "2026-03-27T13:00:00+00:00"),
        ),
        ("friday at 2", ("2026-03-27T14:00:00+00:00", "2026-03-27T14:30:00+00:00")),
        ("friday at 9", ("2026-03-27T09:00:00+00:00", "2026-03-27T09:30:00+00:00")),
        (
            "tomorrow at noon for 90 minutes",
            ("2026-03-26T12:00:00+00:00", "2026-03-26T13:30:00+00:00"),
        ),
        (
            "tomorrow afternoon",
            ("2026-03-26T14:00:00+00:00", "2026-03-26T14:30:00+00:00"),
        ),
    ],
)
def test_event_times(text: str, expected: tuple[str, str]) -> None:
    assert _event(text) == expected


def test_a_time_alone_is_the_next_time_it_comes_round() -> None:
    assert _event("at 9am") == (
        "2026-03-26T09:00:00+00:00",
        "2026-03-26T09:30:00+00:00",
    )
    assert _event("at 4pm") == (
        "2026-03-25T16:00:00+00:00",
        "2026-03-25T16:30:00+00:00",
    )


def test_no_time_means_no_event_times() -> None:
    assert _event("next monday") is None


def test_dates_follow_the_users_zone_not_utc(run) -> None:  # type: ignore[no-untyped-def]
    new_york = ZoneInfo("America/New_York")
    late_evening_utc = datetime(2026, 3, 26, 2, 0, tzinfo=ZoneInfo("UTC"))
    plan = run("What's on my calendar today?", now=late_evening_utc, tz=new_york)
    assert plan.intent is Intent.CALENDAR_LIST
    assert plan.args["start"] == "2026-03-25T00:00:00-04:00"
    assert plan.args["end"] == "2026-03-26T00:00:00-04:00"


def test_year_rolls_over_for_the_calendar() -> None:
    december = datetime(2026, 12, 30, 9, 0, tzinfo=LONDON)
    assert _range("in january", "future", december) == (
        "2027-01-01T00:00:00+00:00",
        "2027-02-01T00:00:00+00:00",
    )
    assert _range("this week", "future", december) == (
        "2026-12-28T00:00:00+00:00",
        "2027-01-04T00:00:00+00:00",
    )
    assert _range("next week", "future", december) == (
        "2027-01-04T00:00:00+00:00",
        "2027-01-11T00:00:00+00:00",
    )
    assert _range("next month", "future", december) == (
        "2027-01-01T00:00:00+00:00",
        "2027-02-01T00:00:00+00:00",
    )
