"""Time zones as Outlook names them: Windows names (``Pacific Standard Time``) or IANA names."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crm_app.sandbox.errors import BadRequest

EVENT_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.0000000"
WINDOWS_TO_IANA = {
    "UTC": "UTC",
    "Coordinated Universal Time": "UTC",
    "GMT Standard Time": "Europe/London",
    "Greenwich Standard Time": "Atlantic/Reykjavik",
    "W. Europe Standard Time": "Europe/Berlin",
    "Central Europe Standard Time": "Europe/Budapest",
    "Romance Standard Time": "Europe/Paris",
    "Central European Standard Time": "Europe/Warsaw",
    "E. Europe Standard Time": "Europe/Chisinau",
    "FLE Standard Time": "Europe/Kiev",
    "GTB Standard Time": "Europe/Bucharest",
    "Russian Standard Time": "Europe/Moscow",
    "Eastern Standard Time": "America/New_York",
    "Central Standard Time": "America/Chicago",
    "Mountain Standard Time": "America/Denver",
    "US Mountain Standard Time": "America/Phoenix",
    "Pacific Standard Time": "America/Los_Angeles",
    "Alaskan Standard Time": "America/Anchorage",
    "Hawaiian Standard Time": "Pacific/Honolulu",
    "Atlantic Standard Time": "America/Halifax",
    "E. South America Standard Time": "America/Sao_Paulo",
    "India Standard Time": "Asia/Kolkata",
    "China Standard Time": "Asia/Shanghai",
    "Tokyo Standard Time": "Asia/Tokyo",
    "Singapore Standard Time": "Asia/Singapore",
    "AUS Eastern Standard Time": "Australia/Sydney",
    "New Zealand Standard Time": "Pacific/Auckland",
    "Arabian Standard Time": "Asia/Dubai",
    "South Africa Standard Time": "Africa/Johannesburg",
}
IANA_TO_WINDOWS = {iana: windows for windows, iana in WINDOWS_TO_IANA.items() if windows != "Coordinated Universal Time"}


def resolve(name: str) -> ZoneInfo:
    """The zone for a Windows or IANA name; an unknown name is a 400 the caller can fix."""
    iana = WINDOWS_TO_IANA.get(name, name)
    try:
        return ZoneInfo(iana)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise BadRequest(
            f"The time zone '{name}' is not supported. Use a Windows name such as 'Pacific Standard Time' "
            "or an IANA name such as 'America/Los_Angeles'.",
            code="TimeZoneNotSupportedException",
        ) from exc


def windows_name(zone: str) -> str:
    """The Windows name Outlook uses in ``originalStartTimeZone`` for an IANA zone."""
    return IANA_TO_WINDOWS.get(zone, zone)


def to_graph(moment: datetime, zone_name: str = "UTC") -> dict[str, str]:
    """A ``dateTimeTimeZone`` value for ``moment`` shown in ``zone_name``."""
    local = moment.astimezone(resolve(zone_name))
    return {"dateTime": local.strftime(EVENT_DATETIME_FORMAT), "timeZone": zone_name}


def from_graph(value: object, field: str) -> datetime:
    """Read a ``dateTimeTimeZone`` value from a request body into an aware UTC datetime."""
    if not isinstance(value, dict) or not isinstance(value.get("dateTime"), str):
        raise BadRequest(
            f"'{field}' must be an object like {{\"dateTime\": \"2026-03-02T10:00:00\", \"timeZone\": \"UTC\"}}.",
            code="ErrorInvalidRequest",
        )
    zone = resolve(str(value.get("timeZone") or "UTC"))
    text = value["dateTime"].rstrip("Z")
    if "." in text:
        text = text.split(".", 1)[0]
    try:
        naive = datetime.fromisoformat(text)
    except ValueError as exc:
        raise BadRequest(
            f"'{field}.dateTime' value '{value['dateTime']}' is not an ISO 8601 date-time such as 2026-03-02T10:00:00.",
            code="ErrorInvalidRequest",
        ) from exc
    if naive.tzinfo is None:
        naive = naive.replace(tzinfo=zone)
    return naive.astimezone(UTC)
