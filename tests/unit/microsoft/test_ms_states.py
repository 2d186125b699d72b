"""The OAuth state: bound to one user's session, single use, expiring; refusals change nothing."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from sqlmodel import select

from crm_app.db import session_scope
from crm_app.microsoft.errors import StateRejected
from crm_app.microsoft.states import claim, new_state, save_pending, state_digest
from crm_app.models import OAuthState

FLOW = {"state": "", "code_verifier": "verifier-secret", "nonce": "n", "auth_uri": "https://idp/authorize"}


def _start(user) -> str:
    state = new_state()
    save_pending(user.id, user.session_id, state, {**FLOW, "state": state})
    return state


def _used_at(state: str):
    with session_scope() as s:
        return s.exec(select(OAuthState).where(OAuthState.state_hash == state_digest(state))).one().used_at


def test_the_flow_comes_back_once(make_user):
    user = make_user()
    state = _start(user)
    flow = claim(state, user.id, user.session_id)
    assert flow["code_verifier"] == "verifier-secret" and flow["state"] == state
    with pytest.raises(StateRejected) as again:
        claim(state, user.id, user.session_id)
    assert again.value.reason == "used"
    assert "only once" in str(again.value)


def test_only_a_digest_and_the_encrypted_flow_are_stored(make_user):
    user = make_user()
    state = _start(user)
    with session_scope() as s:
        row = s.exec(select(OAuthState)).one()
    assert row.state_hash == state_digest(state) and state not in row.state_hash
    assert "verifier-secret" not in row.flow_enc and state not in row.flow_enc


@pytest.mark.parametrize("tamper", [lambda s: s[:-1] + ("A" if s[-1] != "A" else "B"), lambda s: s + "x",
                                    lambda s: "", lambda s: "x" * 5000])
def test_a_tampered_state_is_refused_and_the_real_one_still_works(make_user, tamper):
    user = make_user()
    state = _start(user)
    with pytest.raises(StateRejected) as info:
        claim(tamper(state), user.id, user.session_id)
    assert info.value.reason in {"unknown", "missing"}
    assert _used_at(state) is None
    assert claim(state, user.id, user.session_id)["code_verifier"] == "verifier-secret"


def test_an_expired_state_is_refused(make_user):
    user = make_user()
    state = new_state()
    save_pending(user.id, user.session_id, state, FLOW, ttl=dt.timedelta(seconds=-1))
    with pytest.raises(StateRejected) as info:
        claim(state, user.id, user.session_id)
    assert info.value.reason == "expired" and "10 minutes" in str(info.value)
    assert _used_at(state) is None


def test_another_user_or_session_cannot_use_it_and_changes_nothing(make_user):
    owner, other = make_user(), make_user()
    state = _start(owner)
    with pytest.raises(StateRejected) as foreign_user:
        claim(state, other.id, other.session_id)
    with pytest.raises(StateRejected) as foreign_session:
        claim(state, owner.id, other.session_id)
    assert foreign_user.value.reason == foreign_session.value.reason == "foreign"
    assert _used_at(state) is None
    assert claim(state, owner.id, owner.session_id)


def test_racing_callbacks_use_a_state_exactly_once(make_user):
    user = make_user()
    state = _start(user)

    def attempt(_: int) -> str:
        try:
            claim(state, user.id, user.session_id)
            return "ok"
        except StateRejected as exc:
            return exc.reason

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(attempt, range(16)))
    assert results.count("ok") == 1
    assert set(results) <= {"ok", "used"}


def test_old_finished_states_are_swept(make_user):
    user = make_user()
    old = new_state()
    save_pending(user.id, user.session_id, old, FLOW, ttl=dt.timedelta(days=-2))
    _start(user)
    with session_scope() as s:
        count = s.exec(sa.select(sa.func.count()).select_from(OAuthState)).scalar_one()
    assert count == 1
