"""Outlook calendar: events, calendarView, findMeetingTimes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crm_app.sandbox.data.tenant import User
from crm_app.sandbox.errors import BadRequest
from crm_app.sandbox.graph.http import (
    Caller,
    entity,
    json_body,
    list_response,
    options_for,
    preferences,
    requires,
    select_fields,
    target_user,
)
from crm_app.sandbox.mail_service import IMPORTANCE, parse_person
from crm_app.sandbox.odata.options import QueryOptions
from crm_app.sandbox.odata.schema import EVENT
from crm_app.sandbox.odata.values import format_datetime, parse_datetime
from crm_app.sandbox.scheduling import find_meeting_times
from crm_app.sandbox.store.calendar import StoredEvent, attendee, build_event
from crm_app.sandbox.text import html_to_text, preview, text_to_html
from crm_app.sandbox.timezones import from_graph, resolve

READ = ("Calendars.ReadBasic", "Calendars.Read", "Calendars.ReadWrite", "Calendars.Read.Shared",
        "Calendars.ReadWrite.Shared")
READ_BODY = frozenset(READ) - {"Calendars.ReadBasic"}
WRITE = ("Calendars.ReadWrite", "Calendars.ReadWrite.Shared")
SCHEDULE = ("Calendars.Read.Shared", "Calendars.ReadWrite.Shared")
TIMEZONE_PREFERENCE = "outlook.timezone"
SHOW_AS = frozenset({"free", "tentative", "busy", "oof", "workingElsewhere", "unknown"})
ATTENDEE_TYPES = frozenset({"required", "optional", "resource"})
UPDATABLE = frozenset({"subject", "body", "start", "end", "location", "attendees", "showAs", "importance",
                       "categories", "isOnlineMeeting", "isAllDay", "isReminderOn", "reminderMinutesBeforeStart",
                       "sensitivity"})


def zone_preference(request: Request) -> tuple[str | None, dict[str, str]]:
    zone = preferences(request).get(TIMEZONE_PREFERENCE)
    if not zone:
        return None, {}
    resolve(zone)
    return zone, {"Preference-Applied": f'{TIMEZONE_PREFERENCE}="{zone}"'}


def render(event: StoredEvent, options: QueryOptions, zone: str | None, full: bool) -> dict[str, Any]:
    out = select_fields(event.in_zone(zone), options.select)
    if not full:
        out.pop("body", None)
        out.pop("bodyPreview", None)
    return out


def fragment(user: User, path: str) -> str:
    return f"users('{user.id}')/{path}"


@requires(*READ)
async def list_events(request: Request, caller: Caller) -> Response:
    """GET /me/events."""
    user = target_user(request, caller)
    zone, headers = zone_preference(request)
    full = bool(caller.scopes & READ_BODY)
    return list_response(request, fragment(user, "events"), caller.sandbox.state.calendar(user).ordered(), EVENT,
                         read=lambda e: e.data, render=lambda e, o: render(e, o, zone, full), headers=headers)


@requires(*READ)
async def calendar_view(request: Request, caller: Caller) -> Response:
    """GET /me/calendarView?startDateTime=...&endDateTime=..."""
    user = target_user(request, caller)
    start_text = request.query_params.get("startDateTime") or request.query_params.get("StartDateTime")
    end_text = request.query_params.get("endDateTime") or request.query_params.get("EndDateTime")
    if not start_text or not end_text:
        raise BadRequest("This request requires a time window specified by the query string parameters "
                         "StartDateTime and EndDateTime.", code="ErrorInvalidParameter")
    try:
        start, end = parse_datetime(start_text), parse_datetime(end_text)
    except BadRequest as exc:
        raise BadRequest(f"startDateTime and endDateTime must be ISO 8601 date-times: {exc.message}",
                         code="ErrorInvalidParameter") from exc
    if end <= start:
        raise BadRequest("endDateTime must be later than startDateTime.", code="ErrorInvalidParameter")
    zone, headers = zone_preference(request)
    full = bool(caller.scopes & READ_BODY)
    events = caller.sandbox.state.calendar(user).view(start, end)
    return list_response(request, fragment(user, "calendarView"), events, EVENT, read=lambda e: e.data,
                         render=lambda e, o: render(e, o, zone, full), headers=headers,
                         extra_params=[("startDateTime", start_text), ("endDateTime", end_text)])


def event_response(request: Request, caller: Caller, event: StoredEvent, status: int = 200,
                   zone: str | None = None) -> JSONResponse:
    preferred, headers = zone_preference(request)
    options = options_for(request, EVENT) if status == 200 else QueryOptions()
    data = render(event, options, preferred or zone, bool(caller.scopes & READ_BODY))
    return entity(request, fragment(target_user(request, caller), "events/$entity"), data, status, headers)


@requires(*READ)
async def get_event(request: Request, caller: Caller) -> Response:
    """GET /me/events/{id}."""
    calendar = caller.sandbox.state.calendar(target_user(request, caller))
    return event_response(request, caller, calendar.event(request.path_params["event_id"]))


def parse_event_attendees(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise BadRequest("'attendees' must be a list of {\"emailAddress\": {\"address\", \"name\"}, \"type\"}.",
                         code="ErrorInvalidRequest")
    result = []
    for entry in value:
        person = parse_person(entry, "attendee", "ErrorInvalidRequest")
        kind = entry.get("type") or "required"
        if kind not in ATTENDEE_TYPES:
            raise BadRequest("Attendee 'type' must be required, optional or resource.", code="ErrorInvalidRequest")
        result.append(attendee(person, kind))
    return result


def body_content(value: Any) -> tuple[str, str]:
    if not isinstance(value, dict) or not isinstance(value.get("content", ""), str):
        raise BadRequest("'body' must be {\"contentType\": \"html\" or \"text\", \"content\": \"...\"}.")
    content = value.get("content", "")
    if str(value.get("contentType", "text")).lower() == "html":
        return content, html_to_text(content)
    return (text_to_html(content) if content else ""), content


def times(body: dict[str, Any], current: StoredEvent | None = None) -> tuple[datetime, datetime, str]:
    if current is None and ("start" not in body or "end" not in body):
        raise BadRequest("An event needs 'start' and 'end', e.g. {\"dateTime\": \"2026-03-02T10:00:00\", "
                         "\"timeZone\": \"GMT Standard Time\"}.", code="ErrorInvalidRequest")
    start = from_graph(body["start"], "start") if "start" in body else current.start  # type: ignore[union-attr]
    end = from_graph(body["end"], "end") if "end" in body else current.end  # type: ignore[union-attr]
    if end < start:
        raise BadRequest("The event's end must not be before its start.", code="ErrorInvalidRequest")
    zone = str((body.get("start") or {}).get("timeZone") or "UTC")
    return start, end, zone


def validate_fields(body: dict[str, Any]) -> None:
    if "subject" in body and not isinstance(body["subject"], str):
        raise BadRequest("'subject' must be a string.")
    if "showAs" in body and body["showAs"] not in SHOW_AS:
        raise BadRequest(f"'showAs' must be one of {', '.join(sorted(SHOW_AS))}.")
    if "importance" in body and str(body["importance"]).lower() not in IMPORTANCE:
        raise BadRequest("'importance' must be low, normal or high.")
    if "location" in body and not isinstance(body["location"], (dict, type(None))):
        raise BadRequest("'location' must be an object like {\"displayName\": \"Room 4.02\"}.")


@requires(*WRITE)
async def create_event(request: Request, caller: Caller) -> Response:
    """POST /me/events: the event, plus a copy in each demo attendee's calendar."""
    user = target_user(request, caller)
    body = await json_body(request)
    validate_fields(body)
    start, end, zone = times(body)
    html, text = body_content(body["body"]) if "body" in body else ("", "")
    attendees = parse_event_attendees(body.get("attendees") or [])
    sandbox = caller.sandbox
    now = sandbox.state.now()
    ical_uid = "040000008200E00074C5B7101A82E00800000000" + sandbox.state.ids.hex(32).upper()
    owners = [user] + [u for u in (sandbox.tenant.user_by_mail(a["emailAddress"]["address"]) for a in attendees)
                       if u is not None and u.id != user.id]
    created: StoredEvent | None = None
    for owner in owners:
        event = build_event(
            sandbox.state.ids, sandbox.links, subject=body.get("subject") or "", organizer=user.person,
            owner_mail=owner.mail, start=start, end=end, created=now, zone=zone, body_html=html, text=text,
            location=(body.get("location") or {}).get("displayName", ""), attendees=attendees,
            is_all_day=bool(body.get("isAllDay", False)), show_as=body.get("showAs", "busy"),
            online=bool(body.get("isOnlineMeeting", False)), importance=str(body.get("importance", "normal")).lower(),
            categories=body.get("categories") if isinstance(body.get("categories"), list) else None,
            ical_uid=ical_uid,
        )
        sandbox.state.calendar(owner).add(event)
        created = created or event
    assert created is not None
    return event_response(request, caller, created, 201, zone)


def apply_update(event: StoredEvent, body: dict[str, Any], caller: Caller) -> None:
    data = event.data
    if "start" in body or "end" in body:
        start, end, _ = times(body, event)
        event.set_times(start, end)
    if "subject" in body:
        data["subject"] = body["subject"]
    if "body" in body:
        html, text = body_content(body["body"])
        data["body"] = {"contentType": "html", "content": html}
        data["bodyPreview"] = preview(text)
        event.text = text
    if "location" in body:
        name = (body["location"] or {}).get("displayName", "")
        data["location"] = {"displayName": name, "locationType": "default", "uniqueId": name or None,
                            "uniqueIdType": "private" if name else "unknown"}
        data["locations"] = [data["location"]] if name else []
    if "attendees" in body:
        data["attendees"] = parse_event_attendees(body["attendees"])
    for key in ("showAs", "categories", "isOnlineMeeting", "isAllDay", "isReminderOn", "reminderMinutesBeforeStart",
                "sensitivity"):
        if key in body:
            data[key] = body[key]
    if "importance" in body:
        data["importance"] = str(body["importance"]).lower()
    change_key = caller.sandbox.state.ids.change_key()
    data["changeKey"] = change_key
    data["@odata.etag"] = f'W/"{change_key}"'
    data["lastModifiedDateTime"] = format_datetime(caller.sandbox.state.now())


def copies(caller: Caller, event: StoredEvent, owner: User) -> list[StoredEvent]:
    """The same meeting in other demo users' calendars (when ``owner`` organizes it)."""
    if not event.data["isOrganizer"]:
        return []
    found = []
    for user in caller.sandbox.tenant.users:
        if user.id == owner.id:
            continue
        copy = caller.sandbox.state.calendar(user).by_ical_uid(event.data["iCalUId"])
        if copy is not None:
            found.append(copy)
    return found


@requires(*WRITE)
async def update_event(request: Request, caller: Caller) -> Response:
    """PATCH /me/events/{id}; the organizer's changes reach the attendees' copies."""
    user = target_user(request, caller)
    event = caller.sandbox.state.calendar(user).event(request.path_params["event_id"])
    body = await json_body(request)
    unknown = sorted(set(body) - UPDATABLE)
    if unknown:
        raise BadRequest(f"Property '{unknown[0]}' is read-only or does not exist on an event.")
    validate_fields(body)
    for target in [event, *copies(caller, event, user)]:
        apply_update(target, body, caller)
    return event_response(request, caller, event)


@requires(*WRITE)
async def delete_event(request: Request, caller: Caller) -> Response:
    """DELETE /me/events/{id}; attendees' copies are marked cancelled."""
    user = target_user(request, caller)
    calendar = caller.sandbox.state.calendar(user)
    event = calendar.event(request.path_params["event_id"])
    for copy in copies(caller, event, user):
        copy.data["isCancelled"] = True
        if not copy.data["subject"].startswith("Canceled: "):
            copy.data["subject"] = "Canceled: " + copy.data["subject"]
    calendar.remove(event)
    return Response(status_code=204)


@requires(*READ)
async def get_calendar(request: Request, caller: Caller) -> Response:
    """GET /me/calendar: the default calendar."""
    user = target_user(request, caller)
    calendar = caller.sandbox.state.calendar(user)
    return entity(request, fragment(user, "calendar/$entity"), {
        "id": calendar.id, "name": "Calendar", "color": "auto", "hexColor": "", "isDefaultCalendar": True,
        "changeKey": calendar.id[-16:], "canShare": True, "canViewPrivateItems": True, "canEdit": True,
        "allowedOnlineMeetingProviders": ["teamsForBusiness"], "defaultOnlineMeetingProvider": "teamsForBusiness",
        "isTallyingResponses": True, "isRemovable": False,
        "owner": {"name": user.display_name, "address": user.mail},
    })


@requires(*SCHEDULE)
async def meeting_times(request: Request, caller: Caller) -> Response:
    """POST /me/findMeetingTimes."""
    user = target_user(request, caller)
    body = await json_body(request)
    sandbox = caller.sandbox
    zone, headers = zone_preference(request)

    def availability(address: str, start: datetime, end: datetime) -> str:
        member = sandbox.tenant.user_by_mail(address)
        return sandbox.state.calendar(member).availability(start, end) if member else "unknown"

    result = find_meeting_times(body, organizer=user.mail, organizer_zone=user.time_zone, now=sandbox.state.now(),
                                availability=availability, output_zone=zone or "UTC")
    return JSONResponse({"@odata.context": f"{str(request.base_url).rstrip('/')}/v1.0/$metadata#"
                                           "microsoft.graph.meetingTimeSuggestionsResult", **result}, headers=headers)


def routes() -> list[Route]:
    table: list[tuple[str, Any, list[str]]] = [
        ("/events", list_events, ["GET"]),
        ("/events", create_event, ["POST"]),
        ("/events/{event_id}", get_event, ["GET"]),
        ("/events/{event_id}", update_event, ["PATCH"]),
        ("/events/{event_id}", delete_event, ["DELETE"]),
        ("/calendar", get_calendar, ["GET"]),
        ("/calendar/events", list_events, ["GET"]),
        ("/calendarView", calendar_view, ["GET"]),
        ("/calendar/calendarView", calendar_view, ["GET"]),
        ("/findMeetingTimes", meeting_times, ["POST"]),
    ]
    return [Route(prefix + path, handler, methods=methods)
            for prefix in ("/v1.0/me", "/v1.0/users/{user_id}") for path, handler, methods in table]
