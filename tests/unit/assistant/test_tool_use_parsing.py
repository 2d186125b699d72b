"""“use <tool> …” / “run <tool> with …”: a tool-like name, its free text and its name=value pairs."""

from __future__ import annotations

import pytest

from crm_app.assistant.intents import Intent
from crm_app.services.assistant.tool_use import fill
from tests.unit.tools.graph_shaped import ScriptedTool


@pytest.mark.parametrize("text,args", [
    ("use the echo tool to say hi", {"tool": "echo", "text": "hi"}),
    ("run get-sum with a=2 and b=40", {"tool": "get-sum", "pairs": {"a": "2", "b": "40"}}),
    ('Use the Echo tool: "Hello There"', {"tool": "Echo", "text": "Hello There"}),
    ("please run get-sum", {"tool": "get-sum"}),
    ("call list_mail_folders", {"tool": "list_mail_folders"}),
])
def test_a_named_tool_is_recognised(run, text, args) -> None:  # type: ignore[no-untyped-def]
    plan = run(text)
    assert plan.intent is Intent.TOOL_USE and plan.args == args and plan.explanation.startswith("Running the")


@pytest.mark.parametrize("text,intent", [
    ("use my calendar", Intent.CALENDAR_LIST),
    ("run a report on acme", Intent.UNSUPPORTED),
    ("Show me emails from John Smith", Intent.MAIL_SEARCH),
])
def test_ordinary_requests_are_not_tool_names(run, text, intent) -> None:  # type: ignore[no-untyped-def]
    assert run(text).intent is intent


def test_arguments_come_from_pairs_or_the_one_text_parameter():
    summing = ScriptedTool("get-sum", "Sums.", {"a": {"type": "number"}, "b": {"type": "number"}}, ("a", "b"))
    assert fill(summing, {"A": "2", "b": "4.5"}, "") == ({"a": 2, "b": 4.5}, [])
    assert fill(summing, {}, "2 and 40") == ({}, ["a", "b"])
    echo = ScriptedTool("echo", "Echoes.", {"message": {"type": "string"}}, ("message",))
    assert fill(echo, {}, "hi") == ({"message": "hi"}, [])
    assert fill(echo, {"other": "x"}, "") == ({}, ["message"])
