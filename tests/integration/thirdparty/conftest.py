"""The assistant's real stack with a third-party Microsoft 365 MCP server from npm in place of ours:
the sandbox serves Graph, the Softeria server calls it with the user's bearer token."""

from __future__ import annotations

import pytest

from tests.integration.assistant.conftest import assistant_env, avery, fixed_now, ms365_processes  # noqa: F401
from tests.support import thirdparty


@pytest.fixture(scope="module")
def softeria(ms365_processes):  # noqa: F811
    sandbox, _ = ms365_processes
    process = thirdparty.softeria_ms365(sandbox.url)
    yield process
    process.stop()


@pytest.fixture
def on_softeria(softeria, assistant_env, monkeypatch):  # noqa: F811
    """The user's Microsoft 365 server is the Softeria one; the parser's clock is the sandbox's."""
    from crm_app.settings import reset_settings_cache

    monkeypatch.setenv("MS365_MCP_URL", f"{softeria.url}/mcp")
    reset_settings_cache()
    fixed_now(monkeypatch)
    return softeria
