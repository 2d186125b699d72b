"""The database audit sink commits concurrent tool calls together, and a bad row fails only its caller."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlmodel import select

from crm_app.db import session_scope
from crm_app.mcp.audit import AuditEntry
from crm_app.models import AuditEntry as AuditRow
from crm_app.services import auth
from crm_app.services.mcp_runtime import DatabaseAuditSink


def _entry(user_id: int, n: int) -> AuditEntry:
    return AuditEntry(user_id=user_id, server_id="crm", tool=f"tool_{n}", arguments={"n": n}, outcome="ok",
                      error=None, latency_ms=1.5, at=dt.datetime.now(dt.timezone.utc))


def _rows() -> list[tuple[int, str]]:
    with session_scope() as s:
        return [(r.user_id, r.tool) for r in s.exec(select(AuditRow).order_by(AuditRow.id)).all()]


def test_concurrent_calls_share_transactions_and_all_land(database, monkeypatch):
    user = auth.sign_up("audit@example.com", "long enough pw", "Audit").id
    batches: list[int] = []
    write = DatabaseAuditSink._write

    def counting(entries):
        batches.append(len(entries))
        write(entries)

    monkeypatch.setattr(DatabaseAuditSink, "_write", staticmethod(counting))

    async def main():
        await asyncio.gather(*(DatabaseAuditSink().record(_entry(user, n)) for n in range(20)))

    asyncio.run(main())
    assert sorted(_rows()) == sorted((user, f"tool_{n}") for n in range(20))
    assert sum(batches) == 20 and len(batches) < 20 and max(batches) > 1


def test_a_row_that_cannot_be_written_fails_only_its_own_call(database):
    user = auth.sign_up("audit@example.com", "long enough pw", "Audit").id
    missing_user = user + 1000

    async def main():
        return await asyncio.gather(*(DatabaseAuditSink().record(_entry(missing_user if n == 3 else user, n))
                                      for n in range(6)), return_exceptions=True)

    outcomes = asyncio.run(main())
    assert [o is None for o in outcomes] == [True, True, True, False, True, True]
    assert isinstance(outcomes[3], Exception)
    assert sorted(_rows()) == sorted((user, f"tool_{n}") for n in range(6) if n != 3)


def test_one_call_alone_is_written_before_record_returns(database):
    user = auth.sign_up("audit@example.com", "long enough pw", "Audit").id
    asyncio.run(DatabaseAuditSink().record(_entry(user, 1)))
    assert _rows() == [(user, "tool_1")]
    with pytest.raises(Exception):
        asyncio.run(DatabaseAuditSink().record(_entry(user + 1000, 2)))
    assert _rows() == [(user, "tool_1")]
