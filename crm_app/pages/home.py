"""Home: open deals by stage with totals, today's meetings and unread mail, and recent CRM activity."""

from __future__ import annotations

import reflex as rx

from crm_app.components.layout import TRUNCATE, app_page
from crm_app.components.money import amounts
from crm_app.state.home import HomeState

H = HomeState


def panel(title: str, icon: str, *children: rx.Component, id_: str, action: rx.Component | None = None) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.icon(icon, size=18, color=rx.color("accent", 10)), rx.heading(title, size="4"), rx.spacer(),
                      action or rx.fragment(), width="100%", align="center"),
            *children,
            spacing="3", width="100%",
        ),
        width="100%", id=id_, class_name="home-panel",
    )


def pipeline_panel() -> rx.Component:
    row = lambda p: rx.hstack(  # noqa: E731
        rx.link(p["label"], href="/deals", size="2", weight="medium"),
        rx.spacer(),
        rx.badge(p["count"], variant="soft", radius="full"),
        rx.box(amounts(p["total"], align="end", size="2"), class_name="pipeline-total"),
        width="100%", align="center", spacing="3", class_name="pipeline-row",
    )
    return panel(
        "Open deals", "handshake",
        rx.foreach(H.pipeline, row),
        rx.separator(),
        rx.hstack(rx.text("All open deals", size="2", color_scheme="gray"), rx.spacer(),
                  rx.box(amounts(H.pipeline_total, align="end", size="2", weight="bold"), id="pipeline-sum"),
                  width="100%", align="start"),
        id_="home-pipeline",
        action=rx.link("Board", href="/deals", size="2"),
    )


def meeting_row(m: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.text(rx.cond(m["all_day"], "All day", rx.moment(m["start"], format="HH:mm")), size="2", weight="medium",
                min_width="3.5rem", class_name="meeting-time"),
        rx.vstack(
            rx.cond(m["link"], rx.link(m["subject"], href=m["link"], is_external=True, size="2"), rx.text(m["subject"], size="2")),
            rx.cond(m["location"], rx.text(m["location"], size="1", color_scheme="gray")),
            spacing="0", min_width="0",
        ),
        width="100%", align="start", spacing="3", class_name="meeting-row",
    )


def not_connected() -> rx.Component:
    return rx.callout(
        rx.text("Microsoft 365 is not connected, so today's meetings and unread mail can't be shown. ",
                rx.link("Connect it in Settings", href="/settings", id="home-connect"), "."),
        icon="plug", color_scheme="gray", size="1", id="home-not-connected",
    )


def today_panel() -> rx.Component:
    connected = rx.vstack(
        rx.cond(H.unread != "",
                rx.hstack(rx.icon("inbox", size=16), rx.text(H.unread, weight="bold", size="2", id="home-unread"),
                          rx.text("unread in your inbox", size="2"),
                          align="center", spacing="2", width="100%")),
        rx.cond(H.meetings.length() > 0,
                rx.vstack(rx.foreach(H.meetings, meeting_row), spacing="2", width="100%", id="home-meetings"),
                rx.text("No meetings today.", size="2", color_scheme="gray", id="home-no-meetings")),
        rx.cond(H.ms365_problem != "", rx.callout(H.ms365_problem, icon="triangle-alert", color_scheme="amber", size="1",
                                                 id="home-ms365-problem")),
        spacing="3", width="100%",
    )
    return panel(
        "Today", "calendar",
        rx.match(H.ms365,
                 ("loading", rx.hstack(rx.spinner(size="1"), rx.text("Asking Microsoft 365…", size="2", color_scheme="gray"))),
                 ("not_connected", not_connected()),
                 connected),
        id_="home-today",
    )


def activity_row(a: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.badge(a["kind"], variant="soft", color_scheme="gray", min_width="3.5rem", justify="center"),
        rx.vstack(
            rx.text(a["subject"], size="2", **TRUNCATE, width="100%", title=a["subject"]),
            rx.hstack(rx.cond(a["href"], rx.link(a["record"], href=a["href"], size="1")),
                      rx.cond(a["when"], rx.text(rx.moment(a["when"], from_now=True), size="1", color_scheme="gray",
                                                          class_name="activity-when")),
                      spacing="2", class_name="activity-meta"),
            spacing="0", min_width="0", flex="1",
        ),
        width="100%", align="start", spacing="3", class_name="activity-row",
    )


def activity_panel() -> rx.Component:
    return panel(
        "Recent activity", "history",
        rx.cond(H.activity.length() > 0,
                rx.vstack(rx.foreach(H.activity, activity_row), spacing="3", width="100%"),
                rx.text("Nothing yet. Notes, calls and emails you log show up here.", size="2", color_scheme="gray")),
        id_="home-activity",
    )


def home_page() -> rx.Component:
    return app_page(
        rx.grid(pipeline_panel(), today_panel(), activity_panel(),
                columns=rx.breakpoints(initial="1", md="2", xl="3"), spacing="4", width="100%"),
        title="Home",
        actions=rx.link(rx.button(rx.icon("message-circle", size=16), "Ask the assistant", size="2"), href="/chat",
                        id="home-ask"),
        page_id="home-page",
    )
