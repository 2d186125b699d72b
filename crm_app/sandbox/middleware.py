"""The ASGI layer in front of every route: request ids, Graph authentication, faults, throttling, logs."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crm_app.sandbox.context import Sandbox
from crm_app.sandbox.errors import GraphError
from crm_app.sandbox.graph.http import Caller, error_response

log = logging.getLogger("crm_app.sandbox.access")
GRAPH_PREFIX = "/v1.0/"
UNFAULTED_PREFIXES = ("/_admin/", "/health")
DOWNLOAD_PREFIX = "/_download/"
DROPPED_BODY_PROMISE = 4096


def log_path(path: str) -> str:
    """The path as logged and counted: download links carry a credential, so it is cut off."""
    return DOWNLOAD_PREFIX + "..." if path.startswith(DOWNLOAD_PREFIX) else path


def _throttled(code: str, message: str, retry_after: int, status: int = 429) -> GraphError:
    return GraphError(status, code, message, {"Retry-After": str(retry_after)})


class SandboxMiddleware:
    """Runs before routing; see the module docstring."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path: str = scope["path"]
        request_id = str(uuid.uuid4())
        request = Request(scope)
        client_request_id = request.headers.get("client-request-id") or request_id
        scope.setdefault("state", {})["request_id"] = request_id
        status_holder: dict[str, int | str] = {"status": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"request-id", request_id.encode()))
                headers.append((b"client-request-id", client_request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.dispatch(scope, receive, send_wrapper, request, path)
        finally:
            status = status_holder["status"]
            self.sandbox.stats.record(log_path(path), int(status))
            if scope["state"].get("dropped"):
                status = f"{status} (connection dropped)"
            log.info('%s "%s %s" %s %.1fms', (scope.get("client") or ("-",))[0], scope["method"], log_path(path),
                     status, (time.perf_counter() - started) * 1000)

    async def dispatch(self, scope: Scope, receive: Receive, send: Send, request: Request, path: str) -> None:
        sandbox = self.sandbox
        caller: Caller | None = None
        if path.startswith(GRAPH_PREFIX):
            try:
                token = sandbox.tokens.authenticate(request.headers.get("authorization"))
            except GraphError as auth_error:
                await error_response(auth_error, request)(scope, receive, send)
                return
            caller = Caller(sandbox, sandbox.user(token.grant.user), token)
            scope["state"]["caller"] = caller
        user = caller.user.mail.lower() if caller else None
        if caller is None or user is None or not sandbox.faults.is_mailbox_path(path):
            await self.with_faults(scope, receive, send, request, path, user)
            return
        if not sandbox.faults.enter(user):
            error = _throttled(
                "ApplicationThrottled",
                "Application is over its MailboxConcurrency limit. At most "
                f"{sandbox.faults.concurrency_limit} requests per mailbox may run at once; wait for the "
                "Retry-After seconds and send fewer requests in parallel.",
                1,
            )
            await error_response(error, request)(scope, receive, send)
            return
        try:
            await self.with_faults(scope, receive, send, request, path, user)
        finally:
            sandbox.faults.leave(user)

    async def with_faults(self, scope: Scope, receive: Receive, send: Send, request: Request, path: str,
                          user: str | None) -> None:
        """Apply matching fault rules (latency, drop, 429/503), then run the app."""
        sandbox = self.sandbox
        if not path.startswith(UNFAULTED_PREFIXES):
            decision = sandbox.faults.decide(path, user)
            if decision.latency_ms:
                await asyncio.sleep(decision.latency_ms / 1000)
            if decision.drop:
                sandbox.stats.dropped += 1
                scope["state"]["dropped"] = True
                await self.drop(send)
                return
            if decision.status is not None:
                sandbox.stats.faults_injected += 1
                error = (
                    _throttled("TooManyRequests", "Too many requests. Wait for the number of seconds in the "
                               "Retry-After header, then retry.", decision.retry_after)
                    if decision.status == 429
                    else _throttled("ServiceUnavailable", "The service is temporarily unavailable. Wait for the "
                                    "number of seconds in the Retry-After header, then retry.", decision.retry_after,
                                    503)
                )
                await error_response(error, request)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    async def drop(send: Send) -> None:
        """Start a response, send part of it and stop: the connection closes mid-body."""
        headers: list[tuple[bytes, bytes]] = [
            (b"content-type", b"application/json"),
            (b"content-length", str(DROPPED_BODY_PROMISE).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"value": [', "more_body": True})


class QuietDroppedConnections(logging.Filter):
    """Keeps uvicorn from logging an injected dropped connection as an application error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "ASGI callable returned without completing response" not in record.getMessage()


def install_log_filter() -> None:
    logging.getLogger("uvicorn.error").addFilter(QuietDroppedConnections())

