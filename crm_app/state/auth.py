"""Sign-in and sign-up forms."""

from __future__ import annotations

import reflex as rx

from crm_app.services import auth
from crm_app.services.errors import AuthError, DatabaseUnavailable, ValidationFailed
from crm_app.state.offload import off_loop
from crm_app.state.session import HOME_ROUTE, SessionState


def _safe_next(target: str) -> str:
    if target.startswith("/") and not target.startswith("//") and target not in ("/signin", "/signup"):
        return target
    return HOME_ROUTE


class SignInState(SessionState):
    error: str = ""
    busy: bool = False

    @rx.event
    async def on_load(self):
        self.error = ""
        try:
            if await self._fetch_user() is not None:
                return rx.redirect(_safe_next(self.router.url.query_parameters.get("next", "")))
        except DatabaseUnavailable as exc:
            self.error = exc.user_message
        return None

    @rx.event
    async def submit(self, form: dict):
        self.error = ""
        try:
            user, token = await off_loop(auth.sign_in, form.get("email", ""), form.get("password", ""))
        except AuthError as exc:
            self.error = str(exc)
            return None
        except DatabaseUnavailable as exc:
            self.error = exc.user_message
            return None
        self.session_token = token
        self._apply_user(user)
        return rx.redirect(_safe_next(self.router.url.query_parameters.get("next", "")))


class SignUpState(SessionState):
    errors: dict[str, str] = {}
    error: str = ""

    @rx.event
    async def submit(self, form: dict):
        self.errors = {}
        self.error = ""
        if form.get("password", "") != form.get("password_confirm", ""):
            self.errors = {"password_confirm": "The passwords don't match."}
            return None
        try:
            email, password = form.get("email", ""), form.get("password", "")
            await off_loop(auth.sign_up, email, password, form.get("name", ""), form.get("timezone") or None)
            user, token = await off_loop(auth.sign_in, email, password)
        except ValidationFailed as exc:
            self.errors = exc.fields
            return None
        except AuthError as exc:
            self.error = str(exc)
            return None
        except DatabaseUnavailable as exc:
            self.error = exc.user_message
            return None
        self.session_token = token
        self._apply_user(user)
        return rx.redirect(HOME_ROUTE)
