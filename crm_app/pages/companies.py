"""Companies: list, create/edit, delete, detail with contacts, deals and timeline."""

from __future__ import annotations

import reflex as rx

from crm_app.components.forms import text_field
from crm_app.components.layout import app_page
from crm_app.components.records import delete_dialog, form_dialog, record_table, row_actions, search_box, sort_header, timeline
from crm_app.state.crm import CompaniesState, CompanyDetailState

S = CompaniesState


def company_fields() -> rx.Component:
    e, f = S.errors, S.form
    return rx.vstack(
        text_field("Name", "name", errors=e, value=f.get("name", ""), required=True, id_prefix="company-", max_length=200),
        text_field("Domain", "domain", errors=e, value=f.get("domain", ""), id_prefix="company-", placeholder="acme.com"),
        text_field("Industry", "industry", errors=e, value=f.get("industry", ""), id_prefix="company-"),
        width="100%",
        spacing="3",
    )


def company_row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(r["name"], href="/companies/" + r["id"], weight="medium", id="company-link-" + r["id"])),
        rx.table.cell(rx.text(r["domain"], size="2")),
        rx.table.cell(rx.text(r["industry"], size="2")),
        rx.table.cell(row_actions(S, r, "name", "company")),
        class_name="company-row",
    )


def companies_page() -> rx.Component:
    return app_page(
        rx.hstack(search_box(S, "Search name, domain or industry", "companies-search"), width="100%"),
        record_table(
            S,
            [sort_header(S, "Name", "name"), sort_header(S, "Domain", "domain"), sort_header(S, "Industry", "industry"),
             rx.table.column_header_cell("")],
            company_row,
            "companies",
            "No companies match. Add one, or clear the search.",
        ),
        form_dialog(S, "New company", "Edit company", company_fields(), "company-form"),
        delete_dialog(S, "company"),
        title="Companies",
        actions=rx.button(rx.icon("plus", size=16), "New company", on_click=S.open_create, id="new-company"),
        page_id="companies-page",
    )


def company_detail_page() -> rx.Component:
    D = CompanyDetailState
    r = D.record
    return app_page(
        rx.cond(
            D.not_found != "",
            rx.callout(D.not_found, icon="circle-alert", color_scheme="amber", id="not-found"),
            rx.grid(
                rx.card(
                    rx.vstack(
                        rx.heading(r["name"], size="6", id="record-title"),
                        rx.text(r["industry"], color_scheme="gray"),
                        rx.cond(r["domain"] != "", rx.text(r["domain"], size="2")),
                        rx.heading("Contacts", size="3", margin_top="1rem"),
                        rx.foreach(D.related, lambda c: rx.link(c["name"], " · ", c["email"], href="/contacts/" + c["id"], size="2")),
                        rx.heading("Deals", size="3", margin_top="1rem"),
                        rx.foreach(D.related_deals, lambda d: rx.link(d["title"], " · ", d["stage"], href="/deals/" + d["id"], size="2")),
                        spacing="2",
                    ),
                ),
                rx.card(rx.vstack(rx.heading("Timeline", size="4"), timeline(D), width="100%")),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
        ),
        title="Company",
        actions=rx.link(rx.button(rx.icon("arrow-left", size=16), "All companies", variant="soft"), href="/companies"),
        page_id="company-detail",
    )
