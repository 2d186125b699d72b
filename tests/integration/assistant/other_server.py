"""Another team's Microsoft 365 MCP server: different tool names, argument names and result shapes
(raw Graph JSON). The assistant must find and use its tools by name, description and schema.

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
