"""CRM lists: search, sort and paging, create/edit dialogs and delete confirmation, for companies and contacts
(deals and record pages build on these in `state.deals` and `state.record_detail`)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from crm_app.services import crm
from crm_app.services.errors import NotFound, ServiceError, ValidationFailed
from crm_app.state.offload import off_loop
from crm_app.state.session import SessionState, session_guard

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
