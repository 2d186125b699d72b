"""The token vault: each user's Microsoft 365 tokens, encrypted at rest, renewed before they expire.

* Tokens are stored only encrypted (``crm_app.microsoft.crypto``) and never leave this
  module except as the return value of ``TokenVault.get_token``.
* A token is renewed ahead of expiry (``REFRESH_MARGIN``, or half its lifetime when that
  is shorter). Renewal is single-flight per user: concurrent callers in this process wait
  for one refresh and share its result; across processes the integration row stays
  write-locked while it is renewed, so another process waits and then uses the result.
* A refresh refused for good (``invalid_grant``) marks the integration "reconnect needed".
  From then on ``get_token`` raises ``ReconnectRequired`` without asking Microsoft again,
  until the user connects anew.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import sqlalchemy as sa
from sqlmodel import Session, col, select

from crm_app.db import session_scope, utcnow
from crm_app.microsoft.crypto import SecretCipher, get_cipher
from crm_app.microsoft.errors import NotConnected, ReconnectRequired
from crm_app.microsoft.oauth import TokenGrant
from crm_app.microsoft.scopes import graph_scopes, split_scopes
from crm_app.models import Integration, McpServer, OAuthState

logger = logging.getLogger(__name__)

SERVICE_TYPE = "ms365"
SERVICE_NAME = "Microsoft 365"
REFRESH_MARGIN = dt.timedelta(minutes=5)
STATUS_CONNECTED = "connected"
STATUS_RECONNECT = "reconnect_needed"
ROTATE_BATCH = 500


@dataclass(frozen=True)
class Connection:
    """A user's Microsoft 365 connection as the rest of the app may see it: no tokens."""

    user_id: int
    account_email: str | None
    account_name: str | None
    connected_at: dt.datetime
    token_expires_at: dt.datetime | None
    scopes: tuple[str, ...]
    is_active: bool
    sync_status: str
    sync_emails: bool
    sync_calendars: bool
    sync_files: bool
    last_error: str | None

    @property
    def usable(self) -> bool:
        """Whether its tools may be offered to the assistant."""
        return self.is_active and self.sync_status == STATUS_CONNECTED

    @property
    def needs_reconnect(self) -> bool:
        return self.sync_status == STATUS_RECONNECT or not self.is_active

    @classmethod
    def of(cls, row: Integration) -> Connection:
        return cls(
            user_id=row.user_id,
            account_email=row.account_email,
            account_name=row.account_name,
            connected_at=row.connected_at,
            token_expires_at=row.token_expires_at,
            scopes=tuple(split_scopes(row.scopes)),
            is_active=row.is_active,
            sync_status=row.sync_status,
            sync_emails=row.sync_emails,
            sync_calendars=row.sync_calendars,
            sync_files=row.sync_files,
            last_error=row.last_error,
        )


@runtime_checkable
class TokenRenewer(Protocol):
    """What the vault needs of an OAuth client (``crm_app.microsoft.oauth.OAuthClient``)."""

    def refresh(self, refresh_token: str, scopes: Sequence[str]) -> TokenGrant: ...


@dataclass(frozen=True)
class _Seen:
    token: str
    expires_at: dt.datetime | None
    stored_at: dt.datetime


def _select_row(user_id: int):
    return select(Integration).where(Integration.user_id == user_id, Integration.service_type == SERVICE_TYPE)


def _locked_row(s: Session, user_id: int) -> Integration | None:
    """The user's row, write-locked until the transaction ends.

    A no-op UPDATE comes first: on PostgreSQL it takes the row lock, on SQLite the
    database write lock, so a renewal in another process waits for this one to finish
    and then sees its result.
    """
    s.execute(
        sa.update(Integration)
        .where(Integration.user_id == user_id, Integration.service_type == SERVICE_TYPE)  # type: ignore[arg-type]
        .values(service_type=Integration.service_type)
    )
    return s.exec(_select_row(user_id)).first()


class TokenVault:
    """Hands out users' Microsoft 365 access tokens, renewing them when due.

    ``oauth`` is the client that renews tokens, or a callable returning it. ``get_token``
    implements ``crm_app.mcp.TokenProvider``; ``refreshes`` counts the renewals this
    vault made. Locks live on the event loop that first used them: one vault per loop.
    """

    def __init__(
        self,
        oauth: TokenRenewer | Callable[[], TokenRenewer],
        *,
        refresh_margin: dt.timedelta = REFRESH_MARGIN,
        cipher: Callable[[], SecretCipher] = get_cipher,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self._oauth = oauth
        self._margin = refresh_margin
        self._cipher = cipher
        self._clock = clock
        self._locks: dict[int, asyncio.Lock] = {}
        self._renewed: dict[int, tuple[str, str, dt.datetime | None]] = {}
        self.refreshes = 0

    # ---- the token provider

    async def get_token(self, user_id: int, *, force_refresh: bool = False) -> str:
        """The user's access token, renewed first when it is due or ``force_refresh`` is set.

        Raises ``NotConnected`` or ``ReconnectRequired`` when there is no usable sign-in,
        ``IdentityUnavailable`` when renewal failed for a passing reason.
        """
        seen = await asyncio.to_thread(self._read, user_id)
        if not force_refresh and not self._due(seen):
            return seen.token
        lock = self._locks.setdefault(user_id, asyncio.Lock())
        async with lock:
            renewed = self._renewed.get(user_id)
            if renewed is not None and renewed[0] == seen.token and not self._expired(renewed[2]):
                return renewed[1]
            fresh, expires_at = await asyncio.to_thread(self._refresh, user_id, seen.token, force_refresh)
            if fresh != seen.token:
                self._renewed[user_id] = (seen.token, fresh, expires_at)
            return fresh

    def forget(self, user_id: int) -> None:
        """Drop what this vault holds in memory for the user (after they disconnect or reconnect)."""
        self._locks.pop(user_id, None)
        self._renewed.pop(user_id, None)

    # ---- internals

    def _due(self, seen: _Seen) -> bool:
        if seen.expires_at is None:
            return False
        now = self._clock()
        lifetime = max(dt.timedelta(0), seen.expires_at - seen.stored_at)
        margin = min(self._margin, lifetime / 2)
        return seen.expires_at - now <= margin

    def _expired(self, expires_at: dt.datetime | None) -> bool:
        return expires_at is not None and expires_at <= self._clock()

    def _usable_row(self, row: Integration | None) -> Integration:
        if row is None:
            raise NotConnected()
        if not row.is_active or row.sync_status == STATUS_RECONNECT or not row.access_token_enc:
            raise ReconnectRequired(row.last_error)
        return row

    def _read(self, user_id: int) -> _Seen:
        with session_scope() as s:
            row = self._usable_row(s.exec(_select_row(user_id)).first())
            return _Seen(self._cipher().decrypt(row.access_token_enc or ""), row.token_expires_at, row.updated_at)

    def _refresh(self, user_id: int, stale: str, force: bool) -> tuple[str, dt.datetime | None]:
        """The token to use instead of ``stale`` and its expiry, renewing it unless another caller did."""
        cipher = self._cipher()
        refused: ReconnectRequired | None = None
        with session_scope() as s:
            row = self._usable_row(_locked_row(s, user_id))
            current = cipher.decrypt(row.access_token_enc or "")
            if current != stale and not self._expired(row.token_expires_at):
                return current, row.token_expires_at
            if not force and not self._due(_Seen(current, row.token_expires_at, row.updated_at)):
                return current, row.token_expires_at
            try:
                if not row.refresh_token_enc:
                    raise ReconnectRequired("no refresh token")
                used = cipher.decrypt(row.refresh_token_enc)
                grant = self._client().refresh(used, graph_scopes(split_scopes(row.scopes)))
            except ReconnectRequired as exc:
                logger.warning("Microsoft 365 refused to renew the sign-in of user %s (%s); reconnect needed",
                               user_id, exc.detail)
                _mark(row, exc.detail or "invalid_grant", self._clock())
                refused = exc
            else:
                self.refreshes += 1
                _apply(row, grant, cipher, self._clock())
            s.add(row)
            if refused is None:
                return grant.access_token, grant.expires_at
        raise refused

    def _client(self) -> TokenRenewer:
        oauth = self._oauth
        return oauth if isinstance(oauth, TokenRenewer) else oauth()


def _apply(row: Integration, grant: TokenGrant, cipher: SecretCipher, now: dt.datetime) -> None:
    row.access_token_enc = cipher.encrypt(grant.access_token)
    if grant.refresh_token:
        row.refresh_token_enc = cipher.encrypt(grant.refresh_token)
    row.token_expires_at = grant.expires_at
    if grant.scopes:
        row.scopes = " ".join(grant.scopes)
    row.sync_status = STATUS_CONNECTED
    row.last_error = None
    row.updated_at = now


def _mark(row: Integration, reason: str, now: dt.datetime) -> None:
    row.sync_status = STATUS_RECONNECT
    row.last_error = f"{ReconnectRequired().message} (Microsoft answered: {reason})"
    row.updated_at = now


def store_grant(user_id: int, grant: TokenGrant) -> Connection:
    """Save a new sign-in (replacing any earlier one of this user) and mark it connected. Blocking."""
    cipher = get_cipher()
    now = utcnow()
    with session_scope() as s:
        row = _locked_row(s, user_id)
        if row is None:
            row = Integration(user_id=user_id, service_type=SERVICE_TYPE, service_name=SERVICE_NAME)
        row.account_email = grant.account_email
        row.account_name = grant.account_name
        row.connected_at = now
        row.is_active = True
        _apply(row, grant, cipher, now)
        s.add(row)
        s.flush()
        return Connection.of(row)


def connection_of(user_id: int, s: Session | None = None) -> Connection | None:
    """The user's connection, or None when Microsoft 365 is not connected (read in `s` when given). Blocking."""
    if s is None:
        with session_scope() as own:
            return connection_of(user_id, own)
    row = s.exec(_select_row(user_id)).first()
    return Connection.of(row) if row is not None else None


def delete_connection(user_id: int) -> bool:
    """Forget the user's sign-in: both tokens and the connection. CRM data is untouched. Blocking."""
    with session_scope() as s:
        row = _locked_row(s, user_id)
        if row is None:
            return False
        s.delete(row)
    return True


def rotate_all() -> int:
    """Re-encrypt every stored secret under the newest key; returns how many values were rewritten.

    Covers tokens, pending authorizations and the header values of added tool servers.
    """
    cipher = get_cipher()
    columns = (
        (Integration, ("access_token_enc", "refresh_token_enc")),
        (OAuthState, ("flow_enc",)),
        (McpServer, ("header_value_enc",)),
    )
    count = 0
    with session_scope() as s:
        for model, fields in columns:
            offset = 0
            while True:
                rows = s.exec(select(model).order_by(col(model.id)).offset(offset).limit(ROTATE_BATCH)).all()
                if not rows:
                    break
                for row in rows:
                    for name in fields:
                        value = getattr(row, name)
                        if value and not cipher.is_current(value):
                            setattr(row, name, cipher.rotate(value))
                            count += 1
                    s.add(row)
                s.flush()
                offset += ROTATE_BATCH
    return count
