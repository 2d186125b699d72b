from __future__ import annotations

import pytest
from pydantic import ValidationError

from crm_app.ms365_mcp.__main__ import main, parse_args
from crm_app.ms365_mcp.settings import DEFAULT_GRAPH_BASE_URL, DEFAULT_PORT, Settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GRAPH_BASE_URL", "MS365_MCP_HOST", "MS365_MCP_PORT", "GRAPH_TIMEOUT_SECONDS", "GRAPH_MAX_RETRIES",
                 "MS365_MCP_MAX_RETRY_AFTER"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    assert settings.graph_base_url == DEFAULT_GRAPH_BASE_URL
    assert (settings.host, settings.port) == ("127.0.0.1", DEFAULT_PORT)
    assert (settings.graph_timeout_seconds, settings.graph_max_retries, settings.max_retry_after_seconds) == (20, 3, 10)


def test_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPH_BASE_URL", "http://127.0.0.1:9000/v1.0/")
    monkeypatch.setenv("MS365_MCP_PORT", "9001")
    monkeypatch.setenv("GRAPH_MAX_RETRIES", "0")
    monkeypatch.setenv("MS365_MCP_MAX_RETRY_AFTER", "2.5")
    settings = Settings(_env_file=None)
    assert settings.graph_base_url == "http://127.0.0.1:9000/v1.0"
    assert (settings.port, settings.graph_max_retries, settings.max_retry_after_seconds) == (9001, 0, 2.5)


def test_invalid_settings_are_refused(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValidationError):
        Settings(_env_file=None, GRAPH_BASE_URL="graph.microsoft.com")
    monkeypatch.setenv("GRAPH_TIMEOUT_SECONDS", "0")
    assert main(["--port", "9"]) == 2
    assert "GRAPH_TIMEOUT_SECONDS" in capsys.readouterr().err


def test_command_line() -> None:
    args = parse_args(["--host", "0.0.0.0", "--port", "8123"])
    assert (args.host, args.port) == ("0.0.0.0", 8123)
