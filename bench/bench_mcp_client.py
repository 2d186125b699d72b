"""What session pooling in the MCP client manager saves.

Starts the echo MCP server (tests/integration/mcp_client/echo_server.py) on a free
loopback port, then measures:

* a fresh connect + initialize + tools/list through a new manager (the cost of a
  call without pooling);
* a tool call through the manager on its pooled session, and the same call on a bare
  SDK ``ClientSession`` (what the manager adds);
* pooled calls of 8 users at once (per-call latency and throughput).

Run alone: `.venv/bin/python -m bench.bench_mcp_client [--quick]`; `make bench` runs it with the others.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from bench.stats import Context, Section, elapsed_ms, figure_row, ms, p50_p95, summary
from crm_app.mcp import AuditEntry, MCPClientManager, ms365_server
from tests.support.procs import ServerProcess, free_port

ECHO_MODULE = "tests.integration.mcp_client.echo_server"
ITERATIONS, QUICK_ITERATIONS = 400, 40
CONNECTS, QUICK_CONNECTS = 40, 8
WARMUP = 20
CONCURRENT_USERS = 8


class StaticTokens:
    async def get_token(self, user_id: int, *, force_refresh: bool = False) -> str:
        return f"bench-token-{user_id}"


class DiscardAudit:
    async def record(self, entry: AuditEntry) -> None:
        return None


def new_manager() -> MCPClientManager:
    return MCPClientManager(token_provider=StaticTokens(), audit_sink=DiscardAudit(), max_parallel=CONCURRENT_USERS)


async def fresh_connects(url: str, connects: int) -> list[float]:
    server = ms365_server(url)
    samples = []
    for _ in range(connects):
        async with new_manager() as manager:
            samples.append(await elapsed_ms(manager.list_tools(1, server)))
    return samples


async def pooled_calls(url: str, iterations: int) -> tuple[list[float], list[float]]:
    """The same call through the manager and on a bare SDK session, interleaved so both see the same load."""
    server = ms365_server(url)
    headers = {"Authorization": "Bearer bench-token-1"}
    async with (
        new_manager() as manager,
        httpx2.AsyncClient(headers=headers) as client,
        streamable_http_client(url, http_client=client) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        await session.list_tools()
        for _ in range(WARMUP):
            await manager.call_tool(1, server, "echo_headers", {"tag": "warm"})
            await session.call_tool("echo_headers", {"tag": "warm"})
        via_manager: list[float] = []
        bare: list[float] = []
        for index in range(iterations):
            arguments = {"tag": str(index)}
            via_manager.append(await elapsed_ms(manager.call_tool(1, server, "echo_headers", arguments)))
            bare.append(await elapsed_ms(session.call_tool("echo_headers", arguments)))
        return via_manager, bare


async def concurrent_users(url: str, iterations: int) -> tuple[list[float], float]:
    server = ms365_server(url)
    per_user = max(1, iterations // CONCURRENT_USERS)
    async with new_manager() as manager:
        for user in range(1, CONCURRENT_USERS + 1):
            await manager.call_tool(user, server, "echo_headers", {"tag": "warm"})

        async def user_calls(user: int) -> list[float]:
            return [
                await elapsed_ms(manager.call_tool(user, server, "echo_headers", {"tag": str(index)}))
                for index in range(per_user)
            ]

        started = time.perf_counter()
        results = await asyncio.gather(*(user_calls(user) for user in range(1, CONCURRENT_USERS + 1)))
        wall = time.perf_counter() - started
    samples = [sample for user_samples in results for sample in user_samples]
    return samples, len(samples) / wall


async def measure(ctx: Context, iterations: int, connects: int) -> dict[str, Any]:
    echo = ServerProcess(ECHO_MODULE, free_port(), log_path=ctx.log_dir / "mcp_echo_server.log")
    echo.start(timeout=60)
    try:
        url = f"{echo.url}/mcp"
        fresh = await fresh_connects(url, connects)
        pooled, bare = await pooled_calls(url, iterations)
        concurrent, throughput = await concurrent_users(url, iterations)
    finally:
        echo.stop()
    return {
        "fresh_connect_initialize_list_tools": summary(fresh),
        "pooled_call_via_manager": summary(pooled),
        "pooled_call_bare_sdk": summary(bare),
        f"concurrent_{CONCURRENT_USERS}_users_call": summary(concurrent),
        f"concurrent_{CONCURRENT_USERS}_users_calls_per_second": throughput,
    }


def section(figures: dict[str, Any]) -> Section:
    fresh, pooled = figures["fresh_connect_initialize_list_tools"], figures["pooled_call_via_manager"]
    bare, concurrent = figures["pooled_call_bare_sdk"], figures[f"concurrent_{CONCURRENT_USERS}_users_call"]
    throughput = figures[f"concurrent_{CONCURRENT_USERS}_users_calls_per_second"]
    rows = [
        figure_row("tool call through the manager, pooled session", pooled,
                   f"bare SDK session: {p50_p95(bare)} (manager adds p50 {ms(pooled['p50'] - bare['p50'])})"),
        figure_row("tool call on a bare SDK ClientSession", bare, "—"),
        figure_row("fresh connect + initialize + tools/list (new manager)", fresh,
                   f"pooled call: {p50_p95(pooled)} (pooling saves p50 {ms(fresh['p50'] - pooled['p50'])})"),
        figure_row(f"tool call, {CONCURRENT_USERS} users at once through one manager", concurrent,
                   f"one user: {p50_p95(pooled)}; {throughput:.0f} calls/s"),
    ]
    notes = [("Against the echo MCP server (tests/integration/mcp_client/echo_server.py) started for this benchmark; "
              "the manager and the bare session call the same tool with the same arguments, interleaved.")]
    return Section(title="MCP client manager: what session pooling saves (bench_mcp_client)", rows=rows, notes=notes,
                   figures=figures)


def run(ctx: Context) -> Section:
    iterations = ctx.scaled(ITERATIONS, QUICK_ITERATIONS)
    return section(asyncio.run(measure(ctx, iterations, ctx.scaled(CONNECTS, QUICK_CONNECTS))))


def main(argv: Sequence[str] | None = None) -> int:
    from bench.run_all import standalone

    return standalone(run, argv, needs=(), description=__doc__.splitlines()[0])


if __name__ == "__main__":
    raise SystemExit(main())
