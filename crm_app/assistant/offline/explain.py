"""One short sentence telling the user what a plan will do."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crm_app.assistant.intents import Intent

_FOLDER_NAMES = {
    "inbox": "your inbox",
    "sentitems": "your sent items",
    "drafts": "your drafts",
    "deleteditems": "your deleted items",
    "junkemail": "your junk mail",
    "archive": "your archive",
}

_ON_RECORD = {
    Intent.CRM_GET: "Showing the",
    Intent.CRM_UPDATE: "Updating the",
    Intent.CRM_DELETE: "Deleting the",
    Intent.CRM_NOTE_ADD: "Adding a note to the",
}


def _period(args: dict[str, Any]) -> str:
    start, end = args.get("start"), args.get("end")
    if not start:
        return ""
    first = datetime.fromisoformat(start)
    if not end:
        return f" from {first:%a %d %b %H:%M}"
    last = datetime.fromisoformat(end)
    if first.time() == last.time() == datetime.min.time():
        days = (last.date() - first.date()).days
        if days == 1:
            return f" on {first:%a %d %b}"
        return f" between {first:%a %d %b} and {last:%a %d %b}"
    return f" between {first:%a %d %b %H:%M} and {last:%a %d %b %H:%M}"


def _names(args: dict[str, Any], *keys: str) -> str:
    people: list[str] = []
    for key in keys:
        value = args.get(key) or []
        people.extend(value if isinstance(value, list) else [value])
    return ", ".join(str(p) for p in people)


def _mail_search(args: dict[str, Any]) -> str:
    text = "Searching your mail"
    if args.get("unread_only"):
        text = "Looking for unread mail"
    if args.get("folder"):
        text += f" in {_FOLDER_NAMES.get(args['folder'], args['folder'])}"
    sender = args.get("sender") or args.get("sender_name")
    if sender:
        text += f" from {sender}"
    if args.get("sender_company"):
        text += f" from contacts at {args['sender_company']}"
    if args.get("has_attachments"):
        text += " with attachments"
    if args.get("query"):
        text += f" about “{args['query']}”"
    text += _period(args)
    if args.get("top"):
        text += f" (latest {args['top']})"
    return text


def _compose(verb: str, args: dict[str, Any]) -> str:
    text = f"{verb} an email to {_names(args, 'to', 'to_names') or 'someone'}"
    if args.get("subject"):
        text += f" about “{args['subject']}”"
    return text


def _ref_label(args: dict[str, Any]) -> str:
    ref = args.get("ref")
    if isinstance(ref, dict):
        return f"result {ref.get('index', 0) + 1}"
    find = args.get("find")
    if isinstance(find, dict):
        sender = find.get("sender") or find.get("sender_name") or find.get("sender_company")
        text = "the newest email" + (f" from {sender}" if sender else "")
        if find.get("query"):
            text += f" about “{find['query']}”"
        return text
    return "that item"


def _mail_and_calendar(intent: Intent, args: dict[str, Any]) -> str | None:
    """The sentence for a mail or calendar plan."""
    match intent:
        case Intent.MAIL_SEARCH:
            return _mail_search(args)
        case Intent.MAIL_GET:
            return f"Opening the full text of {_ref_label(args)}"
        case Intent.MAIL_SEND:
            return _compose("Sending", args)
        case Intent.MAIL_DRAFT:
            return _compose("Drafting", args)
        case Intent.MAIL_REPLY:
            return f"Replying to {_ref_label(args)}"
        case Intent.MAIL_FORWARD:
            return f"Forwarding {_ref_label(args)} to {_names(args, 'to', 'to_names')}"
        case Intent.MAIL_FOLDERS:
            return "Listing your mail folders"
        case Intent.CALENDAR_LIST:
            return "Checking your calendar" + _period(args)
        case Intent.CALENDAR_CREATE:
            who = _names(args, "attendees", "attendee_names")
            text = (
                f"Scheduling “{args['subject']}”"
                if args.get("subject")
                else "Scheduling a meeting"
            )
            if who:
                text += f" with {who}"
            return text + _period(args)
        case Intent.CALENDAR_FIND_TIMES:
            who = _names(args, "attendees", "attendee_names")
            return (
                "Looking for free time"
                + (f" with {who}" if who else "")
                + _period(args)
            )
        case _:
            return None


def _files_and_teams(intent: Intent, args: dict[str, Any]) -> str | None:
    """The sentence for a OneDrive, SharePoint or Teams plan."""
    match intent:
        case Intent.FILES_LIST:
            return "Listing your OneDrive files" + (
                f" in {args['folder']}" if args.get("folder") else ""
            )
        case Intent.FILES_RECENT:
            return "Listing your recent OneDrive files"
        case Intent.FILES_SEARCH:
            return f"Searching your OneDrive for “{args.get('query', '')}”"
        case Intent.FILES_READ:
            return (
                f"Opening “{args['query']}”"
                if args.get("query")
                else f"Opening {_ref_label(args)}"
            )
        case Intent.FILES_SHARE:
            what = args.get("file_query") or _ref_label(args)
            return (
                f"Sharing “{what}” with {_names(args, 'recipients', 'recipient_names')}"
            )
        case Intent.SHAREPOINT_SITES:
            return "Listing the SharePoint sites you can access"
        case Intent.SHAREPOINT_SEARCH:
            return f"Searching SharePoint for “{args.get('query', '')}”"
        case Intent.SHAREPOINT_LIST_FILES:
            return f"Listing files on the {args.get('site', '')} SharePoint site"
        case Intent.TEAMS_LIST:
            return "Listing your Teams"
        case Intent.TEAMS_CHANNELS:
            return f"Listing the channels of {args.get('team_name', 'the team')}"
        case Intent.TEAMS_POST:
            return f"Posting to {args.get('channel_name', 'General')} in {args.get('team_name', 'Teams')}"
        case _:
            return None


def _crm_and_chat(intent: Intent, args: dict[str, Any]) -> str | None:
    """The sentence for a CRM plan, help or a greeting."""
    match intent:
        case Intent.CRM_SEARCH:
            return (
                f"Searching the CRM for {args.get('entity', 'records')}"
                + (f" matching “{args['query']}”" if args.get("query") else "")
                + (f" closing{_period(args)}" if args.get("start") else "")
            )
        case Intent.CRM_GET | Intent.CRM_UPDATE | Intent.CRM_DELETE | Intent.CRM_NOTE_ADD:
            return f"{_ON_RECORD[intent]} {args.get('entity', 'record')} {args.get('ref', '')}".rstrip()
        case Intent.CRM_CREATE:
            return f"Creating a {args.get('entity', 'record')} in the CRM"
        case Intent.CRM_DEAL_MOVE:
            return f"Moving the deal {args.get('ref', '')} to {args.get('stage', '')}"
        case Intent.CRM_TASK_ADD:
            return f"Adding a task: {args.get('text', '')}" + (
                f" (due {args['due']})" if args.get("due") else ""
            )
        case Intent.CRM_LOG_EMAIL:
            return f"Logging {_ref_label(args)} to the CRM" + (
                f" on {args['target']}" if args.get("target") else ""
            )
        case Intent.HELP:
            return "Here is what I can do"
        case Intent.GREETING:
            return "Hello! Ask me about your mail, calendar, files or CRM."
        case _:
            return None


def describe(
    intent: Intent, args: dict[str, Any], names: dict[str, str] | None = None
) -> str:
    """A human sentence for a plan, built only from its arguments.

    ``names`` maps addresses to the contact names they were resolved from, so the
    sentence can say "John Smith" rather than his address.
    """
    if names:
        args = {
            key: [names.get(v, v) for v in value]
            if isinstance(value, list)
            else names.get(value, value)
            if isinstance(value, str)
            else value
            for key, value in args.items()
        }
    for part in (_mail_and_calendar, _files_and_teams, _crm_and_chat):
        text = part(intent, args)
        if text is not None:
            return text
    return ""
