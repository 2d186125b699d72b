"""The LLM backend against a scripted OpenAI-compatible server over real HTTP."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from crm_app.assistant.grounding import correction_prompt, fence_cards, verify_reply
from crm_app.assistant.llm import (
    CONFIRMATION_NOTE,
    STEP_LIMIT_NOTE,
    AwaitingConfirmation,
    LLMBackend,
    LLMResult,
    LLMUnavailable,
)
from crm_app.tools.base import ToolSchema
from tests.integration.llm.conftest import TEST_KEY, ScriptedLLM
from tests.support.procs import free_port
from tests.unit.assistant.test_grounding import email

QUERY = {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}
SEARCH = ToolSchema("outlook_search_emails", "Search the user's mailbox.", QUERY, source="ms365")
FILES = ToolSchema("onedrive_search_files", "Search the user's OneDrive.", QUERY, source="ms365")
SEND = ToolSchema(
    "outlook_send_email",
    "Send an email.",
    {"type": "object", "properties": {"to": {"type": "array", "items": {"type": "string"}}, "subject": {"type": "string"}}},
    source="ms365",
    read_only=False,
)
TOOLS = [SEARCH, FILES, SEND]

EMAILS = [email()]


class Turn:
    """Records what the backend streams and which tools it runs; ``execute`` answers from ``replies``."""

    def __init__(self, replies: dict[str, str] | None = None) -> None:
        self.replies = replies or {}
        self.deltas: list[str] = []
        self.announced: list[tuple[str, dict[str, Any]]] = []
        self.executed: list[tuple[str, dict[str, Any]]] = []

    async def on_text(self, delta: str) -> None:
        self.deltas.append(delta)

    async def on_tool(self, name: str, arguments: dict[str, Any]) -> None:
        self.announced.append((name, arguments))

    async def execute(self, name: str, arguments: dict[str, Any]) -> str:
        self.executed.append((name, arguments))
        return self.replies.get(name, f"result of {name}")

    async def run(
        self,
        backend: LLMBackend,
        user_text: str = "find the budget email",
        *,
        execute: Callable[[str, dict[str, Any]], Awaitable[str]] | None = None,
        **options: Any,
    ) -> LLMResult:
        return await backend.run(
            history=options.pop("history", []),
            user_text=user_text,
            tools=options.pop("tools", TOOLS),
            execute=execute or self.execute,
            on_text=self.on_text,
            on_tool=self.on_tool,
            **options,
        )


async def test_a_tool_call_then_a_streamed_reply(scripted: ScriptedLLM) -> None:
    reply = "You have one email, Q3 Budget Review, from Anna Schmidt on 20 March 2026."
    scripted.script({"tool_calls": [{"name": "outlook_search_emails", "arguments": {"query": "budget"}}]}, {"text": reply})
    turn = Turn({"outlook_search_emails": fence_cards(EMAILS)})
    history = [{"role": "user", "content": "hello"}, {"role": "assistant", "content": "Hi, how can I help?"}]

    result = await turn.run(scripted.backend(), history=history, context="Today is 25 March 2026.")

    assert result.text == reply and "".join(turn.deltas) == reply
    assert len(turn.deltas) > 1, "the reply arrives in pieces"
    assert result.steps == 2 and not result.stopped_for_confirmation and not result.hit_step_limit
    assert result.tool_calls == [("outlook_search_emails", {"query": "budget"})]
    assert turn.announced == turn.executed == result.tool_calls
    first, second = scripted.requests()
    assert first["stream"] is True and first["tool_choice"] == "auto"
    assert first["tools"] == [tool.to_openai() for tool in TOOLS]
    assert first["messages"][0]["role"] == "system" and first["messages"][0]["content"].endswith("Today is 25 March 2026.\n")
    assert first["messages"][1:] == [*history, {"role": "user", "content": "find the budget email"}]
    call = second["messages"][-2]["tool_calls"][0]
    assert call["function"] == {"name": "outlook_search_emails", "arguments": json.dumps({"query": "budget"})}
    assert second["messages"][-1] == {"role": "tool", "tool_call_id": call["id"], "content": fence_cards(EMAILS)}
    assert all(entry["bearer"] for entry in scripted.seen()["requests"])
    assert result.messages[-1] == {"role": "assistant", "content": reply}


async def test_two_tool_calls_in_one_step_run_concurrently(scripted: ScriptedLLM) -> None:
    scripted.script(
        {
            "text": "Looking in mail and files.",
            "tool_calls": [
                {"name": "outlook_search_emails", "arguments": {"query": "budget"}},
                {"name": "onedrive_search_files", "arguments": {"query": "budget"}},
            ],
        },
        {"text": "Found both."},
    )
    turn = Turn()
    started: list[str] = []
    both_started = asyncio.Event()

    async def execute(name: str, arguments: dict[str, Any]) -> str:
        started.append(name)
        if len(started) == 2:
            both_started.set()
        await asyncio.wait_for(both_started.wait(), timeout=5)
        return f"data from {name}"

    result = await turn.run(scripted.backend(), execute=execute)

    assert sorted(started) == ["onedrive_search_files", "outlook_search_emails"]
    assert result.text == "Looking in mail and files.\n\nFound both."
    assert [name for name, _ in result.tool_calls] == ["outlook_search_emails", "onedrive_search_files"]
    tool_messages = [m for m in scripted.requests()[1]["messages"] if m["role"] == "tool"]
    assert [m["content"] for m in tool_messages] == ["data from outlook_search_emails", "data from onedrive_search_files"]


async def test_the_loop_stops_at_the_step_bound(scripted: ScriptedLLM) -> None:
    again = {"tool_calls": [{"name": "outlook_search_emails", "arguments": {"query": "more"}}]}
    scripted.script(again, again, again)
    turn = Turn()

    result = await turn.run(scripted.backend(max_steps=2))

    assert result.hit_step_limit and result.steps == 2
    assert turn.executed == [("outlook_search_emails", {"query": "more"})]
    assert result.text == STEP_LIMIT_NOTE.format(steps=2) == "".join(turn.deltas)
    seen = scripted.seen()
    assert [r["tool_choice"] for r in scripted.requests()] == ["auto", "none"]
    assert seen["remaining"] == 1


async def test_a_side_effect_tool_stops_the_loop_awaiting_confirmation(scripted: ScriptedLLM) -> None:
    scripted.script(
        {
            "text": "I'll prepare that email.",
            "tool_calls": [{"name": "outlook_send_email", "arguments": {"to": ["anna.schmidt@contoso.example"]}}],
        },
        {"text": "This must not be requested."},
    )
    turn = Turn()

    async def execute(name: str, arguments: dict[str, Any]) -> str:
        turn.executed.append((name, arguments))
        raise AwaitingConfirmation()

    result = await turn.run(scripted.backend(), "email Anna", execute=execute)

    assert result.stopped_for_confirmation and result.steps == 1
    assert result.text == "I'll prepare that email."
    assert result.tool_calls == [("outlook_send_email", {"to": ["anna.schmidt@contoso.example"]})]
    assert len(scripted.requests()) == 1 and scripted.seen()["remaining"] == 1
    assert result.messages[-1]["role"] == "tool" and result.messages[-1]["content"] == CONFIRMATION_NOTE


async def test_unknown_tools_and_broken_arguments_are_refused_back_to_the_model(scripted: ScriptedLLM) -> None:
    scripted.script(
        {
            "tool_calls": [
                {"name": "delete_everything", "arguments": {}},
                {"name": "outlook_search_emails", "arguments": "{not json"},
                {"name": "onedrive_search_files", "arguments": "[1, 2]"},
            ]
        },
        {"text": "Sorry, I could not search."},
    )
    turn = Turn()

    result = await turn.run(scripted.backend())

    assert turn.executed == [] and result.tool_calls == []
    contents = [m["content"] for m in scripted.requests()[1]["messages"] if m["role"] == "tool"]
    assert "no tool named 'delete_everything'" in contents[0]
    assert "not a JSON object (invalid JSON" in contents[1]
    assert "not a JSON object (got list)" in contents[2]
    assert result.text == "Sorry, I could not search."


async def test_a_fabricated_subject_is_flagged_and_corrected_once(scripted: ScriptedLLM) -> None:
    fabricated = 'Your latest email is "Quarterly pricing update" from Anna Schmidt.'
    corrected = 'Your latest email is "Q3 Budget Review" from Anna Schmidt.'
    scripted.script(
        {"tool_calls": [{"name": "outlook_search_emails", "arguments": {"query": "latest"}}]},
        {"text": fabricated},
        {"text": corrected},
    )
    turn = Turn({"outlook_search_emails": fence_cards(EMAILS)})
    backend = scripted.backend()

    result = await turn.run(backend, "what is my latest email?")
    flags = verify_reply(result.text, EMAILS, user_text="what is my latest email?")

    assert [(f.kind, f.value) for f in flags] == [("subject", "Quarterly pricing update")]
    assert await backend.correct(result, flags) == corrected
    assert verify_reply(corrected, EMAILS) == []
    requests = scripted.requests()
    assert len(requests) == 3 and scripted.seen()["remaining"] == 0
    correction = requests[2]
    assert not correction.get("stream")
    assert correction["tool_choice"] == "none"
    assert correction["messages"][-1] == {"role": "user", "content": correction_prompt(flags)}
    assert correction["messages"][-2] == {"role": "assistant", "content": fabricated}
    assert any(m["role"] == "tool" and "Q3 Budget Review" in m["content"] for m in correction["messages"])


async def test_correct_without_flags_asks_nothing(scripted: ScriptedLLM) -> None:
    scripted.script()
    result = LLMResult("All good.", [], 1)
    assert await scripted.backend().correct(result, []) == "All good."
    assert scripted.requests() == []


@pytest.mark.parametrize(
    ("status", "kind", "reason"),
    [
        (401, "auth", "the provider refused the API key (HTTP 401)"),
        (429, "rate_limit", "rate limit was reached (HTTP 429)"),
        (404, "not_found", "does not know model openai/scripted-model (HTTP 404)"),
        (500, "server", "the provider had an error (HTTP 500)"),
    ],
)
async def test_provider_errors_become_llm_unavailable(
    scripted: ScriptedLLM, status: int, kind: str, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    scripted.script({"error": status, "message": f"Incorrect API key provided: {TEST_KEY}"})
    turn = Turn()

    with caplog.at_level(logging.DEBUG), pytest.raises(LLMUnavailable) as raised:
        await turn.run(scripted.backend())

    error = raised.value
    assert error.kind == kind and error.status == status
    assert str(error) == (
        f"The language model did not answer ({error.reason}). "
        "Check LLM_MODEL / LLM_API_KEY, or unset LLM_MODEL to use the offline assistant."
    )
    assert reason in error.reason
    assert TEST_KEY not in caplog.text and TEST_KEY not in str(error)
    assert turn.deltas == []


async def test_a_slow_provider_times_out(scripted: ScriptedLLM) -> None:
    scripted.script({"delay": 3, "text": "too late"})

    with pytest.raises(LLMUnavailable) as raised:
        await Turn().run(scripted.backend(timeout_seconds=0.5))

    assert raised.value.kind == "timeout" and "no answer within 0.5 s" in str(raised.value)


async def test_an_unreachable_provider_is_a_connection_failure() -> None:
    backend = LLMBackend("openai/scripted-model", api_key=TEST_KEY, api_base=f"http://127.0.0.1:{free_port()}/v1",
                         max_retries=0, timeout_seconds=5)

    with pytest.raises(LLMUnavailable) as raised:
        await Turn().run(backend)

    assert raised.value.kind == "connection" and "could not connect to 127.0.0.1:" in str(raised.value)


async def test_a_failed_correction_is_llm_unavailable(scripted: ScriptedLLM) -> None:
    scripted.script({"text": 'It is "Quarterly pricing update".'}, {"error": 500})
    backend = scripted.backend()
    result = await Turn().run(backend, tools=[])
    flags = verify_reply(result.text, EMAILS)

    with pytest.raises(LLMUnavailable) as raised:
        await backend.correct(result, flags)

    assert raised.value.kind == "server"
    assert "tools" not in scripted.requests()[0]


async def test_a_local_server_without_a_key_is_reachable(scripted: ScriptedLLM) -> None:
    scripted.script({"text": "Hello."})
    result = await Turn().run(scripted.backend(api_key=""), tools=[])
    assert result.text == "Hello."
