"""The $filter / $orderby tokenizer and recursive-descent parser."""

from __future__ import annotations

import pytest

from crm_app.sandbox.errors import ODataError
from crm_app.sandbox.odata.ast import (
    BoolOp,
    Call,
    Compare,
    In,
    Lambda,
    Literal,
    Not,
    Property,
)
from crm_app.sandbox.odata.lexer import Kind, tokenize
from crm_app.sandbox.odata.parser import parse_filter, parse_orderby


def test_tokens_cover_literals_paths_and_punctuation():
    tokens = tokenize("from/emailAddress/address eq 'o''brien@x.example' and receivedDateTime ge 2026-01-02T03:04:05Z")
    kinds = [t.kind for t in tokens]
    assert kinds == [Kind.IDENT, Kind.SLASH, Kind.IDENT, Kind.SLASH, Kind.IDENT, Kind.IDENT, Kind.STRING, Kind.IDENT,
                     Kind.IDENT, Kind.IDENT, Kind.DATETIME, Kind.EOF]
    assert tokens[6].text == "o'brien@x.example"
    assert tokens[10].text == "2026-01-02T03:04:05Z"


def test_dates_numbers_and_offsets_are_told_apart():
    kinds = [t.kind for t in tokenize("2026-01-02 42 -7 1.5 2026-01-02T10:00:00+01:00")][:-1]
    assert kinds == [Kind.DATE, Kind.NUMBER, Kind.NUMBER, Kind.NUMBER, Kind.DATETIME]


def test_and_binds_tighter_than_or():
    node = parse_filter("isRead eq true or isDraft eq true and hasAttachments eq true")
    assert isinstance(node, BoolOp) and node.op == "or"
    assert isinstance(node.right, BoolOp) and node.right.op == "and"


def test_parentheses_and_not():
    node = parse_filter("not (isRead eq true or isDraft eq true)")
    assert isinstance(node, Not) and isinstance(node.operand, BoolOp) and node.operand.op == "or"


def test_comparison_operands():
    node = parse_filter("subject eq 'Budget'")
    assert node == Compare("eq", Property(("subject",), 0), Literal("string", "Budget", 11), 8)


def test_functions_lambda_and_in():
    call = parse_filter("contains(subject, 'report')")
    assert isinstance(call, Call) and call.name == "contains" and len(call.args) == 2
    lam = parse_filter("toRecipients/any(r: r/emailAddress/address eq 'a@b.example')")
    assert isinstance(lam, Lambda) and lam.kind == "any" and lam.var == "r"
    assert lam.collection.path == ("toRecipients",)
    bare = parse_filter("attachments/any()")
    assert isinstance(bare, Lambda) and bare.body is None
    member = parse_filter("importance in ('high', 'low')")
    assert isinstance(member, In) and [v.value for v in member.values] == ["high", "low"]


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("subject eq", "position 10"),
        ("subject eq 'x", "unterminated string"),
        ("(isRead eq true", "expected ')'"),
        ("isRead eq true extra", "unexpected 'extra'"),
        ("subject eq \"x\"", "character '\"'"),
        ("", "empty"),
        ("toRecipients/all()", "all() needs a lambda"),
        ("and eq 1", "expected a property"),
        ("isRead EQ true", "unexpected 'EQ'"),
    ],
)
def test_malformed_filters_say_where(text, fragment):
    with pytest.raises(ODataError) as caught:
        parse_filter(text)
    assert caught.value.code == "BadRequest"
    assert fragment in caught.value.message


def test_orderby_items_and_directions():
    items = parse_orderby("receivedDateTime desc, from/emailAddress/name")
    assert [(p.dotted, d) for p, d in items] == [("receivedDateTime", True), ("from/emailAddress/name", False)]


@pytest.mark.parametrize("text", ["", "receivedDateTime down", "receivedDateTime desc,", "'x'"])
def test_bad_orderby(text):
    with pytest.raises(ODataError):
        parse_orderby(text)
