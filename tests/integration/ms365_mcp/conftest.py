"""The Microsoft 365 sandbox and MS365 MCP servers as processes, and an MCP client to call them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.integration.ms365_mcp.harness import AVERY, SANDBOX_NOW, Mcp, Sandbox
from tests.support.procs import ServerProcess, free_port


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ms365_logs")


@contextmanager
def running(module: str, env: dict[str, str], log_dir: Path) -> Iterator[ServerProcess]:
    """A server process on a free port, logging to `log_dir`, stopped on exit."""
    port = free_port()
    log_path = log_dir / f"{module.rsplit('.', 1)[-1]}_{port}.log"
    process = ServerProcess(module, port, env=env, log_path=log_path).start(timeout=60)
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="session")
def sandbox(log_dir: Path) -> Iterator[Sandbox]:
    with running("crm_app.sandbox", {"SANDBOX_NOW": SANDBOX_NOW, "SANDBOX_LOG_LEVEL": "warning"}, log_dir) as process:
        yield Sandbox(process)


@pytest.fixture(scope="session")
def mcp(sandbox: Sandbox, log_dir: Path) -> Iterator[Mcp]:
    """The server under test: short Retry-After cap and timeout so fault tests stay quick."""
    env = {
        "GRAPH_BASE_URL": sandbox.graph_url,
        "GRAPH_MAX_RETRIES": "3",
        "MS365_MCP_MAX_RETRY_AFTER": "2",
        "GRAPH_TIMEOUT_SECONDS": "2",
        "MS365_MCP_LOG_LEVEL": "DEBUG",
    }
    with running("crm_app.ms365_mcp", env, log_dir) as process:
        yield Mcp(process)


@pytest.fixture(scope="session")
def mcp_without_graph(log_dir: Path) -> Iterator[Mcp]:
    """A server whose GRAPH_BASE_URL points at a port nothing listens on: Graph is down."""
    env = {"GRAPH_BASE_URL": f"http://127.0.0.1:{free_port()}/v1.0", "GRAPH_MAX_RETRIES": "1"}
    with running("crm_app.ms365_mcp", env, log_dir) as process:
        yield Mcp(process)


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
