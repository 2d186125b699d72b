"""What every tool module shares: the tool table entry, the caller's token, argument types, annotations."""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import ToolAnnotations
from pydantic import AfterValidator, BeforeValidator, Field

from crm_app.ms365_mcp.errors import AuthenticationRequired
from crm_app.ms365_mcp.graph import GraphClient, Params
from crm_app.graph_query.timeparse import check_iso, check_time_zone

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)
ADDITIVE = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True)

_BEARER = re.compile(r"^\s*Bearer\s+(\S+)\s*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\"]+$")
MAX_ADDRESS_LENGTH = 254
SHORT_TEXT = 255
NOTE_TEXT = 2_000
LONG_TEXT = 20_000
LIST_MAX_PAGES = 2

T = TypeVar("T")


@dataclass(frozen=True)
class ToolSpec:
    """One MCP tool: the coroutine that runs it (the Graph client is its first parameter, the tool's
    arguments follow), the title shown to people, the description the model reads, and its hints."""

    run: Callable[..., Awaitable[Any]]
    title: str
    description: str
    annotations: ToolAnnotations


def add_tools(server: MCPServer, graph: GraphClient, specs: Iterable[ToolSpec]) -> None:
    """Register each tool on `server`, named after its coroutine, calling Graph through `graph`."""
    for spec in specs:
        server.add_tool(
            _with_graph(spec.run, graph),
            name=spec.run.__name__,
            title=spec.title,
            description=spec.description,
            annotations=spec.annotations,
        )


def _with_graph(run: Callable[..., Awaitable[Any]], graph: GraphClient) -> Callable[..., Awaitable[Any]]:
    """`run` with `graph` passed as its first argument; the signature the server reads leaves that parameter out."""

    @functools.wraps(run)
    async def call(*args: Any, **kwargs: Any) -> Any:
        return await run(graph, *args, **kwargs)

    signature = inspect.signature(run, eval_str=True)
    call.__signature__ = signature.replace(parameters=list(signature.parameters.values())[1:])  # type: ignore[attr-defined]
    return call


def bearer_token(ctx: Context) -> str:
    """The delegated Microsoft Graph token from this MCP request's `Authorization` header."""
    headers = ctx.headers or {}
    header = headers.get("authorization") or ""
    match = _BEARER.match(header)
    if not match:
        raise AuthenticationRequired(
            "No Microsoft 365 access token came with this request. Connect Microsoft 365 (sign in) and send "
            "the delegated token as 'Authorization: Bearer <token>', then retry."
        )
    return match.group(1)


async def fetch_list(
    graph: GraphClient,
    token: str,
    path: str,
    convert: Callable[[dict[str, Any]], T],
    *,
    params: Params,
    limit: int,
    headers: Mapping[str, str] | None = None,
) -> tuple[list[T], bool]:
    """Up to `limit` items of a Graph collection, converted, and whether more were left out."""
    page = await graph.collect(
        path, token=token, params=params, headers=headers, limit=limit, max_pages=LIST_MAX_PAGES
    )
    return [convert(item) for item in page.items], page.has_more


def segment(value: str) -> str:
    """A Graph id made safe as one URL path segment."""
    return quote(value, safe="")


def blank_to_none(value: object) -> object:
    """Treat empty and whitespace-only strings as 'not given'."""
    if isinstance(value, str) and not value.strip():
        return None
    return value.strip() if isinstance(value, str) else value


def check_address(value: str) -> str:
    address = value.strip()
    if len(address) > MAX_ADDRESS_LENGTH or not _EMAIL.match(address):
        raise ValueError(f"{value!r} is not an email address such as name@example.com")
    return address


def _check_id(value: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError("must not be empty")
    if any(ch in text for ch in "\r\n\t"):
        raise ValueError("must be an id as returned by another tool")
    return text


def _check_text(value: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError("must not be empty")
    return text


EmailAddress = Annotated[str, AfterValidator(check_address)]
GraphId = Annotated[str, AfterValidator(_check_id)]
RequiredText = Annotated[str, AfterValidator(_check_text)]
OptionalText = Annotated[str | None, BeforeValidator(blank_to_none)]
# Optional text with a length limit. The limit sits on the text itself, so a blank value (not given) is valid.
OptionalShortText = Annotated[Annotated[str, Field(max_length=SHORT_TEXT)] | None, BeforeValidator(blank_to_none)]
OptionalNote = Annotated[Annotated[str, Field(max_length=NOTE_TEXT)] | None, BeforeValidator(blank_to_none)]
OptionalLongText = Annotated[Annotated[str, Field(max_length=LONG_TEXT)] | None, BeforeValidator(blank_to_none)]
ShortName = Annotated[RequiredText, Field(max_length=SHORT_TEXT)]
IsoDateTime = Annotated[str, AfterValidator(check_iso)]
OptionalIsoDateTime = Annotated[str | None, BeforeValidator(blank_to_none), AfterValidator(
    lambda v: None if v is None else check_iso(v)
)]
TimeZoneName = Annotated[
    str,
    AfterValidator(check_time_zone),
    Field(description="IANA time zone such as 'Europe/London' or 'America/New_York'; default UTC"),
]
AddressList = Annotated[list[EmailAddress], Field(min_length=1, max_length=100)]
OptionalAddressList = Annotated[list[EmailAddress] | None, Field(max_length=100)]
