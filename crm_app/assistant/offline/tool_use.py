"""“use <tool> …” / “run <tool> with a=2 and b=40”: a request naming one tool of the user's servers.

The parser cannot know which tools exist, so it only recognises a tool-like name — one written with a
hyphen or underscore, or followed by the word “tool” — and hands on the name, the free text after it
and any `name=value` pairs; the assistant checks the name against the user's tools.
"""

from __future__ import annotations

import re

from crm_app.assistant.intents import Intent, Plan
from crm_app.assistant.offline.common import CONFIDENT, Request, plan

_USE = re.compile(
    r"^(?:use|run|call|invoke)\s+(?:the\s+)?"
    r"(?P<name>[a-z0-9][a-z0-9._]*(?:-[a-z0-9._]+)*)"
    r"(?P<tool>\s+tool)?"
    r"(?:\s*(?::|\bto\b|\bwith\b|\bfor\b|\bon\b)\s*(?P<rest>.*))?$",
    re.IGNORECASE | re.DOTALL,
)
_PAIR = re.compile(r"(?P<key>[A-Za-z_][\w-]*)\s*(?:=|:)\s*(?P<value>\"[^\"]*\"|'[^']*'|[^\s,]+)")
_LEAD_VERB = re.compile(r"^(?:say|saying|send|echo|write|tell it)\s+", re.IGNORECASE)


def use_tool(req: Request) -> Plan | None:
    """A request to run one named tool, with its arguments as the user wrote them."""
    match = _USE.match(req.n)
    if match is None:
        return None
    name = req.original(*match.span("name"))
    if not (match.group("tool") or "-" in name or "_" in name):
        return None
    rest = req.original(*match.span("rest")).strip() if match.group("rest") else ""
    pairs = {m.group("key"): m.group("value").strip("\"'") for m in _PAIR.finditer(rest)}
    text = "" if pairs else _LEAD_VERB.sub("", rest).strip().strip("\"'“”")
    return plan(Intent.TOOL_USE, {"tool": name, "pairs": pairs, "text": text}, CONFIDENT,
                explanation=f"Running the {name} tool")
