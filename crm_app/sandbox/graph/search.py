"""Microsoft Search: ``POST /search/query`` over drive items, sites, messages and events."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crm_app.sandbox.data import office
from crm_app.sandbox.errors import BadRequest, GraphError
from crm_app.sandbox.graph.http import Caller, context_url, json_body, requires
from crm_app.sandbox.odata.kql import (
    Matcher,
    SearchFields,
    compile_search,
    parse_search,
)
from crm_app.sandbox.store.mailbox import MESSAGE_SEARCH_FIELDS

FILE_SCOPES = frozenset({"Files.Read.All", "Files.ReadWrite.All", "Sites.Read.All", "Sites.ReadWrite.All"})
MAIL_SCOPES = frozenset({"Mail.Read", "Mail.ReadWrite"})
EVENT_SCOPES = frozenset({"Calendars.Read", "Calendars.ReadWrite"})
FILE_TYPES = frozenset({"driveItem", "site", "listItem", "drive", "list"})
SUPPORTED = FILE_TYPES | {"message", "event"}
DEFAULT_SIZE = 25
MAX_SIZE = 500
SNIPPET_RADIUS = 80
_WORD = re.compile(r"\w+")


def _record_fields() -> SearchFields:
    def text(record: Any) -> str:
        return f"{record.name} {record.text or ''}".lower()

    return SearchFields(
        text={
            "*": text,
            "filename": lambda r: r.name.lower(),
            "title": lambda r: r.name.lower(),
            "filetype": lambda r: office.extension(r.name).lstrip("."),
            "author": lambda r: r.data["createdBy"]["user"]["displayName"].lower(),
            "content": lambda r: (r.text or "").lower(),
        },
        dates={"lastmodifiedtime": lambda r: r.data["lastModifiedDateTime"],
               "created": lambda r: r.data["createdDateTime"]},
        flags={},
    )


def _site_fields() -> SearchFields:
    return SearchFields(
        text={"*": lambda s: f"{s.data['name']} {s.data['displayName']} {s.data['description']}".lower(),
              "title": lambda s: s.data["displayName"].lower()},
        dates={}, flags={},
    )


def _event_fields() -> SearchFields:
    return SearchFields(
        text={"*": lambda e: f"{e.data['subject']} {e.text} {e.data['location']['displayName']}".lower(),
              "subject": lambda e: e.data["subject"].lower(),
              "body": lambda e: e.text.lower()},
        dates={}, flags={},
    )


RECORD_FIELDS, SITE_FIELDS, EVENT_FIELDS = _record_fields(), _site_fields(), _event_fields()


def summary(text: str, terms: list[str]) -> str:
    """A snippet around the first match, terms wrapped in ``<c0>``, cuts marked with ``<ddd/>``."""
    lowered = text.lower()
    positions = [lowered.find(term) for term in terms if term and lowered.find(term) >= 0]
    start = max(0, min(positions) - SNIPPET_RADIUS) if positions else 0
    window = text[start : start + 2 * SNIPPET_RADIUS]
    for term in sorted(set(terms), key=len, reverse=True):
        window = re.sub(rf"(?i)\b({re.escape(term)}\w*)", r"<c0>\1</c0>", window)
    prefix = "<ddd/>" if start > 0 else ""
    suffix = "<ddd/>" if start + 2 * SNIPPET_RADIUS < len(text) else ""
    return f"{prefix}{window}{suffix}"


def relevance(name: str, text: str, terms: list[str]) -> int:
    """Matches in the name or title count ten times as much as matches in the text."""
    name, text = name.lower(), text.lower()
    return sum(10 * name.count(term) + text.count(term) for term in terms)


def hits_for(caller: Caller, entity_types: list[str], matcher_for: Callable[[SearchFields], Matcher],
             terms: list[str]) -> list[dict[str, Any]]:
    state = caller.sandbox.state
    hits: list[dict[str, Any]] = []
    if "driveItem" in entity_types or "listItem" in entity_types:
        match = matcher_for(RECORD_FIELDS)
        drives = [state.drive(caller.user), *(site.drive for site in state.data.sites)]
        for drive in drives:
            for record in drive.items.values():
                if record is not drive.root and match(record):
                    hits.append({"hitId": record.id, "summary": summary(record.text or record.name, terms),
                                 "resource": {"@odata.type": "#microsoft.graph.driveItem", **record.data},
                                 "_score": relevance(record.name, record.text or "", terms),
                                 "_modified": record.data["lastModifiedDateTime"]})
    if "site" in entity_types:
        match = matcher_for(SITE_FIELDS)
        for site in state.data.sites:
            if match(site):
                hits.append({"hitId": site.id, "summary": summary(site.data["description"], terms),
                             "resource": {"@odata.type": "#microsoft.graph.site", **site.data},
                             "_score": relevance(site.data["displayName"], site.data["description"], terms),
                             "_modified": site.data["lastModifiedDateTime"]})
    if "message" in entity_types:
        match = matcher_for(MESSAGE_SEARCH_FIELDS)
        for message in state.mailbox(caller.user).search(None, match):
            resource = {key: message.data[key] for key in ("id", "subject", "from", "sender", "receivedDateTime",
                                                           "sentDateTime", "bodyPreview", "webLink", "importance",
                                                           "hasAttachments", "isRead", "parentFolderId")}
            hits.append({"hitId": message.id, "summary": summary(message.text, terms),
                         "resource": {"@odata.type": "#microsoft.graph.message", **resource},
                         "_score": relevance(message.data.get("subject") or "", message.text, terms),
                         "_modified": message.data["receivedDateTime"]})
    if "event" in entity_types:
        match = matcher_for(EVENT_FIELDS)
        for event in state.calendar(caller.user).ordered():
            if match(event):
                resource = {key: event.data[key] for key in ("id", "subject", "start", "end", "location",
                                                             "organizer", "webLink", "bodyPreview")}
                hits.append({"hitId": event.id, "summary": summary(event.text or event.data["subject"], terms),
                             "resource": {"@odata.type": "#microsoft.graph.event", **resource},
                             "_score": relevance(event.data["subject"], event.text, terms),
                             "_modified": event.data["lastModifiedDateTime"]})
    hits.sort(key=lambda h: (h["_score"], h["_modified"]), reverse=True)
    return hits


def check_scopes(caller: Caller, entity_types: list[str]) -> None:
    needed: list[tuple[frozenset[str], str]] = []
    if set(entity_types) & FILE_TYPES:
        needed.append((FILE_SCOPES, "Files.Read.All or Sites.Read.All"))
    if "message" in entity_types:
        needed.append((MAIL_SCOPES, "Mail.Read"))
    if "event" in entity_types:
        needed.append((EVENT_SCOPES, "Calendars.Read"))
    for scopes, names in needed:
        if not caller.scopes & scopes:
            raise GraphError(403, "ErrorAccessDenied",
                             f"Access is denied. Searching {', '.join(entity_types)} needs {names}; reconnect "
                             "Microsoft 365 and consent to it.")


def one_request(caller: Caller, item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise BadRequest("Each search request must be an object with entityTypes and query.")
    entity_types = item.get("entityTypes")
    if not isinstance(entity_types, list) or not entity_types:
        raise BadRequest("'entityTypes' is required, e.g. [\"driveItem\"].")
    unknown = [t for t in entity_types if t not in SUPPORTED]
    if unknown:
        raise BadRequest(f"Entity type '{unknown[0]}' is not supported; use driveItem, listItem, site, message or "
                         "event.")
    kinds = {"files" if t in FILE_TYPES else t for t in entity_types}
    if len(kinds) > 1:
        raise BadRequest("The entity type combination is not supported: search message, event and file types "
                         "(driveItem, listItem, site) in separate requests.")
    query = (item.get("query") or {}).get("queryString") if isinstance(item.get("query"), dict) else None
    if not isinstance(query, str) or not query.strip():
        raise BadRequest("'query.queryString' is required, e.g. {\"queryString\": \"Q4 report\"}.")
    start, size = item.get("from", 0), item.get("size", DEFAULT_SIZE)
    if not isinstance(start, int) or start < 0 or not isinstance(size, int) or not 1 <= size <= MAX_SIZE:
        raise BadRequest(f"'from' must be 0 or more and 'size' between 1 and {MAX_SIZE}.")
    check_scopes(caller, entity_types)
    parsed = parse_search(query)
    terms = [word.lower() for word in _WORD.findall(query) if word not in ("AND", "OR", "NOT")
             and not word.endswith(":")]
    hits = hits_for(caller, entity_types, lambda fields: compile_search(parsed, fields), terms)
    page = hits[start : start + size]
    for rank, hit in enumerate(page, start=start + 1):
        hit.pop("_modified")
        hit.pop("_score")
        hit["rank"] = rank
    return {
        "searchTerms": terms,
        "hitsContainers": [{"hits": page, "total": len(hits), "moreResultsAvailable": start + size < len(hits)}],
    }


@requires("Files.Read.All", "Files.ReadWrite.All", "Sites.Read.All", "Sites.ReadWrite.All", "Mail.Read",
          "Mail.ReadWrite", "Calendars.Read", "Calendars.ReadWrite")
async def search_query(request: Request, caller: Caller) -> Response:
    """POST /search/query."""
    body = await json_body(request)
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise BadRequest("The body needs 'requests': [{\"entityTypes\": [...], \"query\": {\"queryString\": ...}}].")
    return JSONResponse({
        "@odata.context": context_url(request, "Collection(microsoft.graph.searchResponse)"),
        "value": [one_request(caller, item) for item in requests],
    })


def routes() -> list[Route]:
    return [Route("/v1.0/search/query", search_query, methods=["POST"])]
