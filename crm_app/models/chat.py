"""Conversations, messages and the audit log: strictly one user's."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field

from crm_app.models.base import Row, UserRow, created_at_field


class Conversation(UserRow, table=True):
    __tablename__ = "conversations"

    title: str = Field(default="New conversation", max_length=200)
    created_at: dt.datetime = created_at_field()
    updated_at: dt.datetime = created_at_field()


class ChatMessage(Row, table=True):
    __tablename__ = "chat_messages"

    conversation_id: int = Field(foreign_key="conversations.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=20)
    content: str = Field(default="", sa_type=sa.Text)
    payload: str = Field(default="{}", sa_type=sa.Text)
    created_at: dt.datetime = created_at_field()


class AuditEntry(UserRow, table=True):
    __tablename__ = "audit_entries"

    server_id: str = Field(max_length=100)
    tool: str = Field(max_length=200)
    arguments: str = Field(default="{}", sa_type=sa.Text)
    outcome: str = Field(max_length=30)
    error: str | None = Field(default=None, sa_type=sa.Text)
    latency_ms: float = Field(default=0.0)
    at: dt.datetime = created_at_field()
