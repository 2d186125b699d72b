"""Whatever the user types, the parser returns a well-formed plan; side effects are never half-built."""

from __future__ import annotations

import json
import random
from datetime import datetime
from typing import Any

import pytest

from crm_app.assistant.intents import DEAL_STAGES, Intent, Plan, ResultRef
from crm_app.assistant.offline.evaluation import DEFAULT_SET

SAMPLES = 1500
SEED = 20260325

REQUIRED: dict[Intent, list[tuple[str, ...]]] = {
    Intent.MAIL_SEND: [("to", "to_names"), ("subject", "body")],
    Intent.MAIL_DRAFT: [("to", "to_names"), ("subject", "body")],
    Intent.MAIL_REPLY: [("ref", "message_id", "find"), ("body",)],
    Intent.MAIL_FORWARD: [("ref", "message_id", "find")],
    Intent.MAIL_GET: [("ref", "message_id")],
    Intent.CALENDAR_CREATE: [("start",), ("end",), ("time_zone",)],
    Intent.FILES_SHARE: [("file_query", "ref"), ("recipients", "recipient_names")],
    Intent.TEAMS_POST: [("team_name",), ("message",)],
    Intent.CRM_CREATE: [("entity",), ("fields",)],
    Intent.CRM_UPDATE: [("entity",), ("ref",), ("fields",)],
    Intent.CRM_DELETE: [("entity",), ("ref",)],
    Intent.CRM_DEAL_MOVE: [("ref",), ("stage",)],
    Intent.CRM_NOTE_ADD: [("ref",), ("text",)],
    Intent.CRM_TASK_ADD: [("text",)],
    Intent.CRM_LOG_EMAIL: [("ref",)],
    Intent.SHAREPOINT_SEARCH: [("query",)],
    Intent.SHAREPOINT_LIST_FILES: [("site",)],
    Intent.TEAMS_CHANNELS: [("team_name",)],
}


def _check(plan: Plan) -> None:
    assert isinstance(plan.intent, Intent)
    for alternatives in REQUIRED.get(plan.intent, []):
        assert any(plan.args.get(key) for key in alternatives), (plan, alternatives)
    if plan.intent is Intent.CRM_DEAL_MOVE:
        assert plan.args["stage"] in DEAL_STAGES
    if plan.intent is Intent.CLARIFY:
        assert plan.question and plan.args.get("missing")
    if plan.intent is Intent.UNSUPPORTED:
        assert plan.suggestions and plan.explanation
    start, end = plan.args.get("start"), plan.args.get("end")
    for value in (start, end):
        if value is not None:
            assert datetime.fromisoformat(value).utcoffset() is not None
    if start and end:
        assert datetime.fromisoformat(start) <= datetime.fromisoformat(end)


def _corpus() -> list[str]:
    texts = []
    for line in DEFAULT_SET.read_text(encoding="utf-8").splitlines():
        row: dict[str, Any] = json.loads(line)
        if "text" in row:
            texts.append(row["text"])
    return texts


def _mutations(rng: random.Random, words: list[str]) -> list[str]:
    samples = []
    for _ in range(SAMPLES):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 18)))
        roll = rng.random()
        if roll < 0.15:
            text = text.upper()
        elif roll < 0.3:
            text += rng.choice(
                [
                    "?",
                    "!!",
                    "...",
                    ":",
                    "'",
                    '"',
                    "(",
                    ")",
                    "->",
                    ">",
                    "@",
                    "$",
                    "€12k",
                    " - ",
                ]
            )
        samples.append(text)
    return samples


@pytest.fixture(scope="module")
def samples() -> list[str]:
    corpus = _corpus()
    words = " ".join(corpus).split()
    return corpus + _mutations(random.Random(SEED), words)


def test_every_sample_gives_a_well_formed_plan(run, samples) -> None:  # type: ignore[no-untyped-def]
    shown = [
        ResultRef("email", "m-1", "Budget — John Smith", preview_only=True),
        ResultRef("file", "f-1", "Budget.xlsx"),
    ]
    for text in samples:
        _check(run(text))
        _check(run(text, last_results=shown, history=["email John about the budget"]))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "?",
        "'''",
        "send " + "a " * 500 + "email",
        "from " * 800,
        "😀 📅 ✉️",
        "ñandú café résumé",
        "\x00\t\n",
    ],
)
def test_odd_input(run, text) -> None:  # type: ignore[no-untyped-def]
    _check(run(text))
