"""What passes between the LLM backend and a provider: streamed text, tool calls, failures.

Each function reads one provider shape (litellm's OpenAI-style chunks and messages) into what the
backend's loop uses, so that loop reads as steps and not as parsing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol


class Endpoint(Protocol):
    """What a failure's description names: the model, where it is served, and the time allowed."""

    model: str
    timeout_seconds: float

    @property
    def endpoint(self) -> str: ...


@dataclass(frozen=True)
class ToolCall:
    """One tool call the model asked for; `problem` says why its arguments could not be read."""

    id: str
    name: str
    arguments: dict[str, Any] | None
    problem: str = ""


def exception_chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from, outermost first."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def describe_failure(exc: BaseException, backend: Endpoint) -> tuple[str, str, int | None]:
    """(kind, reason for the user, HTTP status) of a provider failure.

    Timeouts and refused connections are recognised anywhere in the exception chain,
    as providers' SDKs wrap them in status errors of their own.
    """
    import httpx
    import openai
    from litellm import exceptions as errors

    chain = exception_chain(exc)
    if any(isinstance(e, (openai.APITimeoutError, httpx.TimeoutException, TimeoutError)) for e in chain):
        return "timeout", f"no answer within {backend.timeout_seconds:g} s", None
    if any(isinstance(e, (openai.APIConnectionError, httpx.TransportError, ConnectionError)) for e in chain):
        return "connection", f"could not connect to {backend.endpoint}", None
    status = getattr(exc, "status_code", None)
    status = status if isinstance(status, int) else None
    code = f" (HTTP {status})" if status else ""
    table: list[tuple[type[BaseException] | tuple[type[BaseException], ...], str, str]] = [
        (errors.AuthenticationError, "auth", f"the provider refused the API key{code}"),
        (errors.PermissionDeniedError, "permission", f"the API key may not use model {backend.model}{code}"),
        (errors.RateLimitError, "rate_limit", f"the provider's rate limit was reached{code}; wait a minute"),
        (errors.NotFoundError, "not_found", f"the provider does not know model {backend.model}{code}"),
        (errors.ContextWindowExceededError, "context_window", "the conversation is too long for the model"),
        (errors.BadRequestError, "bad_request", f"the provider rejected the request{code}"),
        (openai.APIError, "server", f"the provider had an error{code}"),
    ]
    for types, kind, reason in table:
        if isinstance(exc, types):
            return kind, reason, status
    return "unknown", f"{type(exc).__name__}{code}", status


def delta_text(chunk: Any) -> str:
    choices = getattr(chunk, "choices", None) or []
    if not choices:
        return ""
    delta = getattr(choices[0], "delta", None)
    content = getattr(delta, "content", None) if delta is not None else None
    return content if isinstance(content, str) else ""


def tool_calls(message: dict[str, Any], step: int) -> list[ToolCall]:
    """The message's tool calls, each with an id (one is made up when the provider gave none)."""
    calls: list[ToolCall] = []
    for index, raw in enumerate(message.get("tool_calls") or []):
        function = raw.get("function") or {}
        call_id = raw.get("id") or f"call_{step}_{index}"
        raw["id"] = call_id
        name = str(function.get("name") or "")
        text = function.get("arguments") or "{}"
        try:
            arguments = json.loads(text) if isinstance(text, str) else text
        except json.JSONDecodeError as exc:
            calls.append(ToolCall(call_id, name, None, f"invalid JSON: {exc.msg}"))
            continue
        if not isinstance(arguments, dict):
            calls.append(ToolCall(call_id, name, None, f"got {type(arguments).__name__}"))
            continue
        calls.append(ToolCall(call_id, name, arguments))
    return calls


def assistant_turn(message: dict[str, Any]) -> dict[str, Any]:
    """The assistant message that requested tool calls, as the next request must repeat it."""
    turn = {key: value for key, value in message.items() if key not in ("function_call", "audio", "images")}
    turn["role"] = "assistant"
    turn.setdefault("content", None)
    return turn
