from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from crm_app.graph_query.odata import (
    ODataFilter,
    directory_search_clause,
    kql_search,
    kql_terms,
    odata_datetime,
    odata_string,
)


def test_odata_string_doubles_single_quotes() -> None:
    assert odata_string("o'brien@initech.example") == "'o''brien@initech.example'"
    assert odata_string("' or 1 eq 1") == "''' or 1 eq 1'"


def test_odata_datetime_is_utc_with_z() -> None:
    local = datetime(2025, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    assert odata_datetime(local) == "2025-03-01T07:30:00Z"
    with pytest.raises(ValueError):
        odata_datetime(datetime(2025, 3, 1))


def test_filter_joins_every_condition_with_and() -> None:
    conditions = ODataFilter()
    conditions.compare_datetime("receivedDateTime", "ge", datetime(2025, 1, 1, tzinfo=UTC))
    conditions.eq_string("from/emailAddress/address", "john.smith@acme.example")
    conditions.eq_bool("isRead", False)
    assert conditions.render() == (
        "receivedDateTime ge 2025-01-01T00:00:00Z and from/emailAddress/address eq 'john.smith@acme.example' "
        "and isRead eq false"
    )


def test_empty_filter_renders_none() -> None:
    assert ODataFilter().render() is None
    assert not ODataFilter()


def test_filter_rejects_unknown_operator() -> None:
    with pytest.raises(ValueError):
        ODataFilter().compare_datetime("receivedDateTime", "eq or 1", datetime(2025, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("Quarterly budget", ["quarterly", "budget"]),
        ("budget OR anything", ["budget", "anything"]),
        ("' or 1 eq 1", ["1", "eq", "1"]),
        ('budget" OR "x', ["budget", "x"]),
        ("subject:secret NOT (a)", ["subject", "secret", "a"]),
        ("-excluded *wild*", ["excluded", "wild"]),
        ("o'brien@initech.example", ["o'brien@initech.example"]),
        ("   ", []),
        (None, []),
    ],
)
def test_kql_terms_remove_syntax(text: str | None, terms: list[str]) -> None:
    assert kql_terms(text) == terms


def test_kql_search_quotes_the_whole_expression_once() -> None:
    assert kql_search("from:john@acme.example", "budget") == '"from:john@acme.example AND budget"'
    assert kql_search() is None


def test_directory_clause_strips_quotes_and_backslashes() -> None:
    assert directory_search_clause("displayName", 'finance" OR "x\\') == '"displayName:finance OR x"'
