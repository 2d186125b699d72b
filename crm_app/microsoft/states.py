"""Pending authorizations: the OAuth ``state`` bound to one user's session, single use, short-lived.

Only a SHA-256 digest of the state is stored, beside the msal flow (PKCE verifier and
nonce) encrypted. A callback's state is accepted once, by the same user in the same
session, within ``STATE_TTL``; anything else is refused and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Mapping
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlmodel import col, delete, select

from crm_app.db import session_scope, utcnow
from crm_app.microsoft.crypto import get_cipher
from crm_app.microsoft.errors import StateRejected
from crm_app.models import OAuthState

STATE_TTL = dt.timedelta(minutes=10)
STATE_BYTES = 32
MAX_STATE_LENGTH = 512
KEEP_FINISHED = dt.timedelta(days=1)


def new_state() -> str:
    """A fresh unguessable state value."""
    return secrets.token_urlsafe(STATE_BYTES)


def state_digest(state: str) -> str:
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


def save_pending(user_id: int, session_id: int, state: str, flow: Mapping[str, Any], *,
                 ttl: dt.timedelta = STATE_TTL) -> None:
    """Remember an authorization the user started; old finished ones are swept at the same time."""
    now = utcnow()
    with session_scope() as s:
        s.exec(delete(OAuthState).where(col(OAuthState.expires_at) < now - KEEP_FINISHED))  # type: ignore[call-overload]
        s.add(OAuthState(
            state_hash=state_digest(state),
            user_id=user_id,
            session_id=session_id,
            flow_enc=get_cipher().encrypt(json.dumps(dict(flow), separators=(",", ":"))),
            created_at=now,
            expires_at=now + ttl,
        ))


def claim(state: str | None, user_id: int, session_id: int) -> dict[str, Any]:
    """The flow started with ``state``, marked used; raises ``StateRejected`` with the reason.

    Marking is atomic: of two callbacks racing with one state, exactly one succeeds.
    """
    if not state:
        raise StateRejected("missing")
    if len(state) > MAX_STATE_LENGTH:
        raise StateRejected("unknown")
    now = utcnow()
    with session_scope() as s:
        row = s.exec(select(OAuthState).where(OAuthState.state_hash == state_digest(state))).first()
        if row is None:
            raise StateRejected("unknown")
        if row.user_id != user_id or row.session_id != session_id:
            raise StateRejected("foreign")
        if row.used_at is not None:
            raise StateRejected("used")
        if row.expires_at <= now:
            raise StateRejected("expired")
        marked = s.execute(
            sa.update(OAuthState).where(col(OAuthState.id) == row.id, col(OAuthState.used_at).is_(None)).values(used_at=now)
        )
        if cast(CursorResult[Any], marked).rowcount != 1:
            raise StateRejected("used")
        flow_enc = row.flow_enc
    return json.loads(get_cipher().decrypt(flow_enc))
