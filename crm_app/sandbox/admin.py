"""The admin and test API under ``/_admin/`` (loopback clients only)."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crm_app.sandbox import mail_service
from crm_app.sandbox.context import Sandbox
from crm_app.sandbox.data.tenant import Person
from crm_app.sandbox.errors import BadRequest, GraphError, OAuthError
from crm_app.sandbox.faults import FaultRule
from crm_app.sandbox.identity.scopes import parse_scopes
from crm_app.sandbox.identity.tokens import GRANT_ADMIN, Grant
from crm_app.sandbox.odata.values import parse_datetime

AdminHandler = Callable[[Request, Sandbox], Awaitable[Response]]


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def admin(handler: AdminHandler) -> Callable[[Request], Awaitable[Response]]:
    """Refuse non-loopback clients; turn errors into ``{"error": {...}}`` JSON."""

    async def endpoint(request: Request) -> Response:
        client = request.client.host if request.client else None
        if not is_loopback(client):
            return JSONResponse(
                {"error": {"code": "Forbidden", "message": "The admin API only answers loopback clients."}},
                status_code=403,
            )
        try:
            return await handler(request, request.app.state.sandbox)
        except (GraphError, OAuthError) as error:
            code = error.code if isinstance(error, GraphError) else error.error
            message = error.message if isinstance(error, GraphError) else error.description
            status = error.status if isinstance(error, GraphError) else 400
            return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)

    endpoint.__name__ = handler.__name__
    return endpoint


async def body_of(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise BadRequest("The admin request body must be JSON.") from exc
    if not isinstance(body, dict):
        raise BadRequest("The admin request body must be a JSON object.")
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadRequest("The admin request body holds an unpaired UTF-16 surrogate (a \\ud800-\\udfff escape "
                         "without its partner); send valid Unicode text.") from exc
    return body


def require_user(sandbox: Sandbox, body: dict[str, Any]) -> str:
    mail = body.get("user")
    if not isinstance(mail, str) or sandbox.tenant.user_by_mail(mail) is None:
        known = ", ".join(user.mail for user in sandbox.tenant.users)
        raise BadRequest(f"'user' must be the address of a demo user: {known}.")
    return mail.lower()


@admin
async def reset(request: Request, sandbox: Sandbox) -> Response:
    body = await body_of(request)
    sandbox.reset(tokens=bool(body.get("tokens", False)))
    return JSONResponse({"status": "reset", "now": sandbox.state.data.now.isoformat()})


@admin
async def mint_tokens(request: Request, sandbox: Sandbox) -> Response:
    body = await body_of(request)
    user = require_user(sandbox, body)
    scopes = body.get("scopes")
    if not isinstance(scopes, list) or not scopes or not all(isinstance(s, str) for s in scopes):
        raise BadRequest("'scopes' must be a non-empty list such as [\"Mail.Read\", \"User.Read\"].")
    lifetime = body.get("lifetime")
    if lifetime is not None and (isinstance(lifetime, bool) or not isinstance(lifetime, int) or lifetime < 1):
        raise BadRequest("'lifetime' must be a positive number of seconds.")
    client_id = body.get("client_id") or sandbox.settings.client_id
    grant = Grant(user, str(client_id), parse_scopes([*scopes, "offline_access"]))
    pair = sandbox.tokens.issue(grant, GRANT_ADMIN, lifetime)
    return JSONResponse({
        "access_token": pair.access.token,
        "refresh_token": pair.refresh.token if pair.refresh else None,
        "expires_in": int(pair.access.expires_at - pair.access.issued_at),
        "scope": grant.scopes.granted(),
        "token_type": "Bearer",
    })


@admin
async def revoke(request: Request, sandbox: Sandbox) -> Response:
    user = require_user(sandbox, await body_of(request))
    return JSONResponse({"user": user, "revoked": sandbox.tokens.revoke_user(user)})


def config_snapshot(sandbox: Sandbox) -> dict[str, Any]:
    return {
        "token_lifetime": sandbox.tokens.access_lifetime,
        "refresh_token_lifetime": sandbox.tokens.refresh_lifetime,
        "mailbox_concurrency_limit": sandbox.faults.concurrency_limit,
    }


@admin
async def config(request: Request, sandbox: Sandbox) -> Response:
    if request.method == "GET":
        return JSONResponse(config_snapshot(sandbox))
    body = await body_of(request)
    knobs = {"token_lifetime", "refresh_token_lifetime", "mailbox_concurrency_limit"}
    unknown = sorted(set(body) - knobs)
    if unknown:
        raise BadRequest(f"Unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(knobs))}.")
    for key, value in body.items():
        minimum = 0 if key == "mailbox_concurrency_limit" else 1
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise BadRequest(f"'{key}' must be an integer of at least {minimum}"
                             + (" (0 switches the limit off)." if minimum == 0 else "."))
    if "token_lifetime" in body:
        sandbox.tokens.access_lifetime = body["token_lifetime"]
    if "refresh_token_lifetime" in body:
        sandbox.tokens.refresh_lifetime = body["refresh_token_lifetime"]
    if "mailbox_concurrency_limit" in body:
        sandbox.faults.concurrency_limit = body["mailbox_concurrency_limit"]
    return JSONResponse(config_snapshot(sandbox))


@admin
async def faults(request: Request, sandbox: Sandbox) -> Response:
    if request.method == "DELETE":
        sandbox.faults.clear()
        return JSONResponse({"rules": []})
    if request.method == "POST":
        rule = sandbox.faults.add(FaultRule.from_json(await body_of(request)))
        return JSONResponse(rule.describe(), status_code=201)
    return JSONResponse({"rules": [rule.describe() for rule in sandbox.faults.rules]})


@admin
async def stats(request: Request, sandbox: Sandbox) -> Response:
    snapshot = sandbox.stats.snapshot()
    snapshot["token_grants"] = sandbox.tokens.grant_counts()
    snapshot["in_flight"] = dict(sandbox.faults.in_flight)
    return JSONResponse(snapshot)


@admin
async def issued_tokens(request: Request, sandbox: Sandbox) -> Response:
    return JSONResponse({"tokens": [token.describe() for token in sandbox.tokens.issued]})


@admin
async def outbound(request: Request, sandbox: Sandbox) -> Response:
    return JSONResponse({"messages": sandbox.outbound})


@admin
async def users(request: Request, sandbox: Sandbox) -> Response:
    return JSONResponse({"users": [
        {"id": u.id, "displayName": u.display_name, "mail": u.mail, "jobTitle": u.job_title,
         "mailbox": u.mailbox, "timeZone": u.time_zone}
        for u in sandbox.tenant.users
    ]})


@admin
async def inject_message(request: Request, sandbox: Sandbox) -> Response:
    body = await body_of(request)
    mail = require_user(sandbox, body)
    user = sandbox.tenant.user_by_mail(mail)
    assert user is not None
    sender = body.get("from")
    if not isinstance(sender, dict) or not isinstance(sender.get("address"), str):
        raise BadRequest("'from' must be {\"name\": ..., \"address\": ...}.")
    content_type = body.get("content_type", "text")
    if content_type not in ("text", "html"):
        raise BadRequest("'content_type' must be 'text' or 'html'.")
    content = body.get("body", "")
    subject = body.get("subject", "")
    if not isinstance(content, str) or not isinstance(subject, str):
        raise BadRequest("'subject' and 'body' must be strings.")
    received = parse_datetime(str(body["received"])) if body.get("received") else sandbox.state.now()
    composition = mail_service.Composition(subject=subject, body=content, content_type=content_type,
                                           to=[user.person])
    folder = body.get("folder", "inbox")
    mailbox = sandbox.state.mailbox(user)
    mailbox.folder(str(folder))
    message = mail_service.store_message(
        sandbox, user, composition, folder=str(folder),
        sender=Person(str(sender.get("name") or sender["address"]), sender["address"]), when=received,
        is_read=bool(body.get("is_read", False)),
    )
    return JSONResponse(message.data, status_code=201)


def routes() -> list[Route]:
    return [
        Route("/_admin/reset", reset, methods=["POST"]),
        Route("/_admin/tokens", mint_tokens, methods=["POST"]),
        Route("/_admin/revoke", revoke, methods=["POST"]),
        Route("/_admin/config", config, methods=["GET", "POST"]),
        Route("/_admin/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/_admin/stats", stats, methods=["GET"]),
        Route("/_admin/issued-tokens", issued_tokens, methods=["GET"]),
        Route("/_admin/outbound", outbound, methods=["GET"]),
        Route("/_admin/users", users, methods=["GET"]),
        Route("/_admin/messages", inject_message, methods=["POST"]),
    ]
