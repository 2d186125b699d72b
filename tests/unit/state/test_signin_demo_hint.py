"""The sign-in page names the demo account in the demo setup only."""

from __future__ import annotations

import asyncio

import pytest

import crm_app.settings as settings_module
from crm_app.settings import Settings
from crm_app.state.auth import SignInState


def _value(name: str) -> str:
    return SignInState.computed_vars[name]._fget(None)


@pytest.fixture
def mode(monkeypatch):
    def use(app_mode: str) -> None:
        settings = Settings.model_construct(app_mode=app_mode)
        monkeypatch.setattr(settings_module, "get_settings", lambda: settings)
    return use


def test_demo_setup_offers_the_demo_account(mode):
    mode("demo")
    assert _value("demo_email") == "demo@northwind.example"
    assert _value("demo_password") == "northwind-demo"


def test_production_names_no_account_and_will_not_sign_one_in(mode):
    mode("production")
    assert _value("demo_email") == "" and _value("demo_password") == ""
    assert asyncio.run(SignInState.use_demo_account.fn(object())) is None
