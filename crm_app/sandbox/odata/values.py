"""Value formats shared by stored data and query literals."""

from __future__ import annotations

from datetime import UTC, date, datetime

from crm_app.sandbox.errors import ODataError

DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def format_datetime(value: datetime) -> str:
    """A UTC timestamp as Graph writes ``DateTimeOffset`` values: ``2026-01-31T09:30:00Z``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime(DATETIME_FORMAT)


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 date or date-time; a value without an offset is UTC."""
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise ODataError(
            f"'{text}' is not a valid date-time. Use ISO 8601, for example 2026-01-31T09:30:00Z."
        ) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def normalize_datetime_literal(text: str) -> tuple[str, bool]:
    """The literal in stored format (whole seconds, UTC) and whether it had a fraction of a second."""
    parsed = parse_datetime(text)
    return format_datetime(parsed.replace(microsecond=0)), parsed.microsecond != 0
