"""The product's performance targets, each beside the figure of this run that it is judged on.

Every figure comes from another benchmark's section in the same run (its raw ``figures``); a target whose
benchmark did not run, or did not measure it, says so instead of passing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bench.stats import MIB, Section, mib, ms

CHAT_P95_MS = {1: 40.0, 10: 150.0, 50: 500.0}
RSS_IDLE_MAX = 300 * MIB
RSS_RECOVERY_MARGIN = 0.10
RSS_RECOVERY_MAX_S = 120.0
SEARCH_ROWS = "100000"
SEARCH_P95_MS = 20.0
SECOND_START_MAX_MS = 5000.0
HEADER = ["target", "this run", "met", "from"]


@dataclass(frozen=True)
class Verdict:
    measured: str
    met: bool | None  # None: not measured in this run


Judge = Callable[[Mapping[str, Any]], Verdict]


def _number(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not math.isnan(value) else None


def chat(users: int) -> Judge:
    def judge(figures: Mapping[str, Any]) -> Verdict:
        level = figures.get(f"users_{users}") or {}
        p95, errors = _number(level.get("p95")), level.get("errors")
        if p95 is None or errors is None:
            return Verdict("not measured", None)
        return Verdict(f"p95 {ms(p95)}, {len(errors)} errors (p50 {ms(level['p50'])}, {level.get('turns', 0)} turns)",
                       p95 < CHAT_P95_MS[users] and not errors)
    return judge


def rss_idle(figures: Mapping[str, Any]) -> Verdict:
    idle = _number((figures.get("rss_idle") or {}).get("p50"))
    if idle is None:
        return Verdict("not measured", None)
    return Verdict(f"{mib(idle)} (p50 at rest after start)", idle < RSS_IDLE_MAX)


def rss_recovery(figures: Mapping[str, Any]) -> Verdict:
    idle = _number((figures.get("rss_idle") or {}).get("p50"))
    if idle is None:
        return Verdict("not measured", None)
    limit = mib(idle * (1 + RSS_RECOVERY_MARGIN))
    recovered = _number(figures.get("recovered_s"))
    after = _number((figures.get("rss_after") or {}).get("p50"))
    settled = f"; {mib(after)} at the end" if after is not None else ""
    if recovered is None:
        return Verdict(f"not back under {limit} while watched{settled}", False)
    return Verdict(f"under {limit} {recovered:.0f} s after the users left{settled}", recovered <= RSS_RECOVERY_MAX_S)


def search(database: str) -> Judge:
    def judge(figures: Mapping[str, Any]) -> Verdict:
        from bench.bench_contacts import SCAN_ROW, SEARCH_ROW

        size = (figures.get(database) or {}).get(SEARCH_ROWS) or {}
        timings = size.get("timings") or {}
        p95 = _number((timings.get(SEARCH_ROW) or {}).get("p95"))
        if p95 is None:
            return Verdict("not measured", None)
        scan = _number((timings.get(SCAN_ROW) or {}).get("p95"))
        against = f" (LIKE scan, same rows: p95 {ms(scan)})" if scan is not None else ""
        return Verdict(f"p95 {ms(p95)}{against}", p95 < SEARCH_P95_MS)
    return judge


def second_start(figures: Mapping[str, Any]) -> Verdict:
    again = figures.get("second_start_hydrated") or {}
    p50 = _number(again.get("p50"))
    if p50 is None:
        return Verdict("not measured", None)
    first = _number((figures.get("cold_start_hydrated") or {}).get("p50"))
    rebuilt = sum(1 for start in figures.get("cold_starts", ()) if start.get("again_rebuilt"))
    detail = f"p50 {ms(p50)}, p95 {ms(again['p95'])}, n {int(again['n'])}"
    detail += f"; first start p50 {ms(first)}" if first is not None else ""
    detail += f"; rebuilt the frontend in {rebuilt}" if rebuilt else "; no rebuild"
    return Verdict(detail, p50 < SECOND_START_MAX_MS)


# (target, benchmark module whose figures judge it, judge)
TARGETS: tuple[tuple[str, str, Judge], ...] = (
    (f"chat turn, 50 concurrent users: p95 < {ms(CHAT_P95_MS[50])}, 0 errors", "bench_chat", chat(50)),
    (f"chat turn, 10 concurrent users: p95 < {ms(CHAT_P95_MS[10])}", "bench_chat", chat(10)),
    (f"chat turn, 1 user: p95 < {ms(CHAT_P95_MS[1])}", "bench_chat", chat(1)),
    (f"app RSS at rest: < {mib(RSS_IDLE_MAX)}", "bench_app", rss_idle),
    (f"app RSS after 50 users leave: within {RSS_RECOVERY_MARGIN:.0%} of idle within {RSS_RECOVERY_MAX_S:.0f} s",
     "bench_app", rss_recovery),
    (f"contacts search, 100,000 rows, SQLite: p95 < {ms(SEARCH_P95_MS)}", "bench_contacts", search("app")),
    (f"contacts search, 100,000 rows, PostgreSQL: p95 < {ms(SEARCH_P95_MS)}", "bench_contacts", search("postgres")),
    (f"second start (built frontend) to a hydrated first page: median < {ms(SECOND_START_MAX_MS)}", "bench_app",
     second_start),
)


def _met(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "not measured"}[met]


def section(by_module: Mapping[str, Section]) -> Section:
    """The targets table, judged on the sections of this run keyed by module name."""
    rows = []
    for target, module, judge in TARGETS:
        ran = by_module.get(module)
        verdict = judge(ran.figures) if ran is not None else Verdict("benchmark not run", None)
        rows.append([target, verdict.measured, _met(verdict.met), f"`{module}`"])
    met = sum(1 for row in rows if row[2] == _met(True))
    unmeasured = sum(1 for row in rows if row[2] == _met(None))
    return Section(
        title="Targets",
        header=list(HEADER),
        rows=rows,
        notes=[f"{met} of {len(rows)} targets met in this run" + (f" ({unmeasured} not measured)" if unmeasured else "")
               + ". Each figure is the one in the named benchmark's section below, on this machine with the load "
               "average given above and in that section."],
        figures={"met": met, "targets": len(rows)},
    )
