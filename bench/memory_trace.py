"""What the app's memory holds after users leave: a tracemalloc snapshot diff of the real app process.

The shared processes start as for ``make bench``, the app with a start-up hook (``bench/tracemalloc_hook``)
that makes its backend workers trace allocations from the moment they are forked and write a snapshot on request. Snapshots are taken at
rest after start, then again ``--settle`` seconds after 50 users (``bench_chat``'s script) have chatted and left;
the lines that hold the most memory more than before are printed, with the process tree's RSS at both points.
Tracing slows the app several times: these figures are for finding what holds memory, not for timing.

    python -m bench.memory_trace [--users 50] [--turns 6] [--settle 90] [--frames 12] [--top 25]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

from bench.stats import BenchmarkError, mailbox_limit_lifted, mib, process_tree, tree_rss

HOOK_DIR = Path(__file__).resolve().parent / "tracemalloc_hook"
SNAPSHOT_TIMEOUT_S = 300.0
LATE_ANSWER_S = 10.0
IGNORED = ("<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>", tracemalloc.__file__, "<unknown>")


def request_snapshots(directory: Path, label: str, pids: Sequence[int]) -> dict[int, tracemalloc.Snapshot]:
    """Ask every traced process for a snapshot named ``label`` and load what they write."""
    (directory / f"request-{label}").touch()
    deadline = time.monotonic() + SNAPSHOT_TIMEOUT_S
    found: dict[int, tracemalloc.Snapshot] = {}
    first_found = 0.0
    while time.monotonic() < deadline and len(found) < len(pids):
        if found and time.monotonic() > first_found + LATE_ANSWER_S:
            break  # the processes that trace have answered; the others do not trace
        for pid in pids:
            path = directory / f"snapshot-{pid}-{label}"
            if pid not in found and path.exists():
                found[pid] = tracemalloc.Snapshot.load(str(path)).filter_traces(
                    [tracemalloc.Filter(False, name) for name in IGNORED])
                first_found = first_found or time.monotonic()
        time.sleep(0.5)
    if not found:
        raise BenchmarkError(f"No traced process answered the snapshot request {label!r} within "
                             f"{SNAPSHOT_TIMEOUT_S:.0f} s.")
    return found


def report(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, top: int, key: str) -> list[str]:
    stats = after.compare_to(before, key)
    total_before = sum(s.size for s in before.statistics("filename"))
    total_after = sum(s.size for s in after.statistics("filename"))
    lines = [f"traced Python memory: {mib(total_before)} → {mib(total_after)}"]
    for stat in stats[:top]:
        frames = stat.traceback.format(limit=6 if key == "traceback" else 1, most_recent_first=True)
        where = " ← ".join(line.strip() for line in frames if line.strip() and not line.startswith("    "))
        lines.append(f"{stat.size_diff / 1024:+10.0f} KiB  {stat.count_diff:+8d} blocks  {where}")
    return lines


async def drive_users(ctx, users: int, turns: int) -> tuple[int, int]:
    from bench import bench_chat

    accounts = await asyncio.to_thread(bench_chat.provision, ctx, users, "trace")
    with mailbox_limit_lifted(ctx.sandbox_url):
        result = await bench_chat.load(ctx, accounts, turns)
    return len(result.turns), len(result.errors)


def main(argv: Sequence[str] | None = None) -> int:
    from bench.run_all import NEEDS_ALL, configure_logging, shared_context

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--settle", type=float, default=90.0, help="seconds at rest after the users left")
    parser.add_argument("--frames", type=int, default=12, help="stack frames kept per allocation")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    configure_logging()
    with tempfile.TemporaryDirectory(prefix="crm-tracemalloc-") as tmp:
        directory = Path(tmp)
        tracing = {"CRM_TRACEMALLOC_FRAMES": str(args.frames), "CRM_TRACEMALLOC_DIR": str(directory),
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(HOOK_DIR), os.environ.get("PYTHONPATH")]))}
        with shared_context(NEEDS_ALL, app_extra_env=tracing) as ctx:
            root = ctx.pids["app"]
            pids = [p.pid for p in process_tree(root)[1:]]
            rss_idle = tree_rss(root)
            idle = request_snapshots(directory, "idle", pids)
            turns, errors = asyncio.run(drive_users(ctx, args.users, args.turns))
            rss_busy_end = tree_rss(root)
            time.sleep(args.settle)
            rss_after = tree_rss(root)
            after = request_snapshots(directory, "after", list(idle))
    print(f"{args.users} users, {turns} turns ({errors} errors); app tree RSS idle {mib(rss_idle)}, "
          f"when they left {mib(rss_busy_end)}, {args.settle:.0f} s later {mib(rss_after)}")
    for pid in idle:
        if pid not in after:
            continue
        print(f"\n## process {pid}: by line")
        print("\n".join(report(idle[pid], after[pid], args.top, "lineno")))
        print(f"\n## process {pid}: by allocation stack (top {min(args.top, 10)})")
        print("\n".join(report(idle[pid], after[pid], min(args.top, 10), "traceback")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
