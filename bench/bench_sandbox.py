"""Microsoft 365 sandbox: filtered message lists on the 500- and 100,000-message mailboxes.

For each mailbox size it times, over real HTTP on loopback, four message queries a client
makes (sender + date range newest first, unread Inbox, a contains() scan with $count, a
KQL $search): p50/p95 latency of sequential requests, and requests per second with four
requests in flight (Outlook's per-mailbox concurrency limit). The 500-message mailbox is
the shared sandbox of the benchmark run; the 100,000-message one is a sandbox started here
with ``--messages 100000``, whose start-up time is reported too.

    python -m bench.bench_sandbox [--quick]
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.stats import Context, Section, figure_row, summary
from tests.support.procs import ServerProcess, free_port

USER = "avery.chen@northwind.example"
SENDER = "john.smith@acme.example"
LARGE_MAILBOX = 100_000
LARGE_START_TIMEOUT = 180.0
CONCURRENCY = 4
WARMUP = 10
SAMPLES = 200
QUICK_SAMPLES = 40
THROUGHPUT_REQUESTS = 400
QUICK_THROUGHPUT_REQUESTS = 80
TARGET_SMALL_P50_MS = 10.0
TARGET_LARGE_P50_MS = 100.0


@dataclass(frozen=True)
class Query:
    name: str
    path: str
    params: dict[str, str]


def queries(now: datetime) -> list[Query]:
    since = (now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return [
        Query("sender + last 30 days, newest first, $top=25", "/v1.0/me/messages", {
            "$filter": f"receivedDateTime ge {since} and from/emailAddress/address eq '{SENDER}'",
            "$orderby": "receivedDateTime desc", "$top": "25",
            "$select": "subject,from,receivedDateTime,bodyPreview,isRead"}),
        Query("unread in Inbox, $top=10", "/v1.0/me/mailFolders/inbox/messages", {
            "$filter": "isRead eq false", "$top": "10"}),
        Query("contains(subject) scan with $count, $top=10", "/v1.0/me/messages", {
            "$filter": "contains(subject, 'report')", "$count": "true", "$top": "10", "$select": "subject"}),
        Query("$search \"quarterly report\", $top=10", "/v1.0/me/messages", {
            "$search": '"quarterly report"', "$top": "10", "$select": "subject,from"}),
    ]


def mint_token(sandbox_url: str) -> str:
    response = httpx.post(f"{sandbox_url}/_admin/tokens", json={"user": USER, "scopes": ["Mail.Read"]}, timeout=10)
    response.raise_for_status()
    return str(response.json()["access_token"])


async def latencies(client: httpx.AsyncClient, query: Query, samples: int) -> list[float]:
    for _ in range(WARMUP):
        (await client.get(query.path, params=query.params)).raise_for_status()
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        (await client.get(query.path, params=query.params)).raise_for_status()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


async def throughput(client: httpx.AsyncClient, query: Query, total: int) -> float:
    """Requests per second with CONCURRENCY requests in flight (none of them throttled)."""
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            (await client.get(query.path, params=query.params)).raise_for_status()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return total / (time.perf_counter() - started)


async def measure(sandbox_url: str, samples: int, requests: int) -> dict[str, dict[str, object]]:
    token = mint_token(sandbox_url)
    now = datetime.now(UTC)
    results: dict[str, dict[str, object]] = {}
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=sandbox_url, headers={"Authorization": f"Bearer {token}"},
                                 limits=limits, timeout=30) as client:
        for query in queries(now):
            timings = await latencies(client, query, samples)
            results[query.name] = {"latency": summary(timings), "rps": await throughput(client, query, requests)}
    return results


def rows_for(label: str, results: dict[str, dict[str, object]], target_ms: float) -> list[list[str]]:
    rows = []
    for name, figures in results.items():
        latency = figures["latency"]
        assert isinstance(latency, dict)
        rows.append(figure_row(f"{label}: {name}", latency,
                               f"{figures['rps']:.0f} req/s at {CONCURRENCY} in flight; target p50 < {target_ms:.0f} ms"))
    return rows


def run(ctx: Context) -> Section:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    samples = ctx.scaled(SAMPLES, QUICK_SAMPLES)
    requests = ctx.scaled(THROUGHPUT_REQUESTS, QUICK_THROUGHPUT_REQUESTS)
    small = asyncio.run(measure(ctx.sandbox_url, samples, requests))
    large_server = ServerProcess("crm_app.sandbox", free_port(), args=["--messages", str(LARGE_MAILBOX)],
                                 env={"SANDBOX_LOG_LEVEL": "warning"}, log_path=ctx.log_dir / "sandbox_100k.log")
    started = time.perf_counter()
    large_server.start(LARGE_START_TIMEOUT)
    start_seconds = time.perf_counter() - started
    try:
        large = asyncio.run(measure(large_server.url, samples, requests))
    finally:
        large_server.stop()
    section = Section(title="Microsoft 365 sandbox: filtered message list (bench_sandbox)")
    section.rows = rows_for("500 messages", small, TARGET_SMALL_P50_MS) + rows_for(
        f"{LARGE_MAILBOX:,} messages", large, TARGET_LARGE_P50_MS)
    section.notes = [
        f"Latency: {samples} sequential requests per query after {WARMUP} warm-up requests, measured at the client "
        "(httpx over loopback, keep-alive), so it includes HTTP and JSON on both sides.",
        f"Throughput: {requests} requests per query with {CONCURRENCY} in flight on one mailbox, the most Outlook "
        "allows before answering 429 MailboxConcurrency.",
        f"The {LARGE_MAILBOX:,}-message sandbox took {start_seconds:.1f} s from process start to healthy "
        "(generating the mailbox included).",
    ]
    section.figures = {"500": small, str(LARGE_MAILBOX): large, "large_start_seconds": start_seconds}
    return section


def main(argv: list[str] | None = None) -> int:
    from bench.run_all import standalone

    return standalone(run, argv, needs=("sandbox",), description=__doc__ or "")


if __name__ == "__main__":
    raise SystemExit(main())
