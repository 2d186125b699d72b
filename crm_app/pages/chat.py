"""The chat page: conversation list, messages with progress chips and cards, and the input."""

from __future__ import annotations

import reflex as rx

from crm_app.components.cards import render_card
from crm_app.components.forms import SELECT_STYLE
from crm_app.components.layout import TRUNCATE, app_page
from crm_app.state.chat import ChatState

S = ChatState

SUGGESTIONS = [
    "Show me emails from the last 3 days",
    "What's on my calendar today?",
    "List my recent OneDrive files",
    "What SharePoint sites do I have access to?",
    "Show me this week's meetings",
    "What can you do?",
]


def chip(c: rx.Var) -> rx.Component:
    return rx.badge(
        rx.match(c["state"], ("running", rx.spinner(size="1")), ("failed", rx.icon("x", size=12)), rx.icon("check", size=12)),
        c["label"],
        color_scheme=rx.match(c["state"], ("running", "blue"), ("failed", "red"), "gray"),
        variant="soft", class_name="progress-chip",
    )


def message_view(m: rx.Var) -> rx.Component:
    user = m.role == "user"
    return rx.box(
        rx.cond(
            user,
            rx.hstack(
                rx.spacer(),
                rx.box(rx.text(m.text, size="2", white_space="pre-wrap"), background=rx.color("accent", 9), color="white",
                       padding="0.6rem 0.9rem", border_radius="var(--radius-4)", max_width="min(40rem, 85%)",
                       class_name="user-message"),
                width="100%",
            ),
            rx.vstack(
                rx.cond(m.chips.length() > 0, rx.hstack(rx.foreach(m.chips, chip), wrap="wrap", spacing="2")),
                rx.cond(m.text != "",
                        rx.text(m.text, size="2", white_space="pre-wrap", class_name="assistant-reply"),
                        rx.cond(m.status == "working", rx.hstack(rx.spinner(size="1"), rx.text("Thinking…", size="2", color_scheme="gray")))),
                rx.cond(m.flags.length() > 0, rx.callout(
                    rx.vstack(rx.text("Not found in the data I retrieved — check before relying on it:", size="1", weight="bold"),
                              rx.foreach(m.flags, lambda f: rx.text("• ", f, size="1")), spacing="1"),
                    icon="triangle-alert", color_scheme="amber", size="1", class_name="reply-flags")),
                rx.cond(m.cards.length() > 0, rx.vstack(rx.foreach(m.cards, lambda c: render_card(c, m)), spacing="2", width="100%",
                                                        class_name="cards")),
                spacing="2", width="100%", max_width="48rem", class_name="assistant-message",
                data_status=m.status,
            ),
        ),
        width="100%",
    )


def conversation_list() -> rx.Component:
    return rx.vstack(
        rx.button(rx.icon("plus", size=14), "New conversation", on_click=S.new_conversation, width="100%", variant="soft",
                  id="new-conversation"),
        rx.vstack(
            rx.cond(S.conversations.length() == 0,
                    rx.text("No conversations yet. Ask something and it will be kept here.", size="1", color_scheme="gray",
                            padding="0.4rem 0.6rem", id="no-conversations")),
            rx.foreach(S.conversations, lambda c: rx.hstack(
                rx.text(c["title"], size="2", **TRUNCATE, line_height="1.5", padding_y="1px", flex="1", min_width="0",
                        title=c["title"], class_name="conversation-title"),
                rx.icon_button(rx.icon("trash-2", size=12), size="1", variant="ghost", color_scheme="gray",
                               on_click=S.delete_conversation(c["id"]).stop_propagation, aria_label="Delete conversation"),
                on_click=S.open_conversation(c["id"]),
                padding="0.4rem 0.6rem", border_radius="var(--radius-2)", width="100%", cursor="pointer", align="center",
                background=rx.cond(S.conversation_id.to(str) == c["id"], rx.color("accent", 3), "transparent"),
                _hover={"background": rx.color("gray", 3)},
                class_name="conversation-item",
            )),
            spacing="1", width="100%", overflow_y="auto", max_height="70vh",
        ),
        width=["100%", "100%", "14rem"], min_width=["auto", "auto", "14rem"], spacing="3",
        display=["none", "none", "flex"], id="conversation-list",
    )


def mobile_conversations() -> rx.Component:
    """Narrow screens: the conversation list as a picker above the messages."""
    return rx.hstack(
        rx.el.select(
            rx.el.option(rx.cond(S.conversations.length() > 0, "Conversations…", "No conversations yet"), value=""),
            rx.foreach(S.conversations, lambda c: rx.el.option(c["title"], value=c["id"])),
            value=rx.cond(S.conversation_id > 0, S.conversation_id.to(str), ""),
            on_change=S.open_conversation,
            style={**SELECT_STYLE, "flex": "1"},
            id="conversation-picker",
        ),
        rx.icon_button(rx.icon("plus", size=16), on_click=S.new_conversation, variant="soft", aria_label="New conversation"),
        width="100%", display=["flex", "flex", "none"],
    )


def mode_badge() -> rx.Component:
    return rx.tooltip(rx.badge(S.assistant_mode, variant="surface", id="assistant-mode"),
                      content="The offline assistant needs no API key; set LLM_MODEL to use a language model.")


def empty_state() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.center(rx.icon("sparkles", size=22, color="white"), width="2.75rem", height="2.75rem",
                      border_radius="var(--radius-4)", background=rx.color("accent", 9)),
            rx.heading("Ask about your customers, mail, calendar and files", size="5", align="center"),
            rx.text("Results come back as cards. Emails say whether you see a preview or the full body; anything that "
                    "sends, schedules, shares or changes data waits for your confirmation.", size="2", color_scheme="gray",
                    align="center"),
            rx.flex(*[rx.button(s, variant="outline", size="2", on_click=S.suggest(s), class_name="suggestion")
                      for s in SUGGESTIONS],
                    wrap="wrap", spacing="2", justify="center"),
            spacing="3", max_width="40rem", align="center",
        ),
        width="100%", height="100%", min_height="16rem", id="chat-welcome",
    )


def composer() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.hstack(
                rx.text_area(
                    name="message", value=S.draft, on_change=S.set_draft, placeholder="Ask anything… (Enter to send, Shift+Enter for a new line)",
                    rows="2", width="100%", id="chat-input", auto_height=True, max_height="12rem",
                    enter_key_submit=True,
                ),
                rx.button(rx.cond(S.sending, rx.spinner(size="2"), rx.icon("send", size=16)), type="submit", size="3",
                          disabled=S.sending, id="chat-send", aria_label="Send"),
                width="100%", align="end",
            ),
            rx.cond(S.input_error != "", rx.text(S.input_error, color_scheme="red", size="1", id="chat-input-error")),
            width="100%",
        ),
        on_submit=S.send, reset_on_submit=False, width="100%",
    )


def chat_page() -> rx.Component:
    return app_page(
        rx.hstack(
            conversation_list(),
            rx.vstack(
                mobile_conversations(),
                rx.box(
                    rx.cond((S.messages.length() > 0) | S.live_active,
                            rx.vstack(rx.foreach(S.messages, message_view), rx.cond(S.pending_active, message_view(S.pending)),
                                      rx.cond(S.live_active, message_view(S.live)),
                                      spacing="4", width="100%", id="messages"),
                            empty_state()),
                    rx.box(id="chat-bottom"),
                    width="100%", flex="1", overflow_y="auto", min_height="0", padding_right="0.25rem",
                    id="chat-scroll",
                ),
                composer(),
                width="100%", spacing="3", min_width="0", class_name="chat-column",
            ),
            width="100%", align="start", spacing="5",
        ),
        title="Assistant",
        actions=mode_badge(),
        page_id="chat-page",
    )
