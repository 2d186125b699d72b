"""Settings → Integrations → Tool discovery: the report of which tool serves each kind of request."""

from __future__ import annotations

import reflex as rx

from crm_app.state.discovery import DiscoveryRow, DiscoveryServerRow, DiscoveryState

CONFIDENCE_COLORS = (("sure", "green"), ("pinned", "blue"), ("likely", "amber"), ("close call", "orange"))


def discovery_row(row: DiscoveryRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.label),
        rx.table.cell(rx.code(row.tool)),
        rx.table.cell(rx.badge(row.confidence, color_scheme=rx.match(row.confidence, *CONFIDENCE_COLORS, "gray"),
                               size="1")),
        rx.table.cell(rx.text(row.note, size="1", color_scheme="gray")),
    )


def unmapped_row(row: DiscoveryRow) -> rx.Component:
    return rx.table.row(rx.table.cell(row.label), rx.table.cell(rx.text(row.note, size="1", color_scheme="gray")))


def discovery_server(server: DiscoveryServerRow) -> rx.Component:
    return rx.vstack(
        rx.heading(server.name, size="3"),
        rx.cond(server.unavailable != "", rx.text(server.unavailable, size="2", color_scheme="orange")),
        rx.cond(
            server.mapped.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*(rx.table.column_header_cell(h) for h in
                                               ("Capability", "Tool", "How sure", "Why")))),
                rx.table.body(rx.foreach(server.mapped, discovery_row)),
                size="1", width="100%", class_name="discovery-mapped",
            ),
        ),
        rx.cond(
            server.unmapped.length() > 0,
            rx.vstack(
                rx.text("Not mapped", size="2", weight="medium"),
                rx.table.root(rx.table.body(rx.foreach(server.unmapped, unmapped_row)), size="1", width="100%",
                              class_name="discovery-unmapped"),
                spacing="1", width="100%",
            ),
        ),
        spacing="2",
        width="100%",
        class_name="discovery-server",
    )


def discovery_card() -> rx.Component:
    D = DiscoveryState
    heading = rx.hstack(
        rx.icon("list-checks", size=20),
        rx.vstack(
            rx.heading("Tool discovery", size="4"),
            rx.text("Which tool of each server the assistant uses for each kind of request, how sure it is, and "
                    "what no tool could do.", size="2", color_scheme="gray"),
            spacing="1",
        ),
        spacing="3",
    )
    return rx.card(
        rx.vstack(
            heading,
            rx.button("Show discovery report", on_click=D.load_discovery, loading=D.discovery_loading,
                      variant="soft", id="discovery-load"),
            rx.cond(D.discovery_error != "", rx.callout(D.discovery_error, icon="triangle-alert", color_scheme="red",
                                                         size="1", id="discovery-error")),
            rx.vstack(rx.foreach(D.discovery, discovery_server), spacing="4", width="100%", id="discovery-report"),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="discovery-card",
    )
