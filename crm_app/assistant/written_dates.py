"""Calendar days as a reply writes them and as tool data holds them, for checking one against the other."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, timedelta, timezone

from dateutil import parser as date_parser

from crm_app.assistant.fencing import CardFields

MAX_EVENT_SPAN_DAYS = 366
EARLIEST_OFFSET = timezone(timedelta(hours=-12))
LATEST_OFFSET = timezone(timedelta(hours=14))

MONTHS = date_parser.parserinfo()
_MONTH_NAMES = "|".join(sorted({n for pair in MONTHS.MONTHS for n in pair} | {"Sept"}, key=len, reverse=True))
_WEEKDAY = r"(?:(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)(?:day|nesday|rsday|urday)?\.?,?\s+)?"
_ORDINAL = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(\d{4}))?"
_DAY_MONTH = re.compile(
    rf"\b{_WEEKDAY}(?:the\s+)?(\d{{1,2}}){_ORDINAL}(?:\s+of)?\s+({_MONTH_NAMES})\b\.?{_YEAR}(?!\d)", re.IGNORECASE
)
_MONTH_DAY = re.compile(rf"\b{_WEEKDAY}({_MONTH_NAMES})\b\.?\s+(?:the\s+)?(\d{{1,2}}){_ORDINAL}\b{_YEAR}(?!\d)",
                        re.IGNORECASE)
_ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?!\d)")
_NUMERIC_DATE = re.compile(r"(?<![\d/.])(\d{1,2})([/.])(\d{1,2})\2(\d{4}|\d{2})(?![\d/]|\.\d)")


@dataclass(frozen=True)
class WrittenDate:
    """A calendar day as written in text; ``year`` is None when the text gave none."""

    text: str
    year: int | None
    month: int
    day: int


def _year(text: str | None) -> int | None:
    if not text:
        return None
    value = int(text)
    return value + 2000 if value < 100 else value


def _written_date(text: str, year: int | None, month: int, day: int) -> WrittenDate | None:
    try:
        date(year or 2000, month, day)
    except ValueError:
        return None
    return WrittenDate(text.strip(" ,."), year, month, day)


def written_dates(text: str) -> Iterator[WrittenDate]:
    """Calendar days written out in ``text``: ``20 March 2026``, ``Mar 20th``, ``2026-03-20``, ``20/03/2026``.

    A numeric date gives both its day/month and its month/day reading.
    """
    readings: list[tuple[str, int | None, int, int]] = []
    for m in _DAY_MONTH.finditer(text):
        readings.append((m.group(0), _year(m.group(3)), MONTHS.month(m.group(2)) or 0, int(m.group(1))))
    for m in _MONTH_DAY.finditer(text):
        readings.append((m.group(0), _year(m.group(3)), MONTHS.month(m.group(1)) or 0, int(m.group(2))))
    for m in _ISO_DATE.finditer(text):
        readings.append((m.group(0), int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for m in _NUMERIC_DATE.finditer(text):
        first, second, year = int(m.group(1)), int(m.group(3)), _year(m.group(4))
        readings += [(m.group(0), year, second, first), (m.group(0), year, first, second)]
    for written, year, month, day in readings:
        found = _written_date(written, year, month, day) if month else None
        if found:
            yield found


def _moments(value: str) -> tuple[date, date] | None:
    """The first and last calendar day an ISO-8601 value may fall on, across every UTC offset."""
    value = value.strip()
    try:
        parsed = date_parser.isoparse(value)
    except (ValueError, OverflowError):
        return None
    if parsed.tzinfo is None and len(value) <= len("YYYY-MM-DD"):
        return parsed.date(), parsed.date()
    moment = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return moment.astimezone(EARLIEST_OFFSET).date(), moment.astimezone(LATEST_OFFSET).date()


def card_days(card: CardFields) -> set[date]:
    """Every calendar day a card's dates fall on in some time zone; an event covers start to end."""
    days: set[date] = set()
    for key in ("date", "modified"):
        span = _moments(card.get(key) or "")
        if span:
            days |= set(span)
    start, end = _moments(card.get("start") or ""), _moments(card.get("end") or "")
    if start or end:
        first = (start or end)[0]  # type: ignore[index]
        last = (end or start)[1]  # type: ignore[index]
        length = max(0, min((last - first).days, MAX_EVENT_SPAN_DAYS))
        days |= {first + timedelta(days=n) for n in range(length + 1)}
    return days
