"""Settings: profile and time zone, colour mode, and integrations."""

from __future__ import annotations

import reflex as rx

from crm_app.components.forms import SELECT_STYLE
from crm_app.components.integrations import integrations_panel
from crm_app.components.layout import app_page
from crm_app.state.settings import SettingsState

S = SettingsState


def profile_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Profile", size="4"),
            rx.data_list.root(
                rx.data_list.item(rx.data_list.label("Name"), rx.data_list.value(S.user_name)),
                rx.data_list.item(rx.data_list.label("Email"), rx.data_list.value(S.user_email)),
            ),
            rx.hstack(
                rx.text("Time zone", size="2", weight="medium"),
                rx.el.select(
                    rx.foreach(S.timezones, lambda tz: rx.el.option(tz, value=tz)),
                    value=S.user_timezone,
                    on_change=S.save_timezone,
                    id="settings-timezone",
                    style={**SELECT_STYLE, "width": "16rem"},
                ),
                align="center",
                spacing="3",
                wrap="wrap",
            ),
            rx.text("Dates the assistant understands (“tomorrow”, “next Monday at 2pm”) use this time zone.",
                    size="1", color_scheme="gray"),
            rx.hstack(rx.text("Appearance", size="2", weight="medium"), rx.color_mode.switch(id="settings-dark"),
                      rx.text("Dark", size="2"), align="center", spacing="3"),
            spacing="3",
        ),
        width="100%",
    )


def settings_page() -> rx.Component:
    return app_page(
        profile_card(),
        integrations_panel(),
        title="Settings",
        page_id="settings-page",
    )
