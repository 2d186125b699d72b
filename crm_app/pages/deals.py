"""Deals: a board by pipeline stage and a sortable list; create/edit, move, delete; detail with timeline."""

from __future__ import annotations

import reflex as rx
from reflex_base.event import EventHandler, key_event, no_args_event_spec

from crm_app.components.forms import SELECT_STYLE, select_field, text_field
from crm_app.components.layout import TRUNCATE
from crm_app.components.money import amounts
from crm_app.components.records import detail_page, list_page, record_table, row_actions, sort_header
from crm_app.formatting import stage_label
from crm_app.services.crm import CURRENCIES
from crm_app.state.crm import STAGES, DealDetailState, DealsState

S = DealsState
STAGE_COLORS = {"lead": "gray", "qualified": "blue", "proposal": "violet", "negotiation": "amber", "won": "green", "lost": "red"}


class DragArea(rx.el.Div):
    """A div with the HTML drag-and-drop events (Reflex's elements do not declare them)."""

    on_drag_start: EventHandler[no_args_event_spec]
    on_drag_end: EventHandler[no_args_event_spec]
    on_drag_over: EventHandler[no_args_event_spec]
    on_drag_enter: EventHandler[no_args_event_spec]
    on_drop: EventHandler[no_args_event_spec]
    on_key_down: EventHandler[key_event]


def stage_badge(stage: rx.Var) -> rx.Component:
    return rx.match(stage, *[(s, rx.badge(stage_label(s), color_scheme=c, variant="soft")) for s, c in STAGE_COLORS.items()],
                    rx.badge(stage))


def money(d: rx.Var) -> rx.Component:
    return rx.text(d["amount_display"], size="2", weight="medium", white_space="nowrap", class_name="deal-amount")


def deal_fields() -> rx.Component:
    e, f = S.errors, S.form
    return rx.vstack(
        text_field("Title", "title", errors=e, value=f.get("title", ""), required=True, id_prefix="deal-", max_length=200),
        rx.hstack(
            text_field("Amount", "amount", errors=e, value=f.get("amount", ""), id_prefix="deal-", placeholder="12500"),
            select_field("Currency", "currency", errors=e, value=f.get("currency", "USD"), id_prefix="deal-",
                         static=[(c, c) for c in CURRENCIES]),
            width="100%",
        ),
        rx.hstack(
            select_field("Stage", "stage", errors=e, value=f.get("stage", "lead"), id_prefix="deal-",
                         static=[(s, stage_label(s)) for s in STAGES]),
            text_field("Expected close", "expected_close", errors=e, value=f.get("expected_close", ""), id_prefix="deal-",
                       type_="date"),
            width="100%",
        ),
        select_field("Company", "company_id", errors=e, value=f.get("company_id", "none"), id_prefix="deal-",
                     static=[("none", "— No company —")], dynamic=S.company_options),
        select_field("Contact", "contact_id", errors=e, value=f.get("contact_id", "none"), id_prefix="deal-",
                     static=[("none", "— No contact —")], dynamic=S.contact_options),
        width="100%",
        spacing="3",
    )


MOVE_HINT = "Drag to another stage, or focus the card and press ← / → to move it."


def deal_card(d: rx.Var) -> rx.Component:
    card = rx.card(
        rx.vstack(
            rx.hstack(
                rx.link(d["title"], href="/deals/" + d["id"], weight="medium", size="2", id="deal-link-" + d["id"],
                        draggable=False, flex="1", min_width="0", overflow_wrap="anywhere"),
                DragArea.create(row_actions(S, d, "title", "deal"), on_key_down=rx.stop_propagation, flex_shrink="0"),
                width="100%", align="start", spacing="2",
            ),
            rx.text(d["company"], size="1", color_scheme="gray", **TRUNCATE, title=d["company"], width="100%"),
            rx.hstack(money(d), rx.spacer(), rx.text(d["probability"], "%", size="1", color_scheme="gray"), width="100%",
                      align="baseline", wrap="wrap", spacing="2"),
            DragArea.create(
                rx.el.select(
                    *[rx.el.option(stage_label(s), value=s) for s in STAGES],
                    value=d["stage"],
                    on_change=lambda v: S.move(d["id"], v),
                    id="deal-stage-" + d["id"],
                    aria_label="Move to stage",
                    style={**SELECT_STYLE, "height": "var(--space-5)", "font_size": "12px", "width": "100%"},
                ),
                on_key_down=rx.stop_propagation, width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        size="1",
        width="100%",
    )
    return DragArea.create(
        card,
        draggable=True,
        tab_index=0,
        aria_label=d["title"] + " — " + d["stage"] + ". " + MOVE_HINT,
        title=MOVE_HINT,
        on_drag_start=S.start_drag(d["id"]),
        on_drag_end=S.end_drag,
        on_key_down=lambda key, info: S.key_move(d["id"], d["stage"], key),
        id="deal-card-" + d["id"],
        class_name=rx.cond(S.dragging == d["id"], "deal-card dragging", "deal-card"),
        data_stage=d["stage"],
    )


def board() -> rx.Component:
    def column(stage: rx.Var) -> rx.Component:
        return DragArea.create(
            rx.vstack(
                rx.hstack(stage_badge(stage), rx.text(S.board_counts[stage], size="1", color_scheme="gray"),
                          width="100%", align="center", spacing="2"),
                rx.cond(S.board_totals[stage],
                        rx.box(amounts(S.board_totals[stage], size="1", color_scheme="gray"), class_name="stage-total")),
                rx.foreach(S.board[stage], deal_card),
                rx.cond(S.board_counts[stage] == 0, rx.text("No deals", size="1", color_scheme="gray", class_name="stage-empty")),
                spacing="2",
                width="100%",
            ),
            on_drag_over=rx.prevent_default,
            on_drag_enter=S.drag_over(stage),
            on_drop=S.drop_on(stage).prevent_default,
            id="stage-" + stage.to(str),
            class_name=rx.cond(S.drop_target == stage, "stage-column drop-target", "stage-column"),
            aria_label=stage.to(str),
        )

    return rx.box(
        rx.box(rx.foreach(S.stages, column), id="deal-board", class_name="deal-board"),
        rx.text(MOVE_HINT, size="1", color_scheme="gray", id="board-hint"),
        width="100%",
    )


def close_date(value: rx.Var) -> rx.Component:
    """An expected close date as "3 Mar 2027" (a date with no time, so no time zone moves it); "—" when unset."""
    return rx.cond(value != "", rx.moment(value, format="D MMM YYYY", class_name="close-date"), "—")


def deal_row(d: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(d["title"], href="/deals/" + d["id"], weight="medium")),
        rx.table.cell(money(d)),
        rx.table.cell(stage_badge(d["stage"])),
        rx.table.cell(rx.text(close_date(d["expected_close"]), size="2")),
        rx.table.cell(rx.text(d["company"], size="2")),
        rx.table.cell(row_actions(S, d, "title", "deal")),
        class_name="deal-row",
    )


def deals_page() -> rx.Component:
    view_switch = rx.segmented_control.root(
        rx.segmented_control.item("Board", value="board"),
        rx.segmented_control.item("List", value="list"),
        value=S.view,
        on_change=S.set_view,
        id="deals-view",
    )
    headers = [sort_header(S, "Title", "title"), sort_header(S, "Amount", "amount"), sort_header(S, "Stage", "stage"),
               sort_header(S, "Close", "close"), rx.table.column_header_cell("Company"), rx.table.column_header_cell("")]
    body = rx.cond(S.view == "board", board(),
                   record_table(S, headers, deal_row, "deals", "No deals match. Add one, or clear the search."))
    return list_page(S, title="Deals", what="deal", search_placeholder="Search deals or companies", id_prefix="deals",
                     headers=headers, row_fn=deal_row, fields=deal_fields(), body=body, toolbar=view_switch)



def deal_detail_page() -> rx.Component:
    D = DealDetailState
    r = D.record
    summary = rx.vstack(
        rx.heading(r["title"], size="6", id="record-title"),
        rx.hstack(stage_badge(r["stage"]), money(r), spacing="3", align="center"),
        rx.data_list.root(
            rx.data_list.item(rx.data_list.label("Probability"), rx.data_list.value(r["probability"] + "%")),
            rx.data_list.item(rx.data_list.label("Expected close"), rx.data_list.value(close_date(r["expected_close"]))),
            rx.data_list.item(rx.data_list.label("Company"), rx.data_list.value(
                rx.cond(r["company_id"] != "", rx.link(r["company"], href="/companies/" + r["company_id"]), "—"))),
            rx.data_list.item(rx.data_list.label("Contact"), rx.data_list.value(
                rx.cond(r["contact_id"] != "", rx.link(r["contact"], href="/contacts/" + r["contact_id"]), "—"))),
        ),
        spacing="2",
    )
    return detail_page(D, summary, title="Deal", back_label="All deals", back_href="/deals", page_id="deal-detail")
