"""$search KQL: terms, phrases, properties, boolean operators, dates and flags."""

from __future__ import annotations

import pytest

from crm_app.sandbox.errors import ODataError
from crm_app.sandbox.odata.kql import (
    All,
    AnyOf,
    Negation,
    SearchFields,
    Term,
    compile_search,
    parse_search,
)

DOCS = {
    "a": {"subject": "Quarterly report draft", "from": "sam rivera sam.rivera@northwind.example",
          "body": "please review the q4 numbers before the meeting.", "received": "2026-03-03T09:00:00Z",
          "attachments": True},
    "b": {"subject": "Weekly sales meetings", "from": "jordan patel jordan.patel@northwind.example",
          "body": "agenda: pipeline and forecast", "received": "2026-03-05T09:00:00Z", "attachments": False},
    "c": {"subject": "Re: report", "from": "john smith john.smith@acme.example",
          "body": "the quarterly numbers look fine. report attached", "received": "2026-02-01T09:00:00Z",
          "attachments": True},
}
FIELDS = SearchFields(
    text={
        "*": lambda d: f"{d['subject']} {d['from']} {d['body']}".lower(),
        "subject": lambda d: d["subject"].lower(),
        "from": lambda d: d["from"],
        "body": lambda d: d["body"],
    },
    dates={"received": lambda d: d["received"]},
    flags={"hasattachments": lambda d: d["attachments"]},
)


def found(query: str) -> list[str]:
    matcher = compile_search(parse_search(query), FIELDS)
    return [key for key, doc in DOCS.items() if matcher(doc)]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("report", ["a", "c"]),
        ("meeting", ["a", "b"]),
        ("meetings", ["b"]),
        ("quarterly report", ["a", "c"]),
        ('"quarterly report"', ["a"]),
        ('"quarterly numbers"', ["c"]),
        ("subject:report", ["a", "c"]),
        ("subject:quarterly", ["a"]),
        ("from:sam", ["a"]),
        ("from:john.smith@acme.example", ["c"]),
        ("from:acme", ["c"]),
        ("report OR pipeline", ["a", "b", "c"]),
        ("report AND NOT from:john", ["a"]),
        ("report -from:john", ["a"]),
        ("(from:sam OR from:jordan) meeting", ["a", "b"]),
        ("received>=2026-03-03", ["a", "b"]),
        ("received:2026-03-05", ["b"]),
        ("received<2026-03-03", ["c"]),
        ("received>2026-03-03", ["b"]),
        ("received<=2026-03-03", ["a", "c"]),
        ("hasattachments:true", ["a", "c"]),
        ("hasattachments:no report", []),
        ("repo*", ["a", "c"]),
        ("port", []),
        ("cc:avery", []),
    ],
)
def test_matching(query, expected):
    assert found(query) == expected


def test_tree_shape():
    tree = parse_search('from:sam "q4 report" OR NOT subject:x')
    assert isinstance(tree, AnyOf)
    first, second = tree.items
    assert isinstance(first, All) and first.items[0] == Term("from", ":", "sam", False)
    assert first.items[1] == Term(None, ":", "q4 report", True)
    assert isinstance(second, Negation)


@pytest.mark.parametrize("query", ["", "(report", "report OR", "AND report", "from:", "received:someday",
                                   "hasattachments:maybe"])
def test_errors(query):
    with pytest.raises(ODataError):
        compile_search(parse_search(query), FIELDS)
