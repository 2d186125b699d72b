"""Score the offline assistant parser on the labelled evaluation sets.

For each set, prints per intent how many cases got the right intent and how many got
the right intent and every labelled argument, the failures, and parse-time figures
(median, p95, max); then a summary line per set and the p95 over all sets. Exits with
status 1 when a set's intent+arguments accuracy is below ``--min-accuracy``, 2 when a
set cannot be read.

    .venv/bin/python scripts/eval_parser.py [--set eval/fresh_utterances.jsonl ...] [--min-accuracy 0.95]

Without ``--set`` both the project's set and the fresh set are scored.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from crm_app.assistant.offline.evaluation import (
    ALL_SETS,
    EvaluationSetError,
    Report,
    load,
    run,
)

DEFAULT_MIN_ACCURACY = 0.95
COLUMNS = f"{'intent':<24}{'total':>7}{'intent':>9}{'intent %':>10}{'+args':>8}{'+args %':>10}"


def _row(label: str, intent_ok: int, passed: int, total: int) -> str:
    return (
        f"{label:<24}{total:>7}{intent_ok:>9}{intent_ok / total:>10.1%}"
        f"{passed:>8}{passed / total:>10.1%}"
    )


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _print_report(name: str, report: Report, show_passing: bool) -> None:
    print(f"== {name}")
    print(COLUMNS)
    for intent, (intent_ok, passed, total) in report.per_intent_scores().items():
        print(_row(intent, intent_ok, passed, total))
    outcomes = report.outcomes
    print(
        _row(
            "overall",
            sum(o.intent_matched for o in outcomes),
            sum(o.passed for o in outcomes),
            len(outcomes),
        )
    )
    failures = [o for o in outcomes if not o.passed]
    if failures:
        print(f"\nFailures ({len(failures)}):")
        for outcome in failures:
            case = outcome.case
            print(f"  line {case.line}: {case.text!r}")
            for problem in outcome.mismatches:
                print(f"      {problem}")
            print(
                f"      got: {outcome.plan.intent} {json.dumps(outcome.plan.args, ensure_ascii=False)}"
            )
    if show_passing:
        print("\nAll plans:")
        for outcome in outcomes:
            print(
                f"  {outcome.case.text!r} -> {outcome.plan.intent} {json.dumps(outcome.plan.args, ensure_ascii=False)}"
            )
    mid, p95, worst = report.timings_ms()
    print(
        f"\nparse time over {len(outcomes)} cases: median {mid:.3f} ms, p95 {p95:.3f} ms, max {worst:.3f} ms\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set",
        dest="sets",
        type=Path,
        action="append",
        help="evaluation set (JSON Lines); repeat for several (default: "
        + ", ".join(_display(path) for path in ALL_SETS)
        + ")",
    )
    parser.add_argument(
        "--min-accuracy",
        type=float,
        default=DEFAULT_MIN_ACCURACY,
        help="exit 1 when a set's intent+arguments accuracy is below this",
    )
    parser.add_argument("--verbose", action="store_true", help="also print every plan")
    options = parser.parse_args(argv)
    paths = options.sets or list(ALL_SETS)
    try:
        evaluations = [(path, load(path)) for path in paths]
    except EvaluationSetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    reports: list[tuple[str, Report]] = []
    for path, evaluation in evaluations:
        run(
            evaluation
        )  # a first pass fills the parser's caches, so the timed pass shows steady state
        report = run(evaluation)
        reports.append((_display(path), report))
        _print_report(_display(path), report, options.verbose)

    print("Summary")
    print(f"{'set':<36}{'cases':>7}{'intent':>9}{'intent+args':>13}{'p95 ms':>9}")
    for name, report in reports:
        print(
            f"{name:<36}{len(report.outcomes):>7}{report.intent_accuracy:>9.1%}"
            f"{report.accuracy:>13.1%}{report.timings_ms()[1]:>9.3f}"
        )
    combined = Report([o for _, report in reports for o in report.outcomes])
    mid, p95, worst = combined.timings_ms()
    print(
        f"\nparse time over all {len(combined.outcomes)} cases: median {mid:.3f} ms, p95 {p95:.3f} ms, max {worst:.3f} ms"
    )
    below = [
        (name, report) for name, report in reports if report.accuracy < options.min_accuracy
    ]
    for name, report in below:
        print(
            f"FAIL: {name}: intent+arguments accuracy {report.accuracy:.1%} is below the required {options.min_accuracy:.1%}"
        )
    if below:
        return 1
    print(
        f"OK: every set meets the required {options.min_accuracy:.1%} intent+arguments accuracy"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
