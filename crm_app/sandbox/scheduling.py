"""``findMeetingTimes``: slots in working hours where the organizer and enough attendees are free."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from crm_app.sandbox.errors import BadRequest
from crm_app.sandbox.timezones import from_graph, resolve, to_graph

DEFAULT_DURATION = timedelta(minutes=30)
DEFAULT_MAX_CANDIDATES = 5
DEFAULT_MINIMUM_ATTENDEE_PERCENTAGE = 50.0
DEFAULT_SEARCH_DAYS = 2
SLOT_STEP = timedelta(minutes=30)
WORK_START, WORK_END = time(8, 0), time(17, 0)
PERSONAL_START, PERSONAL_END = time(8, 0), time(22, 0)
AVAILABILITY_WEIGHT = {"free": 1.0, "tentative": 0.5, "unknown": 0.5, "workingElsewhere": 0.5, "busy": 0.0, "oof": 0.0}
_DURATION = re.compile(r"^P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$")

Availability = Callable[[str, datetime, datetime], str]


@dataclass(frozen=True)
class Attendee:
    address: str
    name: str
    type: str


def parse_duration(value: Any) -> timedelta:
    """An ISO 8601 duration such as ``PT1H`` or ``PT30M``."""
    if value is None:
        return DEFAULT_DURATION
    match = _DURATION.match(str(value)) if isinstance(value, str) else None
    if not match or not any(match.groupdict().values()):
        raise BadRequest(f"'meetingDuration' must be an ISO 8601 duration such as PT1H or PT30M, not '{value}'.",
                         code="ErrorInvalidRequest")
    parts = {key: int(number) for key, number in match.groupdict().items() if number}
    duration = timedelta(**parts)
    if duration <= timedelta(0):
        raise BadRequest("'meetingDuration' must be longer than zero.", code="ErrorInvalidRequest")
    return duration


def parse_attendees(value: Any) -> list[Attendee]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRequest("'attendees' must be a list of {\"type\", \"emailAddress\": {\"address\"}} objects.")
    attendees = []
    for entry in value:
        address = ((entry or {}).get("emailAddress") or {}).get("address") if isinstance(entry, dict) else None
        if not isinstance(address, str) or "@" not in address:
            raise BadRequest("Each attendee needs emailAddress.address.", code="ErrorInvalidRequest")
        attendees.append(Attendee(address, entry["emailAddress"].get("name") or address, entry.get("type") or "required"))
    return attendees


def _windows(body: dict[str, Any], now: datetime, zone: str) -> tuple[list[tuple[datetime, datetime]], str]:
    constraint = body.get("timeConstraint") or {}
    if not isinstance(constraint, dict):
        raise BadRequest("'timeConstraint' must be an object with timeslots.", code="ErrorInvalidRequest")
    domain = constraint.get("activityDomain") or "work"
    if domain not in ("work", "personal", "unrestricted", "unknown"):
        raise BadRequest("'activityDomain' must be work, personal or unrestricted.", code="ErrorInvalidRequest")
    slots = constraint.get("timeSlots") or constraint.get("timeslots")
    windows: list[tuple[datetime, datetime]] = []
    if slots:
        for index, slot in enumerate(slots):
            start = from_graph((slot or {}).get("start"), f"timeConstraint.timeSlots[{index}].start")
            end = from_graph((slot or {}).get("end"), f"timeConstraint.timeSlots[{index}].end")
            if end <= start:
                raise BadRequest("A time slot must end after it starts.", code="ErrorInvalidRequest")
            windows.append((start, end))
    else:
        local = now.astimezone(resolve(zone))
        end_day = local.date()
        business_days = 0
        while business_days < DEFAULT_SEARCH_DAYS:
            end_day += timedelta(days=1)
            if end_day.weekday() < 5:
                business_days += 1
        end = datetime.combine(end_day, time(23, 59), tzinfo=resolve(zone)).astimezone(UTC)
        windows.append((now, end))
    return windows, "work" if domain == "unknown" else domain


def _allowed(start: datetime, end: datetime, domain: str, zone: str) -> bool:
    """Whether a slot lies within the hours of ``domain`` (work: weekdays 08:00-17:00) in ``zone``."""
    if domain == "unrestricted":
        return True
    local_start, local_end = start.astimezone(resolve(zone)), end.astimezone(resolve(zone))
    if local_start.date() != local_end.date() or (domain == "work" and local_start.weekday() >= 5):
        return False
    first, last = (WORK_START, WORK_END) if domain == "work" else (PERSONAL_START, PERSONAL_END)
    return local_start.time() >= first and local_end.time() <= last


def find_meeting_times(
    body: dict[str, Any],
    *,
    organizer: str,
    organizer_zone: str,
    now: datetime,
    availability: Availability,
    output_zone: str,
) -> dict[str, Any]:
    """A ``meetingTimeSuggestionsResult`` for the request ``body``.

    ``availability(address, start, end)`` answers free, busy, tentative, oof or unknown.
    """
    attendees = parse_attendees(body.get("attendees"))
    duration = parse_duration(body.get("meetingDuration"))
    max_candidates = body.get("maxCandidates")
    max_candidates = DEFAULT_MAX_CANDIDATES if max_candidates is None else max_candidates
    minimum = body.get("minimumAttendeePercentage")
    if minimum is not None and (isinstance(minimum, bool) or not isinstance(minimum, (int, float))
                                or not 0 <= minimum <= 100):
        raise BadRequest("'minimumAttendeePercentage' must be a number from 0 to 100.", code="ErrorInvalidRequest")
    minimum = DEFAULT_MINIMUM_ATTENDEE_PERCENTAGE if minimum is None else float(minimum)
    organizer_optional = bool(body.get("isOrganizerOptional", False))
    reasons = bool(body.get("returnSuggestionReasons", False))
    if isinstance(max_candidates, bool) or not isinstance(max_candidates, int) or max_candidates < 1:
        raise BadRequest("'maxCandidates' must be a positive integer.", code="ErrorInvalidRequest")
    windows, domain = _windows(body, now, organizer_zone)
    locations = [{"displayName": item.get("displayName", ""), "locationEmailAddress": item.get("locationEmailAddress")}
                 for item in ((body.get("locationConstraint") or {}).get("locations") or []) if isinstance(item, dict)]
    candidates: list[dict[str, Any]] = []
    organizer_ever_free = attendees_ever_enough = False
    for window_start, window_end in windows:
        start = _round_up(max(window_start, now))
        while start + duration <= window_end:
            end = start + duration
            if _allowed(start, end, domain, organizer_zone):
                organizer_state = availability(organizer, start, end)
                states = [availability(a.address, start, end) for a in attendees]
                free_share = 100.0 * sum(1 for s in states if s == "free") / len(states) if states else 100.0
                organizer_free = organizer_state == "free"
                organizer_ever_free |= organizer_free
                attendees_ever_enough |= free_share >= minimum
                if (organizer_free or organizer_optional) and free_share >= minimum:
                    weights = [AVAILABILITY_WEIGHT.get(s, 0.0) for s in states]
                    confidence = 100.0 * sum(weights) / len(weights) if weights else 100.0
                    candidates.append(_suggestion(start, end, confidence, organizer_state, attendees, states,
                                                  locations, output_zone, reasons, free_share))
            start += SLOT_STEP
    candidates.sort(key=lambda c: (-c["confidence"], c["_start"]))
    chosen = [{k: v for k, v in c.items() if k != "_start"} for c in candidates[:max_candidates]]
    reason = ""
    if not chosen:
        if not organizer_ever_free and not organizer_optional:
            reason = "OrganizerUnavailable"
        elif attendees and all(availability(a.address, now, now + duration) == "unknown" for a in attendees):
            reason = "AttendeesUnavailableOrUnknown"
        elif not attendees_ever_enough:
            reason = "AttendeesUnavailable"
        else:
            reason = "Unknown"
    return {"emptySuggestionsReason": reason, "meetingTimeSuggestions": chosen}


def _round_up(moment: datetime) -> datetime:
    moment = moment.replace(second=0, microsecond=0)
    extra = moment.minute % 30
    return moment + timedelta(minutes=30 - extra) if extra else moment


def _suggestion(start: datetime, end: datetime, confidence: float, organizer_state: str, attendees: list[Attendee],
                states: list[str], locations: list[dict[str, Any]], zone: str, reasons: bool,
                free_share: float) -> dict[str, Any]:
    suggestion: dict[str, Any] = {
        "_start": start,
        "confidence": round(confidence, 2),
        "organizerAvailability": organizer_state,
        "suggestionReason": "",
        "meetingTimeSlot": {"start": to_graph(start, zone), "end": to_graph(end, zone)},
        "attendeeAvailability": [
            {"attendee": {"type": a.type, "emailAddress": {"address": a.address}}, "availability": state}
            for a, state in zip(attendees, states)
        ],
        "locations": locations,
    }
    if reasons:
        suggestion["suggestionReason"] = (
            "Suggested because it is one of the nearest times when all attendees are available."
            if free_share == 100.0
            else "Suggested because it is one of the nearest times when most attendees are available."
        )
    return suggestion
