"""What the MS365 MCP server adds on top of Microsoft Graph.

Starts the Microsoft 365 sandbox and the MS365 MCP server as processes on free
loopback ports, then measures, interleaved in one run:

* the same email query as an MCP tool call on an open session and as a direct
  Graph call with httpx (identical query parameters): p50/p95 of each and the
  added latency;
* a fresh connect + initialize + tools/list (with a new HTTP client, and on a
  pooled one), the cost a client's session pooling must amortise.

Run: `.venv/bin/python bench/bench_mcp.py [--iterations N] [--connects N] [--json PATH]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stats import ms, percentile, summary, table  # noqa: E402
from crm_app.ms365_mcp.mail_query import EmailCriteria, build_message_query  # noqa: E402
from tests.support.procs import ServerProcess, free_port  # noqa: E402

DEFAULT_ITERATIONS = 300
DEFAULT_CONNECTS = 40
WARMUP = 20
SANDBOX_NOW = "2025-06-16T12:00:00+00:00"
USER = "avery.chen@northwind.example"
SENDER = "john.smith@acme.example"
TOP = 10
ADDED_P50_BUDGET_MS = 5.0
DEFAULT_JSON = ROOT / "bench" / "out" / "bench_mcp.json"


async def timed(call: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await call()
    return (time.perf_counter() - started) * 1000


def mint_token(sandbox_url: str) -> str:
    body = {"user": USER, "scopes": ["Mail.Read", "User.Read"], "lifetime": 3600}
    response = httpx.post(f"{sandbox_url}/_admin/tokens", json=body, timeout=10)
    response.raise_for_status()
    return str(response.json()["access_token"])


async def run(iterations: int, connects: int) -> dict[str, object]:
    sandbox_env = {"SANDBOX_NOW": SANDBOX_NOW, "SANDBOX_LOG_LEVEL": "warning"}
    sandbox = ServerProcess("crm_app.sandbox", free_port(), env=sandbox_env)
    sandbox.start(timeout=60)
    try:
        server = ServerProcess(
            "crm_app.ms365_mcp",
            free_port(),
            env={"GRAPH_BASE_URL": f"{sandbox.url}/v1.0"},
        )
        server.start(timeout=60)
        try:
            return await measure(sandbox.url, server.url, iterations, connects)
        finally:
            server.stop()
    finally:
        sandbox.stop()


async def measure(sandbox_url: str, server_url: str, iterations: int, connects: int) -> dict[str, object]:
    token = mint_token(sandbox_url)
    auth = {"Authorization": f"Bearer {token}"}
    arguments = {"sender": SENDER, "top": TOP}
    params = build_message_query(EmailCriteria(sender=SENDER), TOP).params
    mcp_url = f"{server_url}/mcp"

    async with httpx.AsyncClient(base_url=f"{sandbox_url}/v1.0", headers=auth, timeout=30) as graph:
        async with httpx2.AsyncClient(headers=auth, timeout=30) as http:
            async with streamable_http_client(mcp_url, http_client=http) as streams:
                async with ClientSession(streams[0], streams[1]) as session:
                    await session.initialize()
                    await session.list_tools()

                    async def tool_call() -> None:
                        result = await session.call_tool("outlook_search_emails", arguments)
                        if result.is_error:
                            raise RuntimeError(result.content[0].text)

                    async def graph_call() -> None:
                        response = await graph.get("/me/messages", params=params)
                        response.raise_for_status()
                        response.json()

                    for _ in range(WARMUP):
                        await tool_call()
                        await graph_call()
                    tool_ms: list[float] = []
                    graph_ms: list[float] = []
                    for index in range(iterations):
                        pair = [(tool_ms, tool_call), (graph_ms, graph_call)]
                        for samples, call in pair if index % 2 == 0 else reversed(pair):
                            samples.append(await timed(call))

    async def initialize_list(http: httpx2.AsyncClient) -> None:
        async with streamable_http_client(mcp_url, http_client=http) as streams:
            async with ClientSession(streams[0], streams[1]) as fresh:
                await fresh.initialize()
                await fresh.list_tools()

    async def connect_initialize_list() -> None:
        async with httpx2.AsyncClient(headers=auth, timeout=30) as http:
            await initialize_list(http)

    await connect_initialize_list()
    connect_ms = [await timed(connect_initialize_list) for _ in range(connects)]
    async with httpx2.AsyncClient(headers=auth, timeout=30) as shared_http:
        await initialize_list(shared_http)
        session_ms = [await timed(lambda: initialize_list(shared_http)) for _ in range(connects)]

    tool, direct = summary(tool_ms), summary(graph_ms)
    paired = [t - g for t, g in zip(tool_ms, graph_ms)]
    return {
        "query": {"tool": "outlook_search_emails", "arguments": arguments, "graph_params": params},
        "tool_call_open_session": tool,
        "direct_graph_call": direct,
        "added": {
            "p50": tool["p50"] - direct["p50"],
            "p95": tool["p95"] - direct["p95"],
            "paired_p50": percentile(paired, 0.50),
            "budget_p50": ADDED_P50_BUDGET_MS,
        },
        "connect_initialize_list_tools": summary(connect_ms),
        "initialize_list_tools_pooled_http": summary(session_ms),
    }


def report(results: dict[str, object]) -> str:
    tool = results["tool_call_open_session"]
    direct = results["direct_graph_call"]
    added = results["added"]
    fresh = results["connect_initialize_list_tools"]
    reused = results["initialize_list_tools_pooled_http"]
    assert isinstance(tool, dict) and isinstance(direct, dict) and isinstance(added, dict)
    assert isinstance(fresh, dict) and isinstance(reused, dict)
    within = "within" if added["p50"] < added["budget_p50"] else "OVER"
    rows = [
        ["tool call on an open MCP session", ms(tool["p50"]), ms(tool["p95"]), ms(tool["mean"]), str(tool["n"])],
        ["direct Graph call (httpx)", ms(direct["p50"]), ms(direct["p95"]), ms(direct["mean"]), str(direct["n"])],
        ["added by the MCP server", ms(added["p50"]), ms(added["p95"]), "", ""],
        ["new HTTP client + initialize + tools/list", ms(fresh["p50"]), ms(fresh["p95"]), ms(fresh["mean"]),
         str(fresh["n"])],
        ["initialize + tools/list, pooled HTTP client", ms(reused["p50"]), ms(reused["p95"]), ms(reused["mean"]),
         str(reused["n"])],
    ]
    return "\n".join([
        f"MS365 MCP server overhead: outlook_search_emails(sender={SENDER}, top={TOP}) vs the same Graph query",
        table(rows, ["measure", "p50", "p95", "mean", "n"]),
        (f"added p50 {ms(added['p50'])} (paired p50 {ms(added['paired_p50'])}): {within} the "
        f"{added['budget_p50']:.0f} ms budget; opening a session is paid once per pooled session."),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=DEFAULT_ITERATIONS)
    parser.add_argument("--connects", type=int, default=DEFAULT_CONNECTS)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the figures as JSON")
    args = parser.parse_args(argv)
    results = asyncio.run(run(args.iterations, args.connects))
    print(report(results))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
