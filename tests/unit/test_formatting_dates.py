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


def test_iso_dates_read_in_full_or_short_and_other_text_is_kept():
    from crm_app.formatting import long_date, short_date

    assert long_date("2026-12-04") == "Friday 4 December 2026"
    assert long_date("2026-12-04T09:00:00+00:00") == "Friday 4 December 2026"
    assert short_date("2026-11-13") == "13 Nov 2026"
    assert short_date(dt.date(2027, 1, 2)) == "2 Jan 2027"
    assert short_date("") == "" and short_date(None) == "" and long_date("soon") == "soon"
