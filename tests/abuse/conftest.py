"""Abuse tests run the sandbox and the MS365 MCP server as processes; app-level ones add a connected user."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet

from tests.abuse.site import APP_BACKEND, AppSite
from tests.faults.fixtures import ms365_processes  # noqa: F401  (fixture)
from tests.faults.support import SandboxAdmin
from tests.integration.assistant.conftest import assistant_env, avery  # noqa: F401  (fixtures)
from tests.integration.ms365_mcp.harness import Mcp, Sandbox
from tests.support.procs import ServerProcess, free_port


@pytest.fixture(scope="session")
def graph(ms365_processes) -> Sandbox:  # noqa: F811
    return Sandbox(ms365_processes[0])


@pytest.fixture(scope="session")
def mcp_server(ms365_processes) -> Mcp:  # noqa: F811
    return Mcp(ms365_processes[1])


@pytest.fixture
def admin(ms365_processes) -> Iterator[SandboxAdmin]:  # noqa: F811
    sandbox = SandboxAdmin(ms365_processes[0].url)
    yield sandbox
    sandbox.clear_faults()


@pytest.fixture(scope="session")
def app_backend(ms365_processes, tmp_path_factory) -> Iterator[tuple[ServerProcess, dict[str, str]]]:  # noqa: F811
    """The app's backend as its own process, and the settings it runs with."""
    from crm_app.migrations import upgrade

    sandbox, mcp = ms365_processes
    data = tmp_path_factory.mktemp("abuse-app")
    port = free_port()
    env = {"APP_MODE": "demo", "DATA_DIR": str(data), "DATABASE_URL": f"sqlite:///{data / 'app.db'}",
           "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "APP_URL": f"http://127.0.0.1:{port}",
           "API_URL": "", "SANDBOX_PORT": str(sandbox.port), "MS365_MCP_URL": f"{mcp.url}/mcp", "REFLEX_REDIS_URL": "",
           "LLM_MODEL": ""}
    upgrade(env["DATABASE_URL"])
    process = ServerProcess(APP_BACKEND, port, health_path="/api/v1/health", env=env).start(timeout=60)
    try:
        yield process, env
    finally:
        process.stop()


@pytest.fixture
def site(app_backend, monkeypatch) -> Iterator[AppSite]:
    """The running app; during the test this process uses the same database and encryption key."""
    from crm_app.db import reset_engine
    from crm_app.settings import reset_settings_cache

    process, env = app_backend
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    reset_settings_cache()
    reset_engine()
    yield AppSite(process)
    reset_settings_cache()
    reset_engine()
