"""Outlook calendar tools: list events, create an event, find meeting times."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from crm_app.ms365_mcp.errors import ArgumentError
from crm_app.ms365_mcp.graph import GraphClient
from crm_app.ms365_mcp.mapping import event, graph_recipients
from crm_app.ms365_mcp.models import (
    AttendeeAvailability,
    EventList,
    EventResult,
    MeetingSuggestion,
    MeetingTimes,
)
from crm_app.graph_query.timeparse import (
    DEFAULT_TIME_ZONE,
    graph_datetime_tz,
    is_date_only,
    iso_in_zone,
    parse_graph_datetime_tz,
    to_aware,
    utc_iso,
    zone_for,
)
from crm_app.ms365_mcp.tools.common import (
    ADDITIVE,
    READ_ONLY,
    AddressList,
    IsoDateTime,
    OptionalAddressList,
    OptionalIsoDateTime,
    OptionalLongText,
    OptionalShortText,
    RequiredText,
    TimeZoneName,
    ToolSpec,
    bearer_token,
)

DEFAULT_EVENT_TOP = 50
MAX_EVENT_TOP = 200
EVENT_PAGE_SIZE = 50
EVENT_MAX_PAGES = 10
DEFAULT_RANGE_DAYS = 7
MAX_RANGE_DAYS = 366
MAX_EVENT_DURATION_DAYS = 14
DEFAULT_MEETING_MINUTES = 30
MAX_MEETING_MINUTES = 8 * 60
MAX_SUGGESTIONS = 20
DEFAULT_SUGGESTIONS = 5
EVENT_SELECT = (
    "id,subject,start,end,isAllDay,location,attendees,organizer,isOnlineMeeting,onlineMeeting,webLink,bodyPreview"
)
UTC_PREFER = {"Prefer": 'outlook.timezone="UTC"'}


def _range(start: str | None, end: str | None, time_zone: str) -> tuple[datetime, datetime]:
    """The requested window as aware datetimes; defaults to today and the next days."""
    zone = zone_for(time_zone)
    if start:
        window_start = to_aware(start, zone)
    else:
        now = datetime.now(zone)
        window_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    window_end = to_aware(end, zone, end_of_day=True) if end else window_start + timedelta(days=DEFAULT_RANGE_DAYS)
    if window_end <= window_start:
        raise ArgumentError("end", "must be later than start")
    if window_end - window_start > timedelta(days=MAX_RANGE_DAYS):
        raise ArgumentError("end", f"the range may span at most {MAX_RANGE_DAYS} days")
    return window_start, window_end


async def outlook_get_calendar_events(
    graph: GraphClient,
    ctx: Context,
    start: Annotated[OptionalIsoDateTime, Field(description="Window start, e.g. 2025-03-03")] = None,
    end: Annotated[OptionalIsoDateTime, Field(description="Window end, e.g. 2025-03-07 (inclusive day)")] = None,
    time_zone: TimeZoneName = DEFAULT_TIME_ZONE,
    top: Annotated[int, Field(ge=1, le=MAX_EVENT_TOP, description="Maximum events to return")] = DEFAULT_EVENT_TOP,
) -> EventList:
    token = bearer_token(ctx)
    window_start, window_end = _range(start, end, time_zone)
    page = await graph.collect(
        "/me/calendarView",
        token=token,
        params={
            "startDateTime": utc_iso(window_start),
            "endDateTime": utc_iso(window_end),
            "$select": EVENT_SELECT,
            "$orderby": "start/dateTime",
            "$top": str(min(top, EVENT_PAGE_SIZE)),
        },
        headers=UTC_PREFER,
        limit=top,
        max_pages=EVENT_MAX_PAGES,
    )
    events = [event(item, time_zone) for item in page.items]
    events.sort(key=lambda e: datetime.fromisoformat(e.start) if e.start else window_end)
    return EventList(events=events, count=len(events), has_more=page.has_more)


async def outlook_create_calendar_event(
    graph: GraphClient,
    ctx: Context,
    subject: Annotated[RequiredText, Field(max_length=255, description="Event title")],
    start: Annotated[IsoDateTime, Field(description="Start date-time, e.g. 2025-03-04T14:00")],
    end: Annotated[IsoDateTime, Field(description="End date-time, e.g. 2025-03-04T15:00")],
    time_zone: TimeZoneName = DEFAULT_TIME_ZONE,
    attendees: Annotated[OptionalAddressList, Field(description="Required attendees' email addresses")] = None,
    optional_attendees: Annotated[OptionalAddressList, Field(description="Optional attendees")] = None,
    location: Annotated[OptionalShortText, Field(description="Room or place")] = None,
    body: Annotated[OptionalLongText, Field(description="Plain-text description")] = None,
    is_online_meeting: Annotated[bool, Field(description="Add a Teams meeting link")] = False,
) -> EventResult:
    token = bearer_token(ctx)
    for name, value in (("start", start), ("end", end)):
        if is_date_only(value):
            raise ArgumentError(name, "give a date and a time, e.g. 2025-03-04T14:00")
    zone = zone_for(time_zone)
    begins, ends = to_aware(start, zone), to_aware(end, zone)
    if ends <= begins:
        raise ArgumentError("end", "must be later than start")
    if ends - begins > timedelta(days=MAX_EVENT_DURATION_DAYS):
        raise ArgumentError("end", f"an event may last at most {MAX_EVENT_DURATION_DAYS} days")
    payload: dict[str, Any] = {
        "subject": subject,
        "start": graph_datetime_tz(begins, time_zone),
        "end": graph_datetime_tz(ends, time_zone),
        "attendees": [
            {**r, "type": "required"} for r in graph_recipients(attendees or [])
        ] + [{**r, "type": "optional"} for r in graph_recipients(optional_attendees or [])],
        "isOnlineMeeting": is_online_meeting,
    }
    if is_online_meeting:
        payload["onlineMeetingProvider"] = "teamsForBusiness"
    if location:
        payload["location"] = {"displayName": location}
    if body:
        payload["body"] = {"contentType": "Text", "content": body}
    created = await graph.post_json("/me/events", token=token, body=payload)
    return EventResult(event=event(created, time_zone))


async def outlook_find_meeting_times(
    graph: GraphClient,
    ctx: Context,
    attendees: Annotated[AddressList, Field(description="Attendees' email addresses")],
    duration_minutes: Annotated[
        int, Field(ge=5, le=MAX_MEETING_MINUTES, description="Meeting length in minutes")
    ] = DEFAULT_MEETING_MINUTES,
    start: Annotated[OptionalIsoDateTime, Field(description="Earliest start, e.g. 2025-03-03")] = None,
    end: Annotated[OptionalIsoDateTime, Field(description="Latest end, e.g. 2025-03-07 (inclusive day)")] = None,
    time_zone: TimeZoneName = DEFAULT_TIME_ZONE,
    max_suggestions: Annotated[int, Field(ge=1, le=MAX_SUGGESTIONS)] = DEFAULT_SUGGESTIONS,
) -> MeetingTimes:
    token = bearer_token(ctx)
    window_start, window_end = _range(start, end, time_zone)
    payload = {
        "attendees": [{**r, "type": "required"} for r in graph_recipients(attendees)],
        "timeConstraint": {
            "activityDomain": "work",
            "timeSlots": [
                {"start": graph_datetime_tz(window_start, "UTC"), "end": graph_datetime_tz(window_end, "UTC")}
            ],
        },
        "meetingDuration": f"PT{duration_minutes}M",
        "maxCandidates": max_suggestions,
        "isOrganizerOptional": False,
        "returnSuggestionReasons": True,
    }
    data = await graph.post_json("/me/findMeetingTimes", token=token, body=payload, headers=UTC_PREFER,
                                 idempotent=True)
    suggestions = []
    for raw in data.get("meetingTimeSuggestions") or []:
        if not isinstance(raw, dict):
            continue
        slot = raw.get("meetingTimeSlot") or {}
        suggestions.append(
            MeetingSuggestion(
                start=iso_in_zone(parse_graph_datetime_tz(slot.get("start")), time_zone),
                end=iso_in_zone(parse_graph_datetime_tz(slot.get("end")), time_zone),
                confidence=raw.get("confidence") if isinstance(raw.get("confidence"), int | float) else None,
                organizer_availability=raw.get("organizerAvailability"),
                attendee_availability=[
                    AttendeeAvailability(
                        address=str(((a.get("attendee") or {}).get("emailAddress") or {}).get("address") or ""),
                        availability=str(a.get("availability") or "unknown"),
                    )
                    for a in raw.get("attendeeAvailability") or []
                    if isinstance(a, dict)
                ],
                reason=raw.get("suggestionReason") or None,
            )
        )
    suggestions = suggestions[:max_suggestions]
    empty_reason = data.get("emptySuggestionsReason") or None
    return MeetingTimes(
        suggestions=suggestions, count=len(suggestions), time_zone=time_zone,
        empty_reason=None if suggestions else (empty_reason or "No time suits every attendee in that window."),
    )


TOOLS = (
    ToolSpec(
        outlook_get_calendar_events,
        "List calendar events",
        "List the events in the user's Outlook calendar between `start` and `end` (ISO dates or date-times; "
        "a date alone as `end` includes that whole day; default: today and the next 7 days), recurring "
        "occurrences expanded, in start order. Times are returned as ISO-8601 with the offset of `time_zone` "
        "(IANA name, default UTC). Returns {\"events\": [{id, subject, start, end, time_zone, is_all_day, "
        "location, attendees, organizer, is_online_meeting, online_meeting_url, web_link, body_preview}], "
        "\"count\", \"has_more\"}; body_preview is only the start of the event's description.",
        READ_ONLY,
    ),
    ToolSpec(
        outlook_create_calendar_event,
        "Create a calendar event",
        "Create an event in the user's calendar; when attendees are given, Outlook sends them meeting "
        "invitations at once. `start` and `end` are date-times (e.g. 2025-03-04T14:00) read in `time_zone` "
        "(IANA name, default UTC) unless they carry an offset. Call only after the user confirmed the details. "
        "Returns {\"event\": {...}} with the created event's id and web_link.",
        ADDITIVE,
    ),
    ToolSpec(
        outlook_find_meeting_times,
        "Find meeting times",
        "Suggest times when the user and the given attendees are all free, using their Outlook free/busy "
        "information, within working hours between `start` and `end` (default: the next 7 days). Returns "
        "{\"suggestions\": [{start, end, confidence, organizer_availability, attendee_availability, reason}], "
        "\"count\", \"time_zone\", \"empty_reason\"} with times as ISO-8601 in `time_zone`. It books nothing; "
        "use outlook_create_calendar_event with a chosen slot.",
        READ_ONLY,
    ),
)
