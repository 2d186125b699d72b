from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from crm_app.db import session_scope, utcnow
from crm_app.models import AuthSession, User
from crm_app.services import auth
from crm_app.services.errors import AuthError, RateLimited, ValidationFailed
from crm_app.services.passwords import hash_password, verify_password


def test_password_hash_is_scrypt_salted_and_verifies():
    h1, h2 = hash_password("s3cret-pass"), hash_password("s3cret-pass")
    assert h1.startswith("scrypt$15$8$1$") and h1 != h2
    assert verify_password("s3cret-pass", h1)
    assert not verify_password("s3cret-pasS", h1)
    assert not verify_password("anything", "not-a-hash")


def test_sign_up_validates_each_field(database):
    with pytest.raises(ValidationFailed) as exc:
        auth.sign_up("not-an-email", "short", "")
    assert set(exc.value.fields) == {"email", "password", "name"}


def test_sign_up_refuses_duplicate_email_case_insensitively(database):
    auth.sign_up("Ann@Example.com", "long enough pw", "Ann")
    with pytest.raises(ValidationFailed) as exc:
        auth.sign_up("ann@example.COM", "long enough pw", "Ann Again")
    assert "already exists" in exc.value.fields["email"]
    with session_scope() as s:
        assert len(s.exec(select(User)).all()) == 1


def test_sign_in_creates_server_side_session_storing_only_a_hash(database):
    auth.sign_up("bo@example.com", "long enough pw", "Bo")
    user, token = auth.sign_in("BO@example.com", "long enough pw")
    assert user.email == "bo@example.com"
    with session_scope() as s:
        rows = s.exec(select(AuthSession)).all()
    assert len(rows) == 1 and rows[0].token_hash != token and rows[0].token_hash == auth.hash_token(token)
    assert auth.resolve_session(token).id == user.id
    assert auth.resolve_session(token + "x") is None
    assert auth.resolve_session("") is None


def test_wrong_password_and_unknown_user_get_the_same_message(database):
    auth.sign_up("cy@example.com", "long enough pw", "Cy")
    with pytest.raises(AuthError) as a:
        auth.sign_in("cy@example.com", "wrong password")
    with pytest.raises(AuthError) as b:
        auth.sign_in("nobody@example.com", "wrong password")
    assert str(a.value) == str(b.value)


def test_sign_out_and_expiry_end_the_session(database):
    auth.sign_up("di@example.com", "long enough pw", "Di")
    _, token = auth.sign_in("di@example.com", "long enough pw")
    auth.sign_out(token)
    assert auth.resolve_session(token) is None
    _, token2 = auth.sign_in("di@example.com", "long enough pw")
    with session_scope() as s:
        row = s.exec(select(AuthSession).where(AuthSession.token_hash == auth.hash_token(token2))).one()
        row.expires_at = utcnow() - dt.timedelta(seconds=1)
        s.add(row)
    assert auth.resolve_session(token2) is None


def test_sign_in_is_rate_limited_after_repeated_failures(database):
    auth.sign_up("ed@example.com", "long enough pw", "Ed")
    for _ in range(5):
        with pytest.raises(AuthError):
            auth.sign_in("ed@example.com", "bad")
    with pytest.raises(RateLimited) as exc:
        auth.sign_in("ed@example.com", "long enough pw")
    assert "Wait" in str(exc.value)


def test_timezone_update_validates(database):
    u = auth.sign_up("fi@example.com", "long enough pw", "Fi")
    auth.update_timezone(u.id, "America/New_York")
    with pytest.raises(ValidationFailed):
        auth.update_timezone(u.id, "Mars/Olympus")
    with session_scope() as s:
        assert s.get(User, u.id).timezone == "America/New_York"
