"""Messages and their attachments as the mailbox stores them."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from crm_app.sandbox.data import office
from crm_app.sandbox.data.ids import IdFactory
from crm_app.sandbox.data.tenant import Person
from crm_app.sandbox.links import Links
from crm_app.sandbox.odata.values import format_datetime
from crm_app.sandbox.text import preview, text_to_html

NOT_FLAGGED = {"flagStatus": "notFlagged"}


@dataclass
class Attachment:
    """A file attached to a message; its bytes are rendered from ``text`` on demand."""

    id: str
    name: str
    text: str
    last_modified: str
    is_inline: bool = False
    raw: bytes | None = None

    @cached_property
    def content(self) -> bytes:
        return self.raw if self.raw is not None else office.render(self.name, self.text)

    def to_graph(self, with_content: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "@odata.type": "#microsoft.graph.fileAttachment",
            "@odata.mediaContentType": office.mime_type(self.name),
            "id": self.id,
            "lastModifiedDateTime": self.last_modified,
            "name": self.name,
            "contentType": office.mime_type(self.name),
            "size": len(self.content),
            "isInline": self.is_inline,
            "contentId": None,
            "contentLocation": None,
        }
        if with_content:
            data["contentBytes"] = base64.b64encode(self.content).decode()
        return data


@dataclass(slots=True)
class StoredMessage:
    """One message: its Graph JSON (``data``), its plain text, attachments and a search cache."""

    data: dict[str, Any]
    text: str
    attachments: list[Attachment] = field(default_factory=list)
    search_cache: dict[str, str] | None = None
    sequence: int = 0

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def received(self) -> str:
        return self.data["receivedDateTime"]

    @property
    def folder_id(self) -> str:
        return self.data["parentFolderId"]

    @property
    def sender(self) -> str:
        sender = self.data.get("from") or {}
        return (sender.get("emailAddress") or {}).get("address", "").lower()

    def sort_key(self) -> tuple[str, int]:
        """Time received, then the order the mailbox got it (so mail sent in the same second stays in order)."""
        return (self.data["receivedDateTime"], self.sequence)

    def body_as(self, content_type: str | None) -> dict[str, str]:
        """The body in the requested type (``text`` or ``html``), converting when needed."""
        body = self.data["body"]
        if content_type is None or content_type == body["contentType"]:
            return body
        if content_type == "text":
            return {"contentType": "text", "content": self.text}
        return {"contentType": "html", "content": text_to_html(body["content"]) if body["content"] else ""}

    def touch(self, ids: IdFactory, now: datetime) -> None:
        """Record a change: new change key, etag and modification time; forget the search cache."""
        change_key = ids.change_key()
        self.data["changeKey"] = change_key
        self.data["@odata.etag"] = f'W/"{change_key}"'
        self.data["lastModifiedDateTime"] = format_datetime(now)
        self.search_cache = None


def recipients(people: list[Person] | tuple[Person, ...]) -> list[dict[str, Any]]:
    return [person.recipient() for person in people]


def build_message(
    ids: IdFactory,
    links: Links,
    *,
    folder_id: str,
    subject: str,
    sender: Person | None,
    to: list[Person] | tuple[Person, ...],
    body: str,
    content_type: str,
    text: str,
    received: datetime,
    cc: list[Person] | tuple[Person, ...] = (),
    bcc: list[Person] | tuple[Person, ...] = (),
    is_read: bool = False,
    is_draft: bool = False,
    importance: str = "normal",
    attachments: list[tuple[str, str]] | None = None,
    categories: list[str] | None = None,
    flagged: bool = False,
    conversation_id: str | None = None,
    sender_recipient: dict[str, Any] | None = None,
    to_recipients: list[dict[str, Any]] | None = None,
) -> StoredMessage:
    """A message in Graph's shape; ``attachments`` are ``(name, text)`` pairs."""
    message_id = ids.outlook()
    change_key = ids.change_key()
    stamp = format_datetime(received)
    domain = sender.address.rsplit("@", 1)[-1] if sender else "northwind.example"
    from_field = sender_recipient if sender_recipient is not None else (sender.recipient() if sender else None)
    data: dict[str, Any] = {
        "@odata.etag": f'W/"{change_key}"',
        "id": message_id,
        "createdDateTime": stamp,
        "lastModifiedDateTime": stamp,
        "changeKey": change_key,
        "categories": list(categories or []),
        "receivedDateTime": stamp,
        "sentDateTime": None if is_draft else stamp,
        "hasAttachments": bool(attachments),
        "internetMessageId": f"<{ids.hex(24)}@{domain}>",
        "subject": subject,
        "bodyPreview": preview(text),
        "importance": importance,
        "parentFolderId": folder_id,
        "conversationId": conversation_id or ids.conversation(),
        "conversationIndex": ids.conversation_index(),
        "isDeliveryReceiptRequested": False,
        "isReadReceiptRequested": False,
        "isRead": is_read,
        "isDraft": is_draft,
        "webLink": links.message(message_id),
        "inferenceClassification": "focused",
        "body": {"contentType": content_type, "content": body},
        "sender": from_field,
        "from": from_field,
        "toRecipients": to_recipients if to_recipients is not None else recipients(to),
        "ccRecipients": recipients(cc),
        "bccRecipients": recipients(bcc),
        "replyTo": [],
        "flag": {"flagStatus": "flagged"} if flagged else NOT_FLAGGED,
    }
    files = [
        Attachment("AAMkAD" + ids.change_key() + "=", name, content, stamp) for name, content in attachments or []
    ]
    return StoredMessage(data, text, files)
