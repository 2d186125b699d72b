"""A record page's "Email & meetings" section: meetings and one page of mail, each a card, with its states —
reading, not connected or lapsed (with the way to Settings), failed (with Retry), nothing found."""

from __future__ import annotations

import reflex as rx

from crm_app.components.cards import email_card, event_card
from crm_app.state.record_inbox import LOADING, RecordInboxState

R = RecordInboxState


def _settings_callout(id_: str, color: str) -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("plug-zap")),
        rx.vstack(
            rx.text(R.inbox_message, size="2"),
            rx.link(rx.button(rx.icon("settings", size=14), "Open Settings", size="1", variant="soft"),
                    href="/settings", id="inbox-settings-link"),
            spacing="2",
        ),
        color_scheme=color, width="100%", id=id_,
    )


def _failed() -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("circle-x")),
        rx.vstack(
            rx.text("Mail and meetings could not be read", weight="bold", size="2"),
            rx.text(R.inbox_message, size="2", id="inbox-error-text"),
            rx.button(rx.icon("rotate-cw", size=14), "Retry", size="1", variant="soft", color_scheme="red",
                      on_click=R.retry, id="inbox-retry"),
            spacing="2",
        ),
        color_scheme="red", width="100%", id="inbox-error",
    )


def _loading() -> rx.Component:
    return rx.hstack(rx.spinner(size="2"), rx.text("Reading your mail and calendar…", size="2", color_scheme="gray"),
                     align="center", spacing="2", id="inbox-loading")


def _meetings(title: str, items: rx.Var, empty: str, id_: str) -> rx.Component:
    return rx.vstack(
        rx.text(title, weight="medium", size="2"),
        rx.cond(items.length() > 0,
                rx.vstack(rx.foreach(items, event_card), spacing="2", width="100%"),
                rx.text(empty, size="2", color_scheme="gray")),
        spacing="2", width="100%", id=id_,
    )


def _emails() -> rx.Component:
    return rx.vstack(
        rx.text("Latest messages", weight="medium", size="2"),
        rx.cond(
            R.inbox_emails.length() > 0,
            rx.vstack(
                rx.foreach(R.inbox_emails, lambda card: email_card(
                    card, card.id, open_full=lambda c: R.open_full(c.id), log=R.log_email,
                    busy=R.inbox_opening != "")),
                spacing="2", width="100%",
            ),
            rx.text(rx.cond(R.inbox_page > 1, "No older mail with ", "No mail exchanged with "), R.inbox_searched,
                    " in your mailbox.", size="2", color_scheme="gray", id="inbox-no-mail"),
        ),
        rx.hstack(
            rx.button(rx.icon("chevron-left", size=14), "Newer", size="1", variant="soft", disabled=R.inbox_page <= 1,
                      on_click=R.newer, id="inbox-newer"),
            rx.text("Page ", R.inbox_page, size="1", color_scheme="gray", id="inbox-page"),
            rx.button("Older", rx.icon("chevron-right", size=14), size="1", variant="soft",
                      disabled=~R.inbox_has_more, on_click=R.older, id="inbox-older"),
            spacing="2", align="center",
        ),
        spacing="2", width="100%", id="inbox-emails",
    )


def _ready() -> rx.Component:
    return rx.vstack(
        rx.text("Searched: ", R.inbox_searched, size="1", color_scheme="gray", id="inbox-searched"),
        rx.foreach(R.inbox_notes, lambda note: rx.callout(note, icon="info", size="1", color_scheme="amber")),
        rx.grid(
            _meetings("Upcoming meetings", R.inbox_upcoming, "No upcoming meetings with them.", "inbox-upcoming"),
            _meetings("Past meetings", R.inbox_past, "No recent meetings with them.", "inbox-past"),
            columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%",
        ),
        _emails(),
        spacing="3", width="100%",
    )


def record_inbox() -> rx.Component:
    """The section, read for the record of the page it is on."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("mail", size=18, color=rx.color("accent", 10)),
                rx.heading("Email & meetings", size="4"),
                rx.spacer(),
                rx.cond(R.inbox_status != LOADING,
                        rx.tooltip(rx.icon_button(rx.icon("refresh-cw", size=14), variant="ghost", size="1",
                                                  on_click=R.retry, aria_label="Refresh mail and meetings",
                                                  id="inbox-refresh"), content="Refresh")),
                width="100%", align="center",
            ),
            rx.match(
                R.inbox_status,
                (LOADING, _loading()),
                ("ready", _ready()),
                ("not_connected", _settings_callout("inbox-not-connected", "amber")),
                ("reconnect", _settings_callout("inbox-reconnect", "amber")),
                ("disabled", rx.callout(R.inbox_message, icon="info", color_scheme="gray", id="inbox-disabled")),
                ("no_addresses", rx.callout(R.inbox_message, icon="info", color_scheme="gray", id="inbox-no-addresses")),
                ("failed", _failed()),
                rx.fragment(),
            ),
            spacing="3", width="100%",
        ),
        width="100%", id="record-inbox", data_status=R.inbox_status,
    )
