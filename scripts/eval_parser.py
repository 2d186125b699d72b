"""Score the offline assistant parser on the labelled evaluation set.

Prints accuracy per intent and overall (a case counts when the intent and every
labelled argument match), the failures, and parse-time figures. Exits with status 1
when overall accuracy is below ``--min-accuracy``.

    .venv/bin/python scripts/eval_parser.py [--set eval/assistant_utterances.jsonl] [--min-accuracy 0.95]
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
    DEFAULT_SET,
    EvaluationSetError,
    Report,
    load,
    run,
)

DEFAULT_MIN_ACCURACY = 0.95


def _print_report(report: Report, show_passing: bool) -> None:
    print(f"{'intent':<24}{'passed':>8}{'total':>7}{'accuracy':>10}")
    for intent, (passed, total) in report.per_intent().items():
        print(f"{intent:<24}{passed:>8}{total:>7}{passed / total:>10.1%}")
    passed = sum(o.passed for o in report.outcomes)
    print(
        f"{'overall':<24}{passed:>8}{len(report.outcomes):>7}{report.accuracy:>10.1%}"
    )
    failures = [o for o in report.outcomes if not o.passed]
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
        for outcome in report.outcomes:
            print(
                f"  {outcome.case.text!r} -> {outcome.plan.intent} {json.dumps(outcome.plan.args, ensure_ascii=False)}"
            )
    mid, p95, worst = report.timings_ms()
    print(
        f"\nparse time over {len(report.outcomes)} cases: median {mid:.3f} ms, p95 {p95:.3f} ms, max {worst:.3f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set", type=Path, default=DEFAULT_SET, help="evaluation set (JSON Lines)"
    )
    parser.add_argument(
        "--min-accuracy",
        type=float,
        default=DEFAULT_MIN_ACCURACY,
        help="exit 1 below this overall accuracy",
    )
    parser.add_argument("--verbose", action="store_true", help="also print every plan")
    options = parser.parse_args(argv)
    try:
        evaluation = load(options.set)
    except EvaluationSetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    run(
        evaluation
    )  # a first pass fills the parser's caches, so the timed pass shows steady state
    report = run(evaluation)
    _print_report(report, options.verbose)
    if report.accuracy < options.min_accuracy:
        print(
            f"\nFAIL: accuracy {report.accuracy:.1%} is below the required {options.min_accuracy:.1%}"
        )
        return 1
    print(
        f"\nOK: accuracy {report.accuracy:.1%} meets the required {options.min_accuracy:.1%}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
