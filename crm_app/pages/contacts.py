"""Contacts: list, create/edit dialog, delete confirmation, detail with timeline."""

from __future__ import annotations

import reflex as rx

from crm_app.components.forms import select_field, text_field
from crm_app.components.layout import app_page
from crm_app.components.records import delete_dialog, form_dialog, record_table, row_actions, search_box, sort_header, timeline
from crm_app.state.crm import ContactDetailState, ContactsState

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
    return app_page(
        rx.hstack(search_box(S, "Search name, email or company", "contacts-search"), width="100%"),
        record_table(
            S,
            [sort_header(S, "Name", "name"), rx.table.column_header_cell("Email"), sort_header(S, "Title", "title"),
             sort_header(S, "Company", "company"), rx.table.column_header_cell("")],
            contact_row,
            "contacts",
            "No contacts match. Add one, or clear the search.",
        ),
        form_dialog(S, "New contact", "Edit contact", contact_fields(), "contact-form"),
        delete_dialog(S, "contact"),
        title="Contacts",
        actions=rx.button(rx.icon("plus", size=16), "New contact", on_click=S.open_create, id="new-contact"),
        page_id="contacts-page",
    )


def detail_header(state, title: rx.Var, subtitle: rx.Component) -> rx.Component:
    return rx.vstack(rx.heading(title, size="6", id="record-title"), subtitle, spacing="1")


def contact_detail_page() -> rx.Component:
    D = ContactDetailState
    r = D.record
    return app_page(
        rx.cond(
            D.not_found != "",
            rx.callout(D.not_found, icon="circle-alert", color_scheme="amber", id="not-found"),
            rx.grid(
                rx.card(
                    rx.vstack(
                        detail_header(D, r["name"], rx.text(r["title"], color_scheme="gray")),
                        rx.data_list.root(
                            rx.data_list.item(rx.data_list.label("Emails"), rx.data_list.value(r["emails"])),
                            rx.data_list.item(rx.data_list.label("Phone"), rx.data_list.value(r["phone"])),
                            rx.data_list.item(rx.data_list.label("Company"), rx.data_list.value(
                                rx.cond(r["company_id"] != "", rx.link(r["company"], href="/companies/" + r["company_id"]), "—"))),
                        ),
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
        title="Contact",
        actions=rx.link(rx.button(rx.icon("arrow-left", size=16), "All contacts", variant="soft"), href="/contacts"),
        page_id="contact-detail",
    )
