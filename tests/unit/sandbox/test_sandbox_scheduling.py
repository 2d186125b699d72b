"""findMeetingTimes: working hours, busy attendees, confidence, empty reasons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crm_app.sandbox.errors import BadRequest
from crm_app.sandbox.scheduling import find_meeting_times, parse_duration

MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def busy_between(blocks):
    def availability(address, start, end):
        if address.endswith("@outside.example"):
            return "unknown"
        for who, block_start, block_end, state in blocks:
            if who == address and start < block_end and end > block_start:
                return state
        return "free"

    return availability


def slot(day_hour_start, day_hour_end, zone="UTC"):
    return {"start": {"dateTime": day_hour_start, "timeZone": zone}, "end": {"dateTime": day_hour_end, "timeZone": zone}}


def run(body, blocks=(), now=MONDAY_9, zone="UTC"):
    return find_meeting_times(body, organizer="me@x.example", organizer_zone="Europe/London", now=now,
                              availability=busy_between(list(blocks)), output_zone=zone)


def starts(result):
    return [s["meetingTimeSlot"]["start"]["dateTime"] for s in result["meetingTimeSuggestions"]]


def test_durations():
    assert parse_duration("PT1H") == timedelta(hours=1)
    assert parse_duration("PT1H30M") == timedelta(minutes=90)
    assert parse_duration("P1D") == timedelta(days=1)
    assert parse_duration(None) == timedelta(minutes=30)
    for bad in ("1:00:00", "PT", "PT0M", 60):
        with pytest.raises(BadRequest):
            parse_duration(bad)


def test_busy_attendee_slots_are_skipped_and_all_free_first():
    blocks = [("jo@x.example", MONDAY_9, MONDAY_9 + timedelta(hours=2), "busy")]
    body = {"attendees": [{"type": "required", "emailAddress": {"address": "jo@x.example"}}],
            "timeConstraint": {"timeSlots": [slot("2026-03-02T09:00:00", "2026-03-02T13:00:00")]},
            "meetingDuration": "PT1H", "minimumAttendeePercentage": 100, "returnSuggestionReasons": True}
    result = run(body, blocks)
    assert result["emptySuggestionsReason"] == ""
    assert starts(result) == ["2026-03-02T11:00:00.0000000", "2026-03-02T11:30:00.0000000",
                              "2026-03-02T12:00:00.0000000"]
    first = result["meetingTimeSuggestions"][0]
    assert first["confidence"] == 100.0 and first["organizerAvailability"] == "free"
    assert first["attendeeAvailability"][0]["availability"] == "free"
    assert "all attendees" in first["suggestionReason"]


def test_outside_working_hours_and_weekends_give_nothing():
    body = {"timeConstraint": {"timeSlots": [slot("2026-03-07T09:00:00", "2026-03-07T12:00:00"),
                                             slot("2026-03-02T18:00:00", "2026-03-02T21:00:00")]}}
    assert run(body)["meetingTimeSuggestions"] == []
    personal = run(body | {"timeConstraint": body["timeConstraint"] | {"activityDomain": "personal"}})
    assert personal["meetingTimeSuggestions"]


def test_empty_reasons():
    window = {"timeSlots": [slot("2026-03-02T10:00:00", "2026-03-02T11:00:00")]}
    organizer_busy = run({"timeConstraint": window}, [("me@x.example", MONDAY_9, MONDAY_9 + timedelta(hours=5), "busy")])
    assert organizer_busy["emptySuggestionsReason"] == "OrganizerUnavailable"
    attendees_busy = run(
        {"timeConstraint": window, "minimumAttendeePercentage": 100,
         "attendees": [{"emailAddress": {"address": "jo@x.example"}}]},
        [("jo@x.example", MONDAY_9, MONDAY_9 + timedelta(hours=5), "oof")],
    )
    assert attendees_busy["emptySuggestionsReason"] == "AttendeesUnavailable"
    unknown = run({"timeConstraint": window, "minimumAttendeePercentage": 100,
                   "attendees": [{"emailAddress": {"address": "guest@outside.example"}}]})
    assert unknown["emptySuggestionsReason"] == "AttendeesUnavailableOrUnknown"


def test_unknown_attendees_lower_confidence_and_times_follow_output_zone():
    body = {"attendees": [{"emailAddress": {"address": "guest@outside.example"}}],
            "minimumAttendeePercentage": 0, "maxCandidates": 1,
            "timeConstraint": {"timeSlots": [slot("2026-03-02T10:00:00", "2026-03-02T11:00:00")]}}
    result = run(body, zone="Pacific Standard Time")
    suggestion = result["meetingTimeSuggestions"][0]
    assert suggestion["confidence"] == 50.0
    assert suggestion["meetingTimeSlot"]["start"] == {"dateTime": "2026-03-02T02:00:00.0000000",
                                                      "timeZone": "Pacific Standard Time"}


def test_default_window_starts_now_on_the_half_hour():
    result = run({"maxCandidates": 3}, now=datetime(2026, 3, 2, 9, 10, tzinfo=UTC))
    assert starts(result)[0] == "2026-03-02T09:30:00.0000000" and len(starts(result)) == 3


@pytest.mark.parametrize("body", [
    {"attendees": "jo"},
    {"attendees": [{"emailAddress": {}}]},
    {"maxCandidates": 0},
    {"timeConstraint": {"timeSlots": [slot("2026-03-02T12:00:00", "2026-03-02T11:00:00")]}},
    {"timeConstraint": {"activityDomain": "leisure"}},
])
def test_invalid_requests(body):
    with pytest.raises(BadRequest):
        run(body)
