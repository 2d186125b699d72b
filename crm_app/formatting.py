"""How numbers and labels read in the UI and in the assistant's cards: one place, no import of the app.

Money goes through Babel (CLDR data), so grouping and decimal signs follow the locale while the amount always
carries its ISO currency code in front ("USD 85,000.00"), the way the board, record pages and chat show it.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from babel.numbers import format_currency

DEFAULT_LOCALE = "en_US"
MONEY_PATTERN = "¤¤\u00a0#,##0.00"


def money(amount: Any, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """`amount` in `currency` as "USD 85,000.00" (grouping and decimals per `locale`); "" when there is no amount."""
    if amount is None or amount == "":
        return ""
    try:
        value = decimal.Decimal(str(amount))
    except decimal.InvalidOperation:
        return ""
    code = (currency or "").strip().upper()
    if not code:
        return format_currency(value, "XXX", format="#,##0.00", locale=locale, currency_digits=False)
    return format_currency(value, code, format=MONEY_PATTERN, locale=locale, currency_digits=False).replace("\u00a0", " ")


def stage_label(stage: str) -> str:
    """A pipeline stage as people read it: "negotiation" → "Negotiation"."""
    return (stage or "").replace("_", " ").strip().capitalize()


def day_and_time(when: dt.datetime, joiner: str = " ") -> str:
    """A date and time as a sentence says it: "Thu 3 Dec, 16:00" with ``joiner`` ", " ("Thu 3 Dec at 16:00" with " at ")."""
    return f"{when:%a} {when.day} {when:%b}{joiner}{when:%H:%M}"


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def long_date(value: Any) -> str:
    """An ISO date (or date-time) as "Friday 4 December 2026"; anything else comes back as it was."""
    day = _as_date(value)
    return f"{day:%A} {day.day} {day:%B %Y}" if day else str(value or "")


def short_date(value: Any) -> str:
    """An ISO date (or date-time) as "4 Dec 2026"; anything else comes back as it was."""
    day = _as_date(value)
    return f"{day.day} {day:%b %Y}" if day else str(value or "")
