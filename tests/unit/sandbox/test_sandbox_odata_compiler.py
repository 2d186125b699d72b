"""$filter evaluation against Graph-shaped dicts, type checks and index hints."""

from __future__ import annotations

import pytest

from crm_app.sandbox.errors import ODataError
from crm_app.sandbox.odata.compiler import (
    compile_filter,
    conjuncts,
    filter_properties,
    simple_comparisons,
)
from crm_app.sandbox.odata.parser import parse_filter
from crm_app.sandbox.odata.schema import MESSAGE

MESSAGE_A = {
    "subject": "Quarterly Report Q4",
    "receivedDateTime": "2026-03-04T10:00:00Z",
    "isRead": False,
    "hasAttachments": True,
    "importance": "high",
    "from": {"emailAddress": {"name": "John Smith", "address": "John.Smith@acme.example"}},
    "toRecipients": [{"emailAddress": {"name": "Avery Chen", "address": "avery.chen@northwind.example"}}],
    "categories": ["Red category"],
    "flag": {"flagStatus": "flagged"},
}
MESSAGE_B = {
    "subject": None,
    "receivedDateTime": "2026-03-01T08:00:00Z",
    "isRead": True,
    "hasAttachments": False,
    "importance": "normal",
    "from": {"emailAddress": {"name": "Liam O'Brien", "address": "o'brien@initech.example"}},
    "toRecipients": [],
    "categories": [],
    "flag": {"flagStatus": "notFlagged"},
}


def matches(text: str) -> list[str]:
    predicate = compile_filter(parse_filter(text), MESSAGE)
    return [name for name, m in (("A", MESSAGE_A), ("B", MESSAGE_B)) if predicate(m)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("from/emailAddress/address eq 'john.smith@ACME.example'", ["A"]),
        ("from/emailAddress/address eq 'o''brien@initech.example'", ["B"]),
        ("from/emailAddress/address ne 'john.smith@acme.example'", ["B"]),
        ("isRead eq false", ["A"]),
        ("isRead", ["B"]),
        ("not isRead", ["A"]),
        ("receivedDateTime ge 2026-03-04T10:00:00Z", ["A"]),
        ("receivedDateTime gt 2026-03-04T10:00:00Z", []),
        ("receivedDateTime lt 2026-03-04", ["B"]),
        ("receivedDateTime le 2026-03-01T08:00:00Z", ["B"]),
        ("receivedDateTime ge 2026-03-04T11:00:00+01:00", ["A"]),
        ("receivedDateTime ge 2026-03-04T09:59:59.5Z", ["A"]),
        ("receivedDateTime gt 2026-03-04T10:00:00.5Z", []),
        ("receivedDateTime le 2026-03-04T10:00:00.5Z", ["A", "B"]),
        ("receivedDateTime eq 2026-03-04T10:00:00.5Z", []),
        ("contains(subject, 'report')", ["A"]),
        ("startswith(subject, 'QUARTER')", ["A"]),
        ("endswith(from/emailAddress/address, 'initech.example')", ["B"]),
        ("subject eq null", ["B"]),
        ("subject ne null", ["A"]),
        ("hasAttachments eq true and importance eq 'high'", ["A"]),
        ("importance in ('low', 'normal')", ["B"]),
        ("toRecipients/any(r: r/emailAddress/address eq 'avery.chen@northwind.example')", ["A"]),
        ("toRecipients/any()", ["A"]),
        ("toRecipients/all(r: startswith(r/emailAddress/name, 'Z'))", ["B"]),
        ("categories/any(c: c eq 'red category')", ["A"]),
        ("flag/flagStatus eq 'flagged' or isRead eq true", ["A", "B"]),
        ("'high' eq importance", ["A"]),
        ("2026-03-02T00:00:00Z lt receivedDateTime", ["A"]),
    ],
)
def test_semantics(text, expected):
    assert matches(text) == expected


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("foo eq 1", "Could not find a property named 'foo' on type 'microsoft.graph.message'"),
        ("from/emailAddress/phone eq 'x'", "property named 'phone'"),
        ("receivedDateTime ge '2026-01-01'", "incompatible types"),
        ("isRead gt true", "incompatible types"),
        ("subject eq true", "incompatible types"),
        ("toRecipients/emailAddress/address eq 'x'", "not a single value"),
        ("subject", "must be a boolean condition"),
        ("contains(subject, 3)", "text property"),
        ("contains(subject)", "takes two arguments"),
        ("body/content eq 'x'", "does not support filtering"),
        ("toRecipients/any(r: subject eq 'x')", "Inside a lambda expression only the variable 'r'"),
        ("subject/any(s: s eq 'x')", "not a collection"),
        ("importance in ('high', 1)", "incompatible types"),
        ("receivedDateTime ge 2026-13-45T00:00:00Z", "not a valid date-time"),
    ],
)
def test_invalid_filters_are_bad_requests(text, fragment):
    with pytest.raises(ODataError) as caught:
        compile_filter(parse_filter(text), MESSAGE)
    assert fragment in caught.value.message
    assert caught.value.status == 400


def test_filter_properties_in_order_of_appearance():
    node = parse_filter(
        "receivedDateTime ge 2026-01-01 and (from/emailAddress/address eq 'a@b.example' or isRead eq false) "
        "and toRecipients/any(r: r/emailAddress/address eq 'x@y.example') and receivedDateTime lt 2026-02-01"
    )
    assert filter_properties(node) == ["receivedDateTime", "from/emailAddress/address", "isRead", "toRecipients"]


def test_simple_comparisons_normalize_constants_for_indexes():
    node = parse_filter(
        "from/emailAddress/address eq 'John@Acme.example' and receivedDateTime ge 2026-03-04T11:00:00+01:00 "
        "and (isRead eq false or isDraft eq true) and 2026-03-10 gt receivedDateTime "
        "and receivedDateTime lt 2026-03-09T00:00:00.25Z"
    )
    assert len(conjuncts(node)) == 5
    assert simple_comparisons(node) == [
        ("from/emailAddress/address", "eq", "john@acme.example"),
        ("receivedDateTime", "ge", "2026-03-04T10:00:00Z"),
        ("receivedDateTime", "lt", "2026-03-10T00:00:00Z"),
    ]


def test_or_at_top_level_gives_no_index_hints():
    node = parse_filter("from/emailAddress/address eq 'a@b.example' or isRead eq false")
    assert simple_comparisons(node) == []
