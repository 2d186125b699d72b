"""How an email search becomes one Graph request, and how its results are checked.

Two shapes, never mixed:

* **filter**: no free text. One `$filter` (received date first, then sender and
  unread flag, all joined with `and`) with `$orderby=receivedDateTime desc`.
  Because the sort property leads the filter, Graph does not reject the pair
  as `InefficientFilter`; with no start date a lower bound of 1900-01-01 is used.
* **search**: free text (or a sender given as a name). `$search` only, with no
  `$filter` and no `$orderby`. The date range is added to the KQL as `received`
  bounds a day wider than asked; the exact dates and the unread flag are checked
  on the results instead.

In both shapes every returned message is verified against the sender, dates and
unread flag before it is returned; a message that does not match is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from crm_app.graph_query.odata import ODataFilter, kql_property, kql_search, kql_terms
from crm_app.graph_query.timeparse import parse_graph_instant

logger = logging.getLogger(__name__)

LIST_SELECT = (
    "id,subject,from,toRecipients,ccRecipients,receivedDateTime,isRead,hasAttachments,importance,"
    "conversationId,webLink,bodyPreview"
)
FULL_SELECT = LIST_SELECT + ",body"
FILTER_FLOOR = datetime(1900, 1, 1, tzinfo=UTC)
SEARCH_PAGE_SIZE = 50
SEARCH_MAX_PAGES = 10
FILTER_MAX_PAGES = 10
KQL_DAY_MARGIN = timedelta(days=1)


@dataclass(frozen=True)
class EmailCriteria:
    """What the caller asked for, already validated and normalised."""

    query: str | None = None
    sender: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    unread_only: bool = False
    participants: tuple[str, ...] = ()

    @property
    def sender_is_address(self) -> bool:
        return self.sender is not None and "@" in self.sender

    @property
    def uses_search(self) -> bool:
        return (self.query is not None or bool(self.participants)
                or (self.sender is not None and not self.sender_is_address))

    def mismatch(self, message: dict[str, Any]) -> str | None:
        """Why `message` does not match these criteria, or None when it does."""
        if self.sender is not None:
            sender = (message.get("from") or {}).get("emailAddress") or {}
            address = str(sender.get("address") or "").lower()
            name = str(sender.get("name") or "").lower()
            wanted = self.sender.lower()
            if self.sender_is_address:
                if address != wanted:
                    return "sender"
            elif not all(term in name or term in address for term in kql_terms(wanted)):
                return "sender"
        if self.participants and not _has_participant(message, self.participants):
            return "participants"
        if self.start is not None or self.end is not None:
            received = parse_graph_instant(message.get("receivedDateTime"))
            if received is None:
                return "received date missing"
            if self.start is not None and received < self.start:
                return "before start"
            if self.end is not None and received >= self.end:
                return "after end"
        if self.unread_only and message.get("isRead") is not False:
            return "already read"
        return None


def _has_participant(message: dict[str, Any], wanted: tuple[str, ...]) -> bool:
    """Whether one of the message's sender, recipients or Cc is one of `wanted` (an address, or a domain)."""
    people = [message.get("from")] + list(message.get("toRecipients") or []) + list(message.get("ccRecipients") or [])
    addresses = {str(((p or {}).get("emailAddress") or {}).get("address") or "").lower() for p in people} - {""}
    for item in wanted:
        item = item.lower()
        if "@" in item:
            if item in addresses:
                return True
        elif any(a.endswith("@" + item) for a in addresses):
            return True
    return False


@dataclass(frozen=True)
class MessageQuery:
    """The Graph query parameters for one email search, and how far to page."""

    params: dict[str, str]
    page_limit: int
    max_pages: int
    matches_nothing: bool = False


def build_message_query(criteria: EmailCriteria, top: int) -> MessageQuery:
    """The parameters for listing `criteria`'s messages, newest first, `top` at most."""
    if criteria.uses_search:
        return _search_query(criteria, top)
    conditions = ODataFilter()
    conditions.compare_datetime("receivedDateTime", "ge", criteria.start or FILTER_FLOOR)
    if criteria.end is not None:
        conditions.compare_datetime("receivedDateTime", "lt", criteria.end)
    if criteria.sender is not None:
        conditions.eq_string("from/emailAddress/address", criteria.sender.lower())
    if criteria.unread_only:
        conditions.eq_bool("isRead", False)
    params = {
        "$select": LIST_SELECT,
        "$filter": conditions.render() or "",
        "$orderby": "receivedDateTime desc",
        "$top": str(top),
    }
    return MessageQuery(params=params, page_limit=top, max_pages=FILTER_MAX_PAGES)


def _search_query(criteria: EmailCriteria, top: int) -> MessageQuery:
    text_terms = kql_terms(criteria.query)
    sender_terms = kql_terms(criteria.sender)
    participant_terms = [t for p in criteria.participants for t in kql_terms(p)]
    if ((criteria.query is not None and not text_terms) or (criteria.sender is not None and not sender_terms)
            or (criteria.participants and not participant_terms)):
        return MessageQuery(params={}, page_limit=top, max_pages=0, matches_nothing=True)
    search = kql_search(*kql_property("from", sender_terms), _any_of(kql_property("participants", participant_terms)),
                        *text_terms, *_received_window(criteria))
    params = {"$select": LIST_SELECT, "$search": search or "", "$top": str(SEARCH_PAGE_SIZE)}
    return MessageQuery(params=params, page_limit=top, max_pages=SEARCH_MAX_PAGES)


def _any_of(clauses: list[str]) -> str:
    """One KQL clause that holds when any of `clauses` does."""
    return clauses[0] if len(clauses) == 1 else ("(" + " OR ".join(clauses) + ")" if clauses else "")


def _received_window(criteria: EmailCriteria) -> list[str]:
    """KQL `received` bounds a day wider than asked on each side.

    KQL compares whole days, possibly in the mailbox's time zone, so the widened
    window is a superset of the exact one; the exact bounds are checked on the results.
    """
    bounds = []
    if criteria.start is not None:
        bounds.append(f"received>={(criteria.start.astimezone(UTC).date() - KQL_DAY_MARGIN).isoformat()}")
    if criteria.end is not None:
        bounds.append(f"received<={(criteria.end.astimezone(UTC).date() + KQL_DAY_MARGIN).isoformat()}")
    return bounds


def verifier(criteria: EmailCriteria) -> Callable[[dict[str, Any]], bool]:
    """A `keep` predicate for `GraphClient.collect` that logs each dropped message.

    With a `$filter`, Graph should have returned only matching messages, so a
    mismatch is an anomaly and logged as a warning. With `$search`, dates and the
    unread flag are applied here by design, so drops are logged at debug level.
    """
    level = logging.DEBUG if criteria.uses_search else logging.WARNING

    def keep(message: dict[str, Any]) -> bool:
        reason = criteria.mismatch(message)
        if reason is None:
            return True
        logger.log(
            level,
            "Dropped message %s from email results: it does not match the request (%s)",
            str(message.get("id", "?"))[-16:],
            reason,
        )
        return False

    return keep
