"""Logging with a redaction filter: bearer tokens, OAuth codes and secrets never reach a log line.

The redaction is the app's one secret redactor, `crm_app.mcp.redact`.
"""

from __future__ import annotations

import logging

from crm_app.mcp.redact import redact_text as redact

ACCESS_LOGGERS = ("uvicorn.access", "uvicorn.error", "granian.access", "_granian", "granian")


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record still gets logged, redacted as far as possible
            message = str(record.msg)
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def configure(level: str = "INFO") -> None:
    root = logging.getLogger()
    if not any(isinstance(f, RedactingFilter) for h in root.handlers for f in h.filters):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ACCESS_LOGGERS:  # request lines carry OAuth callback query strings
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter())
    for noisy in ("httpx", "httpcore", "httpx2", "httpcore2", "urllib3", "msal", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
