from __future__ import annotations

import os
import stat

import pytest

from crm_app.settings import Settings, SettingsError


def make(**env) -> Settings:
    return Settings(_env_file=None, **{k: v for k, v in env.items()})


def test_demo_defaults_use_sqlite_and_the_sandbox(app_env):
    s = make()
    assert s.is_demo and s.uses_sandbox
    assert s.db_url.startswith("sqlite:///") and s.db_url.endswith("crm.db")
    assert s.effective_graph_base_url == "http://127.0.0.1:8002/v1.0"
    assert s.oauth_authority_host == "https://127.0.0.1:8002"
    assert s.oauth_redirect_uri == "http://localhost:3000/api/v1/integrations/ms365/callback"
    s.check()


def test_production_refuses_missing_or_placeholder_secrets(app_env):
    with pytest.raises(SettingsError, match="TOKEN_ENCRYPTION_KEYS"):
        make(APP_MODE="production").check()
    with pytest.raises(SettingsError, match="TOKEN_ENCRYPTION_KEYS"):
        make(APP_MODE="production", TOKEN_ENCRYPTION_KEYS="change-me").check()
    with pytest.raises(SettingsError, match="MICROSOFT_CLIENT_SECRET"):
        make(APP_MODE="production", TOKEN_ENCRYPTION_KEYS="k" * 44, MICROSOFT_CLIENT_ID="abc",
             MICROSOFT_CLIENT_SECRET="your_azure_secret").check()
    ok = make(APP_MODE="production", TOKEN_ENCRYPTION_KEYS="k" * 44, MICROSOFT_CLIENT_ID="abc", MICROSOFT_CLIENT_SECRET="real")
    ok.check()
    assert not ok.uses_sandbox and ok.effective_graph_base_url == "https://graph.microsoft.com/v1.0"
    assert ok.oauth_authority_host == "https://login.microsoftonline.com"


def test_llm_model_without_key_is_refused(app_env):
    with pytest.raises(SettingsError, match="LLM_API_KEY"):
        make(LLM_MODEL="gpt-4o").check()
    make(LLM_MODEL="openai/local", LLM_API_BASE="http://127.0.0.1:9999/v1").check()


def test_demo_key_is_generated_once_and_private(app_env):
    s = make()
    k1 = s.encryption_keys()
    k2 = make().encryption_keys()
    assert k1 == k2 and len(k1) == 1
    mode = stat.S_IMODE(os.stat(s.data_dir / "secret.key").st_mode)
    assert mode == 0o600


def test_postgres_urls_use_psycopg3():
    from crm_app.db import normalise_url

    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"
