"""The words and patterns of dates, times and durations that :mod:`dates` resolves."""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Literal

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE

from crm_app.assistant.offline.vocab import NUMBER_WORDS

Direction = Literal["past", "future"]

WEEKDAYS = {
    "monday": MO,
    "tuesday": TU,
    "wednesday": WE,
    "thursday": TH,
    "friday": FR,
    "saturday": SA,
    "sunday": SU,
}
MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
PARTS_OF_DAY: dict[str, tuple[time, time, time]] = {
    "morning": (time(6), time(12), time(9)),
    "afternoon": (time(12), time(17), time(14)),
    "evening": (time(17), time(22), time(18)),
    "tonight": (time(17), time(22), time(18)),
}
LATEST_AMBIGUOUS_PM_HOUR = 7
DEFAULT_EVENT_DURATION = timedelta(minutes=30)

WD = "|".join(WEEKDAYS)
MON = "|".join(sorted(MONTHS, key=len, reverse=True))
NUM = r"\d+|" + "|".join(
    sorted((w for w in NUMBER_WORDS if w not in {"a", "an"}), key=len, reverse=True)
)
UNIT = r"hours?|days?|weeks?|months?"
CLOCK_TEXT = r"\d{1,2}(?::\d{2})?(?: ?(?:am|pm|a\.m\.?|p\.m\.?))?"

ROLLING = re.compile(
    rf"\b(?:(?:in|within|over|during|from|for) )?(?:the )?(?P<dir>last|past|previous|next|coming) "
    rf"(?P<n>{NUM}) (?P<unit>{UNIT})\b"
)
ROLLING_ONE = re.compile(
    r"\b(?:(?:(?:in|within|over|during|from|for) )?the (?:last|past)|past) (?P<unit>hour|day|week|month)\b"
)
HOURS_AGO = re.compile(rf"\b(?P<n>{NUM}) (?P<unit>{UNIT}) ago\b")
PERIOD = re.compile(
    r"\b(?P<which>last|this|next|previous|coming|the) (?P<unit>week|weekend|month|year)(?:'s|s)?\b"
)
RELATIVE_DAY = re.compile(
    r"\b(?P<word>the day after tomorrow|day after tomorrow|today|tonight|tomorrow|yesterday)(?:'s)?\b"
)
WEEKDAY = re.compile(
    rf"\b(?:(?P<mod>this|next|last|coming|past) )?(?P<wd>{WD})(?:'s|s)?\b"
)
DAY_MONTH = re.compile(
    rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?: of)? (?P<m>{MON})\b(?: (?P<y>\d{{4}})\b)?"
)
MONTH_DAY = re.compile(
    rf"\b(?P<m>{MON}) (?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?![:.]\d)(?:,? (?P<y>\d{{4}})\b)?"
)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
MONTH = re.compile(
    rf"\b(?P<pre>in|during|for|from|since|of|last|this|next) (?P<m>{MON})\b(?: (?P<y>\d{{4}})\b)?"
)
PART = re.compile(
    r"\b(?:(?P<this>this) )?(?P<part>morning|afternoon|evening|tonight)\b"
)
TIME_RANGE = re.compile(
    rf"\b(?P<pre>from |between )?(?P<t1>{CLOCK_TEXT}) ?(?:-|–|to|until|till|and) ?(?P<t2>{CLOCK_TEXT})(?![\d:])"
)
TIME = re.compile(
    rf"(?:\b(?P<at>at|@|by|around|for|from) (?P<t1>{CLOCK_TEXT})(?![\d:%])|\b(?P<t2>\d{{1,2}}(?::\d{{2}})? ?(?:am|pm|a\.m\.?|p\.m\.?))(?![\w])|\b(?P<t3>\d{{1,2}}:\d{{2}})\b|\b(?P<word>noon|midday|midnight)\b)"
)
DURATION = re.compile(
    r"\b(?:for )?(?:(?P<half>half an? hour)|(?P<n>an|a|one|two|three|\d+(?:\.\d+)?)[ -]?(?P<unit>hours?|hrs?|minutes?|mins?)(?: long)?)\b"
)
SINCE = re.compile(r"\bsince $")
NUMERIC_DATE = re.compile(r"\b(?P<a>\d{1,2})[/.](?P<b>\d{1,2})(?:[/.](?P<y>\d{4}|\d{2}))?\b(?![/.:]\d)")
QUARTER = re.compile(
    r"\b(?P<which>last|this|next|previous|coming|the current|current) (?:quarter|qtr)\b"
    r"|(?:(?<=\bin )|(?<=\bof )|(?<=\bfor ))q(?P<q>[1-4])(?: (?P<y>\d{4}))?\b"
)
DAY_SPAN = re.compile(
    rf"\b(?:between|from) (?:the )?(?P<d1>\d{{1,2}})(?:st|nd|rd|th)? (?:and|to|until|-) (?:the )?(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?: of)? (?P<m>{MON})\b(?: (?P<y>\d{{4}})\b)?"
)
HALF_PAST = re.compile(
    rf"\b(?:at )?(?P<kind>half past|quarter past|quarter to) (?P<h>\d{{1,2}}|{'|'.join(sorted(NUMBER_WORDS, key=len, reverse=True))})\b"
)
MONTH_FIRST_ZONES = ("America/", "US/", "Canada/")
IN_DAYS = re.compile(rf"\bin (?P<n>{NUM}) (?P<unit>days?|weeks?)\b(?! ago)")
