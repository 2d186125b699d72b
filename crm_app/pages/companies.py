"""Companies: list, create/edit, delete, detail with contacts, deals and timeline."""

from __future__ import annotations

import reflex as rx

from crm_app.components.forms import text_field
from crm_app.components.records import detail_page, list_page, row_actions, sort_header
from crm_app.state.crm import CompaniesState
from crm_app.state.record_detail import CompanyDetailState

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
    return list_page(
        S, title="Companies", what="company", search_placeholder="Search name, domain or industry", id_prefix="companies",
        headers=[sort_header(S, "Name", "name"), sort_header(S, "Domain", "domain"), sort_header(S, "Industry", "industry"),
                 rx.table.column_header_cell("")],
        row_fn=company_row, fields=company_fields(),
    )



def company_detail_page() -> rx.Component:
    D = CompanyDetailState
    r = D.record
    summary = rx.vstack(
        rx.heading(r["name"], size="6", id="record-title"),
        rx.text(r["industry"], color_scheme="gray"),
        rx.cond(r["domain"] != "", rx.text(r["domain"], size="2")),
        rx.heading("Contacts", size="3", margin_top="1rem"),
        rx.foreach(D.related, lambda c: rx.link(c["name"], " · ", c["email"], href="/contacts/" + c["id"], size="2")),
        rx.heading("Deals", size="3", margin_top="1rem"),
        rx.foreach(D.related_deals, lambda d: rx.link(d["title"], " · ", d["stage"], href="/deals/" + d["id"], size="2")),
        spacing="2",
    )
    return detail_page(D, summary, title="Company", back_label="All companies", back_href="/companies",
                       page_id="company-detail")
