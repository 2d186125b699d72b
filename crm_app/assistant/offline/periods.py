"""What a message's dates resolve to: the :class:`When` found, and the periods and event times built from it.

Conventions are those of :mod:`dates`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm_app.assistant.offline.date_words import DEFAULT_EVENT_DURATION

@dataclass
class When:
    """The date and time expressions found in a message and where they were."""

    spans: list[tuple[int, int]] = field(default_factory=list)
    start: datetime | None = None
    end: datetime | None = None
    day: date | None = None
    clock: time | None = None
    end_clock: time | None = None
    duration: timedelta | None = None
    part: tuple[time, time, time] | None = None
    next_occurrence: timedelta | None = None

    @property
    def found(self) -> bool:
        """True when the message held any date or time expression."""
        return bool(self.spans)

    @property
    def has_date(self) -> bool:
        """True when a day or a range was named."""
        return self.day is not None or self.start is not None

    def mask(self, text: str) -> str:
        """``text`` with every date and time expression blanked out (offsets unchanged)."""
        chars = list(text)
        for start, end in self.spans:
            for index in range(start, end):
                chars[index] = " "
        return "".join(chars)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Midnight to midnight of ``day`` in ``tz``."""
    return (
        datetime.combine(day, time(0), tzinfo=tz),
        datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz),
    )


def search_range(when: When, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    """The period a search or listing covers, or None when no date was named."""
    if when.start is not None and when.end is not None:
        return when.start, when.end
    if when.day is not None:
        start, end = day_bounds(when.day, tz)
        if when.part is not None:
            start = datetime.combine(when.day, when.part[0], tzinfo=tz)
            end = datetime.combine(when.day, when.part[1], tzinfo=tz)
        return start, end
    return None


def event_times(when: When, now: datetime) -> tuple[datetime, datetime] | None:
    """Start and end of an event to create, or None when no start time can be told."""
    tz: ZoneInfo = now.tzinfo  # type: ignore[assignment]
    clock = when.clock
    if clock is None and when.part is not None:
        clock = when.part[2]
    if clock is None:
        return None
    day = when.day
    if day is None and when.start is not None:
        day = when.start.date()
    if day is None:
        day = now.date()
        if datetime.combine(day, clock, tzinfo=tz) <= now:
            day += timedelta(days=1)
    if (
        when.next_occurrence is not None
        and datetime.combine(day, clock, tzinfo=tz) <= now
    ):
        day += when.next_occurrence
    start = datetime.combine(day, clock, tzinfo=tz)
    if when.end_clock is not None:
        end = datetime.combine(day, when.end_clock, tzinfo=tz)
    else:
        end = start + (when.duration or DEFAULT_EVENT_DURATION)
    return start, end


def iso(moment: datetime) -> str:
    """ISO-8601 with the UTC offset, to the second."""
    return moment.replace(microsecond=0).isoformat()
