"""Another team's Microsoft 365 MCP server: different tool names, argument names and result shapes
(raw Graph JSON). The assistant must find and use its tools by name, description and schema.

Its first tools are Graph-shaped ones for Teams chats, group calendars and Outlook contacts, listed
before the mail and calendar tools and sharing their words ("message", "calendar view", "outlook"):
discovery must tell them apart by domain and required inputs, not by order. Calling one is an error.

Run: ``python -m tests.integration.assistant.other_server --host 127.0.0.1 --port N`` with GRAPH_BASE_URL set.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

import httpx
import uvicorn
from mcp.server.mcpserver import Context, MCPServer
from mcp_types import ToolAnnotations
from starlette.requests import Request
from starlette.responses import JSONResponse

GRAPH = os.environ.get("GRAPH_BASE_URL", "http://127.0.0.1:8002/v1.0")
server = MCPServer("other-m365")
READ = ToolAnnotations(read_only_hint=True)


async def graph_get(ctx: Context, path: str, params: dict[str, str]) -> dict[str, Any]:
    auth = (ctx.headers or {}).get("authorization", "")
    async with httpx.AsyncClient(timeout=20) as client:
        r = await client.get(f"{GRAPH}{path}", params=params, headers={"Authorization": auth})
    r.raise_for_status()
    return r.json()


async def not_for_this(*_: Any) -> dict[str, Any]:
    raise RuntimeError("this tool does not serve mail, calendar or files; discovery must not pick it")


@server.tool(name="list-chat-messages", annotations=READ,
             description="Retrieve the list of messages in a chat. Supports $filter, $search, $top and $select.")
async def list_chat_messages(chatId: str, filter: str = "", search: str = "", top: int = 10,
                             select: str = "") -> dict[str, Any]:
    return await not_for_this()


@server.tool(name="get-chat-message", annotations=READ,
             description="Retrieve a single message or a message reply in a channel or a chat.")
async def get_chat_message(chatId: str, chatMessageId: str) -> dict[str, Any]:
    return await not_for_this()


@server.tool(name="get-group-calendar-view", annotations=READ,
             description="Get the occurrences of events in a group's calendar view defined by a time range.")
async def get_group_calendar_view(groupId: str, startDateTime: str, endDateTime: str) -> dict[str, Any]:
    return await not_for_this()


@server.tool(name="create-outlook-contact", annotations=ToolAnnotations(read_only_hint=False),
             description="Add a contact to the root Contacts folder in Outlook.")
async def create_outlook_contact(body: dict[str, Any]) -> dict[str, Any]:
    return await not_for_this()


@server.tool(annotations=READ, description="Look through the mailbox. Returns Graph message objects with bodyPreview.")
async def mailbox_lookup(ctx: Context, keywords: str = "", from_address: str = "", max_results: int = 10) -> dict[str, Any]:
    params = {"$top": str(max_results), "$select": "id,subject,from,toRecipients,receivedDateTime,bodyPreview,webLink"}
    if from_address:
        params["$filter"] = f"from/emailAddress/address eq '{from_address.replace(chr(39), chr(39) * 2)}'"
    elif keywords:
        params["$search"] = f'"{keywords}"'
    return await graph_get(ctx, "/me/messages", params)


@server.tool(annotations=READ, description="Fetch a single mail message by id, including its full body.")
async def fetch_message(ctx: Context, id: str) -> dict[str, Any]:
    return await graph_get(ctx, f"/me/messages/{id}", {})


@server.tool(annotations=READ, description="Calendar events between two datetimes.")
async def agenda(ctx: Context, start_date: str, end_date: str) -> dict[str, Any]:
    return await graph_get(ctx, "/me/calendarView", {"startDateTime": start_date, "endDateTime": end_date})


@server.tool(annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True),
             description="Deliver an email message now.")
async def deliver_mail(ctx: Context, recipients: list[str], title: str, content: str) -> dict[str, Any]:
    raise RuntimeError("not used in tests")


@server.custom_route("/health", methods=["GET"])
async def health(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    a = ap.parse_args()
    uvicorn.run(server.streamable_http_app(), host=a.host, port=a.port, log_level="warning")


if __name__ == "__main__":
    main()
