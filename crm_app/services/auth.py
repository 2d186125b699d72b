"""Sign up, sign in, sign out, server-side sessions with expiry, rate-limited sign-in."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import email_validator
from sqlalchemy import func
from sqlmodel import select

from crm_app.db import session_scope, utcnow
from crm_app.models import AuthSession, SignInAttempt, User
from crm_app.services.errors import AuthError, RateLimited, ValidationFailed
from crm_app.services.passwords import dummy_verify, hash_password, verify_password
from crm_app.settings import get_settings

MIN_PASSWORD = 8
MAX_PASSWORD = 256
SESSION_TOUCH_INTERVAL = dt.timedelta(minutes=5)
SESSION_COOKIE = "crm_session"


@dataclass(frozen=True)
class SignedInUser:
    """What the rest of the app knows about the person using it."""

    id: int
    email: str
    name: str
    timezone: str
    session_id: int


def session_lifetime_seconds() -> int:
    """How long a session lasts, in seconds: the server-side expiry and the cookie's max-age alike."""
    return get_settings().session_ttl_hours * 3600


def tenant_label() -> str:
    """Which Microsoft 365 the app talks to, as the UI names it."""
    return "Demo tenant" if get_settings().uses_sandbox else "Microsoft 365"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def validate_email(email: str) -> str | None:
    """What is wrong with an address, or None; the syntax check is email-validator's, with no DNS look-up."""
    if not email:
        return "Enter an email address."
    try:
        email_validator.validate_email(email, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return "Enter a valid email address, like name@example.com."
    return None


def sign_up(email: str, password: str, name: str, timezone: str | None = None) -> User:
    email = normalise_email(email)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if problem := validate_email(email):
        errors["email"] = problem
    if not name:
        errors["name"] = "Enter your name."
    elif len(name) > 200:
        errors["name"] = "Names are limited to 200 characters."
    if len(password or "") < MIN_PASSWORD:
        errors["password"] = f"Use at least {MIN_PASSWORD} characters."
    elif len(password) > MAX_PASSWORD:
        errors["password"] = f"Use at most {MAX_PASSWORD} characters."
    if errors:
        raise ValidationFailed(errors)
    with session_scope() as s:
        if s.exec(select(User).where(User.email == email)).first():
            raise ValidationFailed({"email": "An account with this email already exists. Sign in instead."})
        user = User(
            email=email,
            name=name,
            password_hash=hash_password(password),
            timezone=timezone or get_settings().default_timezone,
        )
        s.add(user)
        s.flush()
        s.refresh(user)
        return user


def _recent_failures(s, email: str) -> int:
    settings = get_settings()
    since = utcnow() - dt.timedelta(minutes=settings.signin_window_minutes)
    last_success = s.exec(
        select(func.max(SignInAttempt.at)).where(SignInAttempt.email == email, SignInAttempt.success == True)  # noqa: E712
    ).one()
    if last_success and last_success > since:
        since = last_success
    return s.exec(
        select(func.count()).select_from(SignInAttempt).where(
            SignInAttempt.email == email, SignInAttempt.success == False, SignInAttempt.at > since  # noqa: E712
        )
    ).one()


def sign_in(email: str, password: str) -> tuple[SignedInUser, str]:
    """Check the password and open a session. Returns the user and the session token (secret)."""
    settings = get_settings()
    email = normalise_email(email)
    if not email or not password:
        raise AuthError("Enter your email and password.")
    with session_scope() as s:
        if _recent_failures(s, email) >= settings.signin_max_failures:
            raise RateLimited(
                f"Too many failed sign-in attempts. Wait {settings.signin_window_minutes} minutes and try again."
            )
        user = s.exec(select(User).where(User.email == email)).first()
        if user is None:
            dummy_verify(password)
            ok = False
        else:
            ok = user.is_active and verify_password(password, user.password_hash)
        s.add(SignInAttempt(email=email, success=ok))
        if not ok or user is None:
            s.commit()
            raise AuthError("That email and password don't match an account. Check them and try again.")
        token = secrets.token_urlsafe(32)
        sess = AuthSession(
            user_id=user.id,
            token_hash=hash_token(token),
            expires_at=utcnow() + dt.timedelta(hours=settings.session_ttl_hours),
            last_seen_at=utcnow(),
        )
        s.add(sess)
        s.flush()
        return SignedInUser(user.id, user.email, user.name, user.timezone, sess.id), token


def resolve_session(token: str | None) -> SignedInUser | None:
    """The user behind a session token, or None if it is missing, unknown, revoked or expired."""
    if not token or len(token) > 200:
        return None
    now = utcnow()
    with session_scope() as s:
        row = s.exec(
            select(AuthSession, User)
            .join(User, User.id == AuthSession.user_id)
            .where(AuthSession.token_hash == hash_token(token))
        ).first()
        if row is None:
            return None
        sess, user = row
        if sess.revoked_at is not None or sess.expires_at <= now or not user.is_active:
            return None
        if sess.last_seen_at is None or now - sess.last_seen_at > SESSION_TOUCH_INTERVAL:
            sess.last_seen_at = now
            s.add(sess)
        return SignedInUser(user.id, user.email, user.name, user.timezone, sess.id)


def sign_out(token: str | None) -> None:
    if not token:
        return
    with session_scope() as s:
        sess = s.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(token))).first()
        if sess and sess.revoked_at is None:
            sess.revoked_at = utcnow()
            s.add(sess)


def update_timezone(user_id: int, timezone: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed({"timezone": "Choose a time zone from the list."}) from exc
    with session_scope() as s:
        user = s.get(User, user_id)
        if user:
            user.timezone = timezone
            s.add(user)
