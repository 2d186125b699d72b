"""How actions read on their cards and in replies: a model-proposed call's summary, times, what was done."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crm_app.tools.base import BaseTool, ToolResult
from crm_app.tools.discovery import ARG_SYNONYMS

SUMMARY_KEYS = ("to", "cc", "subject", "body", "attendees", "recipients", "message", "location", "start", "end", "text")


def proposal_summary(tool: BaseTool, args: dict[str, Any]) -> dict[str, str]:
    """What a model-proposed side effect will do, in the confirmation card's fields."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for key in SUMMARY_KEYS:
        for name in ARG_SYNONYMS.get(key, (key,)):
            if name in args and name not in used:
                value = args[name]
                out[key] = ", ".join(address_of(v) for v in value) if isinstance(value, list) else address_of(value)
                used.add(name)
                break
    if "start" in out:
        out["when"] = when_label(out.get("start"), out.get("end"))
    rest = {k: v for k, v in args.items() if k not in used}
    if rest:
        out["text"] = (out.get("text", "") + "\n" + "\n".join(f"{k}: {v}" for k, v in rest.items())).strip()
    return out


def address_of(v: Any) -> str:
    """An address from a Graph recipient object, or the value as text."""
    if isinstance(v, dict):
        inner = v.get("emailAddress") if isinstance(v.get("emailAddress"), dict) else v
        return str(inner.get("address") or inner.get("email") or inner)
    return str(v)


def when_label(start: str | None, end: str | None) -> str:
    try:
        s = dt.datetime.fromisoformat(start or "")
        e = dt.datetime.fromisoformat(end or "")
    except ValueError:
        return start or ""
    if s.date() == e.date():
        return f"{s:%A %-d %B %Y, %H:%M}–{e:%H:%M}"
    return f"{s:%A %-d %B %Y, %H:%M} – {e:%A %-d %B %Y, %H:%M}"


DONE_REPLIES = {
    "mail.reply": "Reply sent. It's in your Sent Items.",
    "mail.draft": "Draft saved in your Drafts folder.",
    "teams.post": "Posted to the channel.",
}


def done_reply(capability: str, canonical: dict[str, Any], result: ToolResult) -> str:
    """The reply once a confirmed action has run."""
    if capability in DONE_REPLIES:
        return DONE_REPLIES[capability]
    if capability == "mail.send":
        return f"Sent “{canonical.get('subject')}” to {', '.join(canonical.get('to') or [])}. It's in your Sent Items."
    if capability == "mail.forward":
        subject = (result.data or {}).get("subject") or "the email"
        return f"Forwarded “{subject}” to {', '.join(canonical.get('to') or [])}. It's in your Sent Items."
    if capability == "calendar.create":
        return f"Created “{canonical.get('subject')}” on {when_label(canonical.get('start'), canonical.get('end'))}."
    if capability == "files.share":
        return f"Shared with {', '.join(canonical.get('recipients') or [])}."
    status = str((result.data or {}).get("status") or "done").replace("_", " ")
    if status == "already logged":
        return "That email is already on the contact's timeline."
    return f"Done — {status}."
