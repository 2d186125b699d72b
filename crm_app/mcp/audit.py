"""The audit trail of tool calls: one entry per call, with secrets redacted."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from crm_app.mcp.redact import redact
from crm_app.mcp.results import AuditOutcome

AUDIT_LOGGER = "crm_app.mcp.audit"


@dataclass(frozen=True)
class AuditEntry:
    """One tool call as it is kept for audit.

    ``arguments`` is already redacted; ``error`` is the user-facing message of a failed
    call; ``at`` is timezone-aware (UTC).
    """

    user_id: int
    server_id: str
    tool: str
    arguments: dict[str, Any]
    outcome: AuditOutcome
    error: str | None
    latency_ms: float
    at: datetime


class AuditSink(Protocol):
    """Where audit entries go (a database table, a log, …)."""

    async def record(self, entry: AuditEntry) -> None: ...


async def audit_call(
    sink: AuditSink,
    *,
    user_id: int,
    server_id: str,
    tool: str,
    arguments: dict[str, Any],
    outcome: AuditOutcome,
    error: str | None,
    latency_ms: float,
) -> None:
    """Write one call to ``sink``, its arguments redacted and stamped now; a sink that fails is logged, not raised."""
    entry = AuditEntry(user_id=user_id, server_id=server_id, tool=tool, arguments=redact(arguments), outcome=outcome,
                       error=error, latency_ms=latency_ms, at=datetime.now(UTC))
    try:
        await sink.record(entry)
    except Exception:
        logging.getLogger(__name__).exception("could not write the audit entry for %s on %s", tool, server_id)


class LoggingAuditSink:
    """Writes each entry as one JSON line to the ``crm_app.mcp.audit`` logger."""

    def __init__(self, logger: logging.Logger | None = None, level: int = logging.INFO) -> None:
        self._logger = logger or logging.getLogger(AUDIT_LOGGER)
        self._level = level

    async def record(self, entry: AuditEntry) -> None:
        payload = asdict(entry)
        payload["at"] = entry.at.isoformat()
        payload["latency_ms"] = round(entry.latency_ms, 2)
        self._logger.log(self._level, json.dumps(payload, ensure_ascii=False, default=str))
