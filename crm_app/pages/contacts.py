"""Contacts: list, create/edit dialog, delete confirmation, detail with timeline."""

from __future__ import annotations

import reflex as rx

from crm_app.components.forms import select_field, text_field
from crm_app.components.records import detail_page, list_page, row_actions, sort_header
from crm_app.state.crm import ContactsState
from crm_app.state.record_detail import ContactDetailState

S = ContactsState


def contact_fields() -> rx.Component:
    e, f = S.errors, S.form
    return rx.vstack(
        rx.hstack(
            text_field("First name", "first_name", errors=e, value=f.get("first_name", ""), required=True, id_prefix="contact-"),
            text_field("Last name", "last_name", errors=e, value=f.get("last_name", ""), id_prefix="contact-"),
            width="100%",
        ),
        text_field("Email addresses", "emails", errors=e, value=f.get("emails", ""), id_prefix="contact-",
                   placeholder="jane@roe.io, j.roe@roe.io", hint="Separate several addresses with commas."),
        rx.hstack(
            text_field("Phone", "phone", errors=e, value=f.get("phone", ""), id_prefix="contact-"),
            text_field("Title", "title", errors=e, value=f.get("title", ""), id_prefix="contact-"),
            width="100%",
        ),
        select_field("Company", "company_id", errors=e, value=f.get("company_id", "none"), id_prefix="contact-",
                     static=[("none", "— No company —")], dynamic=S.company_options),
        width="100%",
        spacing="3",
    )


def contact_row(r: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(r["name"], href="/contacts/" + r["id"], weight="medium", id="contact-link-" + r["id"])),
        rx.table.cell(rx.text(r["email"], size="2")),
        rx.table.cell(rx.text(r["title"], size="2")),
        rx.table.cell(rx.cond(r["company_id"] != "", rx.link(r["company"], href="/companies/" + r["company_id"], size="2"))),
        rx.table.cell(row_actions(S, r, "name", "contact")),
        class_name="contact-row",
    )


def contacts_page() -> rx.Component:
    return list_page(
        S, title="Contacts", what="contact", search_placeholder="Search name, email or company", id_prefix="contacts",
        headers=[sort_header(S, "Name", "name"), rx.table.column_header_cell("Email"), sort_header(S, "Title", "title"),
                 sort_header(S, "Company", "company"), rx.table.column_header_cell("")],
        row_fn=contact_row, fields=contact_fields(),
    )



def contact_detail_page() -> rx.Component:
    D = ContactDetailState
    r = D.record
    summary = rx.vstack(
        rx.vstack(rx.heading(r["name"], size="6", id="record-title"), rx.text(r["title"], color_scheme="gray"), spacing="1"),
        rx.data_list.root(
            rx.data_list.item(rx.data_list.label("Emails"), rx.data_list.value(r["emails"])),
            rx.data_list.item(rx.data_list.label("Phone"), rx.data_list.value(r["phone"])),
            rx.data_list.item(rx.data_list.label("Company"), rx.data_list.value(
                rx.cond(r["company_id"] != "", rx.link(r["company"], href="/companies/" + r["company_id"]), "—"))),
        ),
        rx.heading("Deals", size="3", margin_top="1rem"),
        rx.foreach(D.related_deals, lambda d: rx.link(d["title"], " · ", d["stage"], href="/deals/" + d["id"], size="2")),
        spacing="2",
    )
    return detail_page(D, summary, title="Contact", back_label="All contacts", back_href="/contacts", page_id="contact-detail")
