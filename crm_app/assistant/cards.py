"""Tool results → typed cards the chat shows (and the LLM reads, fenced).

Cards are flat `dict[str, str]` with a `kind`. Email cards always say which body they carry:
`body_kind` is "preview", "full" or "empty", and `body_label` is what the UI prints. Results from
other MCP servers in Graph's own shapes (`subject`, `bodyPreview`, `from.emailAddress`, …) are
understood too; anything unrecognised becomes a plain text card, never a guess.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from crm_app.formatting import money, short_date, stage_label
from crm_app.tools.base import ToolResult

PREVIEW_LABEL = "Preview · truncated"
FULL_LABEL = "Full body"
EMPTY_LABEL = "No body text"
MAX_TEXT_CARD = 4000
GRAPH_PREVIEW_LENGTH = 255


def body_label(kind: str, truncated: bool = True) -> str:
    """What the card's badge says. A preview counts as the full body only when nothing of it was cut."""
    if kind == "preview":
        return PREVIEW_LABEL if truncated else FULL_LABEL
    return {"full": FULL_LABEL}.get(kind, EMPTY_LABEL)


def _s(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else ""
    return str(value)


def _person(p: Any) -> tuple[str, str]:
    if isinstance(p, dict):
        if "emailAddress" in p:
            p = p["emailAddress"] or {}
        return _s(p.get("name")), _s(p.get("address") or p.get("email"))
    if isinstance(p, str):
        return "", p
    return "", ""


def person_label(name: str, addr: str) -> str:
    """ "Name <address>", or the address alone when there is no name or the name is the address."""
    if name and addr and name.strip().casefold() != addr.strip().casefold():
        return f"{name} <{addr}>"
    return addr or name


def _people(items: Any) -> str:
    return ", ".join(x for x in (person_label(*_person(p)) for p in items or []) if x)


def _human_size(n: Any) -> str:
    try:
        size = float(n)
    except (TypeError, ValueError):
        return ""
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


# ---------------------------------------------------------------- per kind
def email_card(m: dict[str, Any], *, default_kind: str = "preview") -> dict[str, str]:
    """An email in our MCP server's shape or Graph's message shape."""
    from_name, from_addr = _person(m.get("from") or m.get("sender"))
    body = m.get("body")
    kind = m.get("body_kind")
    if isinstance(body, dict):  # Graph shape: body = {contentType, content}
        from crm_app.assistant.text import html_to_text

        content = _s(body.get("content"))
        body = html_to_text(content) if _s(body.get("contentType")).lower() == "html" else content
        kind = kind or "full"
    if body is None and "bodyPreview" in m:
        body, kind = m.get("bodyPreview"), kind or "preview"
    body = _s(body)
    kind = kind or default_kind
    if not body.strip():
        kind = "empty"
    truncated = kind == "preview" and _preview_cut(m, body)
    return {
        "kind": "email",
        "id": _s(m.get("id")),
        "title": _s(m.get("subject")) or "(no subject)",
        "from_name": from_name,
        "from_address": from_addr,
        "to": _people(m.get("to") or m.get("toRecipients")),
        "cc": _people(m.get("cc") or m.get("ccRecipients")),
        "date": _s(m.get("received_at") or m.get("receivedDateTime") or m.get("sentDateTime")),
        "body": body,
        "body_kind": kind,
        "body_truncated": _s(truncated),
        "body_label": body_label(kind, truncated),
        "has_attachments": _s(bool(m.get("has_attachments") or m.get("hasAttachments"))),
        "is_read": _s(m.get("is_read", m.get("isRead", True))),
        "importance": _s(m.get("importance")),
        "link": _s(m.get("web_link") or m.get("webLink")),
        "crm_contact_id": "",
        "crm_contact_name": "",
    }


def _preview_cut(m: dict[str, Any], body: str) -> bool:
    """Whether a preview lacks part of the body: as the server says, else by Graph's preview length."""
    said = m.get("body_truncated")
    if isinstance(said, bool):
        return said
    return len(body) >= GRAPH_PREVIEW_LENGTH


def _when(v: Any) -> str:
    if isinstance(v, dict):  # Graph dateTimeTimeZone
        return _s(v.get("dateTime"))
    return _s(v)


def event_card(e: dict[str, Any]) -> dict[str, str]:
    org_name, org_addr = _person(e.get("organizer"))
    start, online = e.get("start"), e.get("onlineMeeting")
    loc = e.get("location")
    if isinstance(loc, dict):
        loc = loc.get("displayName")
    return {
        "kind": "event",
        "id": _s(e.get("id")),
        "title": _s(e.get("subject") or e.get("title")) or "(no title)",
        "start": _when(e.get("start")),
        "end": _when(e.get("end")),
        "time_zone": _s(e.get("time_zone") or (start.get("timeZone") if isinstance(start, dict) else "")),
        "location": _s(loc),
        "attendees": _people(e.get("attendees")),
        "organizer": person_label(org_name, org_addr),
        "online_url": _s(e.get("online_meeting_url") or (online.get("joinUrl") if isinstance(online, dict) else "")),
        "body": _s(e.get("body_preview") or e.get("bodyPreview")),
        "link": _s(e.get("web_link") or e.get("webLink")),
    }


def _where(path: str, parent_path: str, site: str) -> str:
    """The folder an item is in, after its SharePoint site's name: from the item's own path (which ends with
    its name) or from Graph's parent reference ("/drive/root:/Documents")."""
    if path:
        folder = path.rsplit("/", 1)[0] or "/"
    elif parent_path:
        folder = (parent_path.split(":", 1)[1] if ":" in parent_path else "") or "/"
    else:
        return site
    return f"{site} › {folder}" if site else folder


def file_card(f: dict[str, Any]) -> dict[str, str]:
    modified_by = f.get("last_modified_by")
    if isinstance(f.get("lastModifiedBy"), dict):
        modified_by = ((f["lastModifiedBy"].get("user") or {}).get("displayName"))
    parent = f.get("parentReference") or {}
    return {
        "kind": "file",
        "id": _s(f.get("id")),
        "title": _s(f.get("name")),
        "path": _where(_s(f.get("path")), _s(parent.get("path") if isinstance(parent, dict) else ""),
                       _s(f.get("site_name"))),
        "site": _s(f.get("site_name")),
        "size": _human_size(f.get("size")),
        "modified": _s(f.get("last_modified_at") or f.get("lastModifiedDateTime")),
        "modified_by": _s(modified_by),
        "is_folder": _s(bool(f.get("is_folder") or f.get("folder"))),
        "drive_id": _s(f.get("drive_id") or (parent.get("driveId") if isinstance(parent, dict) else "")),
        "link": _s(f.get("web_url") or f.get("webUrl")),
        "body": "",
    }


def site_card(s: dict[str, Any]) -> dict[str, str]:
    return {"kind": "site", "id": _s(s.get("id")), "title": _s(s.get("display_name") or s.get("displayName") or s.get("name")),
            "description": _s(s.get("description")), "link": _s(s.get("web_url") or s.get("webUrl"))}


def team_card(t: dict[str, Any], kind: str = "team") -> dict[str, str]:
    return {"kind": kind, "id": _s(t.get("id")), "title": _s(t.get("display_name") or t.get("displayName")),
            "description": _s(t.get("description")), "link": _s(t.get("web_url") or t.get("webUrl"))}


CRM_LINK = {"contact": "/contacts/", "company": "/companies/", "deal": "/deals/"}


def post_card(m: dict[str, Any]) -> dict[str, str]:
    """A Teams channel message: who posted it, when, and its text."""
    author = m.get("author")
    if isinstance(m.get("from"), dict):
        author = (m["from"].get("user") or m["from"].get("application") or {}).get("displayName")
    return {
        "kind": "post",
        "id": _s(m.get("id")),
        "title": _s(author) or "(unknown author)",
        "date": _s(m.get("created_at") or m.get("createdDateTime")),
        "subject": _s(m.get("subject")),
        "body": _s(m.get("body") if not isinstance(m.get("body"), dict) else m["body"].get("content")),
        "link": _s(m.get("web_url") or m.get("webUrl")),
    }


def crm_card(entity: str, r: dict[str, Any], status: str = "") -> dict[str, str]:
    entity = entity or _s(r.get("entity"))
    if entity == "contact":
        title, subtitle = _s(r.get("name")), " · ".join(x for x in (_s(r.get("title")), _s(r.get("company"))) if x)
        fields = [("Emails", ", ".join(r.get("emails") or [])), ("Phone", _s(r.get("phone")))]
    elif entity == "company":
        title, subtitle = _s(r.get("name")), " · ".join(x for x in (_s(r.get("industry")), _s(r.get("domain"))) if x)
        fields = []
    elif entity == "deal":
        title = _s(r.get("title"))
        subtitle = " · ".join(x for x in (stage_label(_s(r.get("stage"))), money(r.get("amount"), _s(r.get("currency"))),
                                           _s(r.get("company"))) if x)
        fields = [("Expected close", short_date(r.get("expected_close"))), ("Probability", f"{_s(r.get('probability'))}%"),
                  ("Contact", _s(r.get("contact")))]
    else:
        title, subtitle, fields = _s(r.get("subject") or r.get("name")), _s(r.get("kind")), []
    return {
        "kind": "crm", "entity": entity, "id": _s(r.get("id")), "record_id": _s(r.get("id")), "title": title,
        "subtitle": subtitle, "fields": "\n".join(f"{k}: {v}" for k, v in fields if v and v != "%"),
        "link": CRM_LINK.get(entity, "") + _s(r.get("id")) if entity in CRM_LINK else "", "status": status,
    }


def activity_card(a: dict[str, Any], record: dict[str, Any] | None, entity: str) -> dict[str, str]:
    on = ""
    if record:
        on = _s(record.get("name") or record.get("title"))
    return {"kind": "crm", "entity": "activity", "id": _s(a.get("id")), "record_id": _s(a.get("id")),
            "title": f"{_s(a.get('kind')).title()} added" + (f" to {on}" if on else ""),
            "subtitle": _s(a.get("subject")), "fields": _s(a.get("body"))[:500],
            "link": (CRM_LINK.get(entity, "") + _s(record.get("id"))) if record and entity in CRM_LINK else "", "status": "added"}


SENT_TITLES = {"sent": "Email sent", "replied": "Reply sent", "draft_created": "Draft saved"}


def sent_card(data: dict[str, Any]) -> dict[str, str]:
    """What a send, reply or draft did: who it went to, the subject, and where to find it."""
    status = _s(data.get("status"))
    draft = data.get("draft") if isinstance(data.get("draft"), dict) else {}
    return {
        "kind": "sent", "id": _s(draft.get("id") or data.get("message_id")), "status": status,
        "title": SENT_TITLES[status],
        "to": _people(data.get("to") or draft.get("to")),
        "cc": _people(data.get("cc") or draft.get("cc")),
        "subject": _s(data.get("subject") or draft.get("subject")) or "(no subject)",
        "folder": "Drafts" if status == "draft_created" else "Sent Items",
        "link": _s(draft.get("web_link") or draft.get("webLink")),
    }


def error_card(what: str, message: str, retry_id: str = "") -> dict[str, str]:
    return {"kind": "error", "id": retry_id, "title": f"{what} failed", "body": message, "retry_id": retry_id}


def text_card(title: str, text: str) -> dict[str, str]:
    text = text if len(text) <= MAX_TEXT_CARD else text[:MAX_TEXT_CARD] + "\n… (cut)"
    return {"kind": "text", "id": "", "title": title, "body": text}


# ---------------------------------------------------------------- dispatch
def _looks_like_email(d: dict[str, Any]) -> bool:
    return "subject" in d and ("from" in d or "sender" in d or "bodyPreview" in d or "body_kind" in d)


def _looks_like_event(d: dict[str, Any]) -> bool:
    return "start" in d and "end" in d and ("subject" in d or "title" in d)


def _looks_like_file(d: dict[str, Any]) -> bool:
    return "name" in d and any(k in d for k in ("size", "web_url", "webUrl", "is_folder", "file", "folder", "mime_type"))


def card_for_item(d: dict[str, Any], hint: str = "") -> dict[str, str] | None:
    if hint == "event" or (hint != "email" and _looks_like_event(d)):  # a Graph event has a bodyPreview too
        return event_card(d)
    if hint == "email" or _looks_like_email(d):
        return email_card(d)
    if hint == "site":
        return site_card(d)
    if hint in ("team", "channel"):
        return team_card(d, hint)
    if hint == "post":
        return post_card(d)
    if hint == "file" or _looks_like_file(d):
        return file_card(d)
    return None


LIST_KEYS = {"channel_messages": "post", "emails": "email", "messages": "email", "events": "event", "files": "file", "items": "", "sites": "site",
             "teams": "team", "channels": "channel", "value": "", "results": "", "people": "person"}


def cards_from_result(result: ToolResult) -> list[dict[str, str]]:
    """Every card a successful tool result yields, in order."""
    data = result.data
    if data is None and result.text:
        try:
            parsed = json.loads(result.text)
            data = parsed if isinstance(parsed, dict) else {"value": parsed}
        except ValueError:
            return [text_card(result.tool, result.text)] if result.text.strip() else []
    if not isinstance(data, dict):
        return []
    # CRM tools
    if result.source == "crm":
        return _crm_cards(data)
    if isinstance(data.get("email"), dict):
        c = email_card(data["email"], default_kind="full")
        return [c]
    if isinstance(data.get("event"), dict):
        return [event_card(data["event"])]
    if isinstance(data.get("file"), dict) and "content" in data:
        c = file_card(data["file"])
        c["body"] = _s(data.get("content"))
        c["body_label"] = "Text content" + (" · truncated" if data.get("truncated") else "")
        return [c]
    if isinstance(data.get("message"), dict) and ("web_url" in data["message"] or "created_at" in data["message"]):
        m = data["message"]
        return [{"kind": "text", "id": _s(m.get("id")), "title": "Message posted", "body": _s(m.get("web_url")),
                 "link": _s(m.get("web_url"))}]
    out: list[dict[str, str]] = []
    for key, hint in LIST_KEYS.items():
        items = data.get(key)
        if isinstance(items, list):
            for item in items:
                if isinstance(item, dict):
                    if hint == "person":
                        out.append(_person_card(item))
                        continue
                    card = card_for_item(item, hint)
                    if card:
                        out.append(card)
            if out:
                return out
    if _s(data.get("status")) in SENT_TITLES:
        return [sent_card(data)]
    if data.get("status"):
        detail = ", ".join(f"{k}: {_s(v) if not isinstance(v, list) else _people(v)}" for k, v in data.items() if k != "status")
        return [text_card(_s(data["status"]).replace("_", " ").capitalize(), detail)]
    single = card_for_item(data)
    if single:
        return [single]
    if "result" in data and len(data) == 1:
        return [text_card(result.tool, _s(data["result"]))] if _s(data["result"]).strip() else []
    return [text_card(result.tool, json.dumps(data, indent=2, ensure_ascii=False))]


def _person_card(p: dict[str, Any]) -> dict[str, str]:
    name = _s(p.get("display_name") or p.get("displayName") or p.get("name"))
    addr = _s(p.get("address") or p.get("mail") or p.get("email"))
    return {"kind": "text", "id": _s(p.get("id")), "title": name, "body": addr}


def _crm_cards(data: dict[str, Any]) -> list[dict[str, str]]:
    entity = _s(data.get("entity"))
    if "records" in data:
        return [crm_card(_s(r.get("entity")) or entity, r) for r in data["records"]]
    if data.get("activity"):
        return [activity_card(data["activity"], data.get("record"), entity)]
    if isinstance(data.get("record"), dict):
        return [crm_card(entity, data["record"], _s(data.get("status")))]
    return []


def mark_crm_contacts(cards: Iterable[dict[str, str]], known: dict[str, dict[str, Any]]) -> None:
    """Tag email cards whose sender is a CRM contact (so "Log to CRM" knows where it goes)."""
    for c in cards:
        if c.get("kind") == "email":
            hit = known.get(c.get("from_address", "").lower())
            if hit:
                c["crm_contact_id"] = _s(hit.get("id"))
                c["crm_contact_name"] = _s(hit.get("name"))
