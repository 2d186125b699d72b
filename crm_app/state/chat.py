"""The chat page: conversations, streaming turns, cards, confirmations, retries."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import time
from typing import Any

import reflex as rx

from crm_app.services import assistant, auth, conversations
from crm_app.services.errors import DatabaseUnavailable, NotFound
from crm_app.state.chat_view import (
    LOG_FAILED_TEXT,
    NOT_RUN_TEXT,
    SIGNED_OUT_TEXT,
    UNANSWERED_TEXT,
    UIMessage,
    card_status_shown,
    conversations_to_show,
    failure_text,
    from_turn,
    to_ui,
)
from crm_app.state.offload import off_loop
from crm_app.state.session import SessionState, session_guard

log = logging.getLogger(__name__)
MAX_INPUT = 8000
ANSWER_WAIT_SECONDS = 120.0
ANSWER_POLL_SECONDS = 0.5
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
    # Set by `_start_turn` for the `run_turn` it starts (backend only, used once).
    _turn_started: bool = False

    @rx.var
    def assistant_mode(self) -> str:
        return assistant.mode_label()

    # ---- loading
    def _show_list(self, listed: list[dict[str, Any]]) -> None:
        self.conversations = [{"id": str(c["id"]), "title": c["title"], "updated_at": c["updated_at"]} for c in listed]

    def _show_conversation(self, conversation_id: int, history: list[dict[str, Any]]) -> None:
        self.messages = [to_ui(m) for m in history]
        self._clear_live()
        self.conversation_id = conversation_id
        self.last_conversation = str(conversation_id)

    async def _session_token(self) -> str:
        async with self:
            return self.session_token

    async def _signed_in_user(self) -> auth.SignedInUser | None:
        """Who the session cookie belongs to, looked up off the event loop and outside the state lock
        (None when signed out or when the database cannot say)."""
        token = await self._session_token()
        try:
            return await off_loop(auth.resolve_session, token)
        except DatabaseUnavailable:
            return None

    @rx.event(background=True)
    async def load(self):
        async with self:
            self.page_error = ""
            token = self.session_token
            wanted = self.router.url.query_parameters.get("c") or self.last_conversation
            current = self.conversation_id
            path = self.router.url.path or "/"
        try:
            user, listed, opened, history = await off_loop(conversations_to_show, token, wanted, current)
        except DatabaseUnavailable as exc:
            async with self:
                self.page_error = exc.user_message
            return
        if user is None:
            async with self:
                self._apply_user(None)
            yield rx.redirect("/signin" if path in ("", "/") else f"/signin?next={path}")
            return
        async with self:
            self._apply_user(user)
            self._show_list(listed)
            waiting = None
            if not self.sending:
                if opened:
                    self._show_conversation(opened, history)
                else:
                    self.conversation_id, self.messages = 0, []
                waiting = self._await_unanswered()
        if waiting is not None:
            yield waiting

    def _begin_live(self) -> None:
        """The answer being prepared lives apart from the history, so each update sends only this message."""
        self.live = UIMessage(role="assistant", status="working")
        self.live_active = True

    def _end_live(self, final: UIMessage) -> None:
        if self.live_active:
            self.messages.extend([self.pending, final] if self.pending_active else [final])
        self._clear_live()

    def _fail_live(self, text: str) -> None:
        """End the answer in progress as failed, with `text`, and give the input back."""
        self.sending = False
        self._end_live(UIMessage(role="assistant", status="failed", text=text))

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
        user = await self._signed_in_user()
        answer: dict[str, Any] | None = None
        deadline = time.time() + ANSWER_WAIT_SECONDS
        while user is not None:
            try:
                history = await off_loop(conversations.messages, user.id, conversation_id)
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
    async def new_conversation(self):
        await self._need_user()
        self.conversation_id = 0
        self.messages = []
        self._clear_live()
        self.last_conversation = ""
        self.draft = ""

    @rx.event(background=True)
    async def open_conversation(self, conversation_id: str):
        if not conversation_id:
            return
        user = await self._signed_in_user()
        if user is None:
            yield rx.redirect("/signin")
            return
        try:
            history = await off_loop(conversations.messages, user.id, int(conversation_id))
        except (NotFound, DatabaseUnavailable) as exc:
            yield rx.toast.error(failure_text(exc))
            return
        async with self:
            self._show_conversation(int(conversation_id), history)

    @rx.event
    @session_guard
    async def delete_conversation(self, conversation_id: str):
        user = await self._need_user()
        try:
            await off_loop(conversations.delete, user.id, int(conversation_id))
        except NotFound as exc:
            return rx.toast.error(str(exc))
        if self.conversation_id == int(conversation_id):
            self.conversation_id, self.messages, self.last_conversation = 0, [], ""
        self._show_list(await off_loop(conversations.list_for_user, user.id))
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
        self._begin_live()
        self.pending, self.pending_active = UIMessage(role="user", text=text), True
        self.draft = ""
        self.input_error = ""
        self.sending = True
        self._turn_started = True
        return [ChatState.run_turn(text, open_message_id), rx.scroll_to("chat-bottom")]

    async def _turn_conversation(self, token: str, conversation_id: int) -> tuple[auth.SignedInUser | None, int]:
        """The signed-in user and the conversation the turn belongs to (created for the first message)."""
        user = await off_loop(auth.resolve_session, token)
        if user is None or conversation_id:
            return user, conversation_id
        conv = await off_loop(conversations.create, user.id)
        async with self:
            self.conversation_id = conv["id"]
            self.last_conversation = str(conv["id"])
        return user, conv["id"]

    @rx.event(background=True)
    async def run_turn(self, text: str, open_message_id: str = ""):
        async with self:
            started, self._turn_started = self._turn_started, False
            token, conversation_id = self.session_token, self.conversation_id
        if not started:
            return  # not started by `_start_turn` (a replayed or forged event): nothing to run
        try:
            user, conversation_id = await self._turn_conversation(token, conversation_id)
        except Exception as exc:
            async with self:
                self._fail_live(failure_text(exc))
            return
        if user is None:
            async with self:
                self._fail_live(SIGNED_OUT_TEXT)
            yield rx.redirect("/signin")
            return

        async def show(turn: assistant.Turn) -> None:
            async with self:
                if self.live_active and self.conversation_id == conversation_id:
                    self.live = from_turn(turn)

        sink = assistant.ThrottledSink(show)
        try:
            if open_message_id:
                turn = await assistant.open_email(user, conversation_id, text, open_message_id, sink=sink)
            else:
                turn = await assistant.send_message(user, conversation_id, text, sink=sink)
        except Exception as exc:
            async with self:
                self._fail_live(failure_text(exc))
            return
        finally:
            sink.close()
        try:
            listed: list[dict[str, Any]] | None = await off_loop(conversations.list_for_user, user.id)
        except Exception as exc:
            failure_text(exc)
            listed = None
        async with self:
            self.sending = False
            if self.live_active and self.conversation_id == conversation_id:
                self._end_live(from_turn(turn, saved=True))
            if listed is not None:
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
    async def log_email(self, card: dict[str, Any]):
        user = await self._signed_in_user()
        if user is None:
            return
        async with self:
            conversation_id = self.conversation_id
        try:
            result = await assistant.log_email_card(user, card)
        except Exception as exc:
            yield rx.toast.error(failure_text(exc, LOG_FAILED_TEXT))
            return
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
            try:
                turn = await assistant.offer_contact(user, conversation_id, card)
            except Exception as exc:
                async with self:
                    self._fail_live(failure_text(exc))
                return
            async with self:
                self.sending = False
                self._end_live(from_turn(turn, saved=True))
            return
        yield rx.toast.error(result.get("error_message") or "Logging the email failed.")

    @rx.event
    def start_edit(self, message_id: str, card: dict[str, Any]):
        shown = assistant.Card.from_dict(card)
        self.editing_action = shown.id
        self.edit_message_id = message_id
        self.edit_values = assistant.editable(shown.to_dict())

    @rx.event
    def cancel_edit(self):
        self.editing_action = ""
        self.edit_values = {}

    @rx.event
    @session_guard
    async def cancel_action(self, message_id: str, action_id: str):
        user = await self._need_user()
        await off_loop(assistant.cancel_action, user, int(message_id), action_id)
        self._set_card_status(message_id, action_id, "cancelled")
        self.editing_action = ""
        return None

    def _set_card_status(self, message_id: str, action_id: str, status: str, edits: dict[str, str] | None = None) -> None:
        for i, m in enumerate(self.messages):
            if m.id == message_id:
                cards = []
                for c in m.cards:
                    if c.kind == "confirm" and c.id == action_id:
                        c = c.with_values(status=status, **assistant.editable(edits or {}))
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
        user = await self._signed_in_user()
        async with self:
            conversation_id = self.conversation_id
            if user is None or self.sending or not message_id:
                return
            self.sending = True
            self._set_card_status(message_id, action_id, "running", edits)
            self._begin_live()

        async def show(turn: assistant.Turn) -> None:
            async with self:
                if self.live_active:
                    self.live = from_turn(turn)

        sink = assistant.ThrottledSink(show)
        try:
            turn = await assistant.confirm_and_reply(user, conversation_id, int(message_id), action_id, edits, sink=sink)
        except Exception as exc:
            async with self:
                self._set_card_status(message_id, action_id, "failed" if isinstance(exc, NotFound) else "pending")
                self._fail_live(failure_text(exc, NOT_RUN_TEXT))
            return
        finally:
            sink.close()
        async with self:
            self.sending = False
            final = turn.action_status or ("done" if turn.status == "done" else "failed")
            self._set_card_status(message_id, action_id, card_status_shown(final))
            self._end_live(from_turn(turn, saved=True))
        yield rx.scroll_to("chat-bottom")
