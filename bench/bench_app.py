"""App memory (RSS) idle and with 50 chatting users; cold start to the first page, hydrated.

Memory is the resident set of the app's whole process tree (the server and its backend worker),
sampled every 100 ms: on the shared app at rest, while 50 simulated users (see ``bench_chat``) are
connected and chatting, and at rest again once they have left: until it is back within 10% of the
idle figure (or two and a half minutes have passed), then five seconds more.

Cold start is a fresh install starting: ``python -m crm_app.serve`` (what ``make run`` starts) spawned
with an empty data directory and an empty frontend build directory (so it builds the frontend, then
migrates and seeds the demo workspace), until Chromium shows the first page (/signin) and the
websocket has delivered the hydrated state. Compared with the time until the server answers. The
second start spawns the same install again on the same port (built frontend, migrated and seeded
database), which reuses the build.

    python -m bench.bench_app [--quick]
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar

from bench.stats import (
    BenchmarkError,
    Context,
    Section,
    figure_row,
    launch_chromium,
    mailbox_limit_lifted,
    mib,
    ms,
    p50_p95,
    summary,
    tree_rss,
)
from bench.targets import RSS_IDLE_MAX, RSS_RECOVERY_MARGIN, RSS_RECOVERY_MAX_S, SECOND_START_MAX_MS

USERS = 50
TURNS_PER_USER = 6
QUICK_TURNS_PER_USER = 1
SAMPLE_EVERY_S = 0.1
IDLE_SAMPLE_S = 5.0
QUICK_IDLE_SAMPLE_S = 1.0
COLD_STARTS = 3
QUICK_COLD_STARTS = 1
COLD_START_TIMEOUT_S = 600.0
HYDRATE_TIMEOUT_S = 60.0
FIRST_PAGE = "/signin"
FIRST_PAGE_SELECTOR = "#signin-email"
RECOVERY_MARGIN = RSS_RECOVERY_MARGIN
RECOVERY_TIMEOUT_S = 150.0
QUICK_RECOVERY_TIMEOUT_S = 20.0
HYDRATED = re.compile(r'"is_hydrated_rx_state_"\s*:\s*true')

T = TypeVar("T")


# ---------------------------------------------------------------- memory
async def sample_rss(pid: int, seconds: float) -> list[float]:
    samples = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        samples.append(tree_rss(pid))
        await asyncio.sleep(SAMPLE_EVERY_S)
    return samples


async def sample_rss_during(pid: int, work: Awaitable[T]) -> tuple[T, list[float]]:
    """Run ``work`` while sampling the process tree's RSS; the result and the samples."""
    samples: list[float] = []
    done = asyncio.Event()

    async def sampler() -> None:
        while not done.is_set():
            samples.append(tree_rss(pid))
            try:
                await asyncio.wait_for(done.wait(), SAMPLE_EVERY_S)
            except TimeoutError:
                continue

    task = asyncio.create_task(sampler())
    try:
        result = await work
    finally:
        done.set()
        await task
    return result, samples


async def measure_memory(ctx: Context) -> dict[str, Any]:
    from bench import bench_chat

    if ctx.app_url is None or "app" not in ctx.pids:
        raise BenchmarkError("The memory benchmark needs the app; start it with the shared processes.")
    pid = ctx.pids["app"]
    idle_seconds = QUICK_IDLE_SAMPLE_S if ctx.quick else IDLE_SAMPLE_S
    accounts = await asyncio.to_thread(bench_chat.provision, ctx, USERS, "memory")
    idle = await sample_rss(pid, idle_seconds)
    with mailbox_limit_lifted(ctx.sandbox_url):
        result, busy = await sample_rss_during(
            pid, bench_chat.load(ctx, accounts, ctx.scaled(TURNS_PER_USER, QUICK_TURNS_PER_USER)))
    left_at = time.monotonic()
    recovered_s = await wait_for_rss_below(pid, summary(idle)["p50"] * (1 + RECOVERY_MARGIN),
                                           ctx.scaled(RECOVERY_TIMEOUT_S, QUICK_RECOVERY_TIMEOUT_S), left_at)
    after = await sample_rss(pid, idle_seconds)
    return {"idle": idle, "busy": busy, "after": after, "turns": len(result.turns), "errors": result.errors,
            "recovered_s": recovered_s, "after_s": time.monotonic() - left_at}


async def wait_for_rss_below(pid: int, limit: float, timeout: float, since: float) -> float | None:
    """Seconds from ``since`` until the tree's RSS is at most ``limit`` for a whole second; None if it never is."""
    below_since: float | None = None
    while time.monotonic() - since < timeout:
        now = time.monotonic()
        if tree_rss(pid) <= limit:
            below_since = now if below_since is None else below_since
            if now - below_since >= 1.0:
                return below_since - since
        else:
            below_since = None
        await asyncio.sleep(SAMPLE_EVERY_S)
    return None


# ---------------------------------------------------------------- cold start
def cold_start(ctx: Context, browser: Any, index: int) -> dict[str, float]:
    """Spawn a fresh app, then the same install again on the same port (its URL is compiled into the frontend);
    milliseconds until each serves and hydrates the first page."""
    from tests.support.procs import free_port

    port = free_port()
    first = start_once(ctx, browser, index, "fresh", port)
    again = start_once(ctx, browser, index, "again", port)
    return {**first, "again_served_ms": again["served_ms"], "again_hydrated_ms": again["hydrated_ms"],
            "again_rebuilt": again["rebuilt"]}


def start_once(ctx: Context, browser: Any, index: int, label: str, port: int) -> dict[str, float]:
    """Spawn the app of install ``index``; milliseconds until it serves the first page, and until that page is
    hydrated, and whether it built the frontend."""
    from bench.run_all import AppProcess, app_environment
    from crm_app.serve import REUSED

    base = ctx.work_dir / f"cold-{index}"
    data_dir = base / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = app_environment(port, data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'crm.db'}",
                          sandbox_port=int(ctx.app_env.get("SANDBOX_PORT", "0")) or None,
                          mcp_url=ctx.mcp_url or None, web_dir=base / "web", states_dir=base / "states")
    app = AppProcess(port, env, ctx.log_dir / f"cold-start-{index}-{label}.log")
    hydrated_at: list[float] = []

    def watch(ws: Any) -> None:
        ws.on("framereceived", lambda payload: hydrated_at.append(time.perf_counter())
              if isinstance(payload, str) and HYDRATED.search(payload) else None)

    page = browser.new_page()
    page.on("websocket", watch)
    app.spawn()
    try:
        served_ms = app.wait_ready(COLD_START_TIMEOUT_S)
        page.goto(f"{app.url}{FIRST_PAGE}")
        page.wait_for_selector(FIRST_PAGE_SELECTOR, timeout=HYDRATE_TIMEOUT_S * 1000)
        deadline = time.monotonic() + HYDRATE_TIMEOUT_S
        while not hydrated_at:
            if time.monotonic() > deadline:
                raise BenchmarkError(f"The first page of the cold-started app never hydrated; see {app.log_path}.")
            page.wait_for_timeout(10)
        return {"served_ms": served_ms, "hydrated_ms": (hydrated_at[0] - app.spawned_at) * 1000,
                "rebuilt": float(REUSED not in app.log_path.read_text(errors="replace"))}
    finally:
        page.close()
        app.stop()


def measure_cold_starts(ctx: Context) -> list[dict[str, float]]:
    from playwright.sync_api import sync_playwright

    runs = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for index in range(ctx.scaled(COLD_STARTS, QUICK_COLD_STARTS)):
                runs.append(cold_start(ctx, browser, index))
        finally:
            browser.close()
    return runs


# ---------------------------------------------------------------- the section
def _rebuilds(starts: Sequence[dict[str, float]]) -> str:
    rebuilt = sum(1 for start in starts if start.get("again_rebuilt"))
    return f"it rebuilt the frontend in {rebuilt} of {len(starts)} second starts" if rebuilt else "no second start rebuilt it"


def section(memory: dict[str, Any], starts: Sequence[dict[str, float]], app_start_ms: float | None) -> Section:
    idle, busy, after = summary(memory["idle"]), summary(memory["busy"]), summary(memory["after"])
    hydrated = summary([s["hydrated_ms"] for s in starts])
    served = summary([s["served_ms"] for s in starts])
    again = summary([s["again_hydrated_ms"] for s in starts if "again_hydrated_ms" in s])
    idle_p50 = idle["p50"]
    recovered = memory.get("recovered_s")
    recovery = (f"back within {RECOVERY_MARGIN:.0%} of idle ({mib(idle_p50 * (1 + RECOVERY_MARGIN))}) "
                f"{recovered:.0f} s after the users left" if recovered is not None else
                f"not back within {RECOVERY_MARGIN:.0%} of idle ({mib(idle_p50 * (1 + RECOVERY_MARGIN))}) "
                f"{memory.get('after_s', 0):.0f} s after the users left")
    recovery += f" (target: within {RSS_RECOVERY_MAX_S:.0f} s)"
    rows = [
        figure_row("app RSS, idle (after start)", idle, f"target < {mib(RSS_IDLE_MAX)}", unit=mib),
        figure_row(f"app RSS, {USERS} users connected and chatting", busy,
                   f"idle: {p50_p95(idle, mib)}; peak {mib(busy['max'])}", unit=mib),
        figure_row(f"app RSS, idle again after the {USERS} users left", after,
                   f"idle after start: {p50_p95(idle, mib)}; {recovery}", unit=mib),
        figure_row("cold start: spawn → first page rendered and hydrated in Chromium", hydrated,
                   f"spawn → first page served over HTTP: {p50_p95(served)}"),
    ]
    if again["n"]:
        rows.append(figure_row("second start (built frontend, migrated database): spawn → first page hydrated",
                               again, f"the fresh install's start: {p50_p95(hydrated)}; target median < "
                                      f"{ms(SECOND_START_MAX_MS)}"))
    rows += [
        figure_row("cold start: spawn → first page served over HTTP", served,
                   f"the shared app's start in this run: {ms(app_start_ms) if app_start_ms else 'n/a'}"),
    ]
    notes = [
        ("RSS is summed over the app's process tree (the server's supervisor and its backend worker), "
         f"sampled every {SAMPLE_EVERY_S * 1000:.0f} ms; shared pages count once per process."),
        (f"The {USERS} users sent {memory['turns']} chat turns while memory was sampled "
         f"({len(memory['errors'])} errors)."),
        ("A cold start is a fresh install: empty data directory (migrations and the demo seed run) and empty "
         "frontend build directory (the production build runs), then Chromium opens "
         f"{FIRST_PAGE} and waits for the hydrated state on the websocket. The second start is the same install "
         "started again on the same port: the build's fingerprint matches, so it is served as built "
         f"({_rebuilds(starts)})."),
    ]
    return Section(
        title="App memory and cold start (bench_app)",
        rows=rows, notes=notes,
        figures={"rss_idle": idle, "rss_busy": busy, "rss_after": after, "cold_starts": list(starts),
                 "recovered_s": recovered, "second_start_hydrated": again,
                 "cold_start_hydrated": hydrated, "cold_start_served": served, "chat_errors": memory["errors"]},
    )


def run(ctx: Context) -> Section:
    memory = asyncio.run(measure_memory(ctx))
    starts = measure_cold_starts(ctx)
    return section(memory, starts, ctx.app_start_ms)


def main(argv: Sequence[str] | None = None) -> int:
    from bench.run_all import standalone

    return standalone(run, argv, description=__doc__.splitlines()[0])


if __name__ == "__main__":
    import sys

    sys.exit(main())
