"""ISO-8601 dates and times as tools accept them, and Graph's dateTimeTimeZone values."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIME_ZONE = "UTC"
_FRACTION = re.compile(r"(\.\d{6})\d+")


def check_iso(value: str) -> str:
    """Validate an ISO-8601 date (`2025-03-01`) or date-time (`2025-03-01T09:30`, optional offset)."""
    text = value.strip()
    if not text:
        raise ValueError("expected an ISO-8601 date such as 2025-03-01 or a date-time such as 2025-03-01T09:30:00Z")
    parse_iso(text)
    return text


def parse_iso(value: str) -> date | datetime:
    """A `date` for a date alone, a `datetime` (possibly naive) otherwise."""
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(_FRACTION.sub(r"\1", text))
    except ValueError:
        raise ValueError(
            f"{value!r} is not an ISO-8601 date (2025-03-01) or date-time (2025-03-01T09:30:00Z)"
        ) from None


def check_time_zone(value: str) -> str:
    """Validate an IANA time zone name such as `Europe/London` or `UTC`."""
    name = value.strip()
    zone_for(name)
    return name


def zone_for(name: str | None) -> tzinfo:
    if not name or name.upper() in {"UTC", "Z", "GMT", "ETC/UTC"}:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a known IANA time zone such as 'Europe/London' or 'UTC'") from None


def to_aware(value: str, zone: tzinfo, *, end_of_day: bool = False) -> datetime:
    """An aware datetime; naive values are read in `zone`; a date alone is midnight of that day
    (with `end_of_day`, midnight of the next day, so a date used as an end includes the whole day)."""
    parsed = parse_iso(value)
    if isinstance(parsed, datetime):
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)
    day = parsed + timedelta(days=1) if end_of_day else parsed
    return datetime.combine(day, time.min, tzinfo=zone)


def is_date_only(value: str) -> bool:
    return not isinstance(parse_iso(value), datetime)


def utc_iso(value: datetime) -> str:
    """ISO-8601 in UTC with a `Z` suffix."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_graph_instant(value: str | None) -> datetime | None:
    """A Graph timestamp such as `2025-01-05T10:00:00Z` as an aware UTC datetime."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", value.strip()))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_graph_datetime_tz(value: object) -> datetime | None:
    """A Graph `dateTimeTimeZone` ({"dateTime": ..., "timeZone": ...}) as an aware datetime."""
    if not isinstance(value, dict):
        return None
    raw = value.get("dateTime")
    if not isinstance(raw, str) or not raw:
        return None
    try:
        parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", raw.strip()))
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        return parsed
    try:
        zone = zone_for(value.get("timeZone") if isinstance(value.get("timeZone"), str) else None)
    except ValueError:
        zone = UTC
    return parsed.replace(tzinfo=zone)


def graph_datetime_tz(value: datetime, zone_name: str) -> dict[str, str]:
    """A Graph `dateTimeTimeZone` for an aware datetime, expressed in `zone_name`."""
    local = value.astimezone(zone_for(zone_name))
    return {"dateTime": local.replace(tzinfo=None).isoformat(timespec="seconds"), "timeZone": zone_name}


def iso_in_zone(value: datetime | None, zone_name: str) -> str | None:
    """ISO-8601 with the offset of `zone_name`, e.g. `2025-01-05T10:00:00+00:00`."""
    if value is None:
        return None
    return value.astimezone(zone_for(zone_name)).isoformat(timespec="seconds")
