"""Fixtures for the MCP client manager's integration tests: echo servers, fake tokens, audit sink."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crm_app.mcp import AuditEntry, MCPClientManager, ReconnectNeeded, ServerConfig
from tests.support.procs import ServerProcess, free_port

ECHO_MODULE = "tests.integration.mcp_client.echo_server"


class EchoServer:
    """A running echo server process and a way to read its counters."""

    def __init__(self, process: ServerProcess) -> None:
        self.process = process

    @property
    def mcp_url(self) -> str:
        return f"{self.process.url}/mcp"

    def config(self, *, id: str = "echo", auth: str = "none", headers: dict[str, str] | None = None) -> ServerConfig:
        return ServerConfig(id=id, name="Echo", url=self.mcp_url, auth=auth, headers=headers or {})  # type: ignore[arg-type]

    def stats(self) -> dict[str, Any]:
        return httpx.get(f"{self.process.url}/stats", timeout=5).json()

    def reset(self) -> None:
        httpx.post(f"{self.process.url}/stats/reset", timeout=5).raise_for_status()


def start_echo(log_dir: Path, *args: str) -> ServerProcess:
    """Start an echo server on a free port, logging into ``log_dir``."""
    port = free_port()
    return ServerProcess(ECHO_MODULE, port, args=list(args), log_path=log_dir / f"echo_{port}.log").start()


@pytest.fixture(scope="module")
def echo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EchoServer]:
    """An echo server shared by a test module; tests read counters as differences or after reset."""
    process = start_echo(tmp_path_factory.mktemp("echo"))
    try:
        yield EchoServer(process)
    finally:
        process.stop()


@pytest.fixture
def own_echo(tmp_path: Path) -> Iterator[EchoServer]:
    """An echo server of this test alone, free to be stopped and restarted."""
    process = start_echo(tmp_path)
    try:
        yield EchoServer(process)
    finally:
        process.stop()


@pytest.fixture(scope="module")
def stateless_echo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EchoServer]:
    process = start_echo(tmp_path_factory.mktemp("stateless-echo"), "--stateless")
    try:
        yield EchoServer(process)
    finally:
        process.stop()


class FakeTokens:
    """A token provider: ``tokens[user]`` is current; a forced refresh moves to ``refreshed[user]``."""

    def __init__(self, tokens: dict[int, str], refreshed: dict[int, str] | None = None) -> None:
        self.tokens = dict(tokens)
        self.refreshed = dict(refreshed or {})
        self.refreshes: Counter[int] = Counter()
        self.reconnect_on_refresh: set[int] = set()
        self.reconnect_always: set[int] = set()

    async def get_token(self, user_id: int, *, force_refresh: bool = False) -> str:
        if user_id in self.reconnect_always:
            raise ReconnectNeeded()
        if force_refresh:
            self.refreshes[user_id] += 1
            await asyncio.sleep(0.02)
            if user_id in self.reconnect_on_refresh:
                raise ReconnectNeeded()
            self.tokens[user_id] = self.refreshed.get(user_id, self.tokens[user_id])
        return self.tokens[user_id]


class MemoryAudit:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)


@pytest.fixture
def tokens() -> FakeTokens:
    return FakeTokens({user: f"token-{user}" for user in range(1, 11)})


@pytest.fixture
def audit() -> MemoryAudit:
    return MemoryAudit()


@pytest.fixture
async def manager(tokens: FakeTokens, audit: MemoryAudit) -> AsyncIterator[MCPClientManager]:
    async with MCPClientManager(token_provider=tokens, audit_sink=audit, timeout_seconds=10.0) as mgr:
        yield mgr
