"""What session pooling in the MCP client manager saves.

Starts the echo MCP server (tests/integration/mcp_client/echo_server.py) on a free
loopback port, then measures:

* a fresh connect + initialize + tools/list through a new manager (the cost of a
  call without pooling);
* a tool call through the manager on its pooled session, and the same call on a bare
  SDK ``ClientSession`` (what the manager adds);
* pooled calls of 8 users at once (per-call latency and throughput).

Run: `.venv/bin/python bench/bench_mcp_client.py [--iterations N] [--connects N] [--json PATH]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable
from pathlib import Path

import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crm_app.mcp import AuditEntry, MCPClientManager, ms365_server  # noqa: E402
from tests.support.procs import ServerProcess, free_port  # noqa: E402

ECHO_MODULE = "tests.integration.mcp_client.echo_server"
DEFAULT_ITERATIONS = 400
DEFAULT_CONNECTS = 40
WARMUP = 20
CONCURRENT_USERS = 8


class StaticTokens:
    async def get_token(self, user_id: int, *, force_refresh: bool = False) -> str:
        return f"bench-token-{user_id}"


class DiscardAudit:
    async def record(self, entry: AuditEntry) -> None:
        return None


def quantile(samples: list[float], fraction: float) -> float:
    """The sample at ``fraction`` of the sorted samples (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def describe(samples: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(quantile(samples, 0.50), 3),
        "p95_ms": round(quantile(samples, 0.95), 3),
        "mean_ms": round(statistics.fmean(samples), 3),
        "n": len(samples),
    }


async def elapsed_ms(work: Awaitable[object]) -> float:
    """Milliseconds taken by ``work``, which starts running only when awaited here."""
    started = time.perf_counter()
    await work
    return (time.perf_counter() - started) * 1000


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


async def run(iterations: int, connects: int) -> dict[str, object]:
    echo = ServerProcess(ECHO_MODULE, free_port())
    echo.start(timeout=60)
    try:
        url = f"{echo.url}/mcp"
        fresh = await fresh_connects(url, connects)
        pooled, bare = await pooled_calls(url, iterations)
        concurrent, throughput = await concurrent_users(url, iterations)
    finally:
        echo.stop()
    return {
        "fresh_connect_initialize_list_tools": describe(fresh),
        "pooled_call_via_manager": describe(pooled),
        "pooled_call_bare_sdk": describe(bare),
        "manager_overhead_p50_ms": round(quantile(pooled, 0.5) - quantile(bare, 0.5), 3),
        "pooling_saves_p50_ms": round(quantile(fresh, 0.5) - quantile(pooled, 0.5), 3),
        f"concurrent_{CONCURRENT_USERS}_users_call": describe(concurrent),
        f"concurrent_{CONCURRENT_USERS}_users_calls_per_second": round(throughput, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=DEFAULT_ITERATIONS, help="pooled calls measured")
    parser.add_argument("--connects", type=int, default=DEFAULT_CONNECTS, help="fresh connects measured")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    figures = asyncio.run(run(args.iterations, args.connects))
    for name, value in figures.items():
        print(f"{name:48} {value}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
