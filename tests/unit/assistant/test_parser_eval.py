"""The labelled evaluation set: size, coverage and the parser's accuracy on it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from crm_app.assistant.intents import Intent
from crm_app.assistant.offline.evaluation import DEFAULT_SET, load, run

ROOT = Path(__file__).resolve().parents[3]
REQUIRED_ACCURACY = 0.95
MINIMUM_CASES = 200


def test_evaluation_set_is_large_and_covers_every_intent() -> None:
    evaluation = load(DEFAULT_SET)
    assert len(evaluation.cases) >= MINIMUM_CASES
    labelled = {case.intent for case in evaluation.cases}
    assert labelled == {str(intent) for intent in Intent}


def test_offline_parser_reaches_required_accuracy() -> None:
    report = run(load(DEFAULT_SET))
    failures = [
        f"line {o.case.line} {o.case.text!r}: {'; '.join(o.mismatches)}"
        for o in report.outcomes
        if not o.passed
    ]
    assert report.accuracy >= REQUIRED_ACCURACY, "\n".join(failures)


def test_every_intent_scores_on_its_own() -> None:
    report = run(load(DEFAULT_SET))
    weak = {
        intent: (p, t) for intent, (p, t) in report.per_intent().items() if p / t < 0.8
    }
    assert not weak


def test_script_prints_per_intent_accuracy_and_honours_threshold(
    tmp_path: Path,
) -> None:
    script = ROOT / "scripts" / "eval_parser.py"
    passing = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "mail.search" in passing.stdout and "overall" in passing.stdout
    assert "parse time" in passing.stdout

    small = tmp_path / "small.jsonl"
    small.write_text(
        '{"_config": {"now": "2026-03-25T10:30:00+00:00", "time_zone": "Europe/London", '
        '"directory": "crm_app/demo_data/tenant.json"}}\n'
        '{"text": "hi", "intent": "greeting", "args": {}}\n'
        '{"text": "List my OneDrive files", "intent": "mail.search", "args": {}}\n',
        encoding="utf-8",
    )
    failing = subprocess.run(
        [sys.executable, str(script), "--set", str(small), "--min-accuracy", "0.9"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert failing.returncode == 1
    assert "50.0%" in failing.stdout
    assert "List my OneDrive files" in failing.stdout


def test_script_reports_a_malformed_set(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "hi"\n', encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "eval_parser.py"),
            "--set",
            str(broken),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 2
    assert "not valid JSON" in result.stderr
