"""Composing, sending and delivering mail inside the demo tenant.

Mail to a demo user (or a group of them) lands in their Inbox; every send is also
recorded in the outbound log the admin API exposes, so tests can prove what left.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crm_app.sandbox.context import Sandbox
from crm_app.sandbox.data.tenant import Person, User
from crm_app.sandbox.errors import BadRequest
from crm_app.sandbox.odata.values import format_datetime
from crm_app.sandbox.store.messages import Attachment, StoredMessage, build_message
from crm_app.sandbox.text import html_to_text

ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
IMPORTANCE = frozenset({"low", "normal", "high"})
CONTENT_TYPES = frozenset({"text", "html"})


@dataclass
class Composition:
    """A message as a client wrote it: recipients, subject, body, attachments."""

    subject: str = ""
    body: str = ""
    content_type: str = "text"
    to: list[Person] = field(default_factory=list)
    cc: list[Person] = field(default_factory=list)
    bcc: list[Person] = field(default_factory=list)
    importance: str = "normal"
    categories: list[str] = field(default_factory=list)
    attachments: list[tuple[str, bytes]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return html_to_text(self.body) if self.content_type == "html" else self.body

    @property
    def everyone(self) -> list[Person]:
        return [*self.to, *self.cc, *self.bcc]


def parse_person(entry: Any, what: str, code: str) -> Person:
    """The person in a Graph ``{"emailAddress": {"address", "name"}}`` object, or a 400 naming ``what``."""
    address_block = entry.get("emailAddress") if isinstance(entry, dict) else None
    if not isinstance(address_block, dict):
        address_block = {}
    address = address_block.get("address")
    if not isinstance(address, str) or not ADDRESS.match(address.strip()):
        raise BadRequest(
            f"Invalid {what}: {json_snippet(entry)}. Each needs "
            "{\"emailAddress\": {\"address\": \"name@example.com\"}}.",
            code=code,
        )
    given_name = address_block.get("name")
    name = given_name if isinstance(given_name, str) and given_name else address.strip()
    return Person(name, address.strip())


def parse_recipients(value: Any, field_name: str) -> list[Person]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRequest(f"'{field_name}' must be a list of {{\"emailAddress\": {{\"address\": ...}}}} objects.")
    return [parse_person(entry, f"recipient in '{field_name}'", "ErrorInvalidRecipients") for entry in value]


def json_snippet(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def parse_composition(message: Any, *, base: Composition | None = None) -> Composition:
    """Read a Graph ``message`` object (as sent to sendMail, draft create or PATCH)."""
    if not isinstance(message, dict):
        raise BadRequest("'message' must be a JSON object with subject, body and toRecipients.")
    result = base or Composition()
    if "subject" in message:
        if not isinstance(message["subject"], (str, type(None))):
            raise BadRequest("'subject' must be a string.")
        result.subject = message["subject"] or ""
    if "body" in message:
        body = message["body"]
        if not isinstance(body, dict):
            raise BadRequest("'body' must be an object like {\"contentType\": \"text\", \"content\": \"...\"}.")
        content_type = str(body.get("contentType", "text")).lower()
        if content_type not in CONTENT_TYPES:
            raise BadRequest(f"'body.contentType' must be 'text' or 'html', not '{body.get('contentType')}'.")
        content = body.get("content", "")
        if not isinstance(content, str):
            raise BadRequest("'body.content' must be a string.")
        result.body, result.content_type = content, content_type
    for key, attribute in (("toRecipients", "to"), ("ccRecipients", "cc"), ("bccRecipients", "bcc")):
        if key in message:
            setattr(result, attribute, parse_recipients(message[key], key))
    if "importance" in message:
        importance = str(message["importance"]).lower()
        if importance not in IMPORTANCE:
            raise BadRequest("'importance' must be low, normal or high.")
        result.importance = importance
    if "categories" in message:
        categories = message["categories"]
        if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
            raise BadRequest("'categories' must be a list of strings.")
        result.categories = categories
    if "attachments" in message:
        result.attachments = parse_attachments(message["attachments"])
    return result


def parse_attachments(value: Any) -> list[tuple[str, bytes]]:
    if not isinstance(value, list):
        raise BadRequest("'attachments' must be a list of fileAttachment objects.")
    files = []
    for entry in value:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise BadRequest("Each attachment needs '@odata.type': '#microsoft.graph.fileAttachment', 'name' and "
                             "'contentBytes'.")
        try:
            files.append((entry["name"], base64.b64decode(entry.get("contentBytes") or "", validate=True)))
        except (binascii.Error, ValueError) as exc:
            raise BadRequest(f"The contentBytes of attachment '{entry['name']}' is not valid base64.") from exc
    return files


def require_recipients(composition: Composition) -> None:
    if not composition.everyone:
        raise BadRequest("At least one recipient is required, but none were found.", code="ErrorInvalidRecipients")


def store_message(sandbox: Sandbox, owner: User, composition: Composition, *, folder: str, sender: Person,
                  when: datetime, is_read: bool, is_draft: bool = False, conversation_id: str | None = None,
                  internet_message_id: str | None = None) -> StoredMessage:
    """Put a copy of ``composition`` into ``owner``'s mailbox folder."""
    state = sandbox.state
    mailbox = state.mailbox(owner)
    message = build_message(
        state.ids, sandbox.links, folder_id=mailbox.folder(folder).id, subject=composition.subject, sender=sender,
        to=composition.to, cc=composition.cc, bcc=composition.bcc if folder != "inbox" else [],
        body=composition.body, content_type=composition.content_type, text=composition.text, received=when,
        is_read=is_read, is_draft=is_draft, importance=composition.importance,
        categories=composition.categories, conversation_id=conversation_id,
    )
    message.attachments = [
        Attachment("AAMkAD" + state.ids.change_key() + "=", name, _as_text(raw), format_datetime(when), raw=raw)
        for name, raw in composition.attachments
    ]
    message.data["hasAttachments"] = bool(message.attachments)
    if internet_message_id:
        message.data["internetMessageId"] = internet_message_id
    return mailbox.add(message)


def _as_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return ""


def composition_of(message: StoredMessage) -> Composition:
    data = message.data

    def people(key: str) -> list[Person]:
        return [Person(r["emailAddress"].get("name", ""), r["emailAddress"]["address"]) for r in data.get(key) or []]

    return Composition(
        subject=data.get("subject") or "", body=data["body"]["content"], content_type=data["body"]["contentType"],
        to=people("toRecipients"), cc=people("ccRecipients"), bcc=people("bccRecipients"),
        importance=data.get("importance", "normal"), categories=list(data.get("categories") or []),
        attachments=[(a.name, a.content) for a in message.attachments],
    )


def send(sandbox: Sandbox, sender: User, composition: Composition, *, save: bool = True,
         conversation_id: str | None = None, draft: StoredMessage | None = None) -> StoredMessage | None:
    """Send: a copy to Sent Items (unless ``save`` is false), one to each demo recipient's Inbox."""
    require_recipients(composition)
    now = sandbox.state.now()
    mailbox = sandbox.state.mailbox(sender)
    conversation = conversation_id or sandbox.state.ids.conversation()
    sent: StoredMessage | None = None
    if draft is not None:
        mailbox.remove(draft)
    if save:
        sent = store_message(sandbox, sender, composition, folder="sentitems", sender=sender.person, when=now,
                             is_read=True, conversation_id=conversation)
    internet_id = sent.data["internetMessageId"] if sent else None
    for user in recipients_in_tenant(sandbox, composition.everyone):
        store_message(sandbox, user, composition, folder="inbox", sender=sender.person, when=now, is_read=False,
                      conversation_id=conversation, internet_message_id=internet_id)
    sandbox.outbound.append({
        "from": sender.mail,
        "to": [p.address for p in composition.to],
        "cc": [p.address for p in composition.cc],
        "bcc": [p.address for p in composition.bcc],
        "subject": composition.subject,
        "sent": format_datetime(now),
        "attachments": [name for name, _ in composition.attachments],
    })
    return sent


def recipients_in_tenant(sandbox: Sandbox, people: list[Person]) -> list[User]:
    """Demo users among ``people``, with groups expanded to their members, each once."""
    found: dict[str, User] = {}
    for person in people:
        user = sandbox.tenant.user_by_mail(person.address)
        group = sandbox.tenant.group_by_mail(person.address)
        members = [user] if user else [sandbox.tenant.user_by_mail(m) for m in group.members] if group else []
        for member in members:
            if member is not None:
                found.setdefault(member.mail.lower(), member)
    return list(found.values())


def response_composition(original: StoredMessage, owner: User, kind: str, comment: str,
                         overrides: Composition | None = None) -> Composition:
    """A reply, reply-all or forward of ``original`` with ``comment`` above the quoted message."""
    data = original.data
    sender = data.get("from") or {}
    sender_address = (sender.get("emailAddress") or {}).get("address", "")
    sender_person = Person((sender.get("emailAddress") or {}).get("name", sender_address), sender_address)
    prefix = "FW: " if kind == "forward" else "RE: "
    subject = data.get("subject") or ""
    if not subject.upper().startswith(prefix.strip().upper() + ":"):
        subject = prefix + subject
    to: list[Person] = []
    cc: list[Person] = []
    if kind in ("reply", "replyAll") and sender_address:
        to = [sender_person]
    if kind == "replyAll":
        mine = owner.mail.lower()
        to += [Person(r["emailAddress"].get("name", ""), r["emailAddress"]["address"])
               for r in data.get("toRecipients") or [] if r["emailAddress"]["address"].lower() not in (mine, sender_address.lower())]
        cc = [Person(r["emailAddress"].get("name", ""), r["emailAddress"]["address"])
              for r in data.get("ccRecipients") or [] if r["emailAddress"]["address"].lower() != mine]
    quoted = (
        f"<hr><div><b>From:</b> {html.escape(sender_person.name)} &lt;{html.escape(sender_address)}&gt;<br>"
        f"<b>Sent:</b> {html.escape(data.get('sentDateTime') or data['receivedDateTime'])}<br>"
        f"<b>Subject:</b> {html.escape(data.get('subject') or '')}</div>"
        f"<div>{html.escape(original.text).replace(chr(10), '<br>')}</div>"
    )
    body = f"<div>{html.escape(comment).replace(chr(10), '<br>')}</div>{quoted}"
    composition = Composition(subject=subject, body=f"<html><body>{body}</body></html>", content_type="html",
                              to=to, cc=cc)
    if kind == "forward":
        composition.attachments = [(a.name, a.content) for a in original.attachments]
    if overrides is not None:
        for attribute in ("to", "cc", "bcc"):
            if getattr(overrides, attribute):
                setattr(composition, attribute, getattr(overrides, attribute))
    return composition
