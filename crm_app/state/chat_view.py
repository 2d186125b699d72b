"""What the chat page shows: messages built from turns and stored history, and what a failed handler says."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from crm_app.services import assistant, auth, conversations
from crm_app.services.errors import DatabaseUnavailable, NotFound

log = logging.getLogger(__name__)

UNEXPECTED_TEXT = "Something went wrong on our side. Your message was kept; try again."
NOT_RUN_TEXT = ("Something went wrong on our side before the action ran, so nothing happened. It is still waiting "
                "for you: confirm it again or cancel it.")
LOG_FAILED_TEXT = "Logging the email failed on our side. Try again in a moment."
SIGNED_OUT_TEXT = "You were signed out, so this message was not sent. Sign in again and resend it."
UNANSWERED_TEXT = ("This answer did not arrive: the connection or the server was interrupted while it was being "
                   "prepared. Your message was kept; send it again.")


@dataclasses.dataclass
class UIMessage:
    id: str = ""
    role: str = "assistant"
    text: str = ""
    cards: list[assistant.Card] = dataclasses.field(default_factory=list)
    chips: list[dict[str, str]] = dataclasses.field(default_factory=list)
    flags: list[str] = dataclasses.field(default_factory=list)
    status: str = "done"


def ui_card(stored: dict[str, Any]) -> assistant.Card:
    """A card as the page shows it. An action Microsoft 365 refused for now waits for the user again, so its
    card offers Confirm as a pending one does."""
    card = assistant.Card.from_dict(stored)
    if card.kind == "confirm":
        card.status = card_status_shown(card.status)
    return card


def card_status_shown(action_status: str) -> str:
    return "pending" if action_status == "retryable" else action_status


def to_ui(m: dict[str, Any]) -> UIMessage:
    return UIMessage(
        id=str(m.get("id", "")),
        role=m.get("role", "assistant"),
        text=m.get("content", ""),
        cards=[ui_card(c) for c in m.get("cards") or []],
        chips=[{k: str(v) for k, v in c.items()} for c in m.get("chips") or []],
        flags=[str(f) for f in m.get("flags") or []],
        status=m.get("status", "done"),
    )


def from_turn(turn: assistant.Turn, *, saved: bool = False) -> UIMessage:
    """The assistant's message as the page shows it, while it builds up or once it is `saved`."""
    return to_ui({**turn.payload(), "id": turn.message_id if saved and turn.message_id else "", "role": "assistant",
                  "content": turn.text})


def failure_text(exc: BaseException, unexpected: str = UNEXPECTED_TEXT) -> str:
    """What the user reads when a chat handler could not finish; unexpected errors are logged, never shown."""
    if isinstance(exc, DatabaseUnavailable):
        return exc.user_message
    if isinstance(exc, NotFound):
        return str(exc)
    log.error("chat handler failed", exc_info=exc)
    return unexpected


def conversations_to_show(token: str, wanted: str, current: int
                          ) -> tuple[auth.SignedInUser | None, list[dict[str, Any]], int, list[dict[str, Any]]]:
    """For the chat page: who is signed in, their conversations, which one to open (0 for none) and its messages."""
    user = auth.resolve_session(token)
    if user is None:
        return None, [], 0, []
    listed = conversations.list_for_user(user.id)
    ids = [int(c["id"]) for c in listed]
    opened = int(wanted) if wanted and wanted.isdigit() and int(wanted) in ids else current if current in ids else 0
    return user, listed, opened, conversations.messages(user.id, opened) if opened else []
