"""The offline assistant's replies: short sentences built only from the plan and the tool data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from crm_app.assistant.intents import Plan
from crm_app.formatting import stage_label

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
    "tool.use": "Running the tool",
    "mail.search": "Searching your mail",
    "mail.get": "Opening the email",
    "mail.folders": "Listing mail folders",
    "mail.send": "Sending the email",
    "mail.reply": "Sending the reply",
    "mail.forward": "Forwarding the email",
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
    "crm.search": "Searching the CRM",
    "crm.get": "Opening the record",
    "crm.create": "Creating the CRM record",
    "crm.update": "Updating the CRM record",
    "crm.delete": "Deleting the CRM record",
    "crm.deal.move": "Moving the deal",
    "crm.note.add": "Adding the note",
    "crm.task.add": "Adding the task",
    "crm.log_email": "Logging the email to the CRM",
}

DONE = {
    "mail.search": "Searched your mail",
    "mail.get": "Opened the email",
    "mail.folders": "Listed your mail folders",
    "mail.send": "Sent the email",
    "mail.reply": "Sent the reply",
    "mail.forward": "Forwarded the email",
    "mail.draft": "Saved the draft",
    "calendar.list": "Checked your calendar",
    "calendar.create": "Created the event",
    "calendar.find_times": "Found meeting times",
    "files.list": "Listed your OneDrive files",
    "files.recent": "Listed your recent files",
    "files.search": "Searched your files",
    "files.read": "Read the file",
    "files.share": "Shared the file",
    "sharepoint.sites": "Listed your SharePoint sites",
    "sharepoint.search": "Searched SharePoint",
    "sharepoint.list_files": "Listed the site's files",
    "teams.list": "Listed your teams",
    "teams.channels": "Listed the channels",
    "teams.messages": "Read the channel",
    "teams.post": "Posted to Teams",
    "directory.people": "Looked up people",
    "crm.search": "Searched the CRM",
    "crm.get": "Opened the record",
    "crm.create": "Created the CRM record",
    "crm.update": "Updated the CRM record",
    "crm.delete": "Deleted the CRM record",
    "crm.deal.move": "Moved the deal",
    "crm.note.add": "Added the note",
    "crm.task.add": "Added the task",
    "crm.log_email": "Logged the email to the CRM",
}

FOLDER_NAMES = {"inbox": "your inbox", "sentitems": "Sent Items", "drafts": "Drafts", "deleteditems": "Deleted Items",
                "junkemail": "Junk Email", "archive": "the Archive"}

NOUNS = {"email": ("email", "emails"), "event": ("event", "events"), "file": ("file", "files"), "site": ("site", "sites"),
         "team": ("team", "teams"), "channel": ("channel", "channels"), "crm": ("record", "records"), "text": ("result", "results"),
         "post": ("message", "messages"), "deal": ("deal", "deals")}


def plural(n: int, kind: str) -> str:
    one, many = NOUNS.get(kind, ("item", "items"))
    return f"{n} {one if n == 1 else many}"


def progress_label(capability: str) -> str:
    return PROGRESS.get(capability, "Working on it…")


def failure_what(capability: str) -> str:
    return WHAT.get(capability, "The request")


def action_label(capability: str) -> str:
    """A side effect's chip while it runs: "Sending the email…"."""
    return WHAT.get(capability, "Working on it") + "…"


def chip_label(capability: str, state: str, running_label: str = "") -> str:
    """A progress chip's words for its state: running "Sending the email…", done "Sent the email",
    failed "Sending the email failed"."""
    if state == "done":
        return DONE.get(capability, "Done")
    if state == "failed":
        return f"{WHAT.get(capability, 'The request')} failed"
    return running_label or PROGRESS.get(capability) or action_label(capability)


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


def _search_terms(args: dict[str, Any], sender_label: str) -> str:
    text = f" from {sender_label}" if sender_label else ""
    if args.get("has_attachments"):
        text += " with attachments"
    if args.get("query"):
        text += f" about “{args['query']}”"
    if args.get("folder"):
        text += f" in {FOLDER_NAMES.get(str(args['folder']).lower(), args['folder'])}"
    return text + _range(args)


def describe_search(plan: Plan, args: dict[str, Any], sender_label: str = "") -> str:
    """The emails a search looked for: "unread emails from John Smith about “renewal” since Mon 23 Mar"."""
    return ("unread " if args.get("unread_only") else "") + "emails" + _search_terms(args, sender_label)


def results_reply(capability: str, plan: Plan, cards: list[dict[str, str]], args: dict[str, Any],
                  *, has_more: bool = False, sender_label: str = "", continued: bool = False) -> str:
    n = len(cards)
    kind = cards[0]["kind"] if cards else ""
    if capability == "mail.search":
        terms = _search_terms(args, sender_label)
        unread = "unread " if args.get("unread_only") else ""
        if n == 0:
            if continued:
                return f"There are no more {unread}emails{terms}."
            return f"I found no {describe_search(plan, args, sender_label)}."
        noun = unread + ("email" if n == 1 else "emails")
        text = f"Here {'is' if n == 1 else 'are'} {n} more {noun}{terms}." if continued else f"I found {n} {noun}{terms}."
        if has_more:
            text += f" There are more: say “show more” for the next {n}."
        if any(c.get("body_kind") == "preview" for c in cards):
            text += (" The cards show Outlook's preview of each body; ask “what does the first one say?” and "
                     "I'll open the full email.")
        return text
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
    if capability == "crm.search" and (args.get("start") or args.get("end")):
        stage = f" in {stage_label(str(args['stage']))}" if args.get("stage") else ""
        span = _range(args)
        return (f"I found {plural(n, 'deal')}{stage} expected to close{span}." if n else
                f"No deal{stage} in the CRM is expected to close{span}.")
    if capability in ("crm.search", "crm.get"):
        return f"I found {plural(n, 'crm')} in the CRM." if n else "I found nothing matching that in the CRM."
    return f"Here {'is' if n == 1 else 'are'} {plural(n, kind or 'text')}."


FILTER_NAMES = {"sender": "sender", "start": "date", "end": "date", "unread_only": "unread", "folder": "folder"}


def _filter_names(keys: Sequence[str], args: dict[str, Any]) -> str:
    names = [f"the words “{args['query']}”" if k == "query" else FILTER_NAMES.get(k, k.replace("_", " ")) for k in keys]
    names = list(dict.fromkeys(names))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def limits_note(tool: str, checked_here: Sequence[str], unapplied: Sequence[str], args: dict[str, Any]) -> str:
    """What the tool could not filter by: applied to its results here, or not applied at all."""
    notes = []
    if checked_here:
        notes.append(f"The {tool} tool can't filter by {_filter_names(checked_here, args)}, so I filtered "
                     "what it returned by that myself.")
    if unapplied:
        notes.append(f"The {tool} tool can't filter by {_filter_names(unapplied, args)}, so that part of your "
                     "request is not applied to these results.")
    return " ".join(notes)


def filter_claims(args: dict[str, Any], sender_label: str, keys: Sequence[str]) -> dict[str, list[str]]:
    """For each of `keys`, the phrases a reply would use to state that filter as applied."""
    claims: dict[str, list[str]] = {}
    for key in keys:
        if key == "sender" and (sender_label or args.get("sender")):
            claims[key] = [f"from {sender_label or args['sender']}"]
        elif key == "unread_only" and args.get("unread_only"):
            claims[key] = ["unread email", "unread message"]
        elif key == "query" and args.get("query"):
            claims[key] = [f"about “{args['query']}”", f"matching “{args['query']}”"]
        elif key in ("start", "end") and _range(args):
            claims[key] = [_range(args).strip()]
    return claims


def tool_reply(tool: str, cards: list[dict[str, str]]) -> str:
    """After running a named tool: what it returned, shown on the cards."""
    if not cards:
        return f"The {tool} tool ran and returned nothing to show."
    return f"The {tool} tool answered; its result is on the card{'s' if len(cards) != 1 else ''} below."


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
