"""Read-only viewer pages behind ``webLink`` / ``webUrl``.

Items are shown as escaped plain text (HTML bodies are reduced to their text), and the
Content-Security-Policy lets no script run, so hostile mail can be opened safely.
"""

from __future__ import annotations

from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from crm_app.sandbox.context import Sandbox
from crm_app.sandbox.errors import NotFound
from crm_app.sandbox.pages import html_response, page
from crm_app.sandbox.routing import get_routes
from crm_app.sandbox.store.drive import Drive, DriveRecord
from crm_app.sandbox.text import html_to_text

BADGE = "<span class=\"badge\">Demo tenant - read-only view</span>"


def not_found(what: str) -> Response:
    body = (f"{BADGE}<h1>Not found</h1><p class=\"error\">This {escape(what)} does not exist (any more) in the demo "
            "tenant. It may have been deleted, or the sandbox was reset; open it again from the app.</p>")
    return html_response(page("Not found", body), status=404)


def people(value: Any) -> str:
    entries = value if isinstance(value, list) else [value] if value else []
    return ", ".join(
        f"{e['emailAddress'].get('name', '')} <{e['emailAddress'].get('address', '')}>" for e in entries
        if isinstance(e, dict) and e.get("emailAddress")
    )


def rows(pairs: list[tuple[str, str]]) -> str:
    return "<table>" + "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in pairs) + "</table>"


async def outlook_item(request: Request) -> Response:
    """``/owa/?ItemID=...`` (a message) or ``/owa/?itemid=...&path=/calendar/item`` (an event)."""
    sandbox: Sandbox = request.app.state.sandbox
    item_id = request.query_params.get("ItemID") or request.query_params.get("itemid") or ""
    for mailbox in sandbox.state.data.mailboxes.values():
        message = mailbox.messages.get(item_id)
        if message is not None:
            data = message.data
            details = rows([("From", people(data.get("from"))), ("To", people(data.get("toRecipients"))),
                            ("Cc", people(data.get("ccRecipients"))), ("Received", data["receivedDateTime"]),
                            ("Attachments", ", ".join(a.name for a in message.attachments) or "none")])
            body = (f"{BADGE}<h1>{escape(data.get('subject') or '(no subject)')}</h1>{details}"
                    f"<pre>{escape(message.text) or '(this message has no body)'}</pre>")
            return html_response(page(data.get("subject") or "Message", body))
    for calendar in sandbox.state.data.calendars.values():
        event = calendar.events.get(item_id)
        if event is not None:
            data = event.data
            details = rows([("Organizer", people(data.get("organizer"))), ("Attendees", people(data.get("attendees"))),
                            ("Start (UTC)", data["start"]["dateTime"]), ("End (UTC)", data["end"]["dateTime"]),
                            ("Location", data["location"]["displayName"]),
                            ("Cancelled", "yes" if data["isCancelled"] else "no")])
            body = (f"{BADGE}<h1>{escape(data['subject'] or '(no title)')}</h1>{details}"
                    f"<pre>{escape(event.text)}</pre>")
            return html_response(page(data["subject"] or "Event", body))
    return not_found("item")


def folder_listing(drive: Drive, record: DriveRecord) -> str:
    items = "".join(
        f"<tr><td><a href=\"/drive/items/{escape(child.id)}\">{escape(child.name)}</a></td>"
        f"<td>{'folder' if child.is_folder else escape(str(child.data['size'])) + ' bytes'}</td>"
        f"<td>{escape(child.data['lastModifiedDateTime'])}</td></tr>"
        for child in drive.children(record)
    )
    return f"<table><tr><th>Name</th><th>Size</th><th>Modified</th></tr>{items}</table>"


async def drive_item(request: Request) -> Response:
    """``/drive/items/{id}``: a folder's listing or a file's text."""
    sandbox: Sandbox = request.app.state.sandbox
    found = sandbox.state.find_drive_item(request.path_params["item_id"])
    if found is None:
        return not_found("file")
    drive, record = found
    title = drive.name if record is drive.root else record.name
    if record.is_folder:
        content = folder_listing(drive, record)
    else:
        content = rows([("Modified", record.data["lastModifiedDateTime"]), ("Size", f"{record.data['size']} bytes"),
                        ("Type", record.data["file"]["mimeType"])]) + f"<pre>{escape(record.text or '')}</pre>"
    return html_response(page(title, f"{BADGE}<h1>{escape(title)}</h1>{content}"))


async def site_page(request: Request) -> Response:
    """``/sites/{name}``: the site's documents."""
    sandbox: Sandbox = request.app.state.sandbox
    try:
        site = sandbox.state.site(request.path_params["name"])
    except NotFound:
        return not_found("site")
    body = (f"{BADGE}<h1>{escape(site.data['displayName'])}</h1><p>{escape(site.data['description'])}</p>"
            f"{folder_listing(site.drive, site.drive.root)}")
    return html_response(page(site.data["displayName"], body))


async def channel_page(request: Request) -> Response:
    """``/teams/{team}/channels/{channel}``: the channel's messages as text."""
    sandbox: Sandbox = request.app.state.sandbox
    team = next((t for t in sandbox.state.data.teams if t.id == request.path_params["team_id"]), None)
    channel = team.channels.get(request.path_params["channel_id"]) if team else None
    if team is None or channel is None:
        return not_found("channel")
    items = "".join(
        f"<h2 id=\"message-{escape(m.id)}\">{escape(m.data['from']['user']['displayName'])} - "
        f"{escape(m.data['createdDateTime'])}</h2><pre>{escape(_text(m.data['body']))}</pre>"
        for m in channel.messages
    )
    title = f"{team.data['displayName']} / {channel.data['displayName']}"
    return html_response(page(title, f"{BADGE}<h1>{escape(title)}</h1>{items}"))


async def team_page(request: Request) -> Response:
    """``/teams/{team}``: the team's channels."""
    sandbox: Sandbox = request.app.state.sandbox
    team = next((t for t in sandbox.state.data.teams if t.id == request.path_params["team_id"]), None)
    if team is None:
        return not_found("team")
    items = "".join(
        f"<li><a href=\"/teams/{escape(team.id)}/channels/{escape(c.id)}\">{escape(c.data['displayName'])}</a></li>"
        for c in team.channels.values()
    )
    return html_response(page(team.data["displayName"],
                              f"{BADGE}<h1>{escape(team.data['displayName'])}</h1><ul>{items}</ul>"))


async def meeting_page(request: Request) -> Response:
    """``/teams/meetup-join/{id}``: where an online meeting's join link leads in the demo."""
    body = (f"{BADGE}<h1>Online meeting</h1><p>This is a demo meeting link. In a real tenant it would open "
            "Microsoft Teams.</p>")
    return html_response(page("Online meeting", body))


def _text(body: dict[str, str]) -> str:
    return html_to_text(body["content"]) if body.get("contentType") == "html" else body.get("content", "")


def routes() -> list[Route]:
    return get_routes(
        ("/owa/", outlook_item),
        ("/drive/items/{item_id}", drive_item),
        ("/sites/{name}", site_page),
        ("/teams/meetup-join/{meeting_id}", meeting_page),
        ("/teams/{team_id}", team_page),
        ("/teams/{team_id}/channels/{channel_id}", channel_page),
    )
