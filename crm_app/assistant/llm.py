"""The LLM backend: native tool calling through litellm, streamed, in a bounded loop.

One :meth:`LLMBackend.run` is one chat turn. The model sees the grounded system
prompt, the conversation and the registry's tool schemas; each step streams its
text through ``on_text`` and may call tools (several at once). ``execute`` runs a
call and returns the fenced text the model reads back; for a tool with side
effects it returns :class:`Pending` (or raises :class:`AwaitingConfirmation`), which
ends the turn until the user confirms. :meth:`LLMBackend.correct` asks once for a corrected reply when
:func:`~crm_app.assistant.grounding.verify_reply` flagged claims.

litellm is imported on first use, in a worker thread (it takes seconds and a lot of
memory), with its remote model-cost map, telemetry and callbacks off. Every provider
failure becomes :class:`LLMUnavailable`, whose message tells the user what to do.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crm_app.assistant.grounding import SYSTEM_PROMPT, Flag, correction_prompt
from crm_app.assistant.intents import AssistantError
from crm_app.assistant.llm_messages import ToolCall, assistant_turn, delta_text, describe_failure, tool_calls
from crm_app.tools.base import ToolSchema

if TYPE_CHECKING:
    from crm_app.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_MAX_STEPS = 4
DEFAULT_TIMEOUT_SECONDS = 60.0
DEFAULT_MAX_RETRIES = 2
STEP_SEPARATOR = "\n\n"
KEYLESS_API_KEY = "no-key"  # sent to an LLM_API_BASE server when LLM_API_KEY is empty; local servers ignore it
LITELLM_ENVIRONMENT = {
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS": "True",
}
LITELLM_FLAGS: dict[str, bool] = {"telemetry": False, "suppress_debug_info": True, "turn_off_message_logging": True, "drop_params": True}
LITELLM_CALLBACK_LISTS = (
    "callbacks",
    "success_callback",
    "failure_callback",
    "_async_success_callback",
    "_async_failure_callback",
    "input_callback",
    "service_callback",
)
LITELLM_LOGGERS = ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "litellm")
CONFIRMATION_NOTE = (
    "This action has NOT run. The user sees a confirmation card for it and decides whether it runs. "
    "Tell the user it awaits their confirmation; do not say it is done."
)
STEP_LIMIT_NOTE = (
    "I stopped after {steps} steps without a complete answer. Ask again with a narrower request, "
    "or name the email, event or file you mean."
)
EMPTY_REPLY_NOTE = "The language model returned an empty answer. Try rephrasing your request."
SETTINGS_HINT = "Check LLM_MODEL / LLM_API_KEY, or unset LLM_MODEL to use the offline assistant."


@dataclass(frozen=True)
class Pending:
    """What ``execute`` returns for a tool with side effects: the turn stops until the user confirms.

    ``note`` is what the model is told about the pending action.
    """

    note: str = CONFIRMATION_NOTE


ExecuteTool = Callable[[str, dict[str, Any]], Awaitable[str | Pending]]
OnText = Callable[[str], Awaitable[None]]
OnTool = Callable[[str, dict[str, Any]], Awaitable[None]]


class LLMConfigurationError(AssistantError, ValueError):
    """The LLM settings cannot be used; the message says which one to change."""


class LLMUnavailable(AssistantError):
    """The language model did not answer: authentication, rate limit, timeout, connection or provider error.

    ``kind`` is one of ``auth``, ``permission``, ``rate_limit``, ``timeout``, ``connection``,
    ``not_found``, ``context_window``, ``bad_request``, ``server`` or ``unknown``.
    """

    def __init__(self, reason: str, *, kind: str, status: int | None = None) -> None:
        self.reason = reason
        self.kind = kind
        self.status = status
        super().__init__(f"The language model did not answer ({reason}). {SETTINGS_HINT}")


class AwaitingConfirmation(AssistantError):
    """Raised by ``execute`` for a tool with side effects: the turn stops until the user confirms.

    ``note`` is what the model is told about the pending action.
    """

    def __init__(self, note: str = CONFIRMATION_NOTE) -> None:
        self.note = note
        super().__init__(note)


@dataclass(frozen=True)
class LLMResult:
    """The outcome of one turn.

    ``text`` is exactly what was streamed through ``on_text``. ``tool_calls`` lists the
    calls handed to ``execute``, in order. ``messages`` is the whole exchange (system
    prompt, history, user message, tool calls and results, final reply), which
    :meth:`LLMBackend.correct` continues.
    """

    text: str
    tool_calls: list[tuple[str, dict[str, Any]]]
    steps: int
    stopped_for_confirmation: bool = False
    hit_step_limit: bool = False
    messages: list[dict[str, Any]] = field(default_factory=list, repr=False)
    tools: tuple[ToolSchema, ...] = field(default=(), repr=False)


@functools.cache
def _load_litellm() -> ModuleType:
    """Import litellm with everything that would reach the internet or report usage turned off."""
    for name, value in LITELLM_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    module = importlib.import_module("litellm")
    for flag, enabled in LITELLM_FLAGS.items():
        setattr(module, flag, enabled)
    for hooks in LITELLM_CALLBACK_LISTS:
        if isinstance(getattr(module, hooks, None), list):
            setattr(module, hooks, [])
    for name in LITELLM_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    return module


async def load_litellm() -> ModuleType:
    """litellm, imported once in a worker thread so the event loop keeps serving."""
    return await asyncio.to_thread(_load_litellm)


class _Output:
    """The text of one turn as it streams: steps are separated by a blank line."""

    def __init__(self, on_text: OnText) -> None:
        self._on_text = on_text
        self._parts: list[str] = []
        self._step_has_text = False

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def next_step(self) -> None:
        self._step_has_text = False

    async def write(self, delta: str) -> None:
        if not delta:
            return
        if not self._step_has_text and self._parts:
            await self._emit(STEP_SEPARATOR)
        self._step_has_text = True
        await self._emit(delta)

    async def _emit(self, text: str) -> None:
        self._parts.append(text)
        await self._on_text(text)


class LLMBackend:
    """Claude, OpenAI, Gemini or any OpenAI-compatible endpoint, through litellm."""

    def __init__(
        self,
        model: str,
        *,
        api_key: str = "",
        api_base: str = "",
        max_steps: int = DEFAULT_MAX_STEPS,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        max_retries: int = DEFAULT_MAX_RETRIES,
    ) -> None:
        if not model.strip():
            raise LLMConfigurationError("LLM_MODEL is empty. Set it (e.g. openai/gpt-4o-mini) or use the offline assistant.")
        if max_steps < 1:
            raise LLMConfigurationError(f"LLM_MAX_STEPS is {max_steps}; set it to 1 or more.")
        if timeout_seconds <= 0 or max_retries < 0:
            raise LLMConfigurationError("The LLM timeout must be positive and the retry count zero or more.")
        self.model = model.strip()
        self.api_base = api_base.strip()
        self.max_steps = max_steps
        self.timeout_seconds = timeout_seconds
        self.max_retries = max_retries
        self._api_key = api_key.strip()

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **overrides: Any) -> LLMBackend:
        """The backend configured by LLM_MODEL, LLM_API_KEY, LLM_API_BASE and LLM_MAX_STEPS."""
        if settings is None:
            from crm_app.settings import get_settings

            settings = get_settings()
        return cls(
            settings.llm_model,
            api_key=settings.llm_api_key,
            api_base=settings.llm_api_base,
            max_steps=settings.llm_max_steps,
            **overrides,
        )

    def __repr__(self) -> str:
        return f"LLMBackend(model={self.model!r}, api_base={self.api_base!r}, max_steps={self.max_steps})"

    # ---- one turn -------------------------------------------------------------------

    async def run(
        self,
        *,
        history: list[dict[str, Any]],
        user_text: str,
        tools: list[ToolSchema],
        execute: ExecuteTool,
        on_text: OnText,
        on_tool: OnTool | None = None,
        context: str = "",
    ) -> LLMResult:
        """Answer ``user_text``, calling tools for at most ``max_steps`` model calls.

        ``history`` holds earlier messages in the OpenAI chat shape; ``context`` is appended
        to the system prompt (today's date, the user's time zone). The last allowed step may
        not call tools; if the model still tries, the turn ends with a note saying so.
        """
        litellm = await load_litellm()
        system = SYSTEM_PROMPT + (f"\n{context.strip()}\n" if context.strip() else "")
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": system},
            *history,
            {"role": "user", "content": user_text},
        ]
        offered = {tool.name for tool in tools}
        output = _Output(on_text)
        made: list[tuple[str, dict[str, Any]]] = []

        def result(steps: int, **flags: bool) -> LLMResult:
            return LLMResult(output.text, made, steps, messages=messages, tools=tuple(tools), **flags)

        for step in range(1, self.max_steps + 1):
            output.next_step()
            last = step == self.max_steps
            message = await self._stream_step(litellm, messages, tools, final=last, output=output)
            calls = tool_calls(message, step)
            if not calls:
                if not (message.get("content") or "").strip() and not output.text:
                    await output.write(EMPTY_REPLY_NOTE)
                messages.append({"role": "assistant", "content": message.get("content") or ""})
                return result(step)
            if last:
                output.next_step()
                await output.write(STEP_LIMIT_NOTE.format(steps=step))
                messages.append({"role": "assistant", "content": message.get("content") or ""})
                return result(step, hit_step_limit=True)
            messages.append(assistant_turn(message))
            replies, pending = await self._run_calls(calls, offered, execute, on_tool, made)
            messages += [{"role": "tool", "tool_call_id": c.id, "content": r} for c, r in zip(calls, replies)]
            if pending:
                return result(step, stopped_for_confirmation=True)
        raise AssertionError("the step loop always returns")  # pragma: no cover

    async def correct(self, result: LLMResult, flags: Sequence[Flag]) -> str:
        """A corrected reply, asked for once, given the claims ``verify_reply`` flagged in ``result``.

        Returns ``result.text`` unchanged when there is nothing to correct or the model
        answers with nothing.
        """
        if not flags:
            return result.text
        litellm = await load_litellm()
        messages = [*result.messages, {"role": "user", "content": correction_prompt(flags)}]
        request = self._request(messages, result.tools, final=True)
        try:
            response = await litellm.acompletion(**request, stream=False)
        except Exception as exc:
            raise self._unavailable(exc) from exc
        choices = getattr(response, "choices", None) or []
        text = (choices[0].message.content or "").strip() if choices else ""
        return text or result.text

    # ---- internals -----------------------------------------------------------------

    def _request(self, messages: list[dict[str, Any]], tools: Sequence[ToolSchema], *, final: bool) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "timeout": self.timeout_seconds,
            "num_retries": self.max_retries,
        }
        if self._api_key:
            request["api_key"] = self._api_key
        elif self.api_base:
            request["api_key"] = KEYLESS_API_KEY
        if self.api_base:
            request["api_base"] = self.api_base
        if tools:
            request["tools"] = [tool.to_openai() for tool in tools]
            request["tool_choice"] = "none" if final else "auto"
        return request

    async def _stream_step(
        self,
        litellm: ModuleType,
        messages: list[dict[str, Any]],
        tools: Sequence[ToolSchema],
        *,
        final: bool,
        output: _Output,
    ) -> dict[str, Any]:
        """One streamed model call: text goes out as it arrives; the assembled message comes back."""
        request = self._request(messages, tools, final=final)
        chunks: list[Any] = []
        try:
            stream = await litellm.acompletion(**request, stream=True)
            iterator = stream.__aiter__()
        except Exception as exc:
            raise self._unavailable(exc) from exc
        while True:
            try:
                chunk = await anext(iterator)
            except StopAsyncIteration:
                break
            except Exception as exc:
                raise self._unavailable(exc) from exc
            chunks.append(chunk)
            await output.write(delta_text(chunk))
        if not chunks:
            return {"role": "assistant", "content": ""}
        built = litellm.stream_chunk_builder(chunks, messages=messages, count_prompt_tokens=lambda: 0)
        if built is None or not built.choices:
            return {"role": "assistant", "content": ""}
        message: dict[str, Any] = built.choices[0].message.model_dump(exclude_none=True)
        return message

    async def _run_calls(
        self,
        calls: list[ToolCall],
        offered: set[str],
        execute: ExecuteTool,
        on_tool: OnTool | None,
        made: list[tuple[str, dict[str, Any]]],
    ) -> tuple[list[str], bool]:
        """Run one step's calls concurrently; the replies in call order and whether one awaits confirmation."""
        runnable: list[tuple[int, ToolCall]] = []
        replies = [""] * len(calls)
        for index, call in enumerate(calls):
            if call.name not in offered:
                replies[index] = f"Error: there is no tool named {call.name!r}. Use only the tools you were given."
            elif call.arguments is None:
                replies[index] = (
                    f"Error: the arguments for {call.name} were not a JSON object ({call.problem}). "
                    "Call the tool again with valid JSON arguments."
                )
            else:
                runnable.append((index, call))
                made.append((call.name, call.arguments))
                if on_tool is not None:
                    await on_tool(call.name, call.arguments)

        async def one(call: ToolCall) -> tuple[str, bool]:
            assert call.arguments is not None
            try:
                reply = await execute(call.name, call.arguments)
            except AwaitingConfirmation as pending:
                return pending.note, True
            if isinstance(reply, Pending):
                return reply.note, True
            return reply, False

        tasks = [asyncio.ensure_future(one(call)) for _, call in runnable]
        try:
            outcomes = await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            raise
        pending = False
        for (index, _), (reply, waiting) in zip(runnable, outcomes):
            replies[index] = reply
            pending = pending or waiting
        return replies, pending

    def _unavailable(self, exc: BaseException) -> LLMUnavailable:
        """The user-facing error for a provider failure; the key never appears in it or in the log."""
        kind, reason, status = describe_failure(exc, self)
        detail = str(exc)
        if self._api_key:
            detail = detail.replace(self._api_key, "[redacted]")
        log.warning("LLM %s failed (%s, status %s): %s", self.model, kind, status, detail[:500])
        return LLMUnavailable(reason, kind=kind, status=status)

    @property
    def endpoint(self) -> str:
        """Where requests go, for messages: the API base's host, or the provider's name."""
        if self.api_base:
            return urlsplit(self.api_base).netloc or self.api_base
        provider = self.model.split("/", 1)[0] if "/" in self.model else "the provider"
        return provider
