"""The deals page: the list and the pipeline board, with drag-and-drop and keyboard stage moves."""

from __future__ import annotations


import reflex as rx

from crm_app.formatting import stage_label
from crm_app.services import crm
from crm_app.services.errors import NotFound, ValidationFailed
from crm_app.state.offload import off_loop
from crm_app.state.session import SessionState, session_guard
from crm_app.state.crm import STAGES, CompanyOptionsMixin, as_strings

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
