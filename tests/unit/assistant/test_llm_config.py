"""LLM backend configuration, its errors, and the lazy, offline import of litellm."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crm_app.assistant.intents import AssistantError
from crm_app.assistant.llm import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT_SECONDS,
    SETTINGS_HINT,
    AwaitingConfirmation,
    LLMBackend,
    LLMConfigurationError,
    LLMUnavailable,
)
from crm_app.settings import Settings

ROOT = Path(__file__).resolve().parents[3]

LAZY_IMPORT_PROBE = """
import json, logging, os, sys
os.environ.pop("LITELLM_LOCAL_MODEL_COST_MAP", None)
import crm_app.assistant.llm as llm
before = "litellm" in sys.modules
module = llm._load_litellm()
print(json.dumps({
    "before": before,
    "cost_map_env": os.environ.get("LITELLM_LOCAL_MODEL_COST_MAP"),
    "suppress_debug_info": module.suppress_debug_info,
    "message_logging_off": module.turn_off_message_logging,
    "callbacks": [len(getattr(module, name)) for name in llm.LITELLM_CALLBACK_LISTS if hasattr(module, name)],
    "logger_level": logging.getLogger("LiteLLM").getEffectiveLevel(),
}))
"""


def test_litellm_is_imported_only_on_first_use_and_offline() -> None:
    env = {k: v for k, v in os.environ.items() if k != "LITELLM_LOCAL_MODEL_COST_MAP"}
    done = subprocess.run(
        [sys.executable, "-c", LAZY_IMPORT_PROBE], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["before"] is False
    assert probe["cost_map_env"] == "True"
    assert probe["suppress_debug_info"] is True and probe["message_logging_off"] is True
    assert probe["callbacks"] and set(probe["callbacks"]) == {0}
    assert probe["logger_level"] >= 30


def test_backend_is_configured_from_settings() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        LLM_MODEL="anthropic/claude-sonnet-4-5",
        LLM_API_KEY="sk-ant-secret",
        LLM_API_BASE="",
        LLM_MAX_STEPS=6,
    )
    backend = LLMBackend.from_settings(settings)
    assert backend.model == "anthropic/claude-sonnet-4-5"
    assert backend.max_steps == 6 and backend.api_base == ""
    assert backend.timeout_seconds == DEFAULT_TIMEOUT_SECONDS and backend.max_retries == DEFAULT_MAX_RETRIES
    assert backend.endpoint == "anthropic"
    assert "sk-ant-secret" not in repr(backend)


def test_endpoint_names_the_api_base_host() -> None:
    assert LLMBackend("openai/local", api_base="http://127.0.0.1:11434/v1").endpoint == "127.0.0.1:11434"


@pytest.mark.parametrize(
    ("model", "options", "message"),
    [
        ("  ", {}, "LLM_MODEL is empty"),
        ("openai/gpt-4o-mini", {"max_steps": 0}, "LLM_MAX_STEPS is 0"),
        ("openai/gpt-4o-mini", {"timeout_seconds": 0}, "timeout must be positive"),
        ("openai/gpt-4o-mini", {"max_retries": -1}, "retry count zero or more"),
    ],
)
def test_unusable_configuration_is_refused_with_what_to_change(model: str, options: dict, message: str) -> None:
    with pytest.raises(LLMConfigurationError, match=message):
        LLMBackend(model, **options)


def test_errors_belong_to_the_assistant_hierarchy_and_say_what_to_do() -> None:
    error = LLMUnavailable("the provider refused the API key (HTTP 401)", kind="auth", status=401)
    assert isinstance(error, AssistantError)
    assert str(error) == f"The language model did not answer (the provider refused the API key (HTTP 401)). {SETTINGS_HINT}"
    assert "LLM_API_KEY" in str(error) and "unset LLM_MODEL" in str(error)
    assert isinstance(AwaitingConfirmation(), AssistantError)
    assert AwaitingConfirmation("custom note").note == "custom note"
