"""A record page's "Email & meetings" section: read live in background events, one page of mail at a time.

Only the cards on screen live here; the mailbox itself is read through the user's MCP tools on each view
(see ``crm_app.services.record_inbox``). A view that another one has replaced (the user moved on to another
record or page meanwhile) is dropped when it arrives.
"""

from __future__ import annotations

import logging
from typing import Any

import reflex as rx

from crm_app.services import auth, record_inbox
from crm_app.services.errors import DatabaseUnavailable
from crm_app.services.record_inbox import Card, InboxReader, InboxStatus, InboxUnavailable, RecordInbox
from crm_app.state.offload import off_loop
from crm_app.state.record_detail import CompanyDetailState, ContactDetailState, DealDetailState
from crm_app.state.session import SessionState

log = logging.getLogger(__name__)

LOADING = "loading"
ROUTE_KINDS = {"contacts": "contact", "companies": "company", "deals": "deal"}
DETAIL_STATES = {"contact": ContactDetailState, "company": CompanyDetailState, "deal": DealDetailState}
FAILED_TEXT = "Mail and meetings could not be read because something went wrong on our side. Retry in a moment."


def record_of(path: str) -> tuple[str, int] | None:
    """(kind, id) of a record page's path (``/contacts/12`` → ("contact", 12)), or None for any other path."""
    parts = [p for p in path.split("/") if p]
    if len(parts) != 2 or parts[0] not in ROUTE_KINDS or not parts[1].isdigit():
        return None
    return ROUTE_KINDS[parts[0]], int(parts[1])


class RecordInboxState(SessionState):
    inbox_status: str = ""
    inbox_message: str = ""
    inbox_emails: list[Card] = []
    inbox_upcoming: list[Card] = []
    inbox_past: list[Card] = []
    inbox_notes: list[str] = []
    inbox_searched: str = ""
    inbox_page: int = 1
    inbox_has_more: bool = False
    inbox_opening: str = ""
    # Which view is current: a newer view replaces an older one still on its way.
    _view_number: int = 0

    def _show(self, view: RecordInbox) -> None:
        self.inbox_status = view.status.value
        self.inbox_message = view.message
        self.inbox_emails, self.inbox_upcoming, self.inbox_past = view.emails, view.upcoming, view.past
        self.inbox_notes = view.notes
        self.inbox_searched = view.addresses.label
        self.inbox_page, self.inbox_has_more = view.page, view.has_more

    def _begin(self, page: int):
        self._view_number += 1
        self.inbox_status, self.inbox_message, self.inbox_page = LOADING, "", page
        self.inbox_emails, self.inbox_upcoming, self.inbox_past, self.inbox_notes = [], [], [], []
        return RecordInboxState.read_view(self._view_number)

    @rx.event
    def load(self):
        if record_of(self.router.url.path) is None:
            self.inbox_status = ""
            return None
        return self._begin(1)

    @rx.event
    def retry(self):
        return self._begin(self.inbox_page)

    @rx.event
    def older(self):
        if self.inbox_has_more and self.inbox_status != LOADING:
            return self._begin(self.inbox_page + 1)
        return None

    @rx.event
    def newer(self):
        if self.inbox_page > 1 and self.inbox_status != LOADING:
            return self._begin(self.inbox_page - 1)
        return None

    async def _user(self) -> auth.SignedInUser | None:
        async with self:
            token = self.session_token
        return await off_loop(auth.resolve_session, token)

    @rx.event(background=True)
    async def read_view(self, number: int):
        async with self:
            record, page = record_of(self.router.url.path), self.inbox_page
        if record is None:
            return
        try:
            user = await self._user()
            if user is None:
                return
            view = await InboxReader(user).view(record[0], record[1], page)
        except DatabaseUnavailable as exc:
            view = RecordInbox(InboxStatus.FAILED, exc.user_message, page=page)
        except Exception:
            log.exception("reading a record's mail and meetings failed")
            view = RecordInbox(InboxStatus.FAILED, FAILED_TEXT, page=page)
        async with self:
            if number == self._view_number:
                self._show(view)

    @rx.event(background=True)
    async def open_full(self, message_id: str):
        async with self:
            if self.inbox_opening:
                return
            self.inbox_opening = message_id
        try:
            user = await self._user()
            full = await InboxReader(user).full_email(message_id) if user else None
            problem = ""
        except InboxUnavailable as exc:
            full, problem = None, str(exc)
        except DatabaseUnavailable as exc:
            full, problem = None, exc.user_message
        async with self:
            self.inbox_opening = ""
            if full is not None:
                self.inbox_emails = [full if c.id == message_id else c for c in self.inbox_emails]
        if problem:
            yield rx.toast.error(problem)

    @rx.event(background=True)
    async def log_email(self, card: dict[str, Any]):
        async with self:
            record = record_of(self.router.url.path)
        user = await self._user()
        if user is None or record is None:
            return
        result = await record_inbox.log_email(user, record[0], record[1], card)
        if result.ok:
            data = result.data or {}
            who = (data.get("record") or {}).get("name", "the contact")
            yield rx.toast.success(f"Already on {who}'s timeline." if data.get("status") == "already_logged"
                                   else f"Logged to {who}'s timeline.")
            yield DETAIL_STATES[record[0]].load
            return
        yield rx.toast.error(result.error_message or "Logging the email failed. Try again.")
