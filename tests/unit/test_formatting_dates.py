"""Dates in sentences: day numbers without a leading zero."""

from __future__ import annotations

import datetime as dt

from crm_app.formatting import day_and_time


def test_day_and_time_reads_like_a_sentence():
    when = dt.datetime(2026, 12, 3, 16, 0)
    assert day_and_time(when, ", ") == "Thu 3 Dec, 16:00"
    assert day_and_time(when, " at ") == "Thu 3 Dec at 16:00"
    assert "03" not in day_and_time(when)
    assert day_and_time(dt.datetime(2026, 12, 13, 9, 5)) == "Sun 13 Dec 09:05"
