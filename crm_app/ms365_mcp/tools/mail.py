"""Outlook mail tools: search, read, folders, drafts, send and reply."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import AfterValidator, Field

from crm_app.ms365_mcp.errors import BODY_UNAVAILABLE_CODE, ArgumentError, Ms365Error, NotFound
from crm_app.ms365_mcp.graph import GraphClient
from crm_app.graph_query.mail_query import (
    FULL_SELECT,
    EmailCriteria,
    build_message_query,
    verifier,
)
from crm_app.ms365_mcp.mapping import email_draft, email_full, email_preview, graph_recipients, mail_folder, recipients
from crm_app.ms365_mcp.models import (
    DraftResult,
    EmailResult,
    EmailSearchResult,
    FolderList,
    ForwardResult,
    ReplyResult,
    SendResult,
)
from crm_app.graph_query.odata import odata_string
from crm_app.graph_query.timeparse import to_aware
from crm_app.ms365_mcp.tools.common import (
    ADDITIVE,
    READ_ONLY,
    AddressList,
    GraphId,
    OptionalAddressList,
    OptionalIsoDateTime,
    OptionalText,
    RequiredText,
    ToolSpec,
    bearer_token,
    check_address,
    fetch_list,
    segment,
)

logger = logging.getLogger(__name__)

DEFAULT_EMAIL_TOP = 25
MAX_EMAIL_TOP = 50
MAX_FOLDERS = 100
MAX_ATTACHMENTS = 50
MAX_SUBJECT_LENGTH = 255
MAX_BODY_LENGTH = 100_000
WELL_KNOWN_FOLDERS = {
    "inbox": "inbox",
    "sent": "sentitems",
    "sent items": "sentitems",
    "sentitems": "sentitems",
    "drafts": "drafts",
    "draft": "drafts",
    "archive": "archive",
    "deleted": "deleteditems",
    "deleted items": "deleteditems",
    "deleteditems": "deleteditems",
    "trash": "deleteditems",
    "junk": "junkemail",
    "junk email": "junkemail",
    "junkemail": "junkemail",
    "spam": "junkemail",
    "outbox": "outbox",
}
Recipients = Annotated[AddressList, Field(description="Recipient email addresses")]
CcRecipients = Annotated[OptionalAddressList, Field(description="Cc email addresses")]
Subject = Annotated[RequiredText, Field(max_length=MAX_SUBJECT_LENGTH, description="Subject line")]
PlainBody = Annotated[str, Field(max_length=MAX_BODY_LENGTH, description="Plain-text body")]
_FOLDER_ID = re.compile(r"^[A-Za-z0-9+/=_-]{40,}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")
MAX_PARTICIPANTS = 20


def _check_participant(value: str) -> str:
    text = value.strip().lower()
    if "@" in text:
        return check_address(text)
    if not _DOMAIN.match(text):
        raise ValueError(f"{value!r} is neither an email address nor a domain such as example.com")
    return text


Participants = Annotated[
    list[Annotated[str, AfterValidator(_check_participant)]] | None,
    Field(max_length=MAX_PARTICIPANTS, description=(
        "Email addresses or domains (example.com) of people the message was exchanged with: it matches when one "
        "of them is the sender, a recipient or on Cc")),
]

SEARCH_DESCRIPTION = f"""Search the signed-in user's Outlook mailbox and return matching emails, newest first.

Filters (all optional, combined with AND): `query` free text (words searched in sender, subject and body),
`sender` (an email address for an exact match, or a name), `participants` (addresses or domains, up to
{MAX_PARTICIPANTS}: mail exchanged with any of them, sent or received), `start`/`end` received-date range (ISO date or
date-time; a date alone as `end` includes that whole day), `folder` (inbox, sentitems, drafts, archive,
deleteditems, junkemail or a folder's display name; default: all folders), `unread_only`, `top` (1-{MAX_EMAIL_TOP},
default {DEFAULT_EMAIL_TOP}).

Returns {{"emails": [...], "count", "has_more", "dropped_mismatches"}}. Each email has id, subject, from, to, cc,
received_at (UTC), is_read, has_attachments, web_link and body. IMPORTANT: results carry only Graph's
255-character body preview (body_kind "preview"), never the full text; call outlook_get_email with the id
to read the whole message before quoting or summarising its content. has_more=true means more messages
matched than were returned; narrow the filters or raise `top`."""


async def resolve_folder(graph: GraphClient, token: str, folder: str) -> str:
    """A mail folder's id: a well-known name, an id as given, or the folder of that display name."""
    key = " ".join(folder.lower().split())
    if key in WELL_KNOWN_FOLDERS:
        return WELL_KNOWN_FOLDERS[key]
    if _FOLDER_ID.match(folder):
        return folder
    data = await graph.get_json(
        "/me/mailFolders",
        token=token,
        params={"$filter": f"displayName eq {odata_string(folder)}", "$select": "id,displayName"},
    )
    found = [f for f in data.get("value", []) if isinstance(f, dict) and f.get("id")]
    if not found:
        raise NotFound(
            f"There is no mail folder named '{folder}'. Call outlook_list_folders to see the folder names, "
            "or use inbox, sentitems, drafts, archive, deleteditems or junkemail."
        )
    return str(found[0]["id"])


def message_body(subject: str, body: str, to: list[str], cc: list[str] | None) -> dict[str, Any]:
    return {
        "subject": subject,
        "body": {"contentType": "Text", "content": body},
        "toRecipients": graph_recipients(to),
        "ccRecipients": graph_recipients(cc or []),
    }


async def outlook_search_emails(
    graph: GraphClient,
    ctx: Context,
    query: Annotated[OptionalText, Field(description="Free-text words to search for; omit to list mail")] = None,
    sender: Annotated[OptionalText, Field(description="Sender's email address (exact) or name")] = None,
    start: Annotated[OptionalIsoDateTime, Field(description="Received on or after, e.g. 2025-03-01")] = None,
    end: Annotated[OptionalIsoDateTime, Field(description="Received before (a date alone: that whole day)")] = None,
    folder: Annotated[OptionalText, Field(description="inbox, sentitems, drafts, ... or a folder name")] = None,
    unread_only: Annotated[bool, Field(description="Only unread emails")] = False,
    top: Annotated[int, Field(ge=1, le=MAX_EMAIL_TOP, description="Maximum emails to return")] = DEFAULT_EMAIL_TOP,
    participants: Participants = None,
) -> EmailSearchResult:
    token = bearer_token(ctx)
    criteria = EmailCriteria(
        query=query,
        sender=sender,
        start=to_aware(start, UTC) if start else None,
        end=to_aware(end, UTC, end_of_day=True) if end else None,
        unread_only=unread_only,
        participants=tuple(dict.fromkeys(participants or ())),
    )
    if criteria.start and criteria.end and criteria.end <= criteria.start:
        raise ArgumentError("end", "must be later than start")
    plan = build_message_query(criteria, top)
    if plan.matches_nothing:
        return EmailSearchResult(emails=[], count=0, has_more=False, dropped_mismatches=0)
    path = "/me/messages"
    if folder:
        path = f"/me/mailFolders/{segment(await resolve_folder(graph, token, folder))}/messages"
    page = await graph.collect(
        path,
        token=token,
        params=plan.params,
        limit=plan.page_limit,
        max_pages=plan.max_pages,
        keep=verifier(criteria),
    )
    if page.dropped:
        logger.info(
            "outlook_search_emails left out %d message(s) not matching the requested %s",
            page.dropped, "sender, dates or unread flag",
        )
    emails = [email_preview(m) for m in page.items]
    emails.sort(key=lambda e: e.received_at or "", reverse=True)
    return EmailSearchResult(
        emails=emails, count=len(emails), has_more=page.has_more, dropped_mismatches=page.dropped
    )


async def outlook_get_email(
    graph: GraphClient,
    ctx: Context,
    message_id: Annotated[GraphId, Field(description="The email's id")],
) -> EmailResult:
    token = bearer_token(ctx)
    base = f"/me/messages/{segment(message_id)}"
    message = await graph.get_json(base, token=token, params={"$select": FULL_SELECT})
    if not isinstance(message.get("body"), dict):
        raise Ms365Error(
            "Microsoft 365 returned this email without its body: the access token only allows basic mail "
            "access. Reconnect Microsoft 365 and grant permission to read mail (Mail.Read), then retry.",
            code=BODY_UNAVAILABLE_CODE,
            status=403,
        )
    attachments: list[dict[str, Any]] = []
    if message.get("hasAttachments"):
        page = await graph.collect(
            f"{base}/attachments",
            token=token,
            params={"$select": "name,size,contentType,isInline", "$top": str(MAX_ATTACHMENTS)},
            limit=MAX_ATTACHMENTS,
            max_pages=1,
        )
        attachments = [a for a in page.items if not a.get("isInline")]
    return EmailResult(email=email_full(message, attachments))


async def outlook_list_folders(graph: GraphClient, ctx: Context) -> FolderList:
    folders, more = await fetch_list(
        graph, bearer_token(ctx), "/me/mailFolders", mail_folder,
        params={
            "$select": "id,displayName,parentFolderId,childFolderCount,unreadItemCount,totalItemCount",
            "$top": str(MAX_FOLDERS),
        },
        limit=MAX_FOLDERS,
    )
    return FolderList(folders=folders, count=len(folders), has_more=more)


async def outlook_create_draft(
    graph: GraphClient,
    ctx: Context,
    to: Recipients,
    subject: Subject,
    body: PlainBody,
    cc: CcRecipients = None,
) -> DraftResult:
    token = bearer_token(ctx)
    created = await graph.post_json("/me/messages", token=token, body=message_body(subject, body, to, cc))
    return DraftResult(status="draft_created", draft=email_draft(created))


async def outlook_send_email(
    graph: GraphClient,
    ctx: Context,
    to: Recipients,
    subject: Subject,
    body: PlainBody,
    cc: CcRecipients = None,
) -> SendResult:
    token = bearer_token(ctx)
    message = message_body(subject, body, to, cc)
    await graph.post_json("/me/sendMail", token=token, body={"message": message, "saveToSentItems": True})
    return SendResult(
        status="sent",
        to=recipients(message["toRecipients"]),
        cc=recipients(message["ccRecipients"]),
        subject=subject,
    )


async def outlook_reply_email(
    graph: GraphClient,
    ctx: Context,
    message_id: Annotated[GraphId, Field(description="Id of the email to reply to")],
    comment: Annotated[RequiredText, Field(max_length=MAX_BODY_LENGTH, description="The reply text")],
    reply_all: Annotated[bool, Field(description="Reply to all recipients, not only the sender")] = False,
) -> ReplyResult:
    token = bearer_token(ctx)
    base = f"/me/messages/{segment(message_id)}"
    original_call = graph.get_json(
        base, token=token, params={"$select": "id,subject,from,replyTo,toRecipients,ccRecipients"}
    )
    if reply_all:
        original, me = await asyncio.gather(
            original_call, graph.get_json("/me", token=token, params={"$select": "mail,userPrincipalName"})
        )
    else:
        original, me = await original_call, {}
    reply_to = recipients(original.get("replyTo")) or recipients([original.get("from")])
    if reply_all:
        own = {str(me.get("mail") or "").lower(), str(me.get("userPrincipalName") or "").lower()}
        seen = {r.address.lower() for r in reply_to}
        for r in recipients(original.get("toRecipients")) + recipients(original.get("ccRecipients")):
            if r.address.lower() not in own and r.address.lower() not in seen:
                reply_to.append(r)
                seen.add(r.address.lower())
    await graph.post_json(f"{base}/{'replyAll' if reply_all else 'reply'}", token=token, body={"comment": comment})
    subject = str(original.get("subject") or "")
    return ReplyResult(
        status="replied",
        message_id=message_id,
        reply_all=reply_all,
        subject=subject if subject.lower().startswith("re:") else f"RE: {subject}",
        to=reply_to,
    )


async def outlook_forward_email(
    graph: GraphClient,
    ctx: Context,
    message_id: Annotated[GraphId, Field(description="Id of the email to forward")],
    to: Recipients,
    comment: Annotated[str, Field(max_length=MAX_BODY_LENGTH, description="Text above the forwarded email")] = "",
) -> ForwardResult:
    token = bearer_token(ctx)
    base = f"/me/messages/{segment(message_id)}"
    original = await graph.get_json(base, token=token, params={"$select": "id,subject"})
    await graph.post_json(
        f"{base}/forward", token=token, body={"comment": comment, "toRecipients": graph_recipients(to)}
    )
    subject = str(original.get("subject") or "")
    return ForwardResult(
        status="forwarded",
        message_id=message_id,
        subject=subject if subject.lower().startswith("fw:") else f"FW: {subject}",
        to=recipients(graph_recipients(to)),
    )


TOOLS = (
    ToolSpec(
        outlook_search_emails,
        "Search emails",
        SEARCH_DESCRIPTION,
        READ_ONLY,
    ),
    ToolSpec(
        outlook_get_email,
        "Read an email",
        "Fetch one email by id (from outlook_search_emails) with its FULL body as plain text (HTML converted "
        "and sanitised) and its attachment list. Returns {\"email\": {...}} with body_kind \"full\", or "
        "\"empty\" when the message has no body text (then there is nothing more to read). Use this before "
        "quoting or summarising what an email says.",
        READ_ONLY,
    ),
    ToolSpec(
        outlook_list_folders,
        "List mail folders",
        "List the user's top-level Outlook mail folders. Returns {\"folders\": [{id, display_name, "
        "unread_count, total_count, child_folder_count, parent_folder_id}], \"count\", \"has_more\"}. "
        "A folder's display_name can be passed as `folder` to outlook_search_emails.",
        READ_ONLY,
    ),
    ToolSpec(
        outlook_create_draft,
        "Create an email draft",
        "Save a new email as a draft in the user's Drafts folder without sending it. The body is plain text. "
        "Returns {\"status\": \"draft_created\", \"draft\": {...}} with the draft's id and web_link, where the "
        "user can review and send it.",
        ADDITIVE,
    ),
    ToolSpec(
        outlook_send_email,
        "Send an email",
        "Send a new plain-text email from the user's mailbox immediately (a copy is kept in Sent Items). "
        "This cannot be undone: only call it once the user has confirmed recipients, subject and body. "
        "Use directory_find_people to turn names into addresses first. Returns {\"status\": \"sent\", "
        "\"to\", \"cc\", \"subject\"}.",
        ADDITIVE,
    ),
    ToolSpec(
        outlook_reply_email,
        "Reply to an email",
        "Reply to an email (by id) with a plain-text comment, sent immediately; the original message is quoted "
        "below it. reply_all=true also replies to every other recipient. Cannot be undone: call it only after "
        "the user confirmed the text. Returns {\"status\": \"replied\", \"message_id\", \"reply_all\", "
        "\"subject\", \"to\"}.",
        ADDITIVE,
    ),
    ToolSpec(
        outlook_forward_email,
        "Forward an email",
        "Forward one email (by id) to `to`, with an optional plain-text comment above the forwarded message; "
        "sent immediately, attachments included. Cannot be undone: call it only after the user confirmed the "
        "recipients. Forwards exactly one message; there is no bulk forwarding. Returns {\"status\": "
        "\"forwarded\", \"message_id\", \"subject\", \"to\"}.",
        ADDITIVE,
    ),
)
