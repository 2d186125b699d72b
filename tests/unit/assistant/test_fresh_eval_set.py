"""The fresh evaluation set: it loads, is large, and every label is one the parser can be held to."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from crm_app.assistant.intents import CRM_ENTITIES, DEAL_STAGES, RESULT_KINDS, Intent
from crm_app.assistant.offline.evaluation import DEFAULT_SET, FRESH_SET, Case, load

MINIMUM_CASES = 300
DATE_TIME_ARGS = ("start", "end")


def _config(path: Any) -> dict[str, Any]:
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if "_config" in row:
            return row["_config"]
    raise AssertionError(f"{path} has no _config line")


def _refs(value: Any) -> list[dict[str, Any]]:
    """Every follow-up reference (a dictionary with an index) anywhere inside labelled arguments."""
    if isinstance(value, dict):
        found = [value] if "index" in value else []
        for item in value.values():
            found.extend(_refs(item))
        return found
    if isinstance(value, list):
        return [ref for item in value for ref in _refs(item)]
    return []


def _date_values(args: dict[str, Any]) -> list[str]:
    values = [args[key] for key in DATE_TIME_ARGS if key in args]
    partial = args.get("partial")
    if isinstance(partial, dict):
        values.extend(_date_values(partial))
    return values


def test_fresh_set_loads_with_enough_cases_and_real_intents() -> None:
    evaluation = load(FRESH_SET)
    assert len(evaluation.cases) >= MINIMUM_CASES
    known = {str(intent) for intent in Intent}
    unknown = [(c.line, c.intent) for c in evaluation.cases if c.intent not in known]
    assert not unknown
    pending = [
        (c.line, c.args["pending_intent"])
        for c in evaluation.cases
        if "pending_intent" in c.args and c.args["pending_intent"] not in known
    ]
    assert not pending


def test_fresh_set_uses_the_project_sets_clock_zone_and_directory() -> None:
    fresh, project = _config(FRESH_SET), _config(DEFAULT_SET)
    for key in ("now", "time_zone", "directory"):
        assert fresh[key] == project[key], key


def test_fresh_set_is_labelled_for_every_capability_and_refusals() -> None:
    labelled = {case.intent for case in load(FRESH_SET).cases}
    assert labelled == {str(intent) for intent in Intent}


def test_every_follow_up_reference_points_at_an_item_the_context_showed() -> None:
    wrong: list[str] = []
    for case in load(FRESH_SET).cases:
        for ref in _refs(case.args):
            index = ref["index"]
            if not 0 <= index < len(case.last_results):
                wrong.append(f"line {case.line}: index {index} outside last_results")
                continue
            shown = case.last_results[index]
            if ref.get("id") != shown.id or ref.get("kind") != shown.kind:
                wrong.append(f"line {case.line}: {ref} does not match {shown}")
    assert not wrong


def test_described_references_name_a_result_kind_and_how_to_find_it() -> None:
    described = [
        case
        for case in load(FRESH_SET).cases
        if isinstance(case.args.get("ref"), dict) and "index" not in case.args["ref"]
    ]
    assert described
    for case in described:
        ref = case.args["ref"]
        assert ref["kind"] in RESULT_KINDS, case.line
        assert set(ref) - {"kind"}, f"line {case.line}: {ref} says nothing about which item"
        assert not case.last_results, f"line {case.line}: a shown item would be referred to by index"


def test_dates_carry_the_users_offset_and_ranges_run_forwards() -> None:
    evaluation = load(FRESH_SET)
    problems: list[str] = []

    def check(case: Case, args: dict[str, Any]) -> None:
        for value in _date_values(args):
            parsed = datetime.fromisoformat(value)
            if parsed.utcoffset() != parsed.astimezone(evaluation.tz).utcoffset():
                problems.append(f"line {case.line}: {value} is not in {evaluation.tz}")
        if "start" in args and "end" in args:
            if datetime.fromisoformat(args["start"]) >= datetime.fromisoformat(args["end"]):
                problems.append(f"line {case.line}: start is not before end")

    for case in evaluation.cases:
        check(case, case.args)
    assert not problems


def test_stages_and_entities_are_the_crms_own() -> None:
    for case in load(FRESH_SET).cases:
        if "stage" in case.args:
            assert case.args["stage"] in DEAL_STAGES, case.line
        if case.intent.startswith("crm.") and "entity" in case.args:
            assert case.args["entity"] in CRM_ENTITIES, case.line


def test_no_request_is_labelled_twice_in_the_same_context() -> None:
    seen: dict[tuple[str, tuple[Any, ...], tuple[str, ...]], int] = {}
    repeated: list[str] = []
    for case in load(FRESH_SET).cases:
        key = (case.text.lower(), case.last_results, case.history)
        if key in seen:
            repeated.append(f"line {case.line} repeats line {seen[key]}: {case.text!r}")
        seen[key] = case.line
    assert not repeated
