"""OData, KQL and path injection through every text argument of every MS365 MCP tool, plus oversized, empty and
non-UTF-8 input. The tools are listed from the running server, so a new tool or argument is covered (or the test
names it as unclassified).

What must hold for every call: the server answers (a result or a clean tool error, never a crash); Graph never
sees a query the payload broke (no 400 from Graph); a search can only be narrowed by what is typed into it, never
widened; an id addresses that id or nothing.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from mcp import ClientSession
from mcp_types import CallToolResult, Tool

from tests.faults.support import tool_text as text_of
from tests.integration.ms365_mcp.harness import ALL_SCOPES, Mcp, Sandbox

ODATA = ["' or 1 eq 1 or '", "') or (true", "' or contains(subject,'') or '", "'; $top=999", "&$filter=true&$top=999",
         " eq null or 1 eq 1"]
KQL = ['" OR *', " OR *", " OR from:*", " OR subject:* OR body:*", ") OR (*", ' NOT zzzz', " received>=1900-01-01 OR *",
       '\\" OR \\"*', " NEAR(a,b) OR *"]
PATHS = ["..", ".", "../..", "../../users/jordan.patel@northwind.example/messages", "%2e%2e", "..%2f..%2fme",
         "x?$select=*", "x#fragment", "/", "x/../../../me"]
OVERSIZED = "A" * 70_000
CRASH_CODES = {"InternalError"}

# How each argument is probed, by name.
SEARCH_WORDS = {"query", "sender", "folder"}
IDS = {"message_id", "item_id", "folder_id", "drive_id", "site_id", "team_id", "channel_id"}
FILE_PATHS = {"path"}
DATES = {"start", "end"}
ZONES = {"time_zone"}
ADDRESSES = {"to", "cc", "recipients", "attendees", "optional_attendees", "participants"}
NAMES = {"team", "channel"}  # matched against the listed teams and channels on the server, never sent to Graph
CONTENT = {"subject", "body", "comment", "message", "location"}
CHOICES = {"role"}
MAY_BE_BLANK = {"body"}
CLASSIFIED = SEARCH_WORDS | IDS | FILE_PATHS | DATES | ZONES | ADDRESSES | NAMES | CONTENT | CHOICES


def string_arguments(tool: Tool) -> dict[str, bool]:
    """The tool's text arguments: name → whether it takes a list of strings."""
    out: dict[str, bool] = {}
    for name, schema in (tool.input_schema.get("properties") or {}).items():
        options = [schema, *(schema.get("anyOf") or [])]
        if any(o.get("type") == "string" for o in options):
            out[name] = False
        elif any(o.get("type") == "array" and (o.get("items") or {}).get("type") == "string" for o in options):
            out[name] = True
    return out


@dataclass
class Probe:
    """One MCP session and the sandbox's counters: calls tools and attributes Graph's 400s to a group of calls."""

    session: ClientSession
    graph: Sandbox
    problems: list[str] = field(default_factory=list)

    async def run(self, label: str, tool: str, calls: list[dict[str, Any]], *,
                  syntax_checked: bool = True) -> list[CallToolResult]:
        """Make the calls; note a crash, and any 400 Graph gave while they ran (a payload broke the syntax).

        Graph answers a malformed id with 400 (``ErrorInvalidIdMalformed``), so id probes pass
        ``syntax_checked=False``: for them only success would be a failure.
        """
        before = self.graph.stats()["statuses"].get("400", 0)
        results = []
        for arguments in calls:
            result = await self.session.call_tool(tool, arguments)
            if result.is_error:
                error = error_of(result)
                if error.get("code") in CRASH_CODES or error.get("status") == 500:
                    self.problems.append(f"{tool}({arguments}): the server crashed: {error.get('message')}")
                elif not error.get("message"):
                    self.problems.append(f"{tool}({arguments}): failed without saying why")
            results.append(result)
        if syntax_checked and self.graph.stats()["statuses"].get("400", 0) != before:
            self.problems.append(f"{label}: Graph answered 400 — a payload changed the request's syntax")
        return results

    def found(self, tool: str, arguments: dict[str, Any], result: CallToolResult, key: str) -> set[str]:
        if result.is_error:
            return set()
        data = result.structured_content or {}
        if data.get("dropped_mismatches"):
            self.problems.append(f"{tool}({arguments}): Graph returned {data['dropped_mismatches']} messages outside "
                                 "the request — the filter was widened")
        return {str(item.get("id")) for item in data.get(key) or []}


def error_of(result: CallToolResult) -> dict[str, Any]:
    text = text_of(result) or "{}"
    try:
        return json.loads(text.splitlines()[0]).get("error") or {}
    except (ValueError, AttributeError):
        return {"code": "Unparsed", "message": text[:200]}


RESULT_KEYS = {
    "outlook_search_emails": "emails", "directory_find_people": "people", "sharepoint_list_sites": "sites",
    "onedrive_search_files": "files", "sharepoint_search_files": "files", "onedrive_list_files": "files",
    "sharepoint_list_files": "files", "outlook_get_calendar_events": "events",
}
# A benign value per (tool, argument) that matches a few items (with other arguments that narrow it further), so
# a payload appended to it must not match more.
BENIGN: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    ("outlook_search_emails", "query"): ("budget", {}),
    ("outlook_search_emails", "sender"): ("john.smith@acme.example", {}),
    ("outlook_search_emails", "folder"): ("inbox", {"query": "budget"}),
    ("directory_find_people", "query"): ("avery", {}),
    ("sharepoint_list_sites", "query"): ("sales", {}),
    ("onedrive_search_files", "query"): ("budget", {}),
    ("sharepoint_search_files", "query"): ("report", {}),
}


@asynccontextmanager
async def probing(mcp_server: Mcp, graph: Sandbox, token: str) -> AsyncIterator[tuple[Probe, list[Tool], dict[str, str]]]:
    """A probe on one MCP session, the server's tools and real ids; what the probe found fails the test at the end."""
    problems: list[str] = []
    async with mcp_server.session(token) as session:
        probe = Probe(session, graph, problems)
        yield probe, (await session.list_tools()).tools, await real_ids(session)
    assert not problems, "\n".join(problems[:40]) + (f"\n… {len(problems) - 40} more" if len(problems) > 40 else "")


@pytest.fixture(scope="module")
def token(graph: Sandbox) -> str:
    return graph.token(scopes=ALL_SCOPES)


async def real_ids(session: ClientSession) -> dict[str, str]:
    """Ids that exist in the demo tenant, as the tools themselves return them."""
    async def data(tool: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        result = await session.call_tool(tool, arguments or {})
        assert not result.is_error, text_of(result)
        return result.structured_content or {}

    emails = (await data("outlook_search_emails", {"top": 1}))["emails"]
    files = (await data("onedrive_list_files", {}))["files"]
    folder = next(f for f in files if f["is_folder"])
    document = next(f for f in files if not f["is_folder"])
    site = (await data("sharepoint_list_sites", {}))["sites"][0]
    team = (await data("teams_list_teams", {}))["teams"][0]
    channel = (await data("teams_list_channels", {"team_id": team["id"]}))["channels"][0]
    return {"message_id": emails[0]["id"], "item_id": document["id"], "folder_id": folder["id"],
            "drive_id": document["drive_id"], "site_id": site["id"], "team_id": team["id"], "channel_id": channel["id"],
            "team": team["display_name"], "channel": channel["display_name"]}


def widest(tool: Tool) -> dict[str, Any]:
    """The largest page the tool allows, so a subset check is not cut short by paging."""
    top = (tool.input_schema.get("properties") or {}).get("top")
    return {"top": top["maximum"]} if top and "maximum" in top else {}


def baseline(tool: Tool, ids: dict[str, str]) -> dict[str, Any]:
    """Valid values for the tool's required arguments."""
    values: dict[str, Any] = {
        **ids, "query": "report", "subject": "Injection drill", "body": "drill", "comment": "drill", "message": "drill",
        "to": ["drill@example.com"], "recipients": ["drill@example.com"], "attendees": ["drill@example.com"],
        "start": "2025-06-17T10:00:00", "end": "2025-06-17T10:30:00",
    }
    return {name: values[name] for name in tool.input_schema.get("required") or []}


async def test_every_text_argument_is_classified(mcp_server: Mcp, token: str):
    async with mcp_server.session(token) as session:
        tools = (await session.list_tools()).tools
    unknown = {f"{t.name}.{name}" for t in tools for name in string_arguments(t) if name not in CLASSIFIED}
    assert not unknown, f"new text arguments need an injection probe here: {sorted(unknown)}"
    assert sum(len(string_arguments(t)) for t in tools) >= 30


async def test_search_arguments_can_only_narrow(mcp_server: Mcp, graph: Sandbox, token: str):
    async with probing(mcp_server, graph, token) as (probe, listed, ids):
        tools = {t.name: t for t in listed}
        for (tool_name, argument), (benign, narrower) in BENIGN.items():
            tool, key = tools[tool_name], RESULT_KEYS[tool_name]
            base = {**baseline(tool, ids), **narrower, argument: benign, **widest(tool)}
            unfiltered = {k: v for k, v in base.items() if k != argument}
            calls = [base, unfiltered, *({**base, argument: benign + p} for p in ODATA + KQL),
                     *({**base, argument: p.strip()} for p in ODATA + KQL)]
            results = await probe.run(f"{tool_name}({argument})", tool_name, calls)
            found = [probe.found(tool_name, call, result, key) for call, result in zip(calls, results, strict=True)]
            allowed, everything = found[0], found[1]
            assert 0 < len(allowed) < base.get("top", 1000), f"{tool_name}({base}) should match a few items"
            for call, hits in zip(calls[2:], found[2:], strict=True):
                value = call[argument]
                if value.startswith(benign) and not hits <= allowed:
                    probe.problems.append(f"{tool_name}({argument}={value!r}) returned {len(hits - allowed)} "
                                          f"results beyond {benign!r}: the payload widened it")
                if not value.startswith(benign) and hits and hits == everything and tool_name != "sharepoint_list_sites":
                    probe.problems.append(f"{tool_name}({argument}={value!r}) matched everything")


async def test_ids_address_that_id_or_nothing(mcp_server: Mcp, graph: Sandbox, token: str):
    async with probing(mcp_server, graph, token) as (probe, tools, ids):
        for tool in tools:
            for argument in [a for a in string_arguments(tool) if a in IDS]:
                payloads = [*PATHS, ids[argument] + "/../../me", ids[argument] + "?$select=*"]
                calls = [{**baseline(tool, ids), argument: p} for p in payloads]
                results = await probe.run(f"{tool.name}({argument})", tool.name, calls, syntax_checked=False)
                for payload, result in zip(payloads, results, strict=True):
                    if not result.is_error:
                        probe.problems.append(f"{tool.name}({argument}={payload!r}) succeeded: something that "
                                              "is not an id reached a resource")


async def test_every_other_text_argument_is_data_not_syntax(mcp_server: Mcp, graph: Sandbox, token: str):
    async with probing(mcp_server, graph, token) as (probe, tools, ids):
        payloads = [*ODATA[:3], *KQL[:3], *PATHS[:2], "<script>alert(1)</script>", "💥" * 50]
        for tool in tools:
            for argument, is_list in string_arguments(tool).items():
                if argument in IDS or (tool.name, argument) in BENIGN:
                    continue
                calls = [{**baseline(tool, ids), argument: [p] if is_list else p} for p in payloads]
                results = await probe.run(f"{tool.name}({argument})", tool.name, calls)
                if argument in ADDRESSES | DATES | ZONES | CHOICES:
                    accepted = [p for p, r in zip(payloads, results, strict=True) if not r.is_error]
                    if accepted:
                        probe.problems.append(f"{tool.name}({argument}) accepted {accepted} as valid")


async def test_oversized_and_empty_text_is_refused_cleanly(mcp_server: Mcp, graph: Sandbox, token: str):
    async with probing(mcp_server, graph, token) as (probe, tools, ids):
        for tool in tools:
            required = set(tool.input_schema.get("required") or [])
            for argument, is_list in string_arguments(tool).items():
                blank_refused = argument in required and argument not in MAY_BE_BLANK
                cases = [(OVERSIZED, argument not in CONTENT), ("", blank_refused), ("   ", blank_refused)]
                calls = [{**baseline(tool, ids), argument: [p] if is_list else p} for p, _ in cases]
                results = await probe.run(f"{tool.name}({argument})", tool.name, calls)
                for (payload, must_fail), result in zip(cases, results, strict=True):
                    if must_fail and not result.is_error:
                        probe.problems.append(f"{tool.name}({argument}={payload[:8]!r}… {len(payload)} chars) "
                                              "was accepted")


def rpc(url: str, headers: dict[str, str], body: bytes) -> httpx.Response:
    return httpx.post(url, headers=headers, content=body, timeout=30)


async def test_non_utf8_requests_get_a_parse_error_and_the_server_carries_on(mcp_server: Mcp, token: str):
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json, text/event-stream",
               "Content-Type": "application/json"}
    hello = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
             "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
    opened = rpc(mcp_server.url, headers, json.dumps(hello).encode())
    assert opened.status_code == 200
    session = {**headers, "mcp-protocol-version": "2025-06-18"}
    if "mcp-session-id" in opened.headers:
        session["mcp-session-id"] = opened.headers["mcp-session-id"]
    assert rpc(mcp_server.url, session, b'{"jsonrpc":"2.0","method":"notifications/initialized"}').status_code == 202
    call = b'{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"outlook_search_emails","arguments":{"query":%s}}}'
    for raw in (b'"\\ud800 report"', b'"\xff\xfe report"', b'"\xc3\x28"', b'"\xed\xa0\x80"'):
        answer = rpc(mcp_server.url, session, call % raw)
        assert answer.status_code == 400, raw
        assert answer.json()["error"]["code"] == -32700 and "Parse error" in answer.json()["error"]["message"]
    assert rpc(mcp_server.url, session, b"\xff\xfe\x00\x00").json()["error"]["code"] == -32700
    async with mcp_server.session(token) as client:
        fine = await client.call_tool("outlook_search_emails", {"query": "report", "top": 1})
        assert not fine.is_error
