"""One call of the tool chosen for a capability: arguments placed on its schema, ids it needs found first
(a Graph drive id from the tool that lists the user's drives), and what the tool could not take checked
on the results here — so a caller knows exactly which parts of a request were applied."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from crm_app.tools.arguments import ArgumentPlan, plan_arguments
from crm_app.tools.base import BaseTool, ToolContext, ToolRegistry, ToolResult
from crm_app.tools.discovery import find_tool

LIST_KEYS = ("value", "emails", "messages", "events", "files", "items", "results")
ID_FINDERS: dict[str, str] = {"drive_id": "files.drives"}
ID_LABELS: dict[str, str] = {"drive_id": "your OneDrive's drive id"}


@dataclass(frozen=True)
class CapabilityCall:
    """A tool call's plan, and its result when it ran (None when a required input could not be found)."""

    tool: BaseTool
    plan: ArgumentPlan
    result: ToolResult | None
    problem: str = ""


def result_data(result: ToolResult) -> dict[str, Any] | None:
    """A result's structured data, or the JSON object its text holds (servers that answer in text)."""
    if isinstance(result.data, dict):
        return result.data
    try:
        parsed = json.loads(result.text) if result.text else None
    except ValueError:
        return None
    if isinstance(parsed, list):
        return {"value": parsed}
    return parsed if isinstance(parsed, dict) else None


async def find_id(registry: ToolRegistry, ctx: ToolContext, key: str, overrides: dict[str, str] | None) -> str | None:
    """An id a tool needs that the request cannot name (the user's drive), from the tool that lists it."""
    finder = find_tool(registry, ID_FINDERS[key], overrides)
    if finder is None:
        return None
    plan = plan_arguments(finder, {}, ID_FINDERS[key])
    if plan.missing:
        return None
    found = await registry.execute(finder.name, ctx, plan.arguments)
    data = result_data(found) if found.ok else None
    items = [i for i in (data or {}).get("value") or [] if isinstance(i, dict) and i.get("id")]
    personal = [i for i in items if i.get("driveType") in ("business", "personal")]
    chosen = (personal or items or [None])[0]
    return str(chosen["id"]) if chosen else None


async def call_capability(registry: ToolRegistry, ctx: ToolContext, capability: str, tool: BaseTool,
                          canonical: dict[str, Any], overrides: dict[str, str] | None = None) -> CapabilityCall:
    """Run `tool` for `capability` with `canonical` arguments; see the module docstring."""
    plan = plan_arguments(tool, canonical, capability)
    if plan.resolve:
        arguments = dict(plan.arguments)
        for param, key in plan.resolve.items():
            value = await find_id(registry, ctx, key, overrides)
            if value is None:
                return CapabilityCall(tool, plan, None,
                                      f"The {tool.name} tool needs {ID_LABELS.get(key, param)}, and none of your "
                                      "connected tool servers could tell me it.")
            arguments[param] = value
        plan = dataclasses.replace(plan, arguments=arguments, resolve={})
    if plan.missing:
        return CapabilityCall(tool, plan, None, f"The {tool.name} tool needs {', '.join(plan.missing)}, which I "
                                                "couldn't work out from your message.")
    result = await registry.execute(tool.name, ctx, plan.arguments)
    if result.ok and (plan.keep is not None or plan.limit is not None):
        result = keep_matching(result, plan)
    return CapabilityCall(tool, plan, result)


def keep_matching(result: ToolResult, plan: ArgumentPlan) -> ToolResult:
    """The result with only the items `plan.keep` accepts, at most `plan.limit` of them."""
    data = result_data(result)
    if data is None:
        return result
    key = next((k for k in LIST_KEYS if isinstance(data.get(k), list)), None)
    if key is None:
        return result
    kept = [item for item in data[key] if isinstance(item, dict) and (plan.keep is None or plan.keep(item))]
    more = bool(data.get("has_more") or data.get("@odata.nextLink"))
    if plan.limit is not None and len(kept) > plan.limit:
        kept, more = kept[: plan.limit], True
    return dataclasses.replace(result, data={**data, key: kept, "has_more": more}, text="")
