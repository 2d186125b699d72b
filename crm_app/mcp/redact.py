"""Redaction of secrets before anything is written: tool arguments (`redact`) and log lines (`redact_text`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"
MAX_STRING_CHARS = 500
MAX_ITEMS = 100
MAX_DEPTH = 8

SECRET_KEY_PARTS = (
    "token",
    "secret",
    "password",
    "passwd",
    "passphrase",
    "authorization",
    "apikey",
    "cookie",
    "credential",
    "privatekey",
    "clientassertion",
)
SECRET_KEY_NAMES = frozenset({"auth", "pwd", "pin", "otp", "sig", "signature"})

_NON_ALNUM = re.compile(r"[^a-z0-9]")
_JWT = r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"
_SECRET_VALUE = re.compile(rf"^\s*(?:(?:bearer|basic)\s+\S+|{_JWT})\s*$", re.IGNORECASE)
_SECRETS_IN_TEXT = [
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), rf"\1{REDACTED}"),
    (re.compile(r"(?i)((?:access|refresh|id)_token[\"']?\s*[:=]\s*[\"']?)[^\"'&\s,}]+"), rf"\1{REDACTED}"),
    (re.compile(r"(?i)((?:client_secret|code|code_verifier|password|api_key|secret|state|session_state)=)[^&\s\"]+"),
     rf"\1{REDACTED}"),
    (re.compile(r"sbx_(?:at|rt)_[A-Za-z0-9_-]+"), REDACTED),
    (re.compile(_JWT), "[redacted-jwt]"),
]


_URL = re.compile(r"(https?://)(?:[^\s/@'\"]+@)?([^\s?'\"]*)(\?[^\s'\"]*)?")


def scrub_urls(text: str) -> str:
    """``text`` with the user-info and query string of every URL in it removed, as they may hold keys."""
    return _URL.sub(lambda match: match[1] + match[2] + ("?[redacted]" if match[3] else ""), text)


def redact_text(text: str) -> str:
    """A log line with bearer tokens, OAuth tokens and codes, secrets in query strings and JSON web tokens
    replaced."""
    for pattern, replacement in _SECRETS_IN_TEXT:
        text = pattern.sub(replacement, text)
    return text


def is_secret_key(key: object) -> bool:
    """Whether a mapping key names a credential (case-insensitive; ``-``/``_`` ignored)."""
    normalized = _NON_ALNUM.sub("", str(key).lower())
    return normalized in SECRET_KEY_NAMES or any(part in normalized for part in SECRET_KEY_PARTS)


def truncate(text: str, limit: int = MAX_STRING_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters]"


def redact(value: Any, *, max_chars: int = MAX_STRING_CHARS, _depth: int = 0) -> Any:
    """A JSON-safe copy of ``value`` with secrets replaced by ``[redacted]``.

    Values under keys that name credentials are replaced at any depth, as are strings
    that look like credentials themselves (``Bearer …``, ``Basic …``, JSON web tokens).
    Long strings are truncated, long lists shortened and deep nesting cut off.
    """
    if _depth > MAX_DEPTH:
        return "[nested data omitted]"
    if isinstance(value, Mapping):
        return {
            str(key): REDACTED if is_secret_key(key) else redact(item, max_chars=max_chars, _depth=_depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        items = list(value)
        shown = [redact(item, max_chars=max_chars, _depth=_depth + 1) for item in items[:MAX_ITEMS]]
        if len(items) > MAX_ITEMS:
            shown.append(f"[{len(items) - MAX_ITEMS} more items]")
        return shown
    if isinstance(value, str):
        return REDACTED if _SECRET_VALUE.match(value) else truncate(value, max_chars)
    if value is None or isinstance(value, bool | int | float):
        return value
    return truncate(str(value), max_chars)
