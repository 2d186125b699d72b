"""Calendars: events kept with their UTC start and end, and free/busy lookups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crm_app.sandbox.data.ids import IdFactory
from crm_app.sandbox.data.tenant import Person
from crm_app.sandbox.errors import NotFound
from crm_app.sandbox.links import Links
from crm_app.sandbox.odata.values import format_datetime
from crm_app.sandbox.text import paragraphs_to_html, preview
from crm_app.sandbox.timezones import to_graph, windows_name

BUSY_STATES = frozenset({"busy", "oof", "tentative", "workingElsewhere"})
ORGANIZER_RESPONSE = {"response": "organizer", "time": "0001-01-01T00:00:00Z"}
NO_RESPONSE = {"response": "none", "time": "0001-01-01T00:00:00Z"}


@dataclass(slots=True)
class StoredEvent:
    """One event: its Graph JSON (times in UTC), its UTC bounds and plain-text body."""

    data: dict[str, Any]
    start: datetime
    end: datetime
    text: str

    @property
    def id(self) -> str:
        return self.data["id"]

    def set_times(self, start: datetime, end: datetime) -> None:
        self.start, self.end = start, end
        self.data["start"] = to_graph(start)
        self.data["end"] = to_graph(end)

    def in_zone(self, zone: str | None) -> dict[str, Any]:
        """The Graph JSON with start and end shown in ``zone`` (UTC when None)."""
        if zone is None:
            return self.data
        return self.data | {"start": to_graph(self.start, zone), "end": to_graph(self.end, zone)}


def attendee(person: Person, kind: str = "required", response: str = "none") -> dict[str, Any]:
    return {
        "type": kind,
        "status": {"response": response, "time": "0001-01-01T00:00:00Z"},
        "emailAddress": {"name": person.name, "address": person.address},
    }


def build_event(
    ids: IdFactory,
    links: Links,
    *,
    subject: str,
    organizer: Person,
    owner_mail: str,
    start: datetime,
    end: datetime,
    created: datetime,
    zone: str,
    paragraphs: list[str] | None = None,
    body_html: str | None = None,
    text: str = "",
    location: str = "",
    attendees: list[dict[str, Any]] | None = None,
    is_all_day: bool = False,
    is_cancelled: bool = False,
    show_as: str = "busy",
    online: bool = False,
    importance: str = "normal",
    categories: list[str] | None = None,
    ical_uid: str | None = None,
) -> StoredEvent:
    """An event in Graph's shape as stored in ``owner_mail``'s calendar."""
    event_id = ids.outlook()
    change_key = ids.change_key()
    body_text = text or "\n\n".join(paragraphs or [])
    body = body_html if body_html is not None else paragraphs_to_html(paragraphs) if paragraphs else ""
    is_organizer = organizer.address.lower() == owner_mail.lower()
    stamp = format_datetime(created)
    join_url = f"{links.base}/teams/meetup-join/{ids.hex(24)}" if online else None
    data: dict[str, Any] = {
        "@odata.etag": f'W/"{change_key}"',
        "id": event_id,
        "createdDateTime": stamp,
        "lastModifiedDateTime": stamp,
        "changeKey": change_key,
        "categories": list(categories or []),
        "transactionId": None,
        "originalStartTimeZone": windows_name(zone),
        "originalEndTimeZone": windows_name(zone),
        "iCalUId": ical_uid or "040000008200E00074C5B7101A82E00800000000" + ids.hex(32).upper(),
        "reminderMinutesBeforeStart": 15,
        "isReminderOn": not is_all_day,
        "hasAttachments": False,
        "subject": subject,
        "bodyPreview": preview(body_text),
        "importance": importance,
        "sensitivity": "normal",
        "isAllDay": is_all_day,
        "isCancelled": is_cancelled,
        "isOrganizer": is_organizer,
        "responseRequested": True,
        "seriesMasterId": None,
        "showAs": show_as,
        "type": "singleInstance",
        "webLink": links.event(event_id),
        "onlineMeetingUrl": None,
        "isOnlineMeeting": online,
        "onlineMeetingProvider": "teamsForBusiness" if online else "unknown",
        "allowNewTimeProposals": True,
        "isDraft": False,
        "hideAttendees": False,
        "responseStatus": ORGANIZER_RESPONSE if is_organizer else NO_RESPONSE,
        "body": {"contentType": "html", "content": body},
        "start": to_graph(start),
        "end": to_graph(end),
        "location": {
            "displayName": location,
            "locationType": "default",
            "uniqueId": location or None,
            "uniqueIdType": "private" if location else "unknown",
        },
        "locations": [
            {"displayName": location, "locationType": "default", "uniqueId": location, "uniqueIdType": "private"}
        ]
        if location
        else [],
        "recurrence": None,
        "attendees": list(attendees or []),
        "organizer": {"emailAddress": {"name": organizer.name, "address": organizer.address}},
        "onlineMeeting": {"joinUrl": join_url} if join_url else None,
    }
    return StoredEvent(data, start, end, body_text)


class Calendar:
    """The default calendar of one user."""

    def __init__(self, owner_mail: str, calendar_id: str) -> None:
        self.owner_mail = owner_mail
        self.id = calendar_id
        self.events: dict[str, StoredEvent] = {}

    def add(self, event: StoredEvent) -> StoredEvent:
        self.events[event.id] = event
        return event

    def event(self, event_id: str) -> StoredEvent:
        event = self.events.get(event_id)
        if event is None:
            raise NotFound(
                "The specified object was not found in the store. The event may have been deleted; "
                "list the calendar again to get current ids."
            )
        return event

    def remove(self, event: StoredEvent) -> None:
        self.events.pop(event.id, None)

    def by_ical_uid(self, ical_uid: str) -> StoredEvent | None:
        return next((e for e in self.events.values() if e.data["iCalUId"] == ical_uid), None)

    def ordered(self) -> list[StoredEvent]:
        return sorted(self.events.values(), key=lambda e: (e.start, e.id))

    def view(self, start: datetime, end: datetime) -> list[StoredEvent]:
        """Events overlapping ``[start, end)``, by start time."""
        return [e for e in self.ordered() if e.start < end and e.end > start]

    def availability(self, start: datetime, end: datetime) -> str:
        """``free``, or the strongest busy state of events overlapping the slot."""
        states = {
            e.data["showAs"]
            for e in self.events.values()
            if e.start < end and e.end > start and not e.data["isCancelled"] and e.data["showAs"] in BUSY_STATES
        }
        for state in ("oof", "busy", "workingElsewhere", "tentative"):
            if state in states:
                return state
        return "free"
