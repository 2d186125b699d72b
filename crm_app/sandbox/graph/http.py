"""What every Graph handler shares: the caller, scope checks, bodies, Prefer headers, collections."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from crm_app.sandbox.context import Sandbox
from crm_app.sandbox.data.tenant import User
from crm_app.sandbox.errors import BadRequest, GraphError
from crm_app.sandbox.identity.tokens import IssuedToken
from crm_app.sandbox.odata.compiler import compile_filter
from crm_app.sandbox.odata.options import (
    QueryOptions,
    build_next_link,
    parse_options,
    read_path,
    sort_items,
)
from crm_app.sandbox.odata.schema import EntitySchema

GRAPH_VERSION = "v1.0"
ALWAYS_SELECTED = ("@odata.etag", "id")
Handler = Callable[[Request, "Caller"], Awaitable[Response]]


@dataclass
class Caller:
    """The signed-in user behind a request's access token."""

    sandbox: Sandbox
    user: User
    token: IssuedToken

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(self.token.grant.scopes.graph)


def target_user(request: Request, caller: Caller) -> User:
    """The user a ``/me/...`` or ``/users/{id}/...`` path is about; delegated tokens reach only their own."""
    key = request.path_params.get("user_id")
    if key is None:
        return caller.user
    user = caller.sandbox.user(key)
    if user.id != caller.user.id:
        raise GraphError(403, "ErrorAccessDenied",
                         "Access is denied. Check credentials and try again. A delegated token can only reach the "
                         "signed-in user's own mailbox, calendar and files; use /me.")
    return user


def requires(*scopes: str) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Let the handler run only if the token holds at least one of ``scopes``."""

    def decorate(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            caller: Caller = request.state.caller
            if not caller.scopes.intersection(scopes):
                raise GraphError(
                    403,
                    "ErrorAccessDenied",
                    "Access is denied. Check credentials and try again. The access token lacks a permission "
                    f"this request needs (one of: {', '.join(scopes)}). Reconnect Microsoft 365 and consent to it.",
                )
            return await handler(request, caller)

        endpoint.__name__ = handler.__name__
        endpoint.__doc__ = handler.__doc__
        return endpoint

    return decorate


def error_body(error: GraphError, request_id: str, client_request_id: str | None) -> dict[str, Any]:
    return {
        "error": {
            "code": error.code,
            "message": error.message,
            "innerError": {
                "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": client_request_id or request_id,
            },
        }
    }


def error_response(error: GraphError, request: Request | None = None) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None) if request is not None else None
    request_id = request_id or str(uuid.uuid4())
    client_request_id = request.headers.get("client-request-id") if request is not None else None
    return JSONResponse(error_body(error, request_id, client_request_id), status_code=error.status,
                        headers=error.headers)


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object body, or Graph's 400 for an empty or malformed payload."""
    raw = await request.body()
    if not raw.strip():
        raise BadRequest("Empty Payload. JSON content expected.")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of "
            "valid JSON format."
        ) from exc
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    return body


def action_parameters(body: dict[str, Any]) -> dict[str, Any]:
    """Action parameters keyed by lower-case name: Graph matches them case-insensitively (SDKs send ``Message``)."""
    return {key.lower(): value for key, value in body.items()}


def preferences(request: Request) -> dict[str, str]:
    """``Prefer`` header values, e.g. ``{"outlook.body-content-type": "text"}``."""
    found: dict[str, str] = {}
    for header in request.headers.getlist("prefer"):
        for part in header.split(","):
            name, _, value = part.strip().partition("=")
            if name:
                found[name.strip().lower()] = value.strip().strip('"')
    return found


def base_url(request: Request) -> str:
    """Scheme and host the client used, so links point back where it came from."""
    return str(request.base_url).rstrip("/")


def context_url(request: Request, fragment: str) -> str:
    return f"{base_url(request)}/{GRAPH_VERSION}/$metadata#{fragment}"


def select_fields(data: dict[str, Any], select: Sequence[str] | None) -> dict[str, Any]:
    """``data`` reduced to ``$select`` (plus ``id`` and ``@odata.etag``, which Graph always returns)."""
    if not select:
        return dict(data)
    chosen = {key: data[key] for key in ALWAYS_SELECTED if key in data}
    for name in select:
        chosen[name] = data.get(name)
    return chosen


def collection(
    request: Request,
    fragment: str,
    values: list[dict[str, Any]],
    *,
    next_link: str | None = None,
    count: int | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"@odata.context": context_url(request, fragment)}
    if count is not None:
        body["@odata.count"] = count
    body["value"] = values
    if next_link:
        body["@odata.nextLink"] = next_link
    return JSONResponse(body, headers=headers)


def entity(request: Request, fragment: str, data: dict[str, Any], status: int = 200,
           headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"@odata.context": context_url(request, fragment), **data}, status_code=status,
                        headers=headers)


def options_for(request: Request, schema: EntitySchema, **limits: Any) -> QueryOptions:
    return parse_options(request.query_params.multi_items(), schema, **limits)


def list_response(
    request: Request,
    fragment: str,
    items: Iterable[Any],
    schema: EntitySchema,
    *,
    read: Callable[[Any], dict[str, Any]] = lambda item: item,
    render: Callable[[Any, QueryOptions], dict[str, Any]] | None = None,
    options: QueryOptions | None = None,
    use_skiptoken: bool = False,
    headers: dict[str, str] | None = None,
    extra_params: Sequence[tuple[str, str]] = (),
    search_applied: bool = False,
    **limits: Any,
) -> JSONResponse:
    """Filter, sort, page and render a small in-memory collection per the request's query options.

    ``search_applied`` says the caller already narrowed ``items`` by ``$search``.
    """
    options = options or options_for(request, schema, **limits)
    if options.search is not None and not search_applied:
        raise BadRequest("$search is not supported on this resource; use $filter.")
    rows = list(items)
    if options.filter is not None:
        predicate = compile_filter(options.filter, schema)
        rows = [item for item in rows if predicate(read(item))]
    if options.orderby:
        rows = sort_items(rows, options.orderby, lambda item, path: read_path(read(item), path))
    total = len(rows)
    page = rows[options.skip : options.skip + options.top]
    draw = render or (lambda item, opts: select_fields(read(item), opts.select))
    next_link = None
    if options.skip + options.top < total:
        next_link = build_next_link(
            f"{base_url(request)}{request.url.path}", options, options.skip + options.top,
            use_skiptoken=use_skiptoken, extra=extra_params,
        )
    return collection(request, fragment, [draw(item, options) for item in page], next_link=next_link,
                      count=total if options.count else None, headers=headers)
