"""The offline assistant's replies: short sentences built only from the plan and the tool data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crm_app.assistant.intents import Intent, Plan

PROGRESS = {
    "mail.search": "Searching your mail…",
    "mail.get": "Opening the email…",
    "mail.folders": "Listing your mail folders…",
    "calendar.list": "Checking your calendar…",
    "calendar.find_times": "Finding free times…",
    "files.list": "Listing your OneDrive files…",
    "files.recent": "Listing your recent files…",
    "files.search": "Searching your files…",
    "files.read": "Reading the file…",
    "sharepoint.sites": "Listing your SharePoint sites…",
    "sharepoint.search": "Searching SharePoint…",
    "sharepoint.list_files": "Listing the site's files…",
    "teams.list": "Listing your teams…",
    "teams.channels": "Listing channels…",
    "teams.messages": "Reading the channel…",
    "directory.people": "Looking up people…",
    "crm.search": "Searching the CRM…",
    "crm.get": "Opening the record…",
}

WHAT = {
    "mail.search": "Searching your mail",
    "mail.get": "Opening the email",
    "mail.folders": "Listing mail folders",
    "mail.send": "Sending the email",
    "mail.reply": "Sending the reply",
    "mail.draft": "Saving the draft",
    "calendar.list": "Reading your calendar",
    "calendar.create": "Creating the event",
    "calendar.find_times": "Finding meeting times",
    "calendar.brief": "Preparing the meeting brief",
    "steps": "Carrying out the steps",
    "files.list": "Listing files",
    "files.recent": "Listing recent files",
    "files.search": "Searching files",
    "files.read": "Reading the file",
    "files.share": "Sharing the file",
    "crm.log_email": "Logging the email to the CRM",
    "sharepoint.sites": "Listing SharePoint sites",
    "sharepoint.search": "Searching SharePoint",
    "sharepoint.list_files": "Listing the site's files",
    "teams.list": "Listing teams",
    "teams.channels": "Listing channels",
    "teams.messages": "Reading the channel",
    "teams.post": "Posting to Teams",
    "directory.people": "Looking up people",
}

NOUNS = {"email": ("email", "emails"), "event": ("event", "events"), "file": ("file", "files"), "site": ("site", "sites"),
         "team": ("team", "teams"), "channel": ("channel", "channels"), "crm": ("record", "records"), "text": ("result", "results"),
         "post": ("message", "messages")}


def plural(n: int, kind: str) -> str:
    one, many = NOUNS.get(kind, ("item", "items"))
    return f"{n} {one if n == 1 else many}"


def progress_label(capability: str) -> str:
    return PROGRESS.get(capability, "Working on it…")


def failure_what(capability: str) -> str:
    return WHAT.get(capability, "The request")


def _range(args: dict[str, Any]) -> str:
    start, end = args.get("start"), args.get("end")
    try:
        s = dt.datetime.fromisoformat(start) if start else None
        e = dt.datetime.fromisoformat(end) if end else None
    except (TypeError, ValueError):
        return ""
    if s and e:
        if (e - s) <= dt.timedelta(days=1, minutes=1) and s.hour == 0:
            return f" on {s:%A %-d %B}"
        return f" from {s:%a %-d %b} to {(e - dt.timedelta(seconds=1)) if e.hour == 0 and e.minute == 0 else e:%a %-d %b}"
    if s:
        return f" since {s:%a %-d %b}"
    if e:
        return f" before {e:%a %-d %b}"
    return ""


def describe_search(plan: Plan, args: dict[str, Any], sender_label: str = "") -> str:
    bits = []
    if args.get("unread_only"):
        bits.append("unread")
    text = " ".join(bits + ["emails"])
    if sender_label:
        text += f" from {sender_label}"
    if args.get("query"):
        text += f" about “{args['query']}”"
    text += _range(args)
    return text


def results_reply(capability: str, plan: Plan, cards: list[dict[str, str]], args: dict[str, Any],
                  *, has_more: bool = False, sender_label: str = "") -> str:
    n = len(cards)
    kind = cards[0]["kind"] if cards else ""
    if capability == "mail.search":
        what = describe_search(plan, args, sender_label)
        if n == 0:
            return f"I found no {what}."
        more = " There are more; narrow the search to see them." if has_more else ""
        return (f"I found {plural(n, 'email')} — {what}.{more} The cards show Outlook's preview only (about 255 "
                f"characters, truncated); ask “what does the first one say?” and I'll open the full email.")
    if capability == "mail.get":
        if not cards:
            return "I couldn't open that email."
        c = cards[0]
        who = c.get("from_name") or c.get("from_address")
        if c.get("body_kind") == "empty":
            return f"Here is the full email “{c['title']}” from {who}. It has no body text."
        return f"Here is the full email “{c['title']}” from {who}."
    if capability == "calendar.list":
        span = _range(args)
        return f"You have {plural(n, 'event')}{span}." if n else f"Your calendar is clear{span}."
    if capability == "calendar.find_times":
        return f"I found {n} possible meeting time{'s' if n != 1 else ''}." if n else "I found no free time that suits everyone."
    if capability in ("files.list", "files.recent", "files.search", "sharepoint.search", "sharepoint.list_files"):
        where = "SharePoint" if capability.startswith("sharepoint") else "your OneDrive"
        q = f" matching “{args['query']}”" if args.get("query") else ""
        recent = "recent " if capability == "files.recent" else ""
        return f"Here {'is' if n == 1 else 'are'} {n} {recent}{'file' if n == 1 else 'files'} in {where}{q}." if n else \
            f"I found no files in {where}{q}."
    if capability == "files.read":
        return f"Here is the text of “{cards[0]['title']}”." if cards else "I couldn't read that file."
    if capability == "sharepoint.sites":
        return f"You have access to {plural(n, 'site')}." if n else "You don't have access to any SharePoint sites."
    if capability == "teams.list":
        return f"You're a member of {plural(n, 'team')}." if n else "You aren't a member of any team."
    if capability == "teams.channels":
        return f"The team has {plural(n, 'channel')}." if n else "That team has no channels."
    if capability == "teams.messages":
        channel, team = args.get("channel_name") or "General", args.get("team_name")
        where = f"the {channel} channel of {team}" if team else f"the {channel} channel"
        latest = " (the latest shown; older ones are in Teams)" if has_more else ""
        return f"Here {'is' if n == 1 else 'are'} {plural(n, 'post')} from {where}{latest}." if n else (
            f"There are no messages in {where} yet.")
    if capability == "mail.folders":
        return f"You have {n} mail folder{'s' if n != 1 else ''}."
    if capability in ("crm.search", "crm.get"):
        return f"I found {plural(n, 'crm')} in the CRM." if n else "I found nothing matching that in the CRM."
    return f"Here {'is' if n == 1 else 'are'} {plural(n, kind or 'text')}."


def failure_reply(capability: str, message: str) -> str:
    return (f"{failure_what(capability)} failed: {message} I haven't made anything up in its place — "
            "use Retry on the card, or try again in a moment.")


def help_reply(plan: Plan) -> str:
    lines = [
        "I can work with your CRM and, once Microsoft 365 is connected in Settings, your mail, calendar, files and Teams:",
        "• “Show me emails from John Smith from the last 3 days”, then “what does the first one say?”",
        "• “What's on my calendar tomorrow?” · “Schedule a meeting with the team next Monday at 2pm”",
        "• “List my recent OneDrive files” · “Find the Q4 report in SharePoint”",
        "• “Create a contact Jane Roe jane@roe.io at Roe Inc” · “Move the Acme deal to negotiation”",
        "Anything that sends, schedules, shares, posts or changes the CRM waits for your confirmation.",
    ]
    return "\n".join(lines)


def unsupported_reply(plan: Plan) -> str:
    base = plan.explanation or "I can't do that yet."
    if not base.lower().startswith("i can"):
        base = "I can't do that yet. " + base
    if plan.suggestions:
        base += " You could try: " + "; ".join(f"“{s}”" for s in plan.suggestions[:4]) + "."
    return base


def intent_is_read(intent: Intent) -> bool:
    return intent.value.split(".")[0] in ("mail", "calendar", "files", "sharepoint", "teams", "crm")
