"""Running one named tool of the user's servers from the chat (“use the echo tool to say hi”).

Its arguments come from the request: `name=value` pairs by parameter name, or the free text for a
tool that takes one text parameter. A tool annotated read-only runs at once; any other becomes a
confirmation card. Missing inputs are asked for by name, type and description from its input schema.
"""

from __future__ import annotations

from typing import Any

from crm_app.assistant import cards as cardlib
from crm_app.assistant import replies
from crm_app.assistant.intents import Plan
from crm_app.services.assistant.engine import TurnEngine
from crm_app.services.assistant.proposals import add_confirmation
from crm_app.services.assistant.turn import TurnFailed, TurnState
from crm_app.tools.arguments import coerce, norm
from crm_app.tools.base import CRM_SOURCE, BaseTool

CAPABILITY = "tool.use"
MAX_LISTED = 12


async def find_named(eng: TurnEngine, name: str) -> BaseTool:
    """The user's tool called `name` (ignoring case and separators); TurnFailed listing what there is."""
    registry = await eng.tools.loaded()
    offered = [t for t in registry.tools() if t.schema.source != CRM_SOURCE]
    exact = registry.get(name)
    if exact is not None and exact.schema.source != CRM_SOURCE:
        return exact
    same = [t for t in offered if norm(t.name) == norm(name) or norm(t.name.split("__")[-1]) == norm(name)]
    if len(same) == 1:
        return same[0]
    names = ", ".join(sorted(t.name for t in offered)[:MAX_LISTED])
    if not offered:
        raise TurnFailed(f"There is no tool called “{name}”: none of your tool servers is connected. Add or "
                         "connect one in Settings → Integrations.")
    more = " …" if len(offered) > MAX_LISTED else ""
    raise TurnFailed(f"None of your tool servers offers a tool called “{name}”. Some that they do offer: {names}{more}.")


def fill(tool: BaseTool, pairs: dict[str, str], text: str) -> tuple[dict[str, Any], list[str]]:
    """The tool's arguments from the request, and the required parameters still missing."""
    props = tool.schema.properties
    index = {norm(p): p for p in props}
    args: dict[str, Any] = {}
    for key, value in pairs.items():
        own = index.get(norm(key))
        if own is not None:
            args[own] = coerce(value, props[own])
    texts = [p for p, spec in props.items() if spec.get("type") == "string"]
    wanted = [p for p in tool.schema.required if p not in args] or [p for p in texts if p not in args]
    if text and not pairs and len(wanted) >= 1 and wanted[0] in texts:
        args[wanted[0]] = text
    missing = [p for p in tool.schema.required if p not in args]
    return args, missing


def asks_for(tool: BaseTool, missing: list[str]) -> str:
    """Which inputs are missing, each with its type and description, and how to give them."""
    lines = []
    for p in missing:
        spec = tool.schema.properties.get(p, {})
        kind = spec.get("type") or "value"
        desc = f" — {spec['description']}" if spec.get("description") else ""
        lines.append(f"• {p} ({kind}){desc}")
    example = " and ".join(f"{p}=…" for p in missing)
    return (f"The {tool.name} tool needs {', '.join(missing)}:\n" + "\n".join(lines) +
            f"\nSay for example “run {tool.name} with {example}”.")


async def use_tool(eng: TurnEngine, st: TurnState, plan: Plan) -> None:
    tool = await find_named(eng, str(plan.args.get("tool", "")))
    args, missing = fill(tool, dict(plan.args.get("pairs") or {}), str(plan.args.get("text") or ""))
    if missing:
        await st.say(asks_for(tool, missing))
        return
    if not tool.schema.read_only:
        summary = {"tool": tool.name, **{k: str(v) for k, v in args.items()}}
        await add_confirmation(st, CAPABILITY, tool.name, tool.schema.source, f"Run {tool.name}?", summary, raw=args)
        await st.say(f"The {tool.name} tool is not marked read-only, so it waits for your confirmation.")
        return
    chip = await st.chip(f"Running {tool.name}…")
    result = await eng.tools.execute(tool.name, args)
    chip.state = "done" if result.ok else "failed"
    if not result.ok:
        raise TurnFailed(result.error_message or f"The {tool.name} tool reported an error.")
    found = cardlib.cards_from_result(result)
    st.turn.cards.extend(found)
    st.turn.remember(found)
    await st.say(replies.tool_reply(tool.name, found))
