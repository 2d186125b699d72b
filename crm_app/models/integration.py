"""Per-user connections: Microsoft 365 (token vault), OAuth state, further MCP servers."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field

from crm_app.db import UTCDateTime
from crm_app.models.base import Row, UserRow, created_at_field, datetime_field


class Integration(UserRow, table=True):
    """A user's connection to an external service. Tokens are stored encrypted only."""

    __tablename__ = "integrations"
    __table_args__ = (sa.UniqueConstraint("user_id", "service_type", name="uq_integrations_user_service"),)

    service_type: str = Field(max_length=50)
    service_name: str = Field(max_length=100)
    account_email: str | None = Field(default=None, max_length=320)
    account_name: str | None = Field(default=None, max_length=200)
    access_token_enc: str | None = Field(default=None, sa_type=sa.Text)
    refresh_token_enc: str | None = Field(default=None, sa_type=sa.Text)
    token_expires_at: dt.datetime | None = datetime_field()
    scopes: str = Field(default="", sa_type=sa.Text)
    is_active: bool = Field(default=True)
    connected_at: dt.datetime = created_at_field()
    sync_status: str = Field(default="connected", max_length=30)
    sync_emails: bool = Field(default=True)
    sync_calendars: bool = Field(default=True)
    sync_files: bool = Field(default=True)
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    updated_at: dt.datetime = created_at_field()


class OAuthState(Row, table=True):
    """A pending authorization: bound to one user and session, single use, short-lived."""

    __tablename__ = "oauth_states"

    state_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    session_id: int = Field(foreign_key="auth_sessions.id", ondelete="CASCADE")
    flow_enc: str = Field(sa_type=sa.Text)
    created_at: dt.datetime = created_at_field()
    expires_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: dt.datetime | None = datetime_field()


class McpServer(UserRow, table=True):
    """A further MCP server a user added in Settings."""

    __tablename__ = "mcp_servers"

    name: str = Field(max_length=100)
    url: str = Field(max_length=2000)
    header_name: str | None = Field(default=None, max_length=100)
    header_value_enc: str | None = Field(default=None, sa_type=sa.Text)
    enabled: bool = Field(default=True)
    created_at: dt.datetime = created_at_field()
