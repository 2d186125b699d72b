"""Sign-in and sign-up forms."""

from __future__ import annotations

import reflex as rx

from crm_app.db import DatabaseUnavailable
from crm_app.services import auth
from crm_app.services.demo import DEMO_ACCOUNT_EMAIL, DEMO_ACCOUNT_PASSWORD
from crm_app.services.errors import AuthError, ValidationFailed
from crm_app.settings import get_settings
from crm_app.state.session import HOME_ROUTE, SessionState


def _safe_next(target: str) -> str:
    if target.startswith("/") and not target.startswith("//") and target not in ("/signin", "/signup"):
        return target
    return HOME_ROUTE


class SignInState(SessionState):
    error: str = ""
    busy: bool = False

    @rx.var
    def demo_email(self) -> str:
        """The seeded demo account, offered on the sign-in page in the demo setup only."""
        return DEMO_ACCOUNT_EMAIL if get_settings().is_demo else ""

    @rx.var
    def demo_password(self) -> str:
        return DEMO_ACCOUNT_PASSWORD if get_settings().is_demo else ""

    @rx.event
    def use_demo_account(self):
        if not get_settings().is_demo:
            return None
        return SignInState.submit.fn(self, {"email": DEMO_ACCOUNT_EMAIL, "password": DEMO_ACCOUNT_PASSWORD})

    @rx.event
    def on_load(self):
        self.error = ""
        try:
            if self.current_user() is not None:
                return rx.redirect(_safe_next(self.router.url.query_parameters.get("next", "")))
        except DatabaseUnavailable as exc:
            self.error = exc.user_message
        return None

    @rx.event
    def submit(self, form: dict):
        self.error = ""
        try:
            user, token = auth.sign_in(form.get("email", ""), form.get("password", ""))
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
    def submit(self, form: dict):
        self.errors = {}
        self.error = ""
        if form.get("password", "") != form.get("password_confirm", ""):
            self.errors = {"password_confirm": "The passwords don't match."}
            return None
        try:
            auth.sign_up(form.get("email", ""), form.get("password", ""), form.get("name", ""), form.get("timezone") or None)
            user, token = auth.sign_in(form.get("email", ""), form.get("password", ""))
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
