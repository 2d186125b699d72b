"""Token vault: reading a valid token, one renewal, and a hundred callers sharing one renewal.

Against the real sandbox identity provider and MS365 MCP server (started by the runner),
with the vault on its own SQLite database in the run's temporary folder. Measures:

* ``get_token`` for a valid token (database read + decryption);
* one renewal (msal refresh-token grant at the sandbox + encrypted write), forced;
* a hundred concurrent ``get_token`` calls on an expired token: wall time until all have
  a token, and how many renewals the identity provider saw (must be one per round);
* a hundred concurrent tool calls (``outlook_list_folders``) through the MCP client
  manager, with a valid token and with an expired one.

    .venv/bin/python -m bench.bench_token_refresh [--quick]
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import sqlalchemy as sa
from cryptography.fernet import Fernet

from bench.stats import (
    BenchmarkError,
    Context,
    Section,
    elapsed_ms,
    figure_row,
    mailbox_limit_lifted,
    p50_p95,
    summary,
)

USER = "avery.chen@northwind.example"
SCOPES = ["Mail.ReadWrite", "User.Read", "offline_access"]
READS, QUICK_READS = 500, 100
RENEWALS, QUICK_RENEWALS = 30, 8
ROUNDS, QUICK_ROUNDS = 10, 3
CALLERS = 100
WARMUP = 5


@contextmanager
def vault_environment(ctx: Context) -> Iterator[None]:
    """This process's settings pointed at a private database and the runner's sandbox and MCP server."""
    from crm_app.db import reset_engine
    from crm_app.migrations import upgrade
    from crm_app.settings import reset_settings_cache

    data_dir = ctx.work_dir / "token-bench"
    data_dir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{data_dir / 'vault.db'}"
    saved = dict(os.environ)
    os.environ.update({
        "APP_MODE": "demo",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SANDBOX_HOST": "127.0.0.1",
        "SANDBOX_PORT": ctx.sandbox_url.rsplit(":", 1)[1],
        "MS365_MCP_URL": ctx.mcp_url,
        "MCP_ENABLED": "true",
        "LOG_LEVEL": "WARNING",
    })
    for name in ("MICROSOFT_CLIENT_ID", "MICROSOFT_CLIENT_SECRET"):
        os.environ.pop(name, None)
    reset_settings_cache()
    reset_engine()
    upgrade(database_url)
    try:
        yield
    finally:
        reset_engine()
        os.environ.clear()
        os.environ.update(saved)
        reset_settings_cache()


def _refresh_grants(sandbox_url: str) -> int:
    stats = httpx.get(f"{sandbox_url}/_admin/stats", timeout=10).json()
    return int(stats["token_grants"].get(USER, {}).get("refresh_token", 0))


def _connect(sandbox_url: str) -> int:
    """A signed-up user whose Microsoft 365 tokens were minted by the sandbox and stored in the vault."""
    from crm_app.db import utcnow
    from crm_app.microsoft import TokenGrant, store_grant
    from crm_app.services import auth

    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    user = auth.sign_up(email, "correct horse battery", "Bench User")
    minted = httpx.post(f"{sandbox_url}/_admin/tokens", json={"user": USER, "scopes": SCOPES}, timeout=10).json()
    store_grant(user.id, TokenGrant(
        access_token=minted["access_token"], refresh_token=minted["refresh_token"],
        expires_at=utcnow() + dt.timedelta(seconds=minted["expires_in"]),
        scopes=tuple(minted["scope"].split()) + ("offline_access",), account_email=USER, account_name="Avery Chen",
    ))
    assert user.id is not None
    return user.id


def _expire(user_id: int) -> None:
    from crm_app.db import session_scope, utcnow
    from crm_app.models import Integration

    with session_scope() as s:
        s.execute(sa.update(Integration).where(Integration.user_id == user_id)
                  .values(token_expires_at=utcnow() - dt.timedelta(seconds=1)))


async def measure(ctx: Context) -> dict[str, Any]:
    from crm_app.services.mcp_runtime import get_mcp_manager, get_vault, ms365_config, shutdown

    user_id = await asyncio.to_thread(_connect, ctx.sandbox_url)
    vault, manager, server = get_vault(), get_mcp_manager(), ms365_config()
    try:
        for _ in range(WARMUP):
            await vault.get_token(user_id)
        reads = [await elapsed_ms(vault.get_token(user_id)) for _ in range(ctx.scaled(READS, QUICK_READS))]
        renewals = [await elapsed_ms(vault.get_token(user_id, force_refresh=True))
                    for _ in range(ctx.scaled(RENEWALS, QUICK_RENEWALS))]

        rounds = ctx.scaled(ROUNDS, QUICK_ROUNDS)
        shared_ms: list[float] = []
        renewals_per_round: list[int] = []
        for _ in range(rounds):
            await asyncio.to_thread(_expire, user_id)
            before = await asyncio.to_thread(_refresh_grants, ctx.sandbox_url)
            started = time.perf_counter()
            tokens = await asyncio.gather(*(vault.get_token(user_id) for _ in range(CALLERS)))
            shared_ms.append((time.perf_counter() - started) * 1000)
            renewals_per_round.append(await asyncio.to_thread(_refresh_grants, ctx.sandbox_url) - before)
            if len(set(tokens)) != 1:
                raise BenchmarkError("concurrent callers received different tokens in one round")

        async def hundred_calls() -> float:
            started = time.perf_counter()
            outcomes = await asyncio.gather(*(manager.call_tool(user_id, server, "outlook_list_folders", {})
                                              for _ in range(CALLERS)))
            failed = [o.error_message for o in outcomes if not o.ok]
            if failed:
                raise BenchmarkError(f"{len(failed)} tool calls failed, e.g.: {failed[0]}")
            return (time.perf_counter() - started) * 1000

        await hundred_calls()
        calls_fresh, calls_expired = [], []
        for _ in range(rounds):
            calls_fresh.append(await hundred_calls())
            await asyncio.to_thread(_expire, user_id)
            calls_expired.append(await hundred_calls())
    finally:
        await shutdown()
    return {
        "get_token_valid": summary(reads),
        "renewal_forced": summary(renewals),
        "hundred_callers_expired": summary(shared_ms),
        "renewals_per_round": renewals_per_round,
        "hundred_tool_calls_valid_token": summary(calls_fresh),
        "hundred_tool_calls_expired_token": summary(calls_expired),
    }


def run(ctx: Context) -> Section:
    with mailbox_limit_lifted(ctx.sandbox_url), vault_environment(ctx):
        figures = asyncio.run(measure(ctx))
    renewal = figures["renewal_forced"]
    per_round = figures["renewals_per_round"]
    single_flight = "one renewal in every round" if set(per_round) == {1} else f"renewals per round: {per_round}"
    section = Section(title="Token vault: renewal ahead of expiry, single-flight per user (bench_token_refresh)")
    section.rows = [
        figure_row("get_token, valid token (DB read + decrypt)", figures["get_token_valid"], ""),
        figure_row("one forced renewal (msal refresh grant + encrypted write)", renewal, ""),
        figure_row(f"{CALLERS} concurrent get_token on an expired token", figures["hundred_callers_expired"],
                   f"{single_flight}; one renewal alone: {p50_p95(renewal)}"),
        figure_row(f"{CALLERS} concurrent tool calls, expired token", figures["hundred_tool_calls_expired_token"],
                   f"valid token: {p50_p95(figures['hundred_tool_calls_valid_token'])}"),
        figure_row(f"{CALLERS} concurrent tool calls, valid token", figures["hundred_tool_calls_valid_token"], ""),
    ]
    section.notes = [
        "Renewals are counted by the sandbox identity provider (/_admin/stats), not by the vault.",
        ("The sandbox's 4-requests-per-mailbox throttle is switched off for the tool-call rows, so they show the "
         "token path rather than Outlook's concurrency limit."),
        f"Tool calls: outlook_list_folders through the MCP client manager; a round's {CALLERS} calls start at once.",
    ]
    if set(per_round) != {1}:
        section.error = f"single-flight renewal failed: renewals per round were {per_round}"
    section.figures = figures
    return section


def main(argv: list[str] | None = None) -> int:
    from bench.run_all import standalone

    return standalone(run, argv, needs=("sandbox", "mcp"), description=__doc__ or "")


if __name__ == "__main__":
    raise SystemExit(main())
