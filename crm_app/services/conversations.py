"""Chat history, strictly per user: conversations and their messages (with cards and pending actions)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from crm_app.assistant.card_model import Card
from crm_app.db import session_scope, utcnow
from crm_app.models import ChatMessage, Conversation
from crm_app.services.errors import NotFound

TITLE_LIMIT = 80
HISTORY_LIMIT = 200
DEFAULT_TITLE = "New conversation"
NOT_YOURS = "That conversation doesn't exist, or it isn't yours."
MOVE_ATTEMPTS = 20
NUL_REPLACEMENT = "\ufffd"  # PostgreSQL text cannot hold NUL; the payload is JSON, where it is escaped


def _conv_dict(c: Conversation | sa.Row[Any]) -> dict[str, Any]:
    return {"id": c.id, "title": c.title, "updated_at": c.updated_at.isoformat()}


def message_dict(m: ChatMessage | sa.Row[Any]) -> dict[str, Any]:
    payload = json.loads(m.payload or "{}")
    return {"id": m.id, "role": m.role, "content": m.content, "created_at": m.created_at.isoformat(), **payload}


def create(user_id: int, title: str = DEFAULT_TITLE) -> dict[str, Any]:
    with session_scope() as s:
        c = Conversation(user_id=user_id, title=title[:TITLE_LIMIT])
        s.add(c)
        s.flush()
        return _conv_dict(c)


def list_for_user(user_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """The user's conversations, most recently active first (read after every chat turn)."""
    conv = Conversation.__table__
    stmt = (sa.select(conv.c.id, conv.c.title, conv.c.updated_at).where(conv.c.user_id == user_id)
            .order_by(conv.c.updated_at.desc(), conv.c.id.desc()).limit(limit))
    with session_scope() as s:
        return [_conv_dict(row) for row in s.execute(stmt).all()]


def _owned(s, user_id: int, conversation_id: int) -> Conversation:
    c = s.get(Conversation, int(conversation_id))
    if c is None or c.user_id != user_id:
        raise NotFound(NOT_YOURS)
    return c


def get(user_id: int, conversation_id: int) -> dict[str, Any]:
    with session_scope() as s:
        return _conv_dict(_owned(s, user_id, conversation_id))


def messages(user_id: int, conversation_id: int, limit: int = HISTORY_LIMIT) -> list[dict[str, Any]]:
    """The conversation's last `limit` messages, oldest first (one query: it is read on every chat turn)."""
    msgs, conv = ChatMessage.__table__, Conversation.__table__
    stmt = (
        sa.select(msgs.c.id, msgs.c.role, msgs.c.content, msgs.c.payload, msgs.c.created_at)
        .join(conv, conv.c.id == msgs.c.conversation_id)
        .where(msgs.c.conversation_id == int(conversation_id), conv.c.user_id == user_id)
        .order_by(msgs.c.id.desc())
        .limit(limit)
    )
    with session_scope() as s:
        rows = s.execute(stmt).all()
        if not rows:
            _owned(s, user_id, conversation_id)
        return [message_dict(row) for row in reversed(rows)]


def append(user_id: int, conversation_id: int, role: str, content: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    """Add a message to one of the user's conversations (two statements: it is written on every chat turn)."""
    content = content.replace("\x00", NUL_REPLACEMENT)
    encoded = json.dumps(payload or {})
    now = utcnow()
    conv, msgs = Conversation.__table__, ChatMessage.__table__
    touch = sa.update(conv).where(conv.c.id == int(conversation_id), conv.c.user_id == user_id)
    first_line = content.strip().splitlines()[0][:TITLE_LIMIT] if content.strip() else ""
    if role == "user" and first_line:
        retitled = sa.case((conv.c.title == DEFAULT_TITLE, first_line), else_=conv.c.title)
        touch = touch.values(updated_at=now, title=retitled)
    else:
        touch = touch.values(updated_at=now)
    with session_scope() as s:
        if s.execute(touch).rowcount != 1:
            raise NotFound(NOT_YOURS)
        new_id = s.execute(
            sa.insert(msgs).values(conversation_id=int(conversation_id), role=role, content=content, payload=encoded,
                                   created_at=now).returning(msgs.c.id)
        ).scalar_one()
    return {"id": new_id, "role": role, "content": content, "created_at": now.isoformat(), **json.loads(encoded)}


def update_payload(user_id: int, message_id: int, changes: dict[str, Any], content: str | None = None) -> dict[str, Any]:
    with session_scope() as s:
        m = s.get(ChatMessage, int(message_id))
        if m is None:
            raise NotFound("That message no longer exists.")
        _owned(s, user_id, m.conversation_id)
        payload = json.loads(m.payload or "{}")
        payload.update(changes)
        m.payload = json.dumps(payload)
        if content is not None:
            m.content = content
        s.add(m)
        return message_dict(m)


def get_message(user_id: int, message_id: int) -> dict[str, Any]:
    with session_scope() as s:
        m = s.get(ChatMessage, int(message_id))
        if m is None:
            raise NotFound("That message no longer exists.")
        _owned(s, user_id, m.conversation_id)
        return {**message_dict(m), "conversation_id": m.conversation_id}


def move_action(user_id: int, message_id: int, action_id: str, status: str, *, only_from: tuple[str, ...] | None = None,
                card_changes: dict[str, str] | None = None,
                action_changes: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Set one proposed action's status, and its confirmation card's, in one atomic step.

    With `only_from`, the move happens only if the action is in one of those statuses, and of two callers
    racing for the same action only one makes it: the write succeeds only if the message is still as this
    call read it (compare and swap, on any database). Returns the action as it was before the move, with the
    message's `conversation_id`, when this call made the move; None when the action was in another status.
    """
    msgs, conv = ChatMessage.__table__, Conversation.__table__
    read = (sa.select(msgs.c.payload, msgs.c.conversation_id).join(conv, conv.c.id == msgs.c.conversation_id)
            .where(msgs.c.id == int(message_id), conv.c.user_id == user_id))
    for _ in range(MOVE_ATTEMPTS):
        with session_scope() as s:
            row = s.execute(read).one_or_none()
            if row is None:
                raise NotFound("That message no longer exists.")
            payload = json.loads(row.payload or "{}")
            action = (payload.get("actions") or {}).get(action_id)
            if action is None:
                raise NotFound("That action no longer exists.")
            if only_from is not None and action.get("status") not in only_from:
                return None
            before = {**action, "conversation_id": row.conversation_id}
            action.update(action_changes or {})
            action["status"] = status
            payload["cards"] = [_moved(Card.from_dict(c), action_id, status, card_changes or {}).to_dict()
                                for c in payload.get("cards") or []]
            swap = (sa.update(msgs).where(msgs.c.id == int(message_id), msgs.c.payload == row.payload)
                    .values(payload=json.dumps(payload)))
            if s.execute(swap).rowcount == 1:
                return before
    raise RuntimeError(f"message {message_id} kept changing while action {action_id} was being updated")


def _moved(card: Card, action_id: str, status: str, changes: dict[str, Any]) -> Card:
    """The card as it reads once its action has moved; cards of other actions stay as they are."""
    if card.kind == "confirm" and card.id == action_id:
        return card.with_values(**changes, status=status)
    return card


def delete(user_id: int, conversation_id: int) -> None:
    with session_scope() as s:
        s.delete(_owned(s, user_id, conversation_id))
