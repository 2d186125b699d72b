"""Sign-in and sign-up forms."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from crm_app.services import auth
from crm_app.services.demo import demo_account
from crm_app.services.errors import AuthError, DatabaseUnavailable, ValidationFailed
from crm_app.state.offload import off_loop
from crm_app.state.session import HOME_ROUTE, SessionState


def _safe_next(target: str) -> str:
    if target.startswith("/") and not target.startswith("//") and target not in ("/signin", "/signup"):
        return target
    return HOME_ROUTE


async def _sign_tab_in(state: SignInState | SignUpState, sign_in: Callable[[], tuple[auth.SignedInUser, str]],
                       target: str):
    """Run ``sign_in`` off the event loop; on success the tab holds the session and goes to ``target``, otherwise
    ``state.error`` says what went wrong."""
    try:
        user, token = await off_loop(sign_in)
    except AuthError as exc:
        state.error = str(exc)
        return None
    except DatabaseUnavailable as exc:
        state.error = exc.user_message
        return None
    state.session_token = token
    state._apply_user(user)
    return rx.redirect(target)


class SignInState(SessionState):
    error: str = ""
    busy: bool = False

    @rx.var
    def demo_email(self) -> str:
        """The seeded demo account, offered on the sign-in page in the demo setup only."""
        account = demo_account()
        return account[0] if account else ""

    @rx.var
    def demo_password(self) -> str:
        account = demo_account()
        return account[1] if account else ""

    @rx.event
    async def use_demo_account(self):
        account = demo_account()
        if account is None:
            return None
        return await SignInState.submit.fn(self, {"email": account[0], "password": account[1]})

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
        email, password = form.get("email", ""), form.get("password", "")
        target = _safe_next(self.router.url.query_parameters.get("next", ""))
        return await _sign_tab_in(self, lambda: auth.sign_in(email, password), target)


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
        email, password = form.get("email", ""), form.get("password", "")
        name, timezone = form.get("name", ""), form.get("timezone") or None

        def sign_up_and_in() -> tuple[auth.SignedInUser, str]:
            auth.sign_up(email, password, name, timezone)
            return auth.sign_in(email, password)

        try:
            return await _sign_tab_in(self, sign_up_and_in, HOME_ROUTE)
        except ValidationFailed as exc:
            self.errors = exc.fields
            return None
