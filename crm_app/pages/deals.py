"""Deals: a board by pipeline stage and a sortable list; create/edit, move, delete; detail with timeline."""

from __future__ import annotations

import reflex as rx

from crm_app.components.forms import SELECT_STYLE, select_field, text_field
from crm_app.components.records import detail_page, list_page, record_table, row_actions, sort_header
from crm_app.services.crm import CURRENCIES
from crm_app.state.crm import STAGES, DealDetailState, DealsState

S = DealsState
STAGE_COLORS = {"lead": "gray", "qualified": "blue", "proposal": "violet", "negotiation": "amber", "won": "green", "lost": "red"}


def stage_badge(stage: rx.Var) -> rx.Component:
    return rx.match(stage, *[(s, rx.badge(s.title(), color_scheme=c, variant="soft")) for s, c in STAGE_COLORS.items()],
                    rx.badge(stage))


def money(d: rx.Var) -> rx.Component:
    return rx.text(d["amount_display"], size="2", weight="medium")


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
                         static=[(s, s.title()) for s in STAGES]),
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


def deal_card(d: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.link(d["title"], href="/deals/" + d["id"], weight="medium", size="2", id="deal-link-" + d["id"]),
            rx.text(d["company"], size="1", color_scheme="gray"),
            rx.hstack(money(d), rx.spacer(), rx.text(d["probability"], "%", size="1", color_scheme="gray"), width="100%"),
            rx.hstack(
                rx.el.select(
                    *[rx.el.option(s.title(), value=s) for s in STAGES],
                    value=d["stage"],
                    on_change=lambda v: S.move(d["id"], v),
                    id="deal-stage-" + d["id"],
                    aria_label="Move to stage",
                    style={**SELECT_STYLE, "height": "var(--space-5)", "font_size": "12px"},
                ),
                row_actions(S, d, "title", "deal"),
                width="100%",
                align="center",
            ),
            spacing="1",
            width="100%",
        ),
        size="1",
        width="100%",
        class_name="deal-card",
    )


def board() -> rx.Component:
    def column(stage: rx.Var) -> rx.Component:
        return rx.vstack(
            rx.hstack(
                stage_badge(stage),
                rx.text(S.board_counts[stage], size="1", color_scheme="gray"),
                rx.spacer(),
                rx.text(S.board_totals[stage], size="1", color_scheme="gray"),
                width="100%",
                align="center",
            ),
            rx.foreach(S.board[stage], deal_card),
            width=["100%", "100%", "15rem"],
            min_width=["100%", "100%", "15rem"],
            padding="0.5rem",
            border_radius="var(--radius-3)",
            background=rx.color("gray", 2),
            spacing="2",
            id="stage-" + stage.to(str),
            class_name="stage-column",
        )

    return rx.flex(rx.foreach(S.stages, column), direction=rx.breakpoints(initial="column", md="row"), spacing="3",
                   width="100%", overflow_x="auto", padding_bottom="0.5rem", id="deal-board")


def deal_row(d: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(d["title"], href="/deals/" + d["id"], weight="medium")),
        rx.table.cell(money(d)),
        rx.table.cell(stage_badge(d["stage"])),
        rx.table.cell(rx.text(d["expected_close"], size="2")),
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
            rx.data_list.item(rx.data_list.label("Expected close"), rx.data_list.value(r["expected_close"])),
            rx.data_list.item(rx.data_list.label("Company"), rx.data_list.value(
                rx.cond(r["company_id"] != "", rx.link(r["company"], href="/companies/" + r["company_id"]), "—"))),
            rx.data_list.item(rx.data_list.label("Contact"), rx.data_list.value(
                rx.cond(r["contact_id"] != "", rx.link(r["contact"], href="/contacts/" + r["contact_id"]), "—"))),
        ),
        spacing="2",
    )
    return detail_page(D, summary, title="Deal", back_label="All deals", back_href="/deals", page_id="deal-detail")
