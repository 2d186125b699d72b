"""Sign in and sign up."""

from __future__ import annotations

import reflex as rx

from crm_app.components.forms import text_field
from crm_app.components.layout import auth_frame
from crm_app.state.auth import SignInState, SignUpState


def auth_form(state: type[SignInState] | type[SignUpState], prefix: str, submit: str, *fields: rx.Component
              ) -> rx.Component:
    """The sign-in or sign-up form: its fields, the state's error, the submit button; the typing survives a
    submit (the state clears what must not stay)."""
    return rx.form(
        rx.vstack(
            *fields,
            rx.cond(state.error != "",
                    rx.callout(state.error, icon="triangle-alert", color_scheme="red", id=f"{prefix}-error", width="100%")),
            rx.button(submit, type="submit", width="100%", size="3", id=f"{prefix}-submit"),
            spacing="3",
            width="100%",
        ),
        on_submit=state.submit,
        reset_on_submit=False,
        width="100%",
    )


def signin_page() -> rx.Component:
    return auth_frame(
        rx.heading("Sign in", size="6"),
        auth_form(
            SignInState, "signin", "Sign in",
            text_field("Email", "email", errors={}, type_="email",
                       required=True, id_prefix="signin-", placeholder="you@company.com"),
            text_field("Password", "password", errors={}, type_="password", required=True, id_prefix="signin-"),
        ),
        rx.text("New here? ", rx.link("Create an account", href="/signup", id="to-signup"), size="2"),
        rx.cond(SignInState.demo_email != "", demo_hint()),
    )


def demo_hint() -> rx.Component:
    return rx.callout(
        rx.vstack(
            rx.text("Trying the demo? Sign in as ", rx.code(SignInState.demo_email), " with the password ",
                    rx.code(SignInState.demo_password), ".", size="2"),
            rx.button("Use the demo account", size="1", variant="soft", on_click=SignInState.use_demo_account,
                      id="use-demo-account"),
            spacing="2", align="start",
        ),
        icon="info", color_scheme="blue", size="1", width="100%", id="demo-hint",
    )


def signup_page() -> rx.Component:
    e = SignUpState.errors
    return auth_frame(
        rx.heading("Create your account", size="6"),
        auth_form(
            SignUpState, "signup", "Create account",
            text_field("Name", "name", errors=e, required=True, id_prefix="signup-", max_length=200),
            text_field("Work email", "email", errors=e, type_="email", required=True, id_prefix="signup-"),
            text_field("Password", "password", errors=e, type_="password", required=True, id_prefix="signup-",
                       hint="At least 8 characters."),
            text_field("Confirm password", "password_confirm", errors=e, type_="password", required=True, id_prefix="signup-"),
            rx.el.input(type="hidden", name="timezone", id="signup-timezone"),
        ),
        rx.text("Already have an account? ", rx.link("Sign in", href="/signin", id="to-signin"), size="2"),
        rx.script("setTimeout(()=>{const e=document.getElementById('signup-timezone'); if(e) e.value=Intl.DateTimeFormat().resolvedOptions().timeZone||''}, 50)"),
    )
