"""Scoring the offline parser against a labelled set of requests.

The set is JSON Lines. The first line is ``{"_config": {"now", "time_zone",
"directory"}}``; every other line is ``{"text", "intent", "args", "context"?}``,
where ``args`` lists the arguments that must match exactly (nested dictionaries
are compared key by key, everything else by equality; ``null`` means the argument
must be absent) and ``context`` may hold
``last_results`` and ``history``. A case passes when the intent and every labelled
argument match; its intent alone is scored too, so a report can tell a wrong
capability from wrong details.

One normalisation applies to the labels of every set before comparing
(:func:`plan_shape`): an email described rather than shown, labelled
``ref: {"kind": "email", <mail.search arguments>}`` (no ``index`` or ``id``), is the
plan's ``find``: the search whose newest hit is the email meant.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from statistics import median, quantiles
from typing import Any
from zoneinfo import ZoneInfo

from crm_app.assistant.intents import (
    AssistantError,
    Directory,
    ParseContext,
    Plan,
    ResultRef,
)
from crm_app.assistant.offline.directory import InMemoryDirectory
from crm_app.assistant.parser import parse

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_SET = ROOT / "eval" / "assistant_utterances.jsonl"
FRESH_SET = ROOT / "eval" / "fresh_utterances.jsonl"
ALL_SETS = (DEFAULT_SET, FRESH_SET)


class EvaluationSetError(AssistantError, ValueError):
    """The evaluation set is malformed."""


@dataclass(frozen=True)
class Case:
    """One labelled request."""

    line: int
    text: str
    intent: str
    args: dict[str, Any]
    last_results: tuple[ResultRef, ...] = ()
    history: tuple[str, ...] = ()


@dataclass
class Outcome:
    """A case and what the parser made of it."""

    case: Case
    plan: Plan
    seconds: float
    mismatches: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.mismatches

    @property
    def intent_matched(self) -> bool:
        return str(self.plan.intent) == self.case.intent


@dataclass
class Report:
    """Results of one evaluation run."""

    outcomes: list[Outcome]

    @property
    def accuracy(self) -> float:
        """Share of cases whose intent and labelled arguments all match."""
        return self._share(sum(o.passed for o in self.outcomes))

    @property
    def intent_accuracy(self) -> float:
        """Share of cases whose intent matches, whatever the arguments."""
        return self._share(sum(o.intent_matched for o in self.outcomes))

    def _share(self, count: int) -> float:
        return count / len(self.outcomes) if self.outcomes else 0.0

    def per_intent(self) -> dict[str, tuple[int, int]]:
        """Passed and total cases for each labelled intent."""
        return {
            intent: (passed, total)
            for intent, (_, passed, total) in self.per_intent_scores().items()
        }

    def per_intent_scores(self) -> dict[str, tuple[int, int, int]]:
        """Cases with the right intent, fully passed cases and total cases for each labelled intent."""
        table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for outcome in self.outcomes:
            row = table[outcome.case.intent]
            row[0] += outcome.intent_matched
            row[1] += outcome.passed
            row[2] += 1
        return {intent: (row[0], row[1], row[2]) for intent, row in sorted(table.items())}

    def timings_ms(self) -> tuple[float, float, float]:
        """Median, 95th percentile and maximum parse time in milliseconds."""
        values = sorted(o.seconds * 1000 for o in self.outcomes)
        p95 = quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]
        return median(values), p95, values[-1]


@dataclass(frozen=True)
class EvaluationSet:
    """The cases plus the fixed clock, zone and directory they were labelled against."""

    now: datetime
    tz: ZoneInfo
    directory: Directory
    cases: list[Case]

    def context(self, case: Case) -> ParseContext:
        return ParseContext(
            now=self.now,
            tz=self.tz,
            directory=self.directory,
            last_results=list(case.last_results),
            history=list(case.history),
        )


def load(path: Path = DEFAULT_SET) -> EvaluationSet:
    """Read an evaluation set; relative directory paths are taken from the repository root."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EvaluationSetError(
            f"Cannot read the evaluation set {path}: {exc}."
        ) from exc
    config: dict[str, Any] | None = None
    cases: list[Case] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvaluationSetError(
                f"{path}:{number} is not valid JSON ({exc.msg})."
            ) from exc
        if "_config" in row:
            config = row["_config"]
            continue
        try:
            context = row.get("context", {})
            cases.append(
                Case(
                    line=number,
                    text=row["text"],
                    intent=row["intent"],
                    args=row.get("args", {}),
                    last_results=tuple(
                        ResultRef(**item) for item in context.get("last_results", [])
                    ),
                    history=tuple(context.get("history", [])),
                )
            )
        except (KeyError, TypeError) as exc:
            raise EvaluationSetError(
                f"{path}:{number} needs text, intent and args, and context items need kind, id and label ({exc})."
            ) from exc
    if config is None:
        raise EvaluationSetError(
            f"{path} has no _config line with now, time_zone and directory."
        )
    tz = ZoneInfo(config["time_zone"])
    now = datetime.fromisoformat(config["now"]).astimezone(tz)
    directory = InMemoryDirectory.from_file(ROOT / config["directory"])
    return EvaluationSet(now=now, tz=tz, directory=directory, cases=cases)


def compare(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Differences between a labelled value and the parser's; dictionaries only need the labelled keys."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path or 'args'}: expected {expected!r}, got {actual!r}"]
        problems: list[str] = []
        for key, value in expected.items():
            where = f"{path}.{key}" if path else key
            if value is None:
                if key in actual:
                    problems.append(f"{where}: expected no value, got {actual[key]!r}")
            elif key not in actual:
                problems.append(f"{where}: missing (expected {value!r})")
            else:
                problems.extend(compare(value, actual[key], where))
        return problems
    if expected != actual:
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    return []


def plan_shape(labels: dict[str, Any]) -> dict[str, Any]:
    """A case's labelled arguments in the shape of the parser's plans (see the module's docstring)."""
    ref = labels.get("ref")
    if isinstance(ref, dict) and ref.get("kind") == "email" and not {"index", "id"} & ref.keys():
        shaped = {key: value for key, value in labels.items() if key != "ref"}
        shaped["find"] = {key: value for key, value in ref.items() if key != "kind"}
        return shaped
    return labels


def run(evaluation: EvaluationSet) -> Report:
    """Parse every case and record what matched."""
    outcomes: list[Outcome] = []
    for case in evaluation.cases:
        ctx = evaluation.context(case)
        started = time.perf_counter()
        result = parse(case.text, ctx)
        elapsed = time.perf_counter() - started
        mismatches = []
        if str(result.intent) != case.intent:
            mismatches.append(f"intent: expected {case.intent}, got {result.intent}")
        mismatches.extend(compare(plan_shape(case.args), result.args))
        outcomes.append(Outcome(case, result, elapsed, mismatches))
    return Report(outcomes)
