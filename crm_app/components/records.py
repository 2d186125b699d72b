"""Record lists (search, sortable columns, paging), the delete confirmation and the timeline."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from crm_app.components.forms import SELECT_STYLE
from crm_app.components.layout import app_page
from crm_app.components.record_inbox import record_inbox


def search_box(state, placeholder: str, id_: str) -> rx.Component:
    return rx.input(
        rx.input.slot(rx.icon("search", size=16)),
        placeholder=placeholder,
        value=state.q,
        on_change=state.set_q.debounce(250),
        id=id_,
        width=["100%", "100%", "22rem"],
        size="3",
    )


def sort_header(state, label: str, column: str) -> rx.Component:
    arrow = rx.cond(state.sort == column, rx.cond(state.desc, rx.icon("arrow-down", size=14), rx.icon("arrow-up", size=14)), rx.fragment())
    return rx.table.column_header_cell(
        rx.hstack(rx.text(label), arrow, spacing="1", align="center", cursor="pointer",
                  on_click=state.sort_by(column), id=f"sort-{column}"),
    )


def pager(state, id_prefix: str) -> rx.Component:
    return rx.hstack(
        rx.text(state.range_label, size="2", color_scheme="gray", id=f"{id_prefix}-range"),
        rx.spacer(),
        rx.button(rx.icon("chevron-left", size=16), "Previous", variant="soft", size="2",
                  disabled=state.page <= 1, on_click=state.prev_page, id=f"{id_prefix}-prev"),
        rx.text(f"Page ", state.page, " of ", state.pages, size="2", id=f"{id_prefix}-page"),
        rx.button("Next", rx.icon("chevron-right", size=16), variant="soft", size="2",
                  disabled=state.page >= state.pages, on_click=state.next_page, id=f"{id_prefix}-next"),
        width="100%",
        align="center",
        wrap="wrap",
    )


def row_actions(state, row: rx.Var, label_key: str, id_prefix: str) -> rx.Component:
    return rx.hstack(
        rx.tooltip(rx.icon_button(rx.icon("pencil", size=14), variant="ghost", size="1",
                                  on_click=state.open_edit(row["id"]), id=f"{id_prefix}-edit-" + row["id"]),
                   content="Edit"),
        rx.tooltip(rx.icon_button(rx.icon("trash-2", size=14), variant="ghost", color_scheme="red", size="1",
                                  on_click=state.ask_delete(row["id"], row[label_key]), id=f"{id_prefix}-delete-" + row["id"]),
                   content="Delete"),
        spacing="2",
    )


def record_table(state, headers: list[rx.Component], row_fn: Callable[[rx.Var], rx.Component], id_prefix: str,
                 empty_text: str) -> rx.Component:
    return rx.vstack(
        rx.cond(
            state.total > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(rx.table.row(*headers)),
                    rx.table.body(rx.foreach(state.rows, row_fn)),
                    variant="surface",
                    width="100%",
                    id=f"{id_prefix}-table",
                ),
                width="100%",
                overflow_x="auto",
            ),
            rx.card(
                rx.vstack(rx.icon("inbox", size=28, color=rx.color("gray", 9)), rx.text(empty_text, color_scheme="gray"),
                          align="center", padding="2rem"),
                width="100%",
                id=f"{id_prefix}-empty",
            ),
        ),
        pager(state, id_prefix),
        width="100%",
        spacing="3",
    )


def delete_dialog(state, what: str) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(f"Delete this {what}?"),
            rx.alert_dialog.description(
                rx.text("“", state.delete_label, "” will be deleted with its timeline. This can't be undone.")
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray", on_click=state.cancel_delete,
                                                 id="delete-cancel")),
                rx.alert_dialog.action(rx.button("Delete", color_scheme="red", on_click=state.confirm_delete, id="delete-confirm")),
                justify="end",
                spacing="3",
                margin_top="1rem",
            ),
        ),
        open=state.delete_id != 0,
    )


def form_dialog(state, title_new: str, title_edit: str, fields: rx.Component, form_id: str) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(state.editing_id != 0, title_edit, title_new)),
            rx.form(
                rx.vstack(
                    rx.fragment(fields, key=state.form_version),
                    rx.cond(state.form_error != "", rx.callout(state.form_error, color_scheme="red", icon="triangle-alert")),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button", id=f"{form_id}-cancel")),
                        rx.button("Save", type="submit", id=f"{form_id}-save"),
                        justify="end",
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=state.submit_form,
                reset_on_submit=False,
                id=form_id,
            ),
            max_width="32rem",
        ),
        open=state.form_open,
        on_open_change=state.set_form_open,
    )


KIND_ICON = {"note": "sticky-note", "task": "square-check", "email": "mail", "meeting": "calendar"}


def timeline(state) -> rx.Component:
    def item(a: rx.Var) -> rx.Component:
        return rx.hstack(
            rx.center(
                rx.match(a["kind"], ("task", rx.icon("square-check", size=16)), ("email", rx.icon("mail", size=16)),
                         ("meeting", rx.icon("calendar", size=16)), rx.icon("sticky-note", size=16)),
                width="2rem", height="2rem", border_radius="full", background=rx.color("accent", 3), flex_shrink="0",
            ),
            rx.vstack(
                rx.hstack(
                    rx.badge(a["kind"], variant="soft", text_transform="capitalize"),
                    rx.text(a["subject"], weight="medium", size="2"),
                    rx.spacer(),
                    rx.text(rx.moment(a["occurred_at"], from_now=True), size="1", color_scheme="gray"),
                    rx.icon_button(rx.icon("trash-2", size=12), variant="ghost", size="1", color_scheme="gray",
                                   on_click=state.delete_activity(a["id"]), aria_label="Delete activity"),
                    width="100%", align="center", wrap="wrap",
                ),
                rx.cond(a["body"] != "", rx.text(a["body"], size="2", white_space="pre-wrap", color_scheme="gray")),
                rx.cond(
                    a["kind"] == "task",
                    rx.hstack(
                        rx.checkbox("Done", checked=a["done"] == "true", on_change=lambda v: state.toggle_task(a["id"], v), size="1"),
                        rx.cond(a["due_at"] != "", rx.text("Due ", rx.moment(a["due_at"], format="ll"), size="1", color_scheme="gray")),
                        spacing="3",
                    ),
                ),
                rx.cond(a["email_web_link"] != "", rx.link("Open in Outlook", href=a["email_web_link"], is_external=True, size="1")),
                spacing="1",
                width="100%",
                min_width="0",
            ),
            spacing="3",
            width="100%",
            align="start",
            class_name="timeline-item",
        )

    return rx.vstack(
        rx.form(
            rx.vstack(
                rx.text_area(name="body", placeholder="Write a note, or a task with a due date…", rows="3", width="100%",
                             id="activity-body", key=state.note_version),
                rx.cond(state.note_errors.contains("body"), rx.text(state.note_errors["body"], color_scheme="red", size="1", id="error-body")),
                rx.hstack(
                    rx.el.select(rx.el.option("Note", value="note"), rx.el.option("Task", value="task"),
                                 rx.el.option("Meeting", value="meeting"), name="kind", id="activity-kind",
                                 style={**SELECT_STYLE, "width": "auto"}),
                    rx.input(name="due_at", type="date", id="activity-due", width="11rem", key=state.note_version),
                    rx.spacer(),
                    rx.button(rx.icon("plus", size=14), "Add", type="submit", id="activity-add"),
                    width="100%", align="center", wrap="wrap",
                ),
                rx.cond(state.note_errors.contains("due_at"), rx.text(state.note_errors["due_at"], color_scheme="red", size="1")),
                width="100%",
            ),
            on_submit=state.add_activity,
            reset_on_submit=True,
            width="100%",
        ),
        rx.cond(
            state.activities.length() > 0,
            rx.vstack(rx.foreach(state.activities, item), spacing="4", width="100%", id="timeline"),
            rx.text("Nothing on the timeline yet.", color_scheme="gray", size="2", id="timeline-empty"),
        ),
        spacing="4",
        width="100%",
    )


def list_page(state, *, title: str, what: str, search_placeholder: str, headers: list[rx.Component],
              row_fn: Callable[[rx.Var], rx.Component], id_prefix: str, fields: rx.Component,
              body: rx.Component | None = None, toolbar: rx.Component | None = None) -> rx.Component:
    """A record list page: search (and any toolbar), the table (or `body`), the form dialog and delete confirmation."""
    return app_page(
        rx.hstack(search_box(state, search_placeholder, f"{id_prefix}-search"), rx.spacer(), toolbar or rx.fragment(),
                  width="100%", wrap="wrap", spacing="3"),
        body if body is not None else record_table(state, headers, row_fn, id_prefix,
                                                    f"No {id_prefix} match. Add one, or clear the search."),
        form_dialog(state, f"New {what}", f"Edit {what}", fields, f"{what}-form"),
        delete_dialog(state, what),
        title=title,
        actions=rx.button(rx.icon("plus", size=16), f"New {what}", on_click=state.open_create, id=f"new-{what}"),
        page_id=f"{id_prefix}-page",
    )


def detail_page(state, summary: rx.Component, *, title: str, back_label: str, back_href: str, page_id: str) -> rx.Component:
    """A record's page: its summary card beside its timeline, or a clear message when it no longer exists."""
    return app_page(
        rx.cond(
            state.not_found != "",
            rx.callout(state.not_found, icon="circle-alert", color_scheme="amber", id="not-found"),
            rx.grid(
                rx.card(summary),
                rx.card(rx.vstack(rx.heading("Timeline", size="4"), timeline(state), width="100%")),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="4",
                width="100%",
            ),
        ),
        rx.cond(state.not_found == "", record_inbox()),
        title=title,
        actions=rx.link(rx.button(rx.icon("arrow-left", size=16), back_label, variant="soft"), href=back_href),
        page_id=page_id,
    )
