"""Dates, times and durations in a normalised message, resolved in the user's time zone.

Conventions (documented for users of the plans):

* A named day is ``[00:00, next day 00:00)``; a week runs Monday to Monday; a
  month from its first day to the next month's first day.
* ``last/past/next N days|hours|weeks`` is rolling from *now*; so is ``the past
  week`` or ``in the last week``. ``last week``/``next week`` are calendar weeks.
* ``next Thursday`` is the Thursday of next week (Monday to Sunday), ``this
  Thursday`` the one of the current week, ``coming Thursday`` the first one after
  today; a bare ``Monday`` is the coming
  Monday when looking ahead (calendar) and the latest Monday when looking back
  (mail).
* A month or day-and-month without a year is the nearest one in the direction the
  request looks (past for mail, future for the calendar).
* Parts of the day: morning 06–12, afternoon 12–17, evening/tonight 17–22. An
  event placed in one starts at 09:00, 14:00 or 18:00.
* An hour from 1 to 7 without am/pm means the afternoon, 8 to 11 the morning.
* ``this/last/next quarter`` is a calendar quarter, ``in Q2`` one of this year.
* A numeric date is read day first (12/03 is 12 March) unless the user's zone is
  American; a part above 12 can only be the day. ``in 3 days`` (ahead) is that day.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser
from dateutil.relativedelta import MO, relativedelta

from crm_app.assistant.offline.date_words import (
    Direction,
    WEEKDAYS,
    MONTHS,
    PARTS_OF_DAY,
    LATEST_AMBIGUOUS_PM_HOUR,
    ROLLING,
    ROLLING_ONE,
    HOURS_AGO,
    PERIOD,
    RELATIVE_DAY,
    WEEKDAY,
    DAY_MONTH,
    MONTH_DAY,
    ISO_DATE,
    MONTH,
    PART,
    TIME_RANGE,
    TIME,
    DURATION,
    SINCE,
    NUMERIC_DATE,
    QUARTER,
    DAY_SPAN,
    HALF_PAST,
    MONTH_FIRST_ZONES,
    IN_DAYS,
)
from crm_app.assistant.offline.periods import When
from crm_app.assistant.offline.vocab import NUMBER_WORDS

def _number(word: str) -> int:
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word.replace("couple of", "couple"), 1)


def _clock(text: str, infer: bool = True) -> time:
    """A clock time; with ``infer``, 1 to 7 without am/pm is taken as the afternoon."""
    text = text.replace(" ", "").replace(".", "")
    meridian = None
    if text.endswith(("am", "pm")):
        meridian = text[-2:]
        text = text[:-2]
    hour_text, _, minute_text = text.partition(":")
    hour, minute = int(hour_text), int(minute_text or 0)
    if meridian == "pm" and hour < 12:
        hour += 12
    elif meridian == "am" and hour == 12:
        hour = 0
    if meridian is None and infer and 1 <= hour <= LATEST_AMBIGUOUS_PM_HOUR:
        hour += 12
    if hour > 23 or minute > 59:
        raise ValueError(text)
    return time(hour, minute)


def _delta(unit: str, amount: int) -> relativedelta:
    """``amount`` hours, days, weeks or months."""
    match unit.rstrip("s"):
        case "hour":
            return relativedelta(hours=amount)
        case "day":
            return relativedelta(days=amount)
        case "week":
            return relativedelta(weeks=amount)
        case _:
            return relativedelta(months=amount)


class _Scanner:
    """Finds non-overlapping date expressions, most specific first."""

    def __init__(self, norm: str, now: datetime, direction: Direction) -> None:
        self.norm = norm
        self.now = now
        self.tz: ZoneInfo = now.tzinfo  # type: ignore[assignment]
        self.today = now.date()
        self.direction = direction
        self.when = When()
        self._taken = [False] * len(norm)

    def free(self, start: int, end: int) -> bool:
        return not any(self._taken[start:end])

    def take(self, start: int, end: int) -> None:
        for index in range(start, end):
            self._taken[index] = True
        self.when.spans.append((start, end))

    def matches(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        found = []
        for match in pattern.finditer(self.norm):
            if match.end() > match.start() and self.free(match.start(), match.end()):
                found.append(match)
        return found

    def at(self, day: date, clock: time = time(0)) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.tz)

    def set_range(self, start: datetime, end: datetime) -> None:
        if self.when.start is None:
            self.when.start, self.when.end = start, end

    def set_day(self, day: date, match: re.Match[str]) -> None:
        prefix = self.norm[: match.start()]
        if SINCE.search(prefix):
            self.take(match.start() - len("since "), match.start())
            self.set_range(self.at(day), self.now)
            return
        if self.when.day is None and self.when.start is None:
            self.when.day = day

    def scan(self) -> When:
        self._rolling()
        self._periods()
        self._quarters()
        self._day_spans()
        if self.direction == "future":
            self._in_days()
        self._explicit_dates()
        self._numeric_dates()
        self._relative_days()
        self._weekdays()
        self._months()
        self._parts()
        self._time_ranges()
        self._durations()
        self._half_past()
        self._times()
        self.when.spans.sort()
        return self.when

    def _rolling(self) -> None:
        for match in self.matches(ROLLING):
            delta = _delta(match["unit"], _number(match["n"]))
            self.take(match.start(), match.end())
            if match["dir"] in ("next", "coming"):
                self.set_range(self.now, self.now + delta)
            else:
                self.set_range(self.now - delta, self.now)
        for match in self.matches(ROLLING_ONE):
            delta = _delta(match["unit"], 1)
            self.take(match.start(), match.end())
            self.set_range(self.now - delta, self.now)
        for match in self.matches(HOURS_AGO):
            delta = _delta(match["unit"], _number(match["n"]))
            self.take(match.start(), match.end())
            self.set_range(self.now - delta, self.now)

    def _periods(self) -> None:
        for match in self.matches(PERIOD):
            which, unit = match["which"], match["unit"]
            if which == "the" and unit not in ("week", "weekend"):
                continue
            step = {"last": -1, "previous": -1, "next": 1, "coming": 1}.get(which, 0)
            if unit in ("week", "weekend"):
                monday = self.today + relativedelta(weekday=MO(-1), weeks=step)
                if unit == "week":
                    start, end = monday, monday + timedelta(days=7)
                else:
                    start, end = monday + timedelta(days=5), monday + timedelta(days=7)
            elif unit == "month":
                start = self.today.replace(day=1) + relativedelta(months=step)
                end = start + relativedelta(months=1)
            else:
                start = date(self.today.year + step, 1, 1)
                end = date(start.year + 1, 1, 1)
            self.take(match.start(), match.end())
            self.set_range(self.at(start), self.at(end))

    def _in_days(self) -> None:
        for match in self.matches(IN_DAYS):
            days = _number(match["n"]) * (7 if match["unit"].startswith("week") else 1)
            self.take(match.start(), match.end())
            self.set_day(self.today + timedelta(days=days), match)

    def _quarters(self) -> None:
        for match in self.matches(QUARTER):
            if match["q"]:
                year = int(match["y"]) if match["y"] else self.today.year
                start = date(year, 3 * (int(match["q"]) - 1) + 1, 1)
            else:
                step = {"last": -1, "previous": -1, "next": 1, "coming": 1}.get(match["which"], 0)
                current = date(self.today.year, 3 * ((self.today.month - 1) // 3) + 1, 1)
                start = current + relativedelta(months=3 * step)
            self.take(match.start(), match.end())
            self.set_range(self.at(start), self.at(start + relativedelta(months=3)))

    def _day_spans(self) -> None:
        for match in self.matches(DAY_SPAN):
            month = MONTHS[match["m"]]
            try:
                first = self._pick_year(month, int(match["d1"]), match["y"])
                last = first.replace(day=int(match["d2"]))
            except ValueError:
                continue
            if last < first:
                continue
            self.take(match.start(), match.end())
            self.set_range(self.at(first), self.at(last + timedelta(days=1)))

    def _numeric_dates(self) -> None:
        zone = getattr(self.tz, "key", "") or ""
        day_first = not zone.startswith(MONTH_FIRST_ZONES)
        for match in self.matches(NUMERIC_DATE):
            a, b = int(match["a"]), int(match["b"])
            day, month = (a, b) if day_first else (b, a)
            if month > 12 and day <= 12:
                day, month = month, day
            year = match["y"]
            if year and len(year) == 2:
                year = f"20{year}"
            try:
                found = self._pick_year(month, day, year)
            except ValueError:
                continue
            self.take(match.start(), match.end())
            self.set_day(found, match)

    def _half_past(self) -> None:
        for match in self.matches(HALF_PAST):
            if self.when.clock is not None:
                return
            hour = _number(match["h"])
            if not 1 <= hour <= 12:
                continue
            if hour <= LATEST_AMBIGUOUS_PM_HOUR:
                hour += 12
            minutes = {"half past": 30, "quarter past": 15, "quarter to": -15}[match["kind"]]
            moment = datetime.combine(self.today, time(hour % 24)) + timedelta(minutes=minutes)
            self.take(match.start(), match.end())
            self.when.clock = moment.time()

    def _pick_year(self, month: int, day: int, year: str | None) -> date:
        if year:
            return date(int(year), month, day)
        candidate = date(self.today.year, month, day)
        if self.direction == "past" and candidate > self.today:
            candidate = candidate.replace(year=candidate.year - 1)
        elif self.direction == "future" and candidate < self.today:
            candidate = candidate.replace(year=candidate.year + 1)
        return candidate

    def _explicit_dates(self) -> None:
        for pattern in (DAY_MONTH, MONTH_DAY):
            for match in self.matches(pattern):
                try:
                    parsed = dateutil_parser.parse(
                        f"{match['d']} {match['m']} 2000", dayfirst=True
                    )
                    day = self._pick_year(parsed.month, parsed.day, match["y"])
                except (ValueError, OverflowError):
                    continue
                self.take(match.start(), match.end())
                self.set_day(day, match)
        for match in self.matches(ISO_DATE):
            try:
                day = date.fromisoformat(match.group())
            except ValueError:
                continue
            self.take(match.start(), match.end())
            self.set_day(day, match)

    def _relative_days(self) -> None:
        offsets = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1}
        for match in self.matches(RELATIVE_DAY):
            word = match["word"]
            offset = 2 if "after" in word else offsets[word]
            self.take(match.start(), match.end())
            self.set_day(self.today + timedelta(days=offset), match)
            if word == "tonight" and self.when.part is None:
                self.when.part = PARTS_OF_DAY["tonight"]

    def _weekdays(self) -> None:
        for match in self.matches(WEEKDAY):
            weekday = WEEKDAYS[match["wd"]]
            modifier = match["mod"]
            if modifier == "next":
                day = (
                    self.today
                    + relativedelta(weekday=MO(-1), weeks=1)
                    + timedelta(days=weekday.weekday)
                )
            elif modifier == "coming":
                day = self.today + relativedelta(days=1, weekday=weekday(+1))
            elif modifier in ("last", "past"):
                day = self.today + relativedelta(days=-1, weekday=weekday(-1))
            elif modifier == "this":
                day = (
                    self.today
                    + relativedelta(weekday=MO(-1))
                    + timedelta(days=weekday.weekday)
                )
            elif self.direction == "past":
                day = self.today + relativedelta(weekday=weekday(-1))
            else:
                day = self.today + relativedelta(weekday=weekday(+1))
                self.when.next_occurrence = timedelta(weeks=1)
            self.take(match.start(), match.end())
            self.set_day(day, match)

    def _months(self) -> None:
        for match in self.matches(MONTH):
            month = MONTHS[match["m"]]
            pre = match["pre"]
            if match["m"] == "may" and pre not in (
                "in",
                "during",
                "since",
                "last",
                "this",
                "next",
            ):
                continue
            year = int(match["y"]) if match["y"] else self.today.year
            if not match["y"]:
                looking_back = pre == "last" or (
                    pre != "next" and self.direction == "past"
                )
                if looking_back and month > self.today.month:
                    year -= 1
                elif not looking_back and month < self.today.month:
                    year += 1
            start = date(year, month, 1)
            end = start + relativedelta(months=1)
            if pre == "since":
                self.take(match.start(), match.end())
                self.set_range(self.at(start), self.now)
                continue
            self.take(match.start() + len(pre) + 1, match.end())
            self.set_range(self.at(start), self.at(end))

    def _parts(self) -> None:
        for match in self.matches(PART):
            self.take(match.start(), match.end())
            self.when.part = PARTS_OF_DAY[match["part"]]
            if (match["this"] or match["part"] == "tonight") and self.when.day is None:
                self.when.day = self.today

    def _time_ranges(self) -> None:
        for match in self.matches(TIME_RANGE):
            t1, t2 = match["t1"], match["t2"]
            has_meridian = any(m in (t1 + t2) for m in ("am", "pm", "a.m", "p.m"))
            if not (match["pre"] or has_meridian or ":" in t1 + t2):
                continue
            try:
                end_time = _clock(t2)
                start_time = _clock(t1, infer=False)
            except ValueError:
                continue
            if (
                not re.search(r"am|pm|a\.m|p\.m", t1)
                and start_time.hour < 12 <= end_time.hour
            ):
                shifted = start_time.replace(hour=start_time.hour + 12)
                if shifted < end_time:
                    start_time = shifted
            if end_time <= start_time:
                continue
            self.take(match.start(), match.end())
            self.when.clock, self.when.end_clock = start_time, end_time

    def _durations(self) -> None:
        for match in self.matches(DURATION):
            if match["half"]:
                duration = timedelta(minutes=30)
            else:
                amount_text = match["n"]
                amount = (
                    float(amount_text)
                    if amount_text[0].isdigit()
                    else _number(amount_text)
                )
                bare_article = amount_text in (
                    "a",
                    "an",
                ) and not match.group().startswith("for")
                if bare_article and not self.norm[: match.start()].endswith(
                    ("for ", "in ", "up ", "book ", "block ", "hold ", "find ", "schedule ", "out ")
                ):
                    continue
                unit = match["unit"]
                duration = (
                    timedelta(hours=amount)
                    if unit.startswith("hour")
                    else timedelta(minutes=amount)
                )
            if duration <= timedelta(0) or self.when.duration is not None:
                continue
            self.take(match.start(), match.end())
            self.when.duration = duration

    def _times(self) -> None:
        for match in self.matches(TIME):
            if self.when.clock is not None:
                break
            if match["word"]:
                clock = time(0) if match["word"] == "midnight" else time(12)
            else:
                text = match["t1"] or match["t2"] or match["t3"]
                if match["at"] in ("for", "from") and not re.search(r"am|pm|:", text):
                    continue
                try:
                    clock = _clock(text)
                except ValueError:
                    continue
            self.take(match.start(), match.end())
            self.when.clock = clock


def extract(norm: str, now: datetime, direction: Direction) -> When:
    """Every date, time and duration expression in ``norm``, resolved against ``now``."""
    return _Scanner(norm, now, direction).scan()
