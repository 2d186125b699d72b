"""Logging set-up that never lets an access token reach a log line.

The server never logs a token on purpose; `BearerRedactionFilter` is the second
line of defence. Installed on a handler, it rewrites every record that passes
through it (message, arguments and formatted traceback) so that
`Bearer <token>` and bare JWTs read `Bearer [REDACTED]` / `[REDACTED]`.
"""

from __future__ import annotations

import logging
import re
import sys

REDACTED = "[REDACTED]"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET_LOGGERS = ("mcp.server.streamable_http", "mcp.server.streamable_http_manager", "httpx")

_BEARER = re.compile(r"(?i)\b(bearer)(\s+|%20|\+)[A-Za-z0-9\-._~+/]+=*")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_TOKEN_FIELD = re.compile(
    r"(?i)([\"']?(?:access_token|refresh_token|id_token)[\"']?\s*[:=]\s*[\"']?)[^\"'\s&,}]+"
)


def redact(text: str) -> str:
    """Return `text` with bearer tokens, JWTs and token fields replaced by a marker."""
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    text = _JWT.sub(REDACTED, text)
    return _TOKEN_FIELD.sub(lambda m: f"{m.group(1)}{REDACTED}", text)


class BearerRedactionFilter(logging.Filter):
    """A handler filter that redacts credentials from each record it lets through."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_redaction(logger: logging.Logger | None = None) -> None:
    """Add a `BearerRedactionFilter` to every handler of `logger` (the root logger by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, BearerRedactionFilter) for f in handler.filters):
            handler.addFilter(BearerRedactionFilter())


def configure_logging(level: str) -> None:
    """Log to stderr at `level` through a redacting handler; library loggers propagate to it."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    install_redaction()
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
