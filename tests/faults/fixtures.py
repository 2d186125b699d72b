"""Fixtures the fault and abuse suites share: one sandbox and one MS365 MCP server for the whole run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.assistant.conftest import NOW
from tests.support.procs import ServerProcess, free_port


@pytest.fixture(scope="session")
def ms365_processes() -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """The sandbox (its clock at the assistant tests' fixed now) and the MS365 MCP server in front of it.

    Tests that change the sandbox reset it first; tests that stop the MCP server start it again.
    """
    sandbox = ServerProcess("crm_app.sandbox", free_port(), env={"SANDBOX_NOW": NOW}).start()
    mcp = ServerProcess("crm_app.ms365_mcp", free_port(), env={"GRAPH_BASE_URL": f"{sandbox.url}/v1.0"}).start()
    try:
        yield sandbox, mcp
    finally:
        mcp.stop()
        sandbox.stop()
