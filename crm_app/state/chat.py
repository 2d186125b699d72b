"""The chat page: conversations, streaming turns, cards, confirmations, retries."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import time
from typing import Any

import reflex as rx

from crm_app.assistant.intents import Intent, Plan
from crm_app.db import DatabaseUnavailable
from crm_app.services import assistant, auth, conversations
from crm_app.services.errors import NotFound
from crm_app.state.session import SessionState, session_guard

log = logging.getLogger(__name__)
MAX_INPUT = 8000
ANSWER_WAIT_SECONDS = 120.0
ANSWER_POLL_SECONDS = 0.5
UNANSWERED_TEXT = ("This answer did not arrive: the connection or the server was interrupted while it was being "
                   "prepared. Your message was kept; send it again.")


@dataclasses.dataclass
class UIMessage:
    id: str = ""
    role: str = "assistant"
    text: str = ""
    cards: list[dict[str, str]] = dataclasses.field(default_factory=list)
    chips: list[dict[str, str]] = dataclasses.field(default_factory=list)
    flags: list[str] = dataclasses.field(default_factory=list)
    status: str = "done"


def to_ui(m: dict[str, Any]) -> UIMessage:
    return UIMessage(
        id=str(m.get("id", "")),
        role=m.get("role", "assistant"),
        text=m.get("content", ""),
        cards=[{k: str(v) for k, v in c.items()} for c in m.get("cards") or []],
        chips=[{k: str(v) for k, v in c.items()} for c in m.get("chips") or []],
        flags=[str(f) for f in m.get("flags") or []],
        status=m.get("status", "done"),
    )


class ChatState(SessionState):
    conversations: list[dict[str, str]] = []
    conversation_id: int = 0
    last_conversation: str = rx.LocalStorage("", name="crm_chat_conversation", sync=True)
    messages: list[UIMessage] = []
    live: UIMessage = UIMessage(status="")
    live_active: bool = False
    # The user's message of the turn in progress; it joins `messages` with the answer, in one update.
    pending: UIMessage = UIMessage(role="user", status="")
    pending_active: bool = False
    draft: str = ""
    sending: bool = False
    input_error: str = ""
    editing_action: str = ""
    edit_message_id: str = ""
    edit_values: dict[str, str] = {}
    # The user `_start_turn` has just checked, handed to the `run_turn` it starts (backend only, used once).
    _turn_user: auth.SignedInUser | None = None

    @rx.var
    def assistant_mode(self) -> str:
        from crm_app.settings import get_settings

        model = get_settings().llm_model
        return f"Model: {model}" if model else "Offline assistant"

    # ---- loading
    def _load_list(self, user_id: int) -> None:
        self._show_list(conversations.list_for_user(user_id))

    def _show_list(self, listed: list[dict[str, Any]]) -> None:
        self.conversations = [{"id": str(c["id"]), "title": c["title"], "updated_at": c["updated_at"]} for c in listed]

    def _open(self, user_id: int, conversation_id: int) -> None:
        self.messages = [to_ui(m) for m in conversations.messages(user_id, conversation_id)]
        self._clear_live()
        self.conversation_id = conversation_id
        self.last_conversation = str(conversation_id)

    @rx.event
    def load(self):
        user, redirect = self._admit()
        if user is None:
            return redirect
        try:
            self._load_list(user.id)
            wanted = self.router.url.query_parameters.get("c") or self.last_conversation
            ids = [int(c["id"]) for c in self.conversations]
            if self.sending:
                return None
            if wanted and wanted.isdigit() and int(wanted) in ids:
                self._open(user.id, int(wanted))
            elif self.conversation_id in ids:
                self._open(user.id, self.conversation_id)
            else:
                self.conversation_id, self.messages = 0, []
        except DatabaseUnavailable as exc:
            self.page_error = exc.user_message
            return None
        return self._await_unanswered()

    def _begin_live(self) -> None:
        """The answer being prepared lives apart from the history, so each update sends only this message."""
        self.live = UIMessage(role="assistant", status="working")
        self.live_active = True

    def _end_live(self, final: UIMessage) -> None:
        if self.live_active:
            self.messages.extend([self.pending, final] if self.pending_active else [final])
        self._clear_live()

    def _clear_live(self) -> None:
        self.live_active, self.live = False, UIMessage(status="")
        self.pending_active, self.pending = False, UIMessage(role="user", status="")

    def _await_unanswered(self):
        """The opened conversation ends with a message whose answer is still being prepared (the page reconnected
        in the middle of a turn, or the turn runs in another tab): show it as working and wait for the answer."""
        last = self.messages[-1] if self.messages else None
        if last is None or last.role != "user" or not last.id:
            return None
        self._begin_live()
        self.sending = True
        return ChatState.await_answer(self.conversation_id, last.id)

    @rx.event(background=True)
    async def await_answer(self, conversation_id: int, user_message_id: str):
        async with self:
            try:
                user = self.current_user()
            except DatabaseUnavailable:
                user = None
        answer: dict[str, Any] | None = None
        deadline = time.time() + ANSWER_WAIT_SECONDS
        while user is not None:
            try:
                history = await asyncio.to_thread(conversations.messages, user.id, conversation_id)
            except NotFound:
                break
            except DatabaseUnavailable:
                history = []
            asked = next((i for i, m in enumerate(history) if str(m["id"]) == user_message_id), None)
            if asked is not None:
                answer = next((m for m in history[asked + 1:] if m["role"] == "assistant"), None)
                asked_at = dt.datetime.fromisoformat(history[asked]["created_at"]).timestamp()
                deadline = min(deadline, asked_at + ANSWER_WAIT_SECONDS)
            if answer is not None or time.time() >= deadline:
                break
            await asyncio.sleep(ANSWER_POLL_SECONDS)
        async with self:
            self.sending = False
            if self.conversation_id == conversation_id and self.live_active:
                self._end_live(to_ui(answer) if answer is not None else
                               UIMessage(role="assistant", status="failed", text=UNANSWERED_TEXT))

    @rx.event
    @session_guard
    def new_conversation(self):
        self.require_user()
        self.conversation_id = 0
        self.messages = []
        self._clear_live()
        self.last_conversation = ""
        self.draft = ""

    @rx.event
    @session_guard
    def open_conversation(self, conversation_id: str):
        user = self.require_user()
        if not conversation_id:
            return None
        try:
            self._open(user.id, int(conversation_id))
        except NotFound as exc:
            return rx.toast.error(str(exc))
        return None

    @rx.event
    @session_guard
    def delete_conversation(self, conversation_id: str):
        user = self.require_user()
        try:
            conversations.delete(user.id, int(conversation_id))
        except NotFound as exc:
            return rx.toast.error(str(exc))
        if self.conversation_id == int(conversation_id):
            self.conversation_id, self.messages, self.last_conversation = 0, [], ""
        self._load_list(user.id)
        return None

    @rx.event
    def set_draft(self, value: str):
        self.draft = value
        if len(value) > MAX_INPUT:
            self.input_error = f"Messages are limited to {MAX_INPUT:,} characters ({len(value):,} now)."
        else:
            self.input_error = ""

    # ---- sending
    @rx.event
    @session_guard
    def send(self, form: dict | None = None):
        text = ((form or {}).get("message") or self.draft or "").strip()
        if not text or self.sending:
            return None
        if len(text) > MAX_INPUT:
            self.input_error = f"Messages are limited to {MAX_INPUT:,} characters. Shorten it and send again."
            return None
        return self._start_turn(text)

    @rx.event
    @session_guard
    def suggest(self, text: str):
        if self.sending:
            return None
        return self._start_turn(text)

    def _start_turn(self, text: str, open_message_id: str = ""):
        user = self.require_user()
        if not self.conversation_id:
            conv = conversations.create(user.id)
            self.conversation_id = conv["id"]
            self.last_conversation = str(conv["id"])
        self._begin_live()
        self.pending, self.pending_active = UIMessage(role="user", text=text), True
        self.draft = ""
        self.input_error = ""
        self.sending = True
        self._turn_user = user
        return [ChatState.run_turn(text, open_message_id), rx.scroll_to("chat-bottom")]

    @rx.event(background=True)
    async def run_turn(self, text: str, open_message_id: str = ""):
        async with self:
            user, self._turn_user = self._turn_user, None
            conversation_id = self.conversation_id
        if user is None:
            return  # not started by `_start_turn` (a replayed or forged event): nothing to run
        plan = Plan(Intent.MAIL_GET, {"message_id": open_message_id}) if open_message_id else None

        async def sink(turn: assistant.Turn) -> None:
            async with self:
                if self.live_active and self.conversation_id == conversation_id:
                    self.live = UIMessage(role="assistant", text=turn.text, cards=turn.cards, chips=turn.chips,
                                                  flags=turn.flags, status=turn.status)

        try:
            turn = await assistant.send_message(user, conversation_id, text, sink=sink, plan=plan)
        except DatabaseUnavailable as exc:
            async with self:
                self.sending = False
                self._end_live(UIMessage(role="assistant", text=exc.user_message, status="failed"))
            return
        except Exception:
            log.exception("chat turn failed")
            async with self:
                self.sending = False
                self._end_live(UIMessage(role="assistant", status="failed",
                                         text="Something went wrong on our side. Your message was kept; try again."))
            return
        listed = await asyncio.to_thread(conversations.list_for_user, user.id)
        async with self:
            self.sending = False
            if self.live_active and self.conversation_id == conversation_id:
                self._end_live(UIMessage(id=str(turn.message_id), role="assistant", text=turn.text, cards=turn.cards,
                                         chips=turn.chips, flags=turn.flags, status=turn.status))
            self._show_list(listed)
        yield rx.scroll_to("chat-bottom")

    # ---- card actions
    @rx.event
    @session_guard
    def retry(self, text: str):
        if text and not self.sending:
            return self._start_turn(text)
        return None

    @rx.event
    @session_guard
    def open_email(self, message_id: str, subject: str):
        if self.sending:
            return None
        return self._start_turn(f"Open “{subject}”", message_id)

    @rx.event(background=True)
    async def log_email(self, card: dict[str, str]):
        async with self:
            user = self.current_user()
            conversation_id = self.conversation_id
        if user is None:
            return
        result = await assistant.log_email_card(user, card)
        if result["ok"]:
            status = (result.get("data") or {}).get("status")
            who = ((result.get("data") or {}).get("record") or {}).get("name", "the contact")
            yield rx.toast.success(f"Already on {who}'s timeline." if status == "already_logged" else f"Logged to {who}'s timeline.")
            return
        if result.get("error_code") == "NotFound":
            async with self:
                if self.sending:
                    return
                self.sending = True
                self.messages.append(UIMessage(role="user", text=f"Log “{card.get('title', '')}” to the CRM"))
                self._begin_live()
            turn = await assistant.offer_contact(user, conversation_id, card)
            async with self:
                self.sending = False
                self._end_live(UIMessage(id=str(turn.message_id), role="assistant", text=turn.text, cards=turn.cards,
                                         chips=turn.chips, flags=turn.flags, status=turn.status))
            return
        yield rx.toast.error(result.get("error_message") or "Logging the email failed.")

    @rx.event
    def start_edit(self, message_id: str, card: dict[str, str]):
        self.editing_action = card.get("id", "")
        self.edit_message_id = message_id
        self.edit_values = {k: v for k, v in card.items() if k in assistant.EDITABLE}

    @rx.event
    def cancel_edit(self):
        self.editing_action = ""
        self.edit_values = {}

    @rx.event
    @session_guard
    def cancel_action(self, message_id: str, action_id: str):
        user = self.require_user()
        assistant.cancel_action(user, int(message_id), action_id)
        self._set_card_status(message_id, action_id, "cancelled")
        self.editing_action = ""
        return None

    def _set_card_status(self, message_id: str, action_id: str, status: str, edits: dict[str, str] | None = None) -> None:
        for i, m in enumerate(self.messages):
            if m.id == message_id:
                cards = []
                for c in m.cards:
                    if c.get("kind") == "confirm" and c.get("id") == action_id:
                        c = {**c, "status": status, **{k: v for k, v in (edits or {}).items() if k in assistant.EDITABLE}}
                    cards.append(c)
                self.messages[i] = dataclasses.replace(m, cards=cards)

    @rx.event
    def confirm(self, message_id: str, action_id: str):
        return ChatState.run_confirm(message_id, action_id, {})

    @rx.event
    def save_edit(self, form: dict):
        edits = {k: str(v) for k, v in form.items() if k in assistant.EDITABLE}
        message_id, action_id = self.edit_message_id, self.editing_action
        self.editing_action = ""
        return ChatState.run_confirm(message_id, action_id, edits)

    @rx.event(background=True)
    async def run_confirm(self, message_id: str, action_id: str, edits: dict):
        async with self:
            user = self.current_user()
            conversation_id = self.conversation_id
            if user is None or self.sending or not message_id:
                return
            self.sending = True
            self._set_card_status(message_id, action_id, "running", edits)
            self._begin_live()

        async def sink(turn: assistant.Turn) -> None:
            async with self:
                if self.live_active:
                    self.live = UIMessage(role="assistant", text=turn.text, cards=turn.cards, chips=turn.chips,
                                          flags=turn.flags, status=turn.status)

        try:
            turn = await assistant.confirm_action(user, int(message_id), action_id, edits, sink=sink)
            saved = await asyncio.to_thread(conversations.append, user.id, conversation_id, "assistant", turn.text,
                                            turn.payload())
        except (NotFound, DatabaseUnavailable) as exc:
            async with self:
                self.sending = False
                self._end_live(UIMessage(role="assistant", text=str(getattr(exc, "user_message", exc)), status="failed"))
            return
        async with self:
            self.sending = False
            final = "done" if turn.status == "done" else "failed"
            self._set_card_status(message_id, action_id, final)
            self._end_live(UIMessage(id=str(saved["id"]), role="assistant", text=turn.text, cards=turn.cards,
                                     chips=turn.chips, flags=turn.flags, status=turn.status))
        yield rx.scroll_to("chat-bottom")
