"""A KQL subset for ``$search``: free text, ``property:value``, phrases, AND / OR / NOT, dates.

Terms match at the start of a word, case-insensitively (``meet`` finds "meetings");
a quoted phrase matches its words in sequence. Terms side by side must all match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from crm_app.sandbox.errors import ODataError
from crm_app.sandbox.odata.values import format_datetime, parse_datetime

COMPARATORS = (">=", "<=", ">", "<", ":", "=")
_TOKEN = re.compile(r'\s*(?:(?P<paren>[()])|(?P<phrase>"[^"]*")|(?P<word>[^\s()"]+(?:"[^"]*")?))')
_FIELD = re.compile(r"^(?P<field>[A-Za-z][A-Za-z0-9_]*)(?P<op>>=|<=|>|<|:|=)(?P<value>.*)$", re.DOTALL)
TextReader = Callable[[Any], str]
FlagReader = Callable[[Any], bool]
Matcher = Callable[[Any], bool]


@dataclass(frozen=True, slots=True)
class Term:
    """One search term; ``field`` is None for free text."""

    field: str | None
    op: str
    text: str
    phrase: bool


@dataclass(frozen=True, slots=True)
class All:
    items: tuple[Query, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Query, ...]


@dataclass(frozen=True, slots=True)
class Negation:
    item: Query


Query = Term | All | AnyOf | Negation


@dataclass(frozen=True)
class SearchFields:
    """How to read a kind of item for search: text fields, date fields, boolean flags.

    ``text["*"]`` is the free-text field. Texts must be lower-case.
    """

    text: Mapping[str, TextReader]
    dates: Mapping[str, TextReader]
    flags: Mapping[str, FlagReader]


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            if text[pos:].strip():
                raise ODataError(f"Syntax error in $search at position {pos}: check the quotes in '{text}'.")
            break
        tokens.append(match.group("paren") or match.group("phrase") or match.group("word"))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0

    def peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> Query:
        if not self.tokens:
            raise ODataError("The $search value is empty. Pass search terms, e.g. $search=\"quarterly report\".")
        query = self.parse_or()
        if self.peek() is not None:
            raise ODataError(f"Syntax error in $search: unexpected '{self.peek()}' in '{self.text}'.")
        return query

    def parse_or(self) -> Query:
        items = [self.parse_and()]
        while self.peek() == "OR":
            self.take()
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else AnyOf(tuple(items))

    def parse_and(self) -> Query:
        items = [self.parse_unary()]
        while self.peek() not in (None, ")", "OR"):
            if self.peek() == "AND":
                self.take()
            items.append(self.parse_unary())
        return items[0] if len(items) == 1 else All(tuple(items))

    def parse_unary(self) -> Query:
        token = self.peek()
        if token is None:
            raise ODataError(f"Syntax error in $search: '{self.text}' ends where a term was expected.")
        if token == "NOT":
            self.take()
            return Negation(self.parse_unary())
        if token.startswith("-") and len(token) > 1:
            self.tokens[self.index] = token[1:]
            return Negation(self.parse_unary())
        if token == "(":
            self.take()
            query = self.parse_or()
            if self.peek() != ")":
                raise ODataError(f"Syntax error in $search: a ')' is missing in '{self.text}'.")
            self.take()
            return query
        if token in (")", "AND", "OR"):
            raise ODataError(f"Syntax error in $search: unexpected '{token}' in '{self.text}'.")
        return self.term(self.take())

    @staticmethod
    def term(token: str) -> Term:
        match = _FIELD.match(token)
        field, op, value = (match.group("field").lower(), match.group("op"), match.group("value")) if match else (
            None,
            ":",
            token,
        )
        phrase = len(value) >= 2 and value.startswith('"') and value.endswith('"')
        if phrase:
            value = value[1:-1]
        value = value.rstrip("*")
        if not value.strip():
            raise ODataError(f"The search term '{token}' has no value after its property name.")
        return Term(field, op, value.lower(), phrase)


def parse_search(text: str) -> Query:
    """Parse a KQL query (already taken out of its outer double quotes)."""
    return _Parser(text).parse()


def _word_pattern(term: Term) -> re.Pattern[str]:
    words = (re.findall(r"\w+", term.text) or [term.text]) if term.phrase else [term.text]
    return re.compile(r"(?<!\w)" + r"\W+".join(re.escape(word) for word in words))


def _text_matcher(term: Term, read: TextReader) -> Matcher:
    pattern = _word_pattern(term)
    needle = (re.findall(r"\w+", term.text) or [term.text])[0] if term.phrase else term.text

    def match(item: Any) -> bool:
        text = read(item)
        return needle in text and pattern.search(text) is not None

    return match


def _date_matcher(term: Term, read: TextReader) -> Matcher:
    moment = parse_datetime(term.text)
    start = format_datetime(moment)
    end = format_datetime(moment + timedelta(days=1))
    op = term.op
    if op in (":", "="):
        return lambda item: start <= read(item) < end
    if op == ">=":
        return lambda item: read(item) >= start
    if op == ">":
        return lambda item: read(item) >= end
    if op == "<=":
        return lambda item: read(item) < end
    return lambda item: read(item) < start


def _flag_matcher(term: Term, read: FlagReader) -> Matcher:
    wanted = term.text in ("true", "yes", "1")
    if term.text not in ("true", "yes", "1", "false", "no", "0"):
        raise ODataError(f"'{term.field}:{term.text}' needs true or false, e.g. {term.field}:true.")
    return lambda item: read(item) is wanted


def compile_search(query: Query, fields: SearchFields) -> Matcher:
    """A predicate over items, read through ``fields``, equivalent to ``query``."""
    if isinstance(query, All):
        parts = [compile_search(item, fields) for item in query.items]
        return lambda item: all(part(item) for part in parts)
    if isinstance(query, AnyOf):
        parts = [compile_search(item, fields) for item in query.items]
        return lambda item: any(part(item) for part in parts)
    if isinstance(query, Negation):
        inner = compile_search(query.item, fields)
        return lambda item: not inner(item)
    field = query.field
    if field is not None and field in fields.dates:
        return _date_matcher(query, fields.dates[field])
    if field is not None and field in fields.flags:
        return _flag_matcher(query, fields.flags[field])
    if field is not None and field in fields.text:
        return _text_matcher(query, fields.text[field])
    text = query.text if query.field is None else f"{query.field}{query.op}{query.text}"
    return _text_matcher(Term(None, ":", text, query.phrase), fields.text["*"])
