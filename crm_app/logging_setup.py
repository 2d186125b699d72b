"""Logging with a redaction filter: bearer tokens, OAuth codes and secrets never reach a log line."""

from __future__ import annotations

import logging
import re

_PATTERNS = [
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
    (re.compile(r"(?i)((?:access|refresh|id)_token[\"']?\s*[:=]\s*[\"']?)[^\"'&\s,}]+"), r"\1[redacted]"),
    (re.compile(r"(?i)((?:client_secret|code|code_verifier|password|api_key|secret|state|session_state)=)[^&\s\"]+"),
     r"\1[redacted]"),
    (re.compile(r"sbx_(?:at|rt)_[A-Za-z0-9_-]+"), "[redacted]"),
    (re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"), "[redacted-jwt]"),
]


ACCESS_LOGGERS = ("uvicorn.access", "uvicorn.error", "granian.access", "_granian", "granian")


def redact(text: str) -> str:
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


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
