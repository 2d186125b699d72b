"""Websocket messages from the browser carry valid Unicode text only.

A browser's ``JSON.stringify`` writes an unpaired UTF-16 surrogate (from pasted or scripted text) as a
``\\udXXX`` escape. Decoded, it is a Python string no UTF-8 encoder accepts: once such text sits in a state
variable, every update sent back to the page fails, the page reconnects, and the same update fails again.
``ValidUnicodeWebSockets`` replaces each unpaired surrogate escape with U+FFFD (the replacement character)
before any handler sees the message; paired surrogates (emoji and the like) pass unchanged.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REPLACEMENT_ESCAPE = "\\ufffd"
# A \uXXXX escape is one only after an even number of backslashes (``\\\\`` is an escaped backslash).
_SURROGATE_ESCAPE = re.compile(
    r"(?<!\\)((?:\\\\)*)\\u([dD][89abAB][0-9a-fA-F]{2})(\\u[dD][c-fC-F][0-9a-fA-F]{2})?"
    r"|(?<!\\)((?:\\\\)*)\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
_RAW_SURROGATE = re.compile("[\ud800-\udfff]")


def _replace(match: re.Match[str]) -> str:
    if match.group(2) is not None:
        if match.group(3) is not None:
            return match.group(0)
        return match.group(1) + REPLACEMENT_ESCAPE
    return match.group(4) + REPLACEMENT_ESCAPE


def valid_unicode_json(text: str) -> str:
    """JSON text with every unpaired surrogate, escaped or raw, made U+FFFD."""
    if "\\u" in text:
        text = _SURROGATE_ESCAPE.sub(_replace, text)
    return _RAW_SURROGATE.sub("\ufffd", text)


class ValidUnicodeWebSockets:
    """ASGI middleware: incoming websocket text frames are cleaned with ``valid_unicode_json``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return

        async def cleaned() -> Message:
            message = await receive()
            if message["type"] == "websocket.receive" and message.get("text"):
                message = {**message, "text": valid_unicode_json(message["text"])}
            return message

        await self.app(scope, cleaned, send)
