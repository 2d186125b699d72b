"""Query options: limits, the last-$filter-wins rule, Outlook's sort/search constraints, paging links."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from crm_app.sandbox.errors import BadRequest, ODataError
from crm_app.sandbox.odata.compiler import compile_filter
from crm_app.sandbox.odata.options import (
    build_next_link,
    decode_skiptoken,
    encode_skiptoken,
    ensure_search_alone,
    ensure_sort_follows_filter,
    parse_options,
    sort_items,
    unquote_search,
)
from crm_app.sandbox.odata.schema import MESSAGE


def options(**params: str):
    return parse_options([(f"${k}", v) for k, v in params.items()], MESSAGE)


def test_defaults():
    parsed = parse_options([], MESSAGE)
    assert parsed.top == 10 and parsed.skip == 0 and not parsed.count and parsed.filter is None


def test_repeated_filter_keeps_only_the_last():
    parsed = parse_options(
        [("$filter", "from/emailAddress/address eq 'a@b.example'"), ("$filter", "isRead eq false")], MESSAGE
    )
    assert parsed.filter_text == "isRead eq false"
    predicate = compile_filter(parsed.filter, MESSAGE)
    assert predicate({"isRead": False, "from": {"emailAddress": {"address": "someone@else.example"}}})


@pytest.mark.parametrize("top", ["0", "1001", "-1", "ten"])
def test_top_must_be_between_1_and_1000(top):
    with pytest.raises(BadRequest) as caught:
        options(top=top)
    assert "between 1 and 1000" in caught.value.message


def test_top_limits_can_differ_per_resource():
    assert parse_options([("$top", "50")], MESSAGE, max_top=50).top == 50
    with pytest.raises(BadRequest):
        parse_options([("$top", "51")], MESSAGE, max_top=50)


def test_select_and_unknown_properties():
    assert options(select="subject, from").select == ("subject", "from")
    with pytest.raises(ODataError) as caught:
        options(select="subject,nope")
    assert "nope" in caught.value.message


def test_orderby_needs_sortable_properties():
    assert options(orderby="receivedDateTime desc").orderby == [("receivedDateTime", True)]
    with pytest.raises(ODataError):
        options(orderby="toRecipients")
    with pytest.raises(ODataError):
        options(orderby="nothing")


def test_count_and_unknown_options():
    assert options(count="true").count
    with pytest.raises(BadRequest):
        options(count="yes")
    with pytest.raises(BadRequest) as caught:
        parse_options([("$foo", "1")], MESSAGE)
    assert "$foo" in caught.value.message


def test_skiptoken_round_trip_and_tampering():
    assert decode_skiptoken(encode_skiptoken(30)) == 30
    assert options(skiptoken=encode_skiptoken(20)).skip == 20
    for bad in ("garbage!", encode_skiptoken(5)[:-3] + "zzz", "b2Zmc2V0Oi0x"):
        with pytest.raises(BadRequest):
            decode_skiptoken(bad)


@pytest.mark.parametrize(
    "filter_text, orderby, ok",
    [
        ("receivedDateTime ge 2026-01-01 and isRead eq false", "receivedDateTime desc", True),
        ("isRead eq false and receivedDateTime ge 2026-01-01", "receivedDateTime desc", False),
        ("from/emailAddress/address eq 'a@b.example'", "receivedDateTime desc", False),
        ("contains(subject, 'x')", "receivedDateTime desc", False),
        ("importance eq 'high' and subject eq 'x'", "importance, subject", True),
        ("subject eq 'x' and importance eq 'high'", "importance, subject", False),
    ],
)
def test_sort_properties_must_open_the_filter(filter_text, orderby, ok):
    parsed = options(filter=filter_text, orderby=orderby)
    if ok:
        ensure_sort_follows_filter(parsed)
    else:
        with pytest.raises(BadRequest) as caught:
            ensure_sort_follows_filter(parsed)
        assert caught.value.code == "InefficientFilter"


def test_search_cannot_be_combined():
    ensure_search_alone(options(search='"report"', top="5"))
    with pytest.raises(BadRequest) as caught:
        ensure_search_alone(options(search='"report"', orderby="receivedDateTime desc"))
    assert caught.value.code == "SearchWithOrderBy"
    with pytest.raises(BadRequest) as caught:
        ensure_search_alone(options(search='"report"', filter="isRead eq false"))
    assert caught.value.code == "SearchWithFilter"


def test_unquote_search():
    assert unquote_search('"from:john quarterly"') == "from:john quarterly"
    assert unquote_search('"subject:\\"q4 report\\""') == 'subject:"q4 report"'
    assert unquote_search("plain") == "plain"


def test_next_link_is_absolute_and_percent_encoded():
    parsed = options(filter="isRead eq false", select="subject", top="5", count="true")
    link = build_next_link("http://127.0.0.1:9/v1.0/me/messages", parsed, 5, use_skiptoken=False)
    parts = urlsplit(link)
    assert parts.scheme == "http" and parts.path == "/v1.0/me/messages"
    assert "%24filter=isRead%20eq%20false" in link and "+" not in link
    params = dict(parse_qsl(parts.query))
    assert params == {"$filter": "isRead eq false", "$select": "subject", "$count": "true", "$top": "5", "$skip": "5"}
    with_token = build_next_link("http://h/v1.0/x", parsed, 15, use_skiptoken=True, extra=[("search", "sales")])
    token = dict(parse_qsl(urlsplit(with_token).query))
    assert decode_skiptoken(token["$skiptoken"]) == 15 and token["search"] == "sales"


def test_sort_items_mixed_directions_and_empty_values():
    rows = [{"a": "b", "n": 1}, {"a": None, "n": 2}, {"a": "B", "n": 3}, {"a": "a", "n": 3}]
    ordered = sort_items(rows, [("n", True), ("a", False)], lambda item, path: item[path])
    assert [(r["n"], r["a"]) for r in ordered] == [(3, "a"), (3, "B"), (2, None), (1, "b")]
