"""Microsoft Graph resources (JSON) to the server's output shapes."""

from __future__ import annotations

from typing import Any, TypeVar

from crm_app.ms365_mcp.html_text import html_to_text, normalise_text
from crm_app.ms365_mcp.models import (
    Attachment,
    Attendee,
    ChannelPost,
    Email,
    Event,
    File,
    FullEmail,
    MailFolder,
    NamedItem,
    Person,
    Recipient,
)
from crm_app.graph_query.timeparse import iso_in_zone, parse_graph_datetime_tz, parse_graph_instant, utc_iso

GRAPH_PREVIEW_LENGTH = 255
MAX_FULL_BODY_CHARS = 100_000

Json = dict[str, Any]
N = TypeVar("N", bound=NamedItem)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _opt_text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _opt_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dict(value: object) -> Json:
    return value if isinstance(value, dict) else {}


def recipient(value: object) -> Recipient | None:
    address = _dict(_dict(value).get("emailAddress"))
    if not address:
        return None
    return Recipient(name=_text(address.get("name")), address=_text(address.get("address")))


def recipients(values: object) -> list[Recipient]:
    if not isinstance(values, list):
        return []
    return [r for r in (recipient(v) for v in values) if r is not None]


def graph_recipients(addresses: list[str]) -> list[Json]:
    """Graph `recipient` objects for plain addresses."""
    return [{"emailAddress": {"address": address}} for address in addresses]


def _received_at(message: Json) -> str | None:
    instant = parse_graph_instant(_opt_text(message.get("receivedDateTime")))
    return utc_iso(instant) if instant else None


def _email_fields(message: Json) -> dict[str, Any]:
    return {
        "id": _text(message.get("id")),
        "subject": _text(message.get("subject")),
        "from_": recipient(message.get("from")),
        "to": recipients(message.get("toRecipients")),
        "cc": recipients(message.get("ccRecipients")),
        "received_at": _received_at(message),
        "is_read": bool(message.get("isRead")),
        "has_attachments": bool(message.get("hasAttachments")),
        "importance": _text(message.get("importance")) or "normal",
        "conversation_id": _opt_text(message.get("conversationId")),
        "web_link": _opt_text(message.get("webLink")),
    }


def email_preview(message: Json) -> Email:
    """A message from a list: its body is Graph's preview (at most 255 characters).

    The preview counts as truncated when it is full length, or when Graph sent
    none (a token limited to basic mail access gets no body text at all).
    """
    raw = message.get("bodyPreview")
    return Email(
        **_email_fields(message),
        body=normalise_text(_text(raw)),
        body_kind="preview",
        body_truncated=not isinstance(raw, str) or len(raw) >= GRAPH_PREVIEW_LENGTH,
    )


def body_text(body: object) -> str:
    """A Graph `itemBody` as plain text (HTML converted and sanitised)."""
    data = _dict(body)
    content = _text(data.get("content"))
    if _text(data.get("contentType")).lower() == "html":
        return html_to_text(content)
    return normalise_text(content)


def email_full(message: Json, attachments: list[Json]) -> FullEmail:
    """A single message with its whole body as plain text, or marked empty."""
    text = body_text(message.get("body"))
    truncated = len(text) > MAX_FULL_BODY_CHARS
    return FullEmail(
        **_email_fields(message),
        body=text[:MAX_FULL_BODY_CHARS],
        body_kind="full" if text else "empty",
        body_truncated=truncated,
        attachments=[
            Attachment(
                name=_text(a.get("name")),
                size=_opt_int(a.get("size")),
                content_type=_opt_text(a.get("contentType")),
            )
            for a in attachments
        ],
    )


def email_draft(message: Json) -> Email:
    """A draft just created: its body is the text it was created with."""
    text = body_text(message.get("body"))
    return Email(**_email_fields(message), body=text, body_kind="full" if text else "empty", body_truncated=False)


def mail_folder(folder: Json) -> MailFolder:
    return MailFolder(
        id=_text(folder.get("id")),
        display_name=_text(folder.get("displayName")),
        parent_folder_id=_opt_text(folder.get("parentFolderId")),
        unread_count=_opt_int(folder.get("unreadItemCount")),
        total_count=_opt_int(folder.get("totalItemCount")),
        child_folder_count=_opt_int(folder.get("childFolderCount")),
    )


def event(item: Json, zone_name: str) -> Event:
    start = parse_graph_datetime_tz(item.get("start"))
    end = parse_graph_datetime_tz(item.get("end"))
    online = _dict(item.get("onlineMeeting"))
    attendees = []
    for raw in item.get("attendees") or []:
        who = recipient(raw)
        if who is None:
            continue
        attendees.append(
            Attendee(
                name=who.name,
                address=who.address,
                type=_text(_dict(raw).get("type")) or "required",
                response=_text(_dict(_dict(raw).get("status")).get("response")) or "none",
            )
        )
    return Event(
        id=_text(item.get("id")),
        subject=_text(item.get("subject")),
        start=iso_in_zone(start, zone_name),
        end=iso_in_zone(end, zone_name),
        time_zone=zone_name,
        is_all_day=bool(item.get("isAllDay")),
        location=_text(_dict(item.get("location")).get("displayName")),
        attendees=attendees,
        organizer=recipient(item.get("organizer")),
        is_online_meeting=bool(item.get("isOnlineMeeting")),
        online_meeting_url=_opt_text(online.get("joinUrl")) or _opt_text(item.get("onlineMeetingUrl")),
        web_link=_opt_text(item.get("webLink")),
        body_preview=normalise_text(_text(item.get("bodyPreview"))),
    )


def _drive_path(item: Json) -> str | None:
    parent = _dict(item.get("parentReference"))
    raw = _opt_text(parent.get("path"))
    if raw is None:
        return None
    folder = raw.split(":", 1)[1] if ":" in raw else ""
    folder = folder.rstrip("/")
    return f"{folder}/{_text(item.get('name'))}" if folder else f"/{_text(item.get('name'))}"


def drive_item(item: Json) -> File:
    modified_by = _dict(_dict(item.get("lastModifiedBy")).get("user"))
    modified_at = parse_graph_instant(_opt_text(item.get("lastModifiedDateTime")))
    return File(
        id=_text(item.get("id")),
        name=_text(item.get("name")),
        size=_opt_int(item.get("size")),
        is_folder="folder" in item and item.get("folder") is not None,
        mime_type=_opt_text(_dict(item.get("file")).get("mimeType")),
        last_modified_at=utc_iso(modified_at) if modified_at else None,
        last_modified_by=_opt_text(modified_by.get("displayName")) or _opt_text(modified_by.get("email")),
        web_url=_opt_text(item.get("webUrl")),
        path=_drive_path(item),
        drive_id=_opt_text(_dict(item.get("parentReference")).get("driveId")),
    )


def named(item: Json, model: type[N]) -> N:
    """A site, team or channel resource as `model`."""
    fields: dict[str, Any] = {
        "id": _text(item.get("id")),
        "display_name": _opt_text(item.get("displayName")),
        "description": _opt_text(item.get("description")),
        "web_url": _opt_text(item.get("webUrl")),
    }
    if "name" in model.model_fields:
        fields["name"] = _opt_text(item.get("name"))
    return model(**fields)


def user_person(item: Json) -> Person:
    return Person(
        id=_text(item.get("id")),
        kind="user",
        display_name=_opt_text(item.get("displayName")),
        address=_opt_text(item.get("mail")) or _opt_text(item.get("userPrincipalName")),
        job_title=_opt_text(item.get("jobTitle")),
        description=None,
    )


def group_person(item: Json) -> Person:
    return Person(
        id=_text(item.get("id")),
        kind="group",
        display_name=_opt_text(item.get("displayName")),
        address=_opt_text(item.get("mail")),
        job_title=None,
        description=_opt_text(item.get("description")),
    )


def contact_person(item: Json) -> Person:
    """A People API `person`: a colleague, a group or an external contact the user works with."""
    person_type = _dict(item.get("personType"))
    kind, subclass = _text(person_type.get("class")).lower(), _text(person_type.get("subclass"))
    scored = item.get("scoredEmailAddresses")
    addresses = [_opt_text(_dict(a).get("address")) for a in (scored if isinstance(scored, list) else [])]
    address = next((a for a in addresses if a), None)
    return Person(
        id=_text(item.get("id")),
        kind="group" if kind == "group" else "user" if subclass == "OrganizationUser" else "contact",
        display_name=_opt_text(item.get("displayName")),
        address=address or _opt_text(item.get("userPrincipalName")),
        job_title=_opt_text(item.get("jobTitle")),
        description=_opt_text(item.get("companyName")),
    )


def channel_post(item: Json) -> ChannelPost:
    """A Teams `chatMessage` as plain text with its author."""
    sender = _dict(item.get("from"))
    author = _dict(sender.get("user")) or _dict(sender.get("application"))
    created = parse_graph_instant(item.get("createdDateTime"))
    return ChannelPost(
        id=_text(item.get("id")),
        author=_text(author.get("displayName")),
        created_at=utc_iso(created) if created else None,
        subject=_opt_text(item.get("subject")),
        body=body_text(item.get("body")),
        web_url=_opt_text(item.get("webUrl")),
    )
