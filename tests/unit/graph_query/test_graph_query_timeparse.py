from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crm_app.graph_query.timeparse import (
    check_iso,
    check_time_zone,
    graph_datetime_tz,
    iso_in_zone,
    parse_graph_datetime_tz,
    to_aware,
)


def test_dates_and_datetimes() -> None:
    london = ZoneInfo("Europe/London")
    assert to_aware("2025-07-01", london) == datetime(2025, 7, 1, tzinfo=london)
    assert to_aware("2025-07-01", london, end_of_day=True) == datetime(2025, 7, 2, tzinfo=london)
    assert to_aware("2025-07-01T09:30", UTC) == datetime(2025, 7, 1, 9, 30, tzinfo=UTC)
    assert to_aware("2025-07-01T09:30:00+02:00", UTC).astimezone(UTC) == datetime(2025, 7, 1, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["yesterday", "2025-13-01", "", "01/02/2025"])
def test_invalid_dates_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        check_iso(bad)


def test_time_zones() -> None:
    assert check_time_zone("Europe/London") == "Europe/London"
    with pytest.raises(ValueError):
        check_time_zone("Mars/Olympus")


def test_graph_date_time_time_zone_round_trip() -> None:
    value = datetime(2025, 7, 1, 13, 0, tzinfo=UTC)
    assert graph_datetime_tz(value, "Europe/London") == {"dateTime": "2025-07-01T14:00:00", "timeZone": "Europe/London"}
    parsed = parse_graph_datetime_tz({"dateTime": "2025-07-01T13:00:00.0000000", "timeZone": "UTC"})
    assert parsed == value
    assert iso_in_zone(parsed, "Europe/London") == "2025-07-01T14:00:00+01:00"
