"""Offline parser: parse time per utterance over both labelled sets, and the semantic fallback's cost.

``crm_app.assistant.parser.parse`` runs in this process over every utterance of
eval/assistant_utterances.jsonl and eval/fresh_utterances.jsonl with each set's own clock, zone and
directory. The semantic fallback's embedding model is loaded before the timed passes, so every
figure includes it; the utterances that reach the fallback (no rule understood them) are also timed
on their own. The first pass meets each utterance once (the parser's caches start empty); the next
passes repeat the sets, as a long-running app does.

Memory: a fresh child process imports the app's assistant service (its idle state), then loads the
fallback's model and example index; the growth of its resident memory is the fallback's cost.

    python -m bench.bench_parser [--quick]
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.stats import MIB, Context, Section, figure_row, ms, p50_p95, summary

REPEAT_PASSES = 5
QUICK_REPEAT_PASSES = 1
P95_TARGET_MS = 20.0
MEMORY_TARGET_MIB = 60.0
ROOT = Path(__file__).resolve().parents[1]

_MEMORY_PROBE = """
import gc, json, time, psutil
import crm_app.services.assistant
gc.collect()
process = psutil.Process()
before = process.memory_info().rss
started = time.perf_counter()
from crm_app.assistant.offline import semantic
semantic.ranked("show me my emails")
loaded = time.perf_counter() - started
gc.collect()
print(json.dumps({"before": before, "after": process.memory_info().rss, "load_s": loaded,
                  "available": semantic.ranked("x") != []}))
"""


def fallback_memory() -> dict[str, Any]:
    """Resident memory of an idle app process before and after the fallback is loaded (a child process)."""
    done = subprocess.run([sys.executable, "-c", _MEMORY_PROBE], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"})
    if done.returncode != 0:
        raise RuntimeError(f"the memory probe failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def passes(repeat: int) -> dict[str, Any]:
    from crm_app.assistant import parser
    from crm_app.assistant.offline import evaluation, semantic
    from crm_app.assistant.offline.common import Request

    semantic.ranked("load the model before timing")
    contexts = []
    for path in evaluation.ALL_SETS:
        data = evaluation.load(path)
        contexts.extend((case.text, data.context(case)) for case in data.cases)
    reaching = [(text, ctx) for text, ctx in contexts if parser.first_rule(Request.build(text, ctx)) is None]

    def one_pass(items: list[tuple[str, Any]]) -> list[float]:
        samples = []
        for text, ctx in items:
            started = time.perf_counter()
            parser.parse(text, ctx)
            samples.append((time.perf_counter() - started) * 1000)
        return samples

    first = one_pass(contexts)
    warm = [value for _ in range(repeat) for value in one_pass(contexts)]
    fallback = [value for _ in range(max(repeat, 1)) for value in one_pass(reaching)]
    return {"first": first, "warm": warm, "fallback": fallback, "utterances": len(contexts),
            "reaching_fallback": len(reaching), "passes": repeat}


def section(figures: dict[str, Any], memory: dict[str, Any]) -> Section:
    first, warm, fallback = summary(figures["first"]), summary(figures["warm"]), summary(figures["fallback"])
    everything = summary(figures["first"] + figures["warm"])
    growth = (memory["after"] - memory["before"]) / MIB
    rows = [
        figure_row("parse, first pass over both sets (each utterance once)", first, "—"),
        figure_row(f"parse, {figures['passes']} more passes (warm)", warm, f"first pass: {p50_p95(first)}"),
        figure_row("parse, utterances that reach the semantic fallback", fallback, f"all: {p50_p95(warm)}"),
    ]
    verdict = "meets" if everything["p95"] < P95_TARGET_MS else "misses"
    memory_verdict = "meets" if growth <= MEMORY_TARGET_MIB else "misses"
    notes = [
        f"{figures['utterances']} utterances of eval/assistant_utterances.jsonl and eval/fresh_utterances.jsonl, "
        "parsed in the benchmark process with each set's clock, time zone and directory (no database, no network); "
        f"{figures['reaching_fallback']} of them reach the semantic fallback.",
        f"p95 over every parse, fallback included: {ms(everything['p95'])} ({verdict} the {P95_TARGET_MS:.0f} ms "
        f"target). Slowest warm parse: {max(figures['warm']):.2f} ms.",
        f"Semantic fallback: the model loads in {memory['load_s'] * 1000:.0f} ms on first use and grows an idle "
        f"app process by {growth:.1f} MiB ({memory_verdict} the {MEMORY_TARGET_MIB:.0f} MiB limit)"
        + ("" if memory["available"] else "; the model could not be loaded, so the fallback abstained") + ".",
    ]
    return Section(title="Offline parser: parse time per utterance (bench_parser)", rows=rows, notes=notes,
                   figures={"first": first, "warm": warm, "fallback": fallback, "all_p95_ms": everything["p95"],
                            "utterances": figures["utterances"], "fallback_memory_mib": growth,
                            "fallback_load_ms": memory["load_s"] * 1000})


def run(ctx: Context) -> Section:
    memory = fallback_memory()
    return section(passes(ctx.scaled(REPEAT_PASSES, QUICK_REPEAT_PASSES)), memory)


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    from bench.run_all import configure_logging, timed_section

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer passes (a smoke run)")
    args = parser.parse_args(argv)
    configure_logging()
    ctx = Context(sandbox_url="", mcp_url="", app_url=None, pids={}, data_dir=None, database_url="",  # type: ignore[arg-type]
                  app_env={}, work_dir=None, log_dir=None, quick=args.quick)  # type: ignore[arg-type]
    print(timed_section(run, ctx).markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
