"""Offline parser: parse time per utterance over the labelled evaluation set.

``crm_app.assistant.parser.parse`` runs in this process over every utterance of
eval/assistant_utterances.jsonl with the set's own clock, zone and directory. The first pass meets
each utterance once (the parser's caches start empty); the next passes repeat the set, as a
long-running app does, and are compared with the first.

    python -m bench.bench_parser [--quick]
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from bench.stats import Context, Section, figure_row, p50_p95, summary

REPEAT_PASSES = 5
QUICK_REPEAT_PASSES = 1


def passes(repeat: int) -> dict[str, Any]:
    from crm_app.assistant import parser
    from crm_app.assistant.offline import evaluation

    data = evaluation.load()
    contexts = [(case.text, data.context(case)) for case in data.cases]

    def one_pass() -> list[float]:
        samples = []
        for text, ctx in contexts:
            started = time.perf_counter()
            parser.parse(text, ctx)
            samples.append((time.perf_counter() - started) * 1000)
        return samples

    first = one_pass()
    warm = [ms for _ in range(repeat) for ms in one_pass()]
    return {"first": first, "warm": warm, "utterances": len(contexts), "passes": repeat}


def section(figures: dict[str, Any]) -> Section:
    first, warm = summary(figures["first"]), summary(figures["warm"])
    rows = [
        figure_row("parse, first pass over the set (each utterance once)", first, "—"),
        figure_row(f"parse, {figures['passes']} more passes (warm)", warm, f"first pass: {p50_p95(first)}"),
    ]
    notes = [f"{figures['utterances']} utterances of eval/assistant_utterances.jsonl, parsed in the benchmark "
             "process with the set's clock, time zone and directory (no database, no network).",
             f"Slowest warm parse: {max(figures['warm']):.2f} ms."]
    return Section(title="Offline parser: parse time per utterance (bench_parser)", rows=rows, notes=notes,
                   figures={"first": first, "warm": warm, "utterances": figures["utterances"]})


def run(ctx: Context) -> Section:
    return section(passes(ctx.scaled(REPEAT_PASSES, QUICK_REPEAT_PASSES)))


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
    import sys

    sys.exit(main())
