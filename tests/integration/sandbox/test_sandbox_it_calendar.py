"""Graph calendar contract: events, calendarView, time zones, create/update/delete, findMeetingTimes."""

from __future__ import annotations

import pytest
from sandbox_it_support import AVERY, JORDAN

READ_WRITE = ["Calendars.ReadWrite"]


def test_calendar_view_needs_a_window(graph):
    response = graph(AVERY, ["Calendars.Read"]).get("/me/calendarView")
    assert response.status_code == 400
    assert response.json()["error"] == {**response.json()["error"], "code": "ErrorInvalidParameter",
                                        "message": "This request requires a time window specified by the query "
                                                   "string parameters StartDateTime and EndDateTime."}
    backwards = graph(AVERY, ["Calendars.Read"]).get("/me/calendarView", params={
        "startDateTime": "2026-03-05T00:00:00Z", "endDateTime": "2026-03-04T00:00:00Z"})
    assert backwards.status_code == 400


def test_calendar_view_today_with_time_zone_preference(graph):
    client = graph(AVERY, ["Calendars.Read"])
    response = client.get("/me/calendarView", params={"startDateTime": "2026-03-04T00:00:00Z",
                                                      "endDateTime": "2026-03-05T00:00:00Z", "$top": "50"},
                          headers={"Prefer": 'outlook.timezone="Pacific Standard Time"'})
    assert response.headers["preference-applied"] == 'outlook.timezone="Pacific Standard Time"'
    events = response.json()["value"]
    subjects = [e["subject"] for e in events]
    assert "Pipeline review" in subjects and any(s.startswith("Acme plant expansion - call") for s in subjects)
    pipeline = next(e for e in events if e["subject"] == "Pipeline review")
    assert pipeline["start"] == {"dateTime": "2026-03-04T01:30:00.0000000", "timeZone": "Pacific Standard Time"}
    utc = client.get("/me/calendarView", params={"startDateTime": "2026-03-04T00:00:00Z",
                                                  "endDateTime": "2026-03-05T00:00:00Z", "$top": "1"}).json()
    assert utc["value"][0]["start"]["timeZone"] == "UTC"
    next_page = utc["@odata.nextLink"]
    assert "startDateTime=2026-03-04T00%3A00%3A00Z" in next_page
    assert client.get(next_page).json()["value"][0]["id"] != utc["value"][0]["id"]
    bad = client.get("/me/calendarView", params={"startDateTime": "2026-03-04T00:00:00Z",
                                                  "endDateTime": "2026-03-05T00:00:00Z"},
                     headers={"Prefer": 'outlook.timezone="Atlantis Time"'})
    assert bad.status_code == 400


def test_events_list_filter_and_select(graph):
    client = graph(AVERY, ["Calendars.Read"])
    body = client.get("/me/events", params={"$filter": "isCancelled eq true", "$select": "subject,isCancelled"}).json()
    assert [e["subject"] for e in body["value"]] == ["Acme QBR (old time)"]
    assert set(body["value"][0]) == {"@odata.etag", "id", "subject", "isCancelled"}
    organized = client.get("/me/events", params={
        "$filter": "organizer/emailAddress/address eq 'sam.rivera@northwind.example'"}).json()["value"]
    assert [e["subject"] for e in organized] == ["Budget 2027 review"] and not organized[0]["isOrganizer"]
    ordered = client.get("/me/events", params={"$orderby": "start/dateTime desc", "$top": "3"}).json()["value"]
    starts = [e["start"]["dateTime"] for e in ordered]
    assert starts == sorted(starts, reverse=True)


def test_create_update_delete_with_attendees(graph):
    avery, jordan = graph(AVERY, READ_WRITE), graph(JORDAN, ["Calendars.Read"])
    created = avery.post("/me/events", json={
        "subject": "Acme follow-up",
        "body": {"contentType": "HTML", "content": "<p>Discuss <b>maintenance</b></p>"},
        "start": {"dateTime": "2026-03-06T14:00:00", "timeZone": "GMT Standard Time"},
        "end": {"dateTime": "2026-03-06T15:00:00", "timeZone": "GMT Standard Time"},
        "location": {"displayName": "Room 4.02"},
        "attendees": [{"emailAddress": {"address": JORDAN, "name": "Jordan Patel"}, "type": "required"},
                      {"emailAddress": {"address": "john.smith@acme.example"}, "type": "optional"}],
        "isOnlineMeeting": True,
    })
    assert created.status_code == 201
    event = created.json()
    assert event["start"] == {"dateTime": "2026-03-06T14:00:00.0000000", "timeZone": "GMT Standard Time"}
    assert event["isOrganizer"] and event["onlineMeeting"]["joinUrl"] and event["bodyPreview"] == "Discuss maintenance"
    copy = jordan.get("/me/events", params={"$filter": "subject eq 'Acme follow-up'"}).json()["value"]
    assert len(copy) == 1 and not copy[0]["isOrganizer"] and copy[0]["iCalUId"] == event["iCalUId"]
    moved = avery.patch(f"/me/events/{event['id']}", json={
        "start": {"dateTime": "2026-03-06T16:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-03-06T17:00:00", "timeZone": "UTC"}, "subject": "Acme follow-up (moved)"})
    assert moved.status_code == 200 and moved.json()["start"]["dateTime"] == "2026-03-06T16:00:00.0000000"
    copy = jordan.get(f"/me/events/{copy[0]['id']}").json()
    assert copy["subject"] == "Acme follow-up (moved)" and copy["start"]["dateTime"] == "2026-03-06T16:00:00.0000000"
    assert avery.delete(f"/me/events/{event['id']}").status_code == 204
    assert avery.get(f"/me/events/{event['id']}").status_code == 404
    cancelled = jordan.get(f"/me/events/{copy['id']}").json()
    assert cancelled["isCancelled"] and cancelled["subject"].startswith("Canceled: ")


@pytest.mark.parametrize("body, fragment", [
    ({"subject": "x"}, "needs 'start' and 'end'"),
    ({"start": {"dateTime": "2026-03-06T15:00:00", "timeZone": "UTC"},
      "end": {"dateTime": "2026-03-06T14:00:00", "timeZone": "UTC"}}, "end must not be before"),
    ({"start": {"dateTime": "soon"}, "end": {"dateTime": "later"}}, "ISO 8601"),
    ({"start": "2026-03-06T14:00", "end": "2026-03-06T15:00"}, "must be an object"),
    ({"start": {"dateTime": "2026-03-06T14:00:00"}, "end": {"dateTime": "2026-03-06T15:00:00"},
      "attendees": [{"emailAddress": {"address": "nobody"}}]}, "Invalid attendee"),
    ({"start": {"dateTime": "2026-03-06T14:00:00"}, "end": {"dateTime": "2026-03-06T15:00:00"},
      "showAs": "maybe"}, "showAs"),
])
def test_create_validation(graph, body, fragment):
    response = graph(AVERY, READ_WRITE).post("/me/events", json=body)
    assert response.status_code == 400 and fragment in response.json()["error"]["message"]


def test_scopes(graph):
    assert graph(AVERY, ["Calendars.Read"]).post("/me/events", json={}).status_code == 403
    assert graph(AVERY, ["Mail.Read"]).get("/me/events").status_code == 403
    basic = graph(AVERY, ["Calendars.ReadBasic"]).get("/me/events", params={"$top": "2"}).json()["value"]
    assert basic and all("body" not in e and "subject" in e for e in basic)
    denied = graph(AVERY, READ_WRITE).post("/me/findMeetingTimes", json={})
    assert denied.status_code == 403 and "Calendars.Read.Shared" in denied.json()["error"]["message"]


def test_find_meeting_times_avoids_busy_colleagues(graph):
    """Avery has the Acme call 14:00-14:45 and focus time 16:00-16:30; Jordan has focus time 14:00-16:00."""
    client = graph(AVERY, ["Calendars.Read.Shared"])
    body = {
        "attendees": [{"type": "required", "emailAddress": {"address": JORDAN}}],
        "timeConstraint": {"activityDomain": "work", "timeSlots": [{
            "start": {"dateTime": "2026-03-04T13:00:00", "timeZone": "GMT Standard Time"},
            "end": {"dateTime": "2026-03-04T17:00:00", "timeZone": "GMT Standard Time"}}]},
        "meetingDuration": "PT30M", "maxCandidates": 10, "minimumAttendeePercentage": 100,
        "returnSuggestionReasons": True,
    }
    response = client.post("/me/findMeetingTimes", json=body, headers={"Prefer": 'outlook.timezone="UTC"'})
    result = response.json()
    assert response.status_code == 200 and result["@odata.context"].endswith("meetingTimeSuggestionsResult")
    starts = [s["meetingTimeSlot"]["start"]["dateTime"][11:16] for s in result["meetingTimeSuggestions"]]
    assert starts == ["13:00", "13:30", "16:30"]
    assert all(s["confidence"] == 100.0 for s in result["meetingTimeSuggestions"])
    busy = client.post("/me/findMeetingTimes", json=body | {"timeConstraint": {"timeSlots": [{
        "start": {"dateTime": "2026-03-04T14:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-03-04T15:00:00", "timeZone": "UTC"}}]}}).json()
    assert busy["meetingTimeSuggestions"] == [] and busy["emptySuggestionsReason"] in ("OrganizerUnavailable",
                                                                                        "AttendeesUnavailable")
    invalid = client.post("/me/findMeetingTimes", json={"meetingDuration": "1:00:00"})
    assert invalid.status_code == 400 and "PT1H" in invalid.json()["error"]["message"]


def test_calendar_resource(graph):
    calendar = graph(AVERY, ["Calendars.Read"]).get("/me/calendar").json()
    assert calendar["isDefaultCalendar"] and calendar["owner"]["address"] == AVERY
