"""The chat assistant: turning messages into plans and following up on results.

Importing this package is cheap; the parser and its dependencies load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crm_app.assistant.intents import (
    AssistantError,
    Directory,
    Intent,
    InvalidContextError,
    ParseContext,
    Person,
    Plan,
    ResultRef,
    is_side_effect,
)

if TYPE_CHECKING:
    from crm_app.assistant.offline.directory import InMemoryDirectory
    from crm_app.assistant.parser import parse

__all__ = [
    "AssistantError",
    "Directory",
    "InMemoryDirectory",
    "Intent",
    "InvalidContextError",
    "ParseContext",
    "Person",
    "Plan",
    "ResultRef",
    "is_side_effect",
    "parse",
]


def __getattr__(name: str) -> Any:
    if name == "parse":
        from crm_app.assistant.parser import parse

        return parse
    if name == "InMemoryDirectory":
        from crm_app.assistant.offline.directory import InMemoryDirectory

        return InMemoryDirectory
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
