"""The signed-in session every protected page builds on."""

from __future__ import annotations

import functools
import inspect
import logging

import reflex as rx

from crm_app.services import auth
from crm_app.services.errors import DatabaseUnavailable
from crm_app.state.offload import off_loop

log = logging.getLogger(__name__)

SESSION_COOKIE = auth.SESSION_COOKIE
PUBLIC_ROUTES = ("/signin", "/signup")
HOME_ROUTE = "/home"


class SessionState(rx.State):
    """Holds the session cookie and who is signed in. Tokens other than the session's own never live here."""

    session_token: str = rx.Cookie(
        "", name=SESSION_COOKIE, path="/", same_site="lax", max_age=auth.session_lifetime_seconds()
    )
    user_name: str = ""
    user_email: str = ""
    user_timezone: str = ""
    signed_in: bool = False
    page_error: str = ""

    @rx.var
    def tenant_label(self) -> str:
        return auth.tenant_label()

    async def _fetch_user(self) -> auth.SignedInUser | None:
        """Resolve the session cookie against the server-side session table, off the event loop (raises
        DatabaseUnavailable)."""
        return await off_loop(auth.resolve_session, self.session_token)

    def _apply_user(self, user: auth.SignedInUser | None) -> None:
        self.signed_in = user is not None
        self.user_name = user.name if user else ""
        self.user_email = user.email if user else ""
        self.user_timezone = user.timezone if user else ""

    def _known(self, user: auth.SignedInUser | None) -> auth.SignedInUser:
        if user is None:
            self._apply_user(None)
            raise NotSignedIn()
        return user

    async def _need_user(self) -> auth.SignedInUser:
        """The signed-in user, or NotSignedIn; the database is read off the event loop."""
        return self._known(await self._fetch_user())

    def _admitted(self, user: auth.SignedInUser | None):
        self._apply_user(user)
        if user is None:
            path = self.router.url.path or "/"
            return None, rx.redirect("/signin" if path in ("", "/") else f"/signin?next={path}")
        return user, None

    async def _admit_page(self):
        """The page-load check: (user, None) when signed in; (None, a redirect to sign-in or None) otherwise.
        A database outage shows a clear message instead of a blank page. The database is read off the event loop."""
        self.page_error = ""
        try:
            user = await self._fetch_user()
        except DatabaseUnavailable as exc:
            self.page_error = exc.user_message
            return None, None
        return self._admitted(user)

    @rx.event
    async def check_session(self):
        """on_load for every protected page: send signed-out visitors to sign-in."""
        return (await self._admit_page())[1]

    @rx.event
    async def check_session_and_home(self):
        """The root page: straight to the app for a signed-in user, to sign-in otherwise."""
        try:
            user = await self._fetch_user()
        except DatabaseUnavailable as exc:
            self.page_error = exc.user_message
            return rx.redirect("/signin")
        self._apply_user(user)
        return rx.redirect(HOME_ROUTE if user else "/signin")

    @rx.event
    async def sign_out(self):
        try:
            await off_loop(auth.sign_out, self.session_token)
        except DatabaseUnavailable:
            log.warning("sign-out could not reach the database; the cookie is cleared anyway")
        self.session_token = ""
        self._apply_user(None)
        return rx.redirect("/signin")


class NotSignedIn(Exception):
    """The session cookie no longer maps to a live session."""


def _guard_failure(state: SessionState, exc: NotSignedIn | DatabaseUnavailable):
    if isinstance(exc, DatabaseUnavailable):
        state.page_error = exc.user_message
        return rx.toast.error(exc.user_message)
    return rx.redirect("/signin")


def session_guard(handler):
    """Decorator for event handlers, plain or async: signed-out → redirect to sign-in; database down → a clear
    message."""
    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def guarded(self, *args, **kwargs):
            try:
                return await handler(self, *args, **kwargs)
            except (NotSignedIn, DatabaseUnavailable) as exc:
                return _guard_failure(self, exc)

        return guarded

    @functools.wraps(handler)
    def wrapper(self, *args, **kwargs):
        try:
            return handler(self, *args, **kwargs)
        except (NotSignedIn, DatabaseUnavailable) as exc:
            return _guard_failure(self, exc)

    return wrapper
