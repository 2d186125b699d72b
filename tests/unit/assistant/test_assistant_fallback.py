"""The semantic fallback: the model it loads, where it maps unseen phrasings, and when it abstains."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from crm_app.assistant.intents import Intent, is_side_effect
from crm_app.assistant.offline import embedding, semantic
from crm_app.assistant.offline.evaluation import ALL_SETS, load

ROOT = Path(__file__).resolve().parents[3]


def test_the_model_loads_from_its_package_with_the_network_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the embedding model tried to open a network connection")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    encoder = embedding.load()
    vectors = encoder.encode(["show my unread emails", "what is on my calendar tomorrow", ""])
    assert vectors.shape == (3, 256)
    assert abs(float((vectors[0] ** 2).sum()) - 1.0) < 1e-4
    assert float((vectors[2] ** 2).sum()) == 0.0


def test_loading_the_model_does_not_import_its_http_client() -> None:
    probe = (
        "import sys\n"
        "from crm_app.assistant.offline import embedding\n"
        "embedding.load()\n"
        "print('wordllama.wordllama' in sys.modules, 'requests' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False"]


def test_a_missing_model_leaves_the_parser_working_without_the_fallback(monkeypatch: pytest.MonkeyPatch,
                                                                        run) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(embedding, "PACKAGE", "no_such_embedding_package")
    monkeypatch.setattr(embedding, "_state", {})
    semantic._index.cache_clear()
    try:
        assert embedding.model() is None
        assert semantic.ranked("find the thread about renewal terms") == []
        plan = run("what sort of things can you do?")
        assert plan.intent is Intent.UNSUPPORTED
        assert 2 <= len(plan.suggestions) <= 3
        assert run("show me emails from maria").intent is Intent.MAIL_SEARCH
    finally:
        monkeypatch.undo()
        semantic._index.cache_clear()


def test_the_model_is_loaded_once_per_process() -> None:
    first = embedding.model()
    assert first is not None
    assert embedding.model() is first
    assert embedding.loaded()


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("what sort of things can you do?", Intent.HELP),
        ("whats happening tommorow", Intent.CALENDAR_LIST),
        ("my week at a glance", Intent.CALENDAR_LIST),
        ("list sites", Intent.SHAREPOINT_SITES),
    ],
)
def test_an_unseen_phrasing_maps_to_the_nearest_capability(run, text: str, intent: Intent) -> None:  # type: ignore[no-untyped-def]
    from crm_app.assistant.offline.common import CONFIDENT, Request
    from crm_app.assistant.parser import first_rule

    assert first_rule(Request.build(text, _context())) is None, "no rule reads it: the fallback does"
    plan = run(text)
    assert plan.intent is intent
    assert plan.confidence < CONFIDENT


def test_the_fallback_reads_the_slots_with_the_capabilitys_own_rule(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("whats happening tommorow")
    assert plan.args == {"start": "2026-03-26T00:00:00+00:00", "end": "2026-03-27T00:00:00+00:00"}


@pytest.mark.parametrize("text", ["asdfgh", "buy me a coffee", "what time is it in Tokyo", "reschedule the pilot kickoff to friday"])
def test_the_fallback_abstains_far_from_every_capability(run, text: str) -> None:  # type: ignore[no-untyped-def]
    plan = run(text)
    assert plan.intent is Intent.UNSUPPORTED
    assert not is_side_effect(plan.intent)
    assert 2 <= len(plan.suggestions) <= 3
    assert len(set(plan.suggestions)) == len(plan.suggestions)


def test_a_refusal_names_what_was_asked_and_suggests_the_nearest_capabilities(run) -> None:  # type: ignore[no-untyped-def]
    plan = run("export all deals to a spreadsheet")
    assert plan.intent is Intent.UNSUPPORTED
    assert "export all deals to a spreadsheet" in plan.explanation
    known = {capability.suggestion for capability in semantic.CAPABILITIES}
    assert set(plan.suggestions) <= known
    assert 2 <= len(plan.suggestions) <= 3


def _capability(intent: Intent) -> semantic.Capability:
    return next(c for c in semantic.CAPABILITIES if c.intent is intent)


def test_a_side_effect_needs_a_closer_match_than_a_read(monkeypatch: pytest.MonkeyPatch, run) -> None:  # type: ignore[no-untyped-def]
    from crm_app.assistant.offline.common import Request

    between = (semantic.THRESHOLD + semantic.SIDE_EFFECT_THRESHOLD) / 2
    req = Request.build("zork the thing", _context())
    restated: list[str] = []

    def reparse(text: str, _req: Request):  # type: ignore[no-untyped-def]
        restated.append(text)
        return run(text)

    monkeypatch.setattr(semantic, "ranked", lambda text: [(_capability(Intent.CALENDAR_CREATE), between)])
    assert semantic.nearest(req, reparse) is None
    assert restated == []
    monkeypatch.setattr(semantic, "ranked", lambda text: [(_capability(Intent.CALENDAR_LIST), between)])
    found = semantic.nearest(req, reparse)
    assert found is not None and found.intent is Intent.CALENDAR_LIST
    assert restated == ["what is on my calendar zork the thing"]


def test_a_side_effect_the_fallback_finds_is_a_plan_that_waits_for_confirmation(
    monkeypatch: pytest.MonkeyPatch, run
) -> None:  # type: ignore[no-untyped-def]
    from crm_app.assistant.offline.common import Request

    req = Request.build("grace kim thursday 10am", _context())
    monkeypatch.setattr(semantic, "ranked", lambda text: [(_capability(Intent.CALENDAR_CREATE), 0.99)])
    found = semantic.nearest(req, lambda text, _req: run(text))
    assert found is not None
    assert found.intent is Intent.CALENDAR_CREATE and found.side_effect
    assert found.confidence < 0.9


def test_a_restated_parse_that_lands_elsewhere_is_not_taken(monkeypatch: pytest.MonkeyPatch, run) -> None:  # type: ignore[no-untyped-def]
    from crm_app.assistant.offline.common import Request

    req = Request.build("tell me a joke", _context())
    monkeypatch.setattr(semantic, "ranked", lambda text: [(_capability(Intent.FILES_SEARCH), 0.99)])
    assert semantic.nearest(req, lambda text, _req: run("tell me a joke")) is None


def _context():  # type: ignore[no-untyped-def]
    data = load(ALL_SETS[0])
    return data.context(data.cases[0])


def test_every_refusal_in_both_sets_offers_two_or_three_suggestions() -> None:
    from crm_app.assistant.parser import parse

    for path in ALL_SETS:
        data = load(path)
        for case in data.cases:
            plan = parse(case.text, data.context(case))
            if plan.intent is Intent.UNSUPPORTED:
                assert 2 <= len(plan.suggestions) <= 3, (path.name, case.line, case.text, plan.suggestions)
                assert plan.explanation, (path.name, case.line)
