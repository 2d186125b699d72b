"""A small MCP server over Streamable HTTP for exercising the MCP client manager.

Run it with ``python -m tests.integration.mcp_client.echo_server --host 127.0.0.1 --port N``.
It serves MCP at ``/mcp``, ``GET /health``, and ``GET /stats`` with counters the tests read:
how many sessions were initialized, how many times each tool ran, the peak number of
concurrent ``sleep`` calls, and which bearer tokens each tool saw.

Tokens drive the authentication behaviour:

* a bearer token containing ``http401`` is refused at the HTTP layer with status 401;
* ``graph_me`` answers with a Microsoft Graph style ``InvalidAuthenticationToken`` tool error
  when the token contains ``expired``;
* ``flaky_auth`` answers with that error the first time it sees a given token, then succeeds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter
from typing import Any

import uvicorn
from mcp.server.context import CallNext, ServerRequestContext
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

GRAPH_401_TEXT = json.dumps(
    {
        "error": {
            "code": "InvalidAuthenticationToken",
            "status": 401,
            "message": "Access token has expired or is not yet valid.",
        }
    }
)


class Stats:
    """Counters the tests read through ``GET /stats``."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.flaky_seen: set[str] = set()
        self.reset()

    def reset(self) -> None:
        """Zero the counters; calls in flight and tokens already refused stay known."""
        self.initializations = 0
        self.methods: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.peak_in_flight = self.in_flight
        self.tokens_seen: dict[str, list[str]] = {}

    def as_dict(self) -> dict[str, Any]:
        return {
            "initializations": self.initializations,
            "methods": dict(self.methods),
            "calls": dict(self.calls),
            "peak_in_flight": self.peak_in_flight,
            "tokens_seen": self.tokens_seen,
        }


stats = Stats()


class CountRequests:
    """Server middleware counting requests by method; ``initialize`` opens one client session."""

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> Any:
        if ctx.method == "initialize":
            stats.initializations += 1
        stats.methods[ctx.method] += 1
        return await call_next(ctx)


server = MCPServer(name="echo", instructions="Test server for the MCP client manager.", middleware=[CountRequests()])


def _bearer(ctx: Context) -> str:
    headers = ctx.headers or {}
    value = headers.get("authorization", "")
    return value.removeprefix("Bearer ").strip()


def _record(tool: str, ctx: Context) -> str:
    token = _bearer(ctx)
    stats.calls[tool] += 1
    stats.tokens_seen.setdefault(tool, []).append(token)
    return token


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
async def echo_headers(tag: str, ctx: Context) -> dict[str, Any]:
    """Return the request's authorization and x-api-key headers with the caller's tag."""
    _record("echo_headers", ctx)
    headers = ctx.headers or {}
    return {"tag": tag, "authorization": headers.get("authorization"), "x_api_key": headers.get("x-api-key")}


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
async def echo_arguments(payload: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """Return the payload it was given."""
    _record("echo_arguments", ctx)
    return payload


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
async def sleep(seconds: float, ctx: Context) -> str:
    """Sleep for the given number of seconds, tracking how many sleeps run at once."""
    _record("sleep", ctx)
    stats.in_flight += 1
    stats.peak_in_flight = max(stats.peak_in_flight, stats.in_flight)
    try:
        await asyncio.sleep(seconds)
    finally:
        stats.in_flight -= 1
    return f"slept {seconds}"


@server.tool(annotations=ToolAnnotations(destructive_hint=True))
async def fail(message: str, ctx: Context) -> str:
    """Fail with the given message as a tool error."""
    _record("fail", ctx)
    raise ToolError(message)


def _text_result(text: str, *, is_error: bool = False) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=is_error)


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
async def graph_me(ctx: Context) -> CallToolResult:
    """Answer like the Microsoft 365 server: a 401 tool error for an expired token, else the profile."""
    token = _record("graph_me", ctx)
    if "expired" in token:
        return _text_result(GRAPH_401_TEXT + "\nSign in to Microsoft 365 again.", is_error=True)
    return _text_result(f"profile for {token}")


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
async def flaky_auth(ctx: Context) -> CallToolResult:
    """Refuse each token once with a 401 tool error, then accept it."""
    token = _record("flaky_auth", ctx)
    if token not in stats.flaky_seen:
        stats.flaky_seen.add(token)
        return _text_result(GRAPH_401_TEXT, is_error=True)
    return _text_result(f"ok for {token}")


async def added_tool() -> str:
    """A tool that exists only after ``change_tools`` ran."""
    return "added"


@server.tool()
async def change_tools(ctx: Context) -> str:
    """Add the ``added_tool`` tool and announce the change with ``notifications/tools/list_changed``."""
    _record("change_tools", ctx)
    if not any(tool.name == "added_tool" for tool in await server.list_tools()):
        server.add_tool(added_tool, name="added_tool")
    await ctx.session.send_tool_list_changed()
    return "tools changed"


@server.custom_route("/health", methods=["GET"])
async def health(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


@server.custom_route("/stats", methods=["GET"])
async def read_stats(_: Request) -> Response:
    return JSONResponse(stats.as_dict())


@server.custom_route("/stats/reset", methods=["POST"])
async def reset_stats(_: Request) -> Response:
    stats.reset()
    return JSONResponse(stats.as_dict())


class RefuseHttp401Tokens:
    """ASGI wrapper answering 401 to any request whose bearer token contains ``http401``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
            if "http401" in headers.get("authorization", ""):
                stats.calls["http401"] += 1
                response = JSONResponse({"error": "invalid_token"}, status_code=401)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def build_app(*, stateless: bool = False) -> ASGIApp:
    return RefuseHttp401Tokens(server.streamable_http_app(stateless_http=stateless))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--stateless", action="store_true", help="serve without MCP sessions")
    args = parser.parse_args()
    uvicorn.run(build_app(stateless=args.stateless), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
