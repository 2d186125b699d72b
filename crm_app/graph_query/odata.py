"""Building Microsoft Graph queries safely: OData literals, one `$filter`, KQL terms.

Rules this module enforces:

* a `$filter` is built from conditions joined with `and` and rendered once, so a
  request never carries two `$filter` parameters;
* every user value in a filter is an OData string literal with single quotes
  doubled, so `' or 1 eq 1` is a value, never syntax;
* user text in a KQL `$search` is reduced to plain lower-case terms: no quotes,
  no property restrictions (`name:`), no operators (`AND`, `OR`, `NOT`), no
  wildcards or grouping, so it can only narrow a search, never widen it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

KQL_OPERATORS = frozenset({"and", "or", "not", "near", "onear", "to"})
_KQL_TERM_CHARS = re.compile(r"[^\w@.\-'+]+", re.UNICODE)
_DIRECTORY_UNSAFE = re.compile(r"[\"\\\x00-\x1f]+")


def odata_string(value: str) -> str:
    """An OData string literal: the value in single quotes, inner single quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


def odata_datetime(value: datetime) -> str:
    """A UTC `DateTimeOffset` literal such as `2025-01-31T09:00:00Z` (unquoted, as OData expects)."""
    if value.tzinfo is None:
        raise ValueError("odata_datetime needs a timezone-aware datetime")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ODataFilter:
    """Conditions for one `$filter`, joined with `and`.

    Field names are fixed by the code that calls it; values go through the
    literal helpers above.
    """

    def __init__(self) -> None:
        self._conditions: list[str] = []

    def __bool__(self) -> bool:
        return bool(self._conditions)

    def add(self, condition: str) -> ODataFilter:
        self._conditions.append(condition)
        return self

    def eq_string(self, field: str, value: str) -> ODataFilter:
        return self.add(f"{field} eq {odata_string(value)}")

    def eq_bool(self, field: str, value: bool) -> ODataFilter:
        return self.add(f"{field} eq {'true' if value else 'false'}")

    def compare_datetime(self, field: str, operator: str, value: datetime) -> ODataFilter:
        if operator not in {"ge", "gt", "le", "lt"}:
            raise ValueError(f"unsupported comparison operator {operator!r}")
        return self.add(f"{field} {operator} {odata_datetime(value)}")

    def render(self) -> str | None:
        """The whole filter expression, or None when there is no condition."""
        return " and ".join(self._conditions) if self._conditions else None


def kql_terms(text: str | None) -> list[str]:
    """Split free text into safe KQL terms (lower-case words; operators and syntax removed)."""
    if not text:
        return []
    terms: list[str] = []
    for raw in _KQL_TERM_CHARS.split(text):
        term = raw.strip(".-'+").lower()
        if not term or term in KQL_OPERATORS or not any(ch.isalnum() for ch in term):
            continue
        terms.append(term)
    return terms


def kql_search(*clauses: str) -> str | None:
    """A `$search` value: the clauses joined with `AND` inside one pair of double quotes."""
    parts = [clause for clause in clauses if clause]
    if not parts:
        return None
    return '"' + " AND ".join(parts) + '"'


def kql_property(name: str, terms: list[str]) -> list[str]:
    """Property restrictions `name:term`, one per term."""
    return [f"{name}:{term}" for term in terms]


def _search_text(text: str) -> str:
    return " ".join(_DIRECTORY_UNSAFE.sub(" ", text).split())


def search_phrase(text: str) -> str:
    """A `$search` value of plain text in double quotes (quotes and backslashes removed), e.g. `"john"`."""
    return f'"{_search_text(text)}"'


def directory_search_clause(prop: str, text: str) -> str:
    """One `$search` clause for directory objects, e.g. `"displayName:finance team"`."""
    return f'"{prop}:{_search_text(text)}"'
