"""Record pages: one contact, company or deal with its timeline, and a form to add notes and tasks."""

from __future__ import annotations

from typing import Any

import reflex as rx

from crm_app.services import crm
from crm_app.services.errors import NotFound, ValidationFailed
from crm_app.state.offload import off_loop
from crm_app.state.session import NotSignedIn, SessionState, session_guard
from crm_app.state.crm import as_strings

DETAIL_GETTERS = {"contact": crm.get_contact, "company": crm.get_company, "deal": crm.get_deal}


def _id_from_path(path: str) -> int:
    """The record id at the end of a detail page's path (``/contacts/12`` → 12)."""
    return int(path.rstrip("/").rsplit("/", 1)[-1])


class RecordDetailState(rx.State, mixin=True):
    """One record and its timeline, with a form to add notes and tasks."""

    record: dict[str, str] = {}
    related: list[dict[str, str]] = []
    related_deals: list[dict[str, str]] = []
    activities: list[dict[str, str]] = []
    not_found: str = ""
    note_errors: dict[str, str] = {}
    note_version: int = 0
    kind: str = "contact"

    def _record_id(self) -> int:
        return _id_from_path(self.router.url.path)

    def _fetch_record(self, record_id: int) -> dict[str, Any]:
        return DETAIL_GETTERS[self.kind](record_id)

    def _timeline(self, record_id: int) -> list[dict[str, Any]]:
        return crm.timeline(**{f"{self.kind}_id": record_id})

    async def _refresh(self) -> None:
        await self._need_user()
        rid = self._record_id()
        try:
            rec = await off_loop(self._fetch_record, rid)
        except NotFound as exc:
            self.not_found = str(exc)
            self.record = {}
            return
        self.not_found = ""
        self.related = [as_strings(c) for c in rec.pop("contacts", [])]
        self.related_deals = [as_strings(d) for d in rec.pop("deals", [])]
        self.record = as_strings(rec)
        self.activities = [as_strings(a) for a in await off_loop(self._timeline, rid)]

    @rx.event
    @session_guard
    async def load(self):
        user, redirect = await self._admit_page()
        if user is None:
            return redirect
        try:
            await self._refresh()
        except (ValueError, TypeError):
            self.not_found = "That address doesn't point to a record."
        return None

    @rx.event
    @session_guard
    async def add_activity(self, data: dict):
        user = await self._need_user()
        self.note_errors = {}
        payload = {**data, f"{self.kind}_id": self._record_id()}
        if self.kind == "contact" and self.record.get("company_id"):
            payload["company_id"] = self.record["company_id"]
        if self.kind == "deal":
            for key in ("company_id", "contact_id"):
                if self.record.get(key):
                    payload[key] = self.record[key]
        try:
            await off_loop(crm.add_activity, payload, user.id)
        except ValidationFailed as exc:
            self.note_errors = exc.fields
            return None
        except NotFound as exc:
            return rx.toast.error(str(exc))
        self.note_version += 1
        await self._refresh()
        return rx.toast.success("Added to the timeline")

    @rx.event
    @session_guard
    async def toggle_task(self, activity_id: str, done: bool):
        await self._need_user()
        await off_loop(crm.set_task_done, int(activity_id), done)
        await self._refresh()

    @rx.event
    @session_guard
    async def delete_activity(self, activity_id: str):
        await self._need_user()
        try:
            await off_loop(crm.delete_activity, int(activity_id))
        except NotFound as exc:
            return rx.toast.error(str(exc))
        await self._refresh()
        return None


class ContactDetailState(RecordDetailState, SessionState):
    kind: str = "contact"


class CompanyDetailState(RecordDetailState, SessionState):
    kind: str = "company"


class DealDetailState(RecordDetailState, SessionState):
    kind: str = "deal"


__all__ = [
    "CompaniesState",
    "CompanyDetailState",
    "ContactDetailState",
    "ContactsState",
    "DealDetailState",
    "DealsState",
    "NotSignedIn",
    "STAGES",
]
