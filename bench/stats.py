"""What every benchmark shares: percentiles, formatting, the result contract and process probes.

The contract: a benchmark module exposes ``run(ctx: Context) -> Section``. ``Context`` says where
the shared processes (sandbox, MCP server, app) answer; ``Section`` is the module's part of
``bench/RESULTS.md``: a table whose rows give p50/p95 and the comparison measured in the same run,
notes, and the raw figures as JSON.
"""

from __future__ import annotations

import asyncio
import math
import os
import statistics
import time
from collections.abc import Awaitable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]

STANDARD_HEADER = ["measure", "p50", "p95", "n", "compared with"]
MIB = 1024 * 1024
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
)
APP_ENV_KEYS = (
    "APP_MODE", "APP_URL", "API_URL", "DATA_DIR", "DATABASE_URL", "REFLEX_REDIS_URL", "SANDBOX_HOST", "SANDBOX_PORT",
    "MS365_MCP_URL", "MCP_ENABLED", "LLM_MODEL", "LLM_API_KEY", "LLM_API_BASE", "DEFAULT_TIMEZONE",
)


# ---------------------------------------------------------------- numbers
def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) with linear interpolation between closest ranks; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: Sequence[float]) -> dict[str, float]:
    """n, p50, p95, mean and max of the samples (NaN when there are none)."""
    return {
        "n": len(values),
        "p50": percentile(values, 0.50),
        "p95": percentile(values, 0.95),
        "mean": statistics.fmean(values) if values else float("nan"),
        "max": max(values) if values else float("nan"),
    }


async def elapsed_ms(work: Awaitable[object]) -> float:
    """Milliseconds taken by ``work``, which starts running only when awaited here."""
    started = time.perf_counter()
    await work
    return (time.perf_counter() - started) * 1000


# ---------------------------------------------------------------- formatting
def ms(v: float) -> str:
    """A duration in milliseconds, two decimals below 100 ms, whole numbers above, seconds from 10 s."""
    if math.isnan(v):
        return "n/a"
    if abs(v) >= 10_000:
        return f"{v / 1000:.1f} s"
    return f"{v:.2f} ms" if abs(v) < 100 else f"{v:.0f} ms"


def mib(n_bytes: float) -> str:
    return "n/a" if math.isnan(n_bytes) else f"{n_bytes / MIB:.0f} MiB"


def p50_p95(s: dict[str, float], unit: Any = ms) -> str:
    """``p50 x / p95 y`` of a summary, for the comparison column."""
    return f"p50 {unit(s['p50'])} / p95 {unit(s['p95'])}"


def table(rows: list[list[str]], header: list[str]) -> str:
    """A Markdown table, columns padded so the source reads as a table too."""
    cells = [[str(x).replace("|", "\\|").replace("\n", " ") for x in r] for r in [header, *rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def line(r: list[str]) -> str:
        return "| " + " | ".join(x.ljust(w) for x, w in zip(r, widths)) + " |"

    return "\n".join([line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, cells[1:])])


def figure_row(measure: str, s: dict[str, float], compared_with: str, unit: Any = ms) -> list[str]:
    """A row of the standard table from a summary."""
    return [measure, unit(s["p50"]), unit(s["p95"]), str(int(s["n"])), compared_with]


# ---------------------------------------------------------------- the contract
@dataclass
class Section:
    """One benchmark's part of RESULTS.md."""

    title: str
    rows: list[list[str]] = field(default_factory=list)
    header: list[str] = field(default_factory=lambda: list(STANDARD_HEADER))
    notes: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0
    preformatted: str = ""

    def markdown(self) -> str:
        parts = [f"## {self.title}", ""]
        if self.error:
            parts += [f"**Not measured:** {self.error}", ""]
        if self.rows:
            parts += [table(self.rows, self.header), ""]
        if self.preformatted:
            parts += ["```text", self.preformatted.rstrip(), "```", ""]
        parts += [f"- {note}" for note in self.notes]
        if self.seconds:
            parts.append(f"- Took {self.seconds:.0f} s.")
        return "\n".join(parts).rstrip() + "\n"

    def as_json(self) -> dict[str, Any]:
        return {"title": self.title, "header": self.header, "rows": self.rows, "notes": self.notes,
                "figures": _finite(self.figures), "error": self.error, "seconds": round(self.seconds, 1)}


def _finite(value: Any) -> Any:
    """JSON-safe copy: NaN and infinities become None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


@dataclass
class Context:
    """Where the shared processes of one benchmark run answer, and how the app is configured.

    ``app_env`` holds the app's settings (database, sandbox port, MCP URL, ...); a benchmark
    that calls the app's services in its own process first calls ``use_app_settings()``.
    """

    sandbox_url: str
    mcp_url: str
    app_url: str | None
    pids: dict[str, int]
    data_dir: Path
    database_url: str
    app_env: dict[str, str]
    work_dir: Path
    log_dir: Path
    quick: bool = False
    app_start_ms: float | None = None

    @property
    def mcp_base_url(self) -> str:
        return self.mcp_url.removesuffix("/mcp")

    def scaled(self, full: int, quick: int) -> int:
        """A sample count: ``full`` normally, ``quick`` in a quick run."""
        return quick if self.quick else full

    def use_app_settings(self) -> None:
        """Point this process's settings and database engine at the app's."""
        from crm_app.db import reset_engine
        from crm_app.settings import reset_settings_cache

        for key in APP_ENV_KEYS:
            if key in self.app_env:
                os.environ[key] = self.app_env[key]
        reset_settings_cache()
        reset_engine()


class BenchmarkError(RuntimeError):
    """A benchmark could not measure what it set out to; the message says why and what to check."""


# ---------------------------------------------------------------- the sandbox
@contextmanager
def mailbox_limit_lifted(sandbox_url: str) -> Iterator[None]:
    """Switch off the sandbox's per-mailbox concurrency limit (Outlook's 4 in flight) and restore it after.

    For load that many simulated users put on the one demo mailbox, where each would have their own.
    """
    with httpx.Client(base_url=sandbox_url, timeout=10) as http:
        saved = int(http.get("/_admin/config").json()["mailbox_concurrency_limit"])
        http.post("/_admin/config", json={"mailbox_concurrency_limit": 0}).raise_for_status()
        try:
            yield
        finally:
            http.post("/_admin/config", json={"mailbox_concurrency_limit": saved}).raise_for_status()


# ---------------------------------------------------------------- the browser
def launch_chromium(playwright: Any) -> Any:
    """Debian's Chromium, headless, through Playwright's sync API."""
    if not Path(CHROMIUM).exists():
        raise BenchmarkError(f"Chromium is missing at {CHROMIUM}: install Debian's chromium (`make chromium`).")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS), headless=True)


def submit_form(page: Any, url: str, fields: dict[str, str], submit: str, shows: str, attempts: int = 3) -> None:
    """Open ``url``, fill ``fields`` and click ``submit`` until an element matching ``shows`` appears.

    Typing before the page has mounted can be undone by the mount (the browser then refuses the empty required
    field), so each try checks what it typed and a try that leads nowhere opens the page again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    first = next(iter(fields))
    for _ in range(attempts):
        page.goto(url)
        page.locator(f"{first}, {shows}").filter(visible=True).first.wait_for(timeout=30_000)
        if page.locator(shows).filter(visible=True).count():
            return
        for selector, value in fields.items():
            page.fill(selector, value)
        if any(page.input_value(selector) != value for selector, value in fields.items()):
            continue
        page.click(submit)
        try:
            page.locator(shows).filter(visible=True).first.wait_for(timeout=15_000)
            return
        except PlaywrightTimeoutError:
            continue
    raise BenchmarkError(f"after {attempts} tries the form at {url} never showed {shows!r}; the page is at {page.url}")


# ---------------------------------------------------------------- process probes
def process_tree(pid: int) -> list[psutil.Process]:
    """The process and all its descendants that are still alive."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _sum_over(processes: Iterable[psutil.Process], read: Any) -> float:
    total = 0.0
    for proc in processes:
        try:
            total += read(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return total


def tree_rss(pid: int) -> float:
    """Resident memory in bytes of a process and its descendants."""
    return _sum_over(process_tree(pid), lambda p: p.memory_info().rss)


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its live descendants."""
    def used(p: psutil.Process) -> float:
        t = p.cpu_times()
        return t.user + t.system

    return _sum_over(process_tree(pid), used)


def cpu_seconds_by_name(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process tree, plus this benchmark process alone as ``bench``."""
    out = {name: tree_cpu_seconds(pid) for name, pid in pids.items()}
    own = psutil.Process().cpu_times()
    out["bench"] = own.user + own.system
    return out


QUIET_BUSY_PERCENT = 15.0
QUIET_WAIT_SECONDS = 60.0
QUIET_SAMPLE_SECONDS = 1.0


async def wait_for_quiet_cpu(
    busy_percent: float = QUIET_BUSY_PERCENT, timeout: float = QUIET_WAIT_SECONDS
) -> float:
    """Wait (up to ``timeout``) until the machine's CPUs are at most ``busy_percent`` busy over one second.

    A latency comparison between processes that share a small machine is skewed by work a
    previous benchmark left running (a database vacuuming, an app finishing its sessions).
    Returns the busy percentage of the last second sampled, which the benchmark reports.
    """
    deadline = time.monotonic() + timeout
    psutil.cpu_percent(interval=None)
    while True:
        await asyncio.sleep(QUIET_SAMPLE_SECONDS)
        busy = float(psutil.cpu_percent(interval=None))
        if busy <= busy_percent or time.monotonic() >= deadline:
            return busy
