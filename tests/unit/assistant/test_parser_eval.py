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


CONFIG_LINE = (
    '{"_config": {"now": "2026-03-25T10:30:00+00:00", "time_zone": "Europe/London", '
    '"directory": "crm_app/demo_data/tenant.json"}}\n'
)


def _script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "eval_parser.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def _small_set(path: Path, *rows: str) -> Path:
    path.write_text(CONFIG_LINE + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def test_script_prints_per_intent_accuracy_and_honours_threshold(
    tmp_path: Path,
) -> None:
    passing = _script("--set", str(DEFAULT_SET))
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "mail.search" in passing.stdout and "overall" in passing.stdout
    assert "parse time" in passing.stdout
    assert "fresh_utterances" not in passing.stdout

    small = _small_set(
        tmp_path / "small.jsonl",
        '{"text": "hi", "intent": "greeting", "args": {}}',
        '{"text": "List my OneDrive files", "intent": "mail.search", "args": {}}',
    )
    failing = _script("--set", str(small), "--min-accuracy", "0.9")
    assert failing.returncode == 1
    assert "50.0%" in failing.stdout
    assert "List my OneDrive files" in failing.stdout


def test_script_scores_both_sets_by_default() -> None:
    result = _script("--min-accuracy", "0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "== eval/assistant_utterances.jsonl" in result.stdout
    assert "== eval/fresh_utterances.jsonl" in result.stdout
    summary = result.stdout.split("Summary", 1)[1]
    assert "eval/assistant_utterances.jsonl" in summary and "eval/fresh_utterances.jsonl" in summary
    assert "intent+args" in summary and "p95" in summary
    assert "parse time over all" in summary


def test_script_tells_a_wrong_intent_from_wrong_arguments_and_names_the_failing_set(
    tmp_path: Path,
) -> None:
    good = _small_set(
        tmp_path / "good.jsonl",
        '{"text": "hi", "intent": "greeting", "args": {}}',
    )
    mixed = _small_set(
        tmp_path / "mixed.jsonl",
        '{"text": "List my OneDrive files", "intent": "files.list", "args": {"folder": "Contracts"}}',
        '{"text": "List my OneDrive files", "intent": "mail.search", "args": {}}',
        '{"text": "hi", "intent": "greeting", "args": {}}',
        '{"text": "hello", "intent": "greeting", "args": {}}',
    )
    result = _script("--set", str(good), "--set", str(mixed), "--min-accuracy", "0.9")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    files_row = next(line for line in lines if line.startswith("files.list"))
    assert files_row.split() == ["files.list", "1", "1", "100.0%", "0", "0.0%"]
    overall_rows = [line.split() for line in lines if line.startswith("overall")]
    assert overall_rows == [
        ["overall", "1", "1", "100.0%", "1", "100.0%"],
        ["overall", "4", "3", "75.0%", "2", "50.0%"],
    ]
    assert f"FAIL: {mixed}" in result.stdout
    assert f"FAIL: {good}" not in result.stdout
    assert "OK:" not in result.stdout


def test_report_counts_the_intent_alone_apart_from_intent_and_arguments(
    tmp_path: Path,
) -> None:
    path = _small_set(
        tmp_path / "set.jsonl",
        '{"text": "List my OneDrive files", "intent": "files.list", "args": {"folder": "Contracts"}}',
        '{"text": "List my OneDrive files", "intent": "files.list", "args": {}}',
        '{"text": "List my OneDrive files", "intent": "teams.list", "args": {}}',
    )
    report = run(load(path))
    assert [o.intent_matched for o in report.outcomes] == [True, True, False]
    assert [o.passed for o in report.outcomes] == [False, True, False]
    assert report.intent_accuracy == 2 / 3
    assert report.accuracy == 1 / 3
    assert report.per_intent_scores() == {"files.list": (2, 1, 2), "teams.list": (0, 0, 1)}
    assert report.per_intent() == {"files.list": (1, 2), "teams.list": (0, 1)}


def test_script_reports_a_malformed_set(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "hi"\n', encoding="utf-8")
    result = _script("--set", str(broken))
    assert result.returncode == 2
    assert "not valid JSON" in result.stderr


def test_a_null_label_requires_the_argument_to_be_absent() -> None:
    from crm_app.assistant.offline.evaluation import compare

    assert compare({"body": None}, {"subject": "Pricing"}) == []
    assert compare({"body": None}, {"body": "don't send it yet"}) == [
        "body: expected no value, got \"don't send it yet\""
    ]
    assert compare({"partial": {"to": None}}, {"partial": {"to": ["a@b.example"]}})
