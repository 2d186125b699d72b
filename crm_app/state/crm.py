"""CRM pages: lists with search/sort/paging, create/edit dialogs, delete confirmation, details and timelines."""

from __future__ import annotations

from typing import Any

import reflex as rx

from crm_app.formatting import stage_label
from crm_app.services import crm
from crm_app.services.errors import NotFound, ServiceError, ValidationFailed
from crm_app.state.offload import off_loop
from crm_app.state.session import NotSignedIn, SessionState, session_guard

STAGES = [s.value for s in crm.PIPELINE]


def as_strings(row: dict[str, Any]) -> dict[str, str]:
    """Rows are rendered as text; ids stay usable as strings."""
    out: dict[str, str] = {}
    for k, v in row.items():
        if isinstance(v, (list, tuple)):
            out[k] = ", ".join(str(x) for x in v)
        elif isinstance(v, bool):
            out[k] = "true" if v else ""
        elif v is None:
            out[k] = ""
        else:
            out[k] = str(v)
    return out


class RecordListState(rx.State, mixin=True):
    """Search, sort, server-side paging and the create/edit/delete dialogs shared by the three lists.

    A mixin: each list state combines it with SessionState, so its handlers run on that list's own state.
    """

    q: str = ""
    sort: str = "name"
    desc: bool = False
    page: int = 1
    page_size: int = 25
    total: int = 0
    rows: list[dict[str, str]] = []
    loading: bool = False

    form_open: bool = False
    editing_id: int = 0
    form: dict[str, str] = {}
    errors: dict[str, str] = {}
    form_error: str = ""
    form_version: int = 0

    delete_id: int = 0
    delete_label: str = ""

    default_sort: str = "name"
    default_desc: bool = False

    # ---- hooks for subclasses
    def _fetch(self) -> crm.Page:
        raise NotImplementedError

    def _save(self, data: dict[str, Any], user_id: int) -> dict[str, Any]:
        raise NotImplementedError

    def _remove(self, record_id: int) -> None:
        raise NotImplementedError

    def _read(self, record_id: int) -> dict[str, Any]:
        raise NotImplementedError

    def _label(self, row: dict[str, str]) -> str:
        return row.get("name", "")

    # ---- derived
    @rx.var
    def pages(self) -> int:
        return max(1, -(-self.total // max(1, self.page_size)))

    @rx.var
    def range_label(self) -> str:
        if self.total == 0:
            return "No records"
        start = (self.page - 1) * self.page_size + 1
        end = min(self.total, self.page * self.page_size)
        return f"{start:,}–{end:,} of {self.total:,}"

    # ---- loading
    async def _reload(self) -> None:
        await self._need_user()
        page = await off_loop(self._fetch)
        self.rows = [as_strings(r) for r in page.rows]
        self.total = page.total
        if self.page > page.pages:
            self.page = page.pages
            page = await off_loop(self._fetch)
            self.rows = [as_strings(r) for r in page.rows]
        self.page_error = ""

    @rx.event
    @session_guard
    async def load(self):
        user, redirect = await self._admit_page()
        if user is not None:
            await self._reload()
        return redirect

    @rx.event
    @session_guard
    async def set_q(self, value: str):
        self.q = value[:200]
        self.page = 1
        await self._reload()

    @rx.event
    @session_guard
    async def sort_by(self, column: str):
        if self.sort == column:
            self.desc = not self.desc
        else:
            self.sort, self.desc = column, False
        self.page = 1
        await self._reload()

    @rx.event
    @session_guard
    async def next_page(self):
        if self.page < self.pages:
            self.page += 1
            await self._reload()

    @rx.event
    @session_guard
    async def prev_page(self):
        if self.page > 1:
            self.page -= 1
            await self._reload()

    # ---- create / edit
    def _blank_form(self) -> dict[str, str]:
        return {}

    async def _load_options(self) -> None:
        """Fill the form's dropdowns (lists that pick related records override this)."""

    def _pickers(self) -> tuple[str, ...]:
        """Form keys chosen from a dropdown whose "none" entry stands for no value."""
        return ()

    @rx.event
    @session_guard
    async def open_create(self):
        await self._need_user()
        await self._load_options()
        self.editing_id = 0
        self.form = self._blank_form()
        self.errors = {}
        self.form_error = ""
        self.form_version += 1
        self.form_open = True

    @rx.event
    @session_guard
    async def open_edit(self, record_id: str):
        await self._need_user()
        await self._load_options()
        try:
            form = as_strings(await off_loop(self._read, int(record_id)))
        except NotFound as exc:
            return rx.toast.error(str(exc))
        self.form = {**form, **{key: form.get(key) or "none" for key in self._pickers()}}
        self.editing_id = int(record_id)
        self.errors = {}
        self.form_error = ""
        self.form_version += 1
        self.form_open = True
        return None

    @rx.event
    def set_form_open(self, value: bool):
        self.form_open = value

    @rx.event
    @session_guard
    async def submit_form(self, data: dict):
        user = await self._need_user()
        self.errors = {}
        self.form_error = ""
        merged = {**self.form, **data}
        try:
            saved = await off_loop(self._save, merged, user.id)
        except ValidationFailed as exc:
            self.errors = exc.fields
            self.form = {k: str(v) for k, v in merged.items()}
            return None
        except ServiceError as exc:
            self.form_error = str(exc)
            return None
        self.form_open = False
        await self._reload()
        verb = "Saved" if self.editing_id else "Created"
        return rx.toast.success(f"{verb} {self._label(as_strings(saved))}")

    # ---- delete
    @rx.event
    def ask_delete(self, record_id: str, label: str):
        self.delete_id = int(record_id)
        self.delete_label = label

    @rx.event
    def cancel_delete(self):
        self.delete_id = 0

    @rx.event
    @session_guard
    async def confirm_delete(self):
        await self._need_user()
        record_id, label = self.delete_id, self.delete_label
        self.delete_id = 0
        try:
            await off_loop(self._remove, record_id)
        except NotFound as exc:
            return rx.toast.error(str(exc))
        await self._reload()
        return rx.toast.success(f"Deleted {label}")


class CompaniesState(RecordListState, SessionState):
    def _fetch(self) -> crm.Page:
        return crm.list_companies(self.q, self.sort, self.desc, self.page, self.page_size)

    def _save(self, data, user_id):
        if self.editing_id:
            return crm.update_company(self.editing_id, data)
        return crm.create_company(data, user_id)

    def _remove(self, record_id):
        crm.delete_company(record_id)

    def _read(self, record_id):
        return crm.get_company(record_id)


class CompanyOptionsMixin(RecordListState, mixin=True):
    """Lists that pick a company (and, for deals, a contact) from a dropdown."""

    company_options: list[dict[str, str]] = []

    async def _load_options(self) -> None:
        self.company_options = [{"id": str(c["id"]), "name": c["name"]} for c in await off_loop(crm.company_options)]

    def _pickers(self) -> tuple[str, ...]:
        return ("company_id",)


class ContactsState(CompanyOptionsMixin, SessionState):
    def _fetch(self) -> crm.Page:
        return crm.list_contacts(self.q, self.sort, self.desc, self.page, self.page_size)

    def _save(self, data, user_id):
        data = dict(data)
        if data.get("company_id") in ("", "none"):
            data["company_id"] = None
        if self.editing_id:
            return crm.update_contact(self.editing_id, data, user_id)
        return crm.create_contact(data, user_id)

    def _remove(self, record_id):
        crm.delete_contact(record_id)

    def _read(self, record_id):
        row = crm.get_contact(record_id)
        row.pop("deals", None)
        return row

    def _blank_form(self) -> dict[str, str]:
        return {"company_id": "none"}


KEY_STEPS = {"ArrowRight": 1, "ArrowLeft": -1, "]": 1, "[": -1}


class DealsState(CompanyOptionsMixin, SessionState):
    sort: str = "created"
    desc: bool = True
    view: str = "board"
    stages: list[str] = STAGES
    board: dict[str, list[dict[str, str]]] = {}
    board_totals: dict[str, str] = {}
    board_counts: dict[str, int] = {}
    contact_options: list[dict[str, str]] = []
    dragging: str = ""
    drop_target: str = ""

    def _fetch(self) -> crm.Page:
        return crm.list_deals(self.q, self.sort, self.desc, self.page, self.page_size)

    async def _reload(self) -> None:
        await super()._reload()
        board = await off_loop(crm.deal_board)
        self.board = {k: [as_strings(d) for d in v["deals"]] for k, v in board.items()}
        self.board_totals = {k: v["total"] for k, v in board.items()}
        self.board_counts = {k: v["count"] for k, v in board.items()}

    def _save(self, data, user_id):
        data = {k: (None if v in ("", "none") else v) for k, v in dict(data).items()}
        if self.editing_id:
            return crm.update_deal(self.editing_id, data)
        return crm.create_deal(data, user_id)

    def _remove(self, record_id):
        crm.delete_deal(record_id)

    def _read(self, record_id):
        return crm.get_deal(record_id)

    def _label(self, row):
        return row.get("title", "")

    def _blank_form(self) -> dict[str, str]:
        return {"stage": "lead", "currency": "USD", "company_id": "none", "contact_id": "none", "amount": ""}

    async def _load_options(self) -> None:
        await super()._load_options()
        contacts = await off_loop(crm.list_contacts, page_size=crm.MAX_PAGE_SIZE)
        self.contact_options = [
            {"id": str(c["id"]), "name": c["name"] + (f" ({c['company']})" if c["company"] else "")}
            for c in contacts.rows
        ]

    def _pickers(self) -> tuple[str, ...]:
        return ("company_id", "contact_id")

    @rx.event
    def set_view(self, view: str | list[str]):
        value = view[0] if isinstance(view, list) and view else view
        self.view = value if value in ("board", "list") else "board"

    @rx.event
    @session_guard
    async def move(self, deal_id: str, stage: str):
        await self._need_user()
        try:
            deal = await off_loop(crm.move_deal, int(deal_id), stage)
        except (ValidationFailed, NotFound) as exc:
            return rx.toast.error(str(exc))
        await self._reload()
        return rx.toast.success(f"Moved {deal['title']} to {stage_label(stage)}")

    @rx.event
    def start_drag(self, deal_id: str):
        self.dragging = str(deal_id)

    @rx.event
    def end_drag(self):
        self.dragging = ""
        self.drop_target = ""

    @rx.event
    def drag_over(self, stage: str):
        if self.dragging and self.drop_target != stage:
            self.drop_target = stage

    @rx.event
    @session_guard
    async def drop_on(self, stage: str):
        """A card dropped on a stage column: the same move as the stage menu, unless it is already there."""
        deal_id, self.dragging, self.drop_target = self.dragging, "", ""
        current = next((d for col in self.board.values() for d in col if d.get("id") == deal_id), None)
        if not deal_id or current is None or current.get("stage") == stage:
            return None
        return await DealsState.move.fn(self, deal_id, stage)

    @rx.event
    @session_guard
    async def key_move(self, deal_id: str, stage: str, key: str):
        """Keyboard moves for a focused deal card: → or ] to the next stage, ← or [ to the previous one."""
        direction = KEY_STEPS.get(key, 0)
        return await DealsState.step.fn(self, deal_id, stage, direction) if direction else None

    @rx.event
    @session_guard
    async def step(self, deal_id: str, stage: str, direction: int):
        idx = STAGES.index(stage) + int(direction) if stage in STAGES else 0
        if 0 <= idx < len(STAGES):
            return await DealsState.move.fn(self, deal_id, STAGES[idx])
        return None


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
