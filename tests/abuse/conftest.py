"""Abuse tests run the sandbox and the MS365 MCP server as processes; app-level ones add a connected user."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.support import SandboxAdmin
from tests.integration.assistant.conftest import assistant_env, avery, ms365_processes  # noqa: F401  (fixtures)
from tests.integration.ms365_mcp.harness import Mcp, Sandbox


@pytest.fixture(scope="module")
def graph(ms365_processes) -> Sandbox:  # noqa: F811
    return Sandbox(ms365_processes[0])


@pytest.fixture(scope="module")
def mcp_server(ms365_processes) -> Mcp:  # noqa: F811
    return Mcp(ms365_processes[1])


@pytest.fixture
def admin(ms365_processes) -> Iterator[SandboxAdmin]:  # noqa: F811
    sandbox = SandboxAdmin(ms365_processes[0].url)
    yield sandbox
    sandbox.clear_faults()
