"""Tokenizer for OData ``$filter`` and ``$orderby`` expressions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from crm_app.sandbox.errors import ODataError


class Kind(str, Enum):
    """Token kinds."""

    LPAREN = "("
    RPAREN = ")"
    COMMA = ","
    SLASH = "/"
    COLON = ":"
    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    DATE = "date"
    IDENT = "identifier"
    EOF = "end of input"


@dataclass(frozen=True, slots=True)
class Token:
    """One token and the character offset where it starts."""

    kind: Kind
    text: str
    pos: int


_PUNCTUATION = {"(": Kind.LPAREN, ")": Kind.RPAREN, ",": Kind.COMMA, "/": Kind.SLASH, ":": Kind.COLON}
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?(?:Z|[+-]\d{2}:\d{2})?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?![\w:])")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w-])")
_IDENT = re.compile(r"[A-Za-z_$@][A-Za-z0-9_.$@]*")
_SPACE = re.compile(r"\s+")


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; raises :class:`ODataError` at the first character it cannot read."""
    tokens: list[Token] = []
    pos = 0
    length = len(text)
    while pos < length:
        space = _SPACE.match(text, pos)
        if space:
            pos = space.end()
            continue
        char = text[pos]
        if char in _PUNCTUATION:
            tokens.append(Token(_PUNCTUATION[char], char, pos))
            pos += 1
            continue
        if char == "'":
            value, pos_after = _read_string(text, pos)
            tokens.append(Token(Kind.STRING, value, pos))
            pos = pos_after
            continue
        for pattern, kind in ((_DATETIME, Kind.DATETIME), (_DATE, Kind.DATE), (_NUMBER, Kind.NUMBER)):
            match = pattern.match(text, pos)
            if match:
                tokens.append(Token(kind, match.group(), pos))
                pos = match.end()
                break
        else:
            match = _IDENT.match(text, pos)
            if not match:
                raise ODataError(
                    f"Syntax error: character '{char}' is not valid at position {pos} in '{text}'.", pos
                )
            tokens.append(Token(Kind.IDENT, match.group(), pos))
            pos = match.end()
    tokens.append(Token(Kind.EOF, "", length))
    return tokens


def _read_string(text: str, start: int) -> tuple[str, int]:
    """Read a single-quoted literal starting at ``start``; ``''`` stands for one quote."""
    parts: list[str] = []
    pos = start + 1
    while True:
        end = text.find("'", pos)
        if end < 0:
            raise ODataError(
                f"Syntax error: unterminated string literal at position {start} in '{text}'. "
                "Close it with a single quote and write a quote inside it as two quotes ('').",
                start,
            )
        parts.append(text[pos:end])
        if end + 1 < len(text) and text[end + 1] == "'":
            parts.append("'")
            pos = end + 2
            continue
        return "".join(parts), end + 1
