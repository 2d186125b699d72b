"""The Microsoft 365 sandbox and MS365 MCP servers as processes, and an MCP client to call them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.ms365_mcp.harness import AVERY, SANDBOX_NOW, Mcp, Sandbox
from tests.support.procs import ServerProcess, free_port


def _start(module: str, env: dict[str, str]) -> ServerProcess:
    return ServerProcess(module, free_port(), env=env).start(timeout=60)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    process = _start("crm_app.sandbox", {"SANDBOX_NOW": SANDBOX_NOW, "SANDBOX_LOG_LEVEL": "warning"})
    try:
        yield Sandbox(process)
    finally:
        process.stop()


@pytest.fixture(scope="session")
def mcp(sandbox: Sandbox) -> Iterator[Mcp]:
    """The server under test: short Retry-After cap and timeout so fault tests stay quick."""
    process = _start(
        "crm_app.ms365_mcp",
        {
            "GRAPH_BASE_URL": sandbox.graph_url,
            "GRAPH_MAX_RETRIES": "3",
            "MS365_MCP_MAX_RETRY_AFTER": "2",
            "GRAPH_TIMEOUT_SECONDS": "2",
            "MS365_MCP_LOG_LEVEL": "DEBUG",
        },
    )
    try:
        yield Mcp(process)
    finally:
        process.stop()


@pytest.fixture(scope="session")
def mcp_without_graph() -> Iterator[Mcp]:
    """A server whose GRAPH_BASE_URL points at a port nothing listens on: Graph is down."""
    process = _start(
        "crm_app.ms365_mcp",
        {"GRAPH_BASE_URL": f"http://127.0.0.1:{free_port()}/v1.0", "GRAPH_MAX_RETRIES": "1"},
    )
    try:
        yield Mcp(process)
    finally:
        process.stop()


@pytest.fixture(scope="session")
def avery(sandbox: Sandbox) -> str:
    return sandbox.token(AVERY)


@pytest.fixture
def faults(sandbox: Sandbox) -> Iterator[Sandbox]:
    """The sandbox, with every fault rule removed after the test."""
    sandbox.clear_faults()
    try:
        yield sandbox
    finally:
        sandbox.clear_faults()
