"""A scripted OpenAI-compatible chat completions server for exercising the LLM backend.

Run it with ``python -m tests.integration.llm.scripted_server --host 127.0.0.1 --port N``.
A test loads a script with ``POST /script`` (``{"responses": [...]}``); every
``POST /v1/chat/completions`` answers with the next response, streamed as SSE when the
request asks for ``stream`` and as one JSON completion otherwise, and is recorded for
``GET /requests`` (body and whether a bearer key came). ``GET /health`` answers 200.

A response is one of:

* ``{"text": "..."}`` — an assistant reply; streamed in ``chunk_chars`` pieces (default 8);
* ``{"tool_calls": [{"name": ..., "arguments": {...} | "raw text"}], "text": "optional"}`` —
  tool calls, their arguments streamed in two fragments each;
* ``{"error": 401, "message": "..."}`` — an HTTP error with an OpenAI-style error body;
* ``{"delay": seconds, ...}`` — wait before answering (combine with any of the above).

When the script is used up the server answers HTTP 500 with ``script exhausted``, so a
test that makes more calls than it scripted fails visibly.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

DEFAULT_CHUNK_CHARS = 8
ERROR_TYPES = {400: "invalid_request_error", 401: "invalid_api_key", 404: "model_not_found", 429: "rate_limit_exceeded"}


class Script:
    """The responses still to give and the requests received so far."""

    def __init__(self) -> None:
        self.responses: deque[dict[str, Any]] = deque()
        self.requests: list[dict[str, Any]] = []

    def load(self, responses: list[dict[str, Any]]) -> None:
        self.responses = deque(responses)
        self.requests = []


script = Script()


def _tool_call_parts(calls: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(id, name, arguments text) of each scripted call."""
    parts = []
    for index, call in enumerate(calls):
        arguments = call.get("arguments", {})
        text = arguments if isinstance(arguments, str) else json.dumps(arguments)
        parts.append((call.get("id", f"call_{len(script.requests)}_{index}"), call["name"], text))
    return parts


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> str:
    body = {
        "id": f"chatcmpl-{len(script.requests)}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n"


async def _stream(model: str, response: dict[str, Any]) -> AsyncIterator[str]:
    yield _chunk(model, {"role": "assistant", "content": ""})
    text = response.get("text", "")
    size = int(response.get("chunk_chars", DEFAULT_CHUNK_CHARS))
    for start in range(0, len(text), size):
        yield _chunk(model, {"content": text[start : start + size]})
        await asyncio.sleep(0)
    calls = _tool_call_parts(response.get("tool_calls", []))
    for index, (call_id, name, arguments) in enumerate(calls):
        half = len(arguments) // 2
        yield _chunk(
            model,
            {"tool_calls": [{"index": index, "id": call_id, "type": "function",
                             "function": {"name": name, "arguments": arguments[:half]}}]},
        )
        yield _chunk(model, {"tool_calls": [{"index": index, "function": {"arguments": arguments[half:]}}]})
    yield _chunk(model, {}, "tool_calls" if calls else "stop")
    yield "data: [DONE]\n\n"


def _completion(model: str, response: dict[str, Any]) -> dict[str, Any]:
    calls = _tool_call_parts(response.get("tool_calls", []))
    message: dict[str, Any] = {"role": "assistant", "content": response.get("text") or None}
    if calls:
        message["tool_calls"] = [
            {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
            for call_id, name, arguments in calls
        ]
    return {
        "id": f"chatcmpl-{len(script.requests)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


async def chat_completions(request: Request) -> Response:
    body = await request.json()
    script.requests.append({"body": body, "bearer": request.headers.get("authorization", "").startswith("Bearer ")})
    if not script.responses:
        return JSONResponse({"error": {"message": "script exhausted", "type": "server_error"}}, status_code=500)
    response = script.responses.popleft()
    if response.get("delay"):
        await asyncio.sleep(float(response["delay"]))
    if "error" in response:
        status = int(response["error"])
        error = {"message": response.get("message", f"scripted error {status}"),
                 "type": ERROR_TYPES.get(status, "server_error"), "code": ERROR_TYPES.get(status)}
        return JSONResponse({"error": error}, status_code=status)
    model = str(body.get("model", "scripted"))
    if body.get("stream"):
        return StreamingResponse(_stream(model, response), media_type="text/event-stream")
    return JSONResponse(_completion(model, response))


async def load_script(request: Request) -> Response:
    script.load(list((await request.json()).get("responses", [])))
    return JSONResponse({"loaded": len(script.responses)})


async def requests_seen(_: Request) -> Response:
    return JSONResponse({"requests": script.requests, "remaining": len(script.responses)})


async def health(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


app = Starlette(
    routes=[
        Route("/v1/chat/completions", chat_completions, methods=["POST"]),
        Route("/script", load_script, methods=["POST"]),
        Route("/requests", requests_seen, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
    ]
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
