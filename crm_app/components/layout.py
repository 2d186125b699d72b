"""The app shell: sidebar navigation, top bar, colour mode, and the page frame."""

from __future__ import annotations

import reflex as rx

from crm_app.state.session import SessionState

# One line, cut with an ellipsis (put the whole text in a `title` for the tooltip).
TRUNCATE = {"overflow": "hidden", "text_overflow": "ellipsis", "white_space": "nowrap"}

NAV = [
    ("Home", "/home", "house"),
    ("Chat", "/chat", "message-circle"),
    ("Contacts", "/contacts", "users"),
    ("Companies", "/companies", "building-2"),
    ("Deals", "/deals", "handshake"),
    ("Settings", "/settings", "settings"),
]


def nav_link(label: str, href: str, icon: str) -> rx.Component:
    active = rx.State.router.url.path.startswith(href)
    return rx.link(
        rx.hstack(rx.icon(icon, size=18), rx.text(label, size="3", weight="medium"), spacing="3", align="center"),
        href=href,
        id=f"nav-{label.lower()}",
        underline="none",
        padding_x="0.75rem",
        padding_y="0.55rem",
        border_radius="var(--radius-3)",
        width="100%",
        color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 11)),
        background=rx.cond(active, rx.color("accent", 3), "transparent"),
        _hover={"background": rx.color("gray", 3)},
    )


def brand() -> rx.Component:
    return rx.hstack(
        rx.center(rx.icon("sparkles", size=18, color="white"), width="2rem", height="2rem",
                  border_radius="var(--radius-3)", background=rx.color("accent", 9)),
        rx.heading("crm_app", size="5", weight="bold"),
        align="center",
        spacing="2",
    )


def user_box() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.badge(SessionState.tenant_label, color_scheme="amber", variant="soft", id="tenant-label"),
            rx.spacer(),
            rx.color_mode.button(size="2", variant="ghost", id="color-mode"),
            width="100%",
            align="center",
        ),
        rx.hstack(
            rx.avatar(fallback=SessionState.user_name.to(str)[:1], size="2", radius="full", flex_shrink="0"),
            rx.box(
                rx.text(SessionState.user_name, size="2", weight="medium", id="user-name", **TRUNCATE,
                        title=SessionState.user_name, as_="div", line_height="1.4"),
                rx.text(SessionState.user_email, size="1", color_scheme="gray", id="user-email", **TRUNCATE,
                        title=SessionState.user_email, as_="div", line_height="1.4"),
                flex="1",
                min_width="0",
                overflow="hidden",
            ),
            rx.tooltip(
                rx.icon_button(rx.icon("log-out", size=16), variant="ghost", on_click=SessionState.sign_out, id="sign-out",
                               aria_label="Sign out", flex_shrink="0", margin="0"),
                content="Sign out",
            ),
            width="100%",
            align="center",
            spacing="2",
            id="user-box",
        ),
        width="100%",
        spacing="3",
    )


def sidebar() -> rx.Component:
    return rx.vstack(
        brand(),
        rx.vstack(*[nav_link(*n) for n in NAV], spacing="1", width="100%", margin_top="1.5rem"),
        rx.spacer(),
        user_box(),
        width="15rem",
        min_width="15rem",
        height="100vh",
        position="sticky",
        top="0",
        padding="1rem",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
        display=["none", "none", "flex"],
        id="sidebar",
    )


def mobile_bar() -> rx.Component:
    return rx.hstack(
        brand(),
        rx.spacer(),
        rx.drawer.root(
            rx.drawer.trigger(rx.icon_button(rx.icon("menu"), variant="ghost", id="mobile-menu")),
            rx.drawer.overlay(z_index="50"),
            rx.drawer.portal(
                rx.drawer.content(
                    rx.vstack(
                        rx.drawer.close(rx.icon_button(rx.icon("x"), variant="ghost")),
                        *[rx.drawer.close(nav_link(*n)) for n in NAV],
                        rx.spacer(),
                        user_box(),
                        height="100%",
                        padding="1rem",
                        width="100%",
                    ),
                    height="100%",
                    width="16rem",
                    top="0",
                    left="0",
                    background=rx.color("gray", 1),
                    z_index="60",
                ),
            ),
            direction="left",
        ),
        width="100%",
        padding="0.75rem 1rem",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        display=["flex", "flex", "none"],
        align="center",
        position="sticky",
        top="0",
        background=rx.color("gray", 1),
        z_index="10",
    )


def page_error_banner() -> rx.Component:
    return rx.cond(
        SessionState.page_error != "",
        rx.callout(SessionState.page_error, icon="triangle-alert", color_scheme="red", id="page-error", width="100%"),
    )


def app_page(*children: rx.Component, title: str, actions: rx.Component | None = None, page_id: str = "") -> rx.Component:
    """A protected page: shell, heading with actions, and content. Nothing shows until the session is known."""
    header = rx.hstack(
        rx.heading(title, size="7", weight="bold", id="page-title"),
        rx.spacer(),
        actions or rx.fragment(),
        width="100%",
        align="center",
        wrap="wrap",
        spacing="3",
    )
    body = rx.vstack(page_error_banner(), header, *children, spacing="5", width="100%", max_width="80rem",
                     padding=["1rem", "1.25rem", "2rem"], id=page_id or None)
    return rx.hstack(
        sidebar(),
        rx.vstack(
            mobile_bar(),
            rx.cond(
                SessionState.signed_in,
                body,
                rx.cond(
                    SessionState.page_error != "",
                    rx.box(page_error_banner(), padding="2rem", width="100%"),
                    rx.center(rx.spinner(size="3"), width="100%", height="60vh"),
                ),
            ),
            width="100%",
            spacing="0",
            min_width="0",
        ),
        spacing="0",
        width="100%",
        min_height="100vh",
        align="start",
    )


def auth_frame(*children: rx.Component) -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(brand(), *children, spacing="4", width="100%"),
            width="100%",
            max_width="26rem",
            margin_x="auto",
            size="4",
        ),
        rx.box(rx.color_mode.button(variant="ghost"), position="fixed", top="1rem", right="1rem"),
        min_height="100vh",
        width="100%",
        padding="1rem",
        background=rx.color("gray", 2),
    )
