"""Integration fixtures: one sandbox process per session (clock pinned), reset before every test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sandbox_it_support import ALL_SCOPES, AVERY, EXTRA_REDIRECT, PINNED_NOW

from tests.support.procs import ServerProcess, free_port


@pytest.fixture(scope="session")
def sandbox_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    log_dir: Path = tmp_path_factory.mktemp("sandbox")
    server = ServerProcess(
        "crm_app.sandbox",
        free_port(),
        env={"SANDBOX_NOW": PINNED_NOW, "SANDBOX_SEED": "42", "SANDBOX_MESSAGES": "500",
             "SANDBOX_REDIRECT_URIS": EXTRA_REDIRECT},
        log_path=log_dir / "sandbox.log",
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server: ServerProcess) -> ServerProcess:
    """The session's sandbox, back at its seeded state (data, faults, config, counters, no tokens).

    Before resetting, it checks that no token issued since the last reset ever reached the log.
    """
    issued = httpx.get(f"{sandbox_server.url}/_admin/issued-tokens").json()["tokens"]
    log = sandbox_server.read_log()
    assert not [entry for entry in issued if entry["token"] in log], "a token was written to the sandbox log"
    response = httpx.post(f"{sandbox_server.url}/_admin/reset", json={"tokens": True})
    response.raise_for_status()
    return sandbox_server


@pytest.fixture
def mint(sandbox: ServerProcess) -> Callable[..., dict[str, Any]]:
    """Tokens straight from the admin API: ``mint(user, scopes, lifetime=None)``."""

    def mint_tokens(user: str = AVERY, scopes: list[str] | None = None, lifetime: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"user": user, "scopes": scopes or ALL_SCOPES}
        if lifetime is not None:
            body["lifetime"] = lifetime
        response = httpx.post(f"{sandbox.url}/_admin/tokens", json=body)
        response.raise_for_status()
        return response.json()

    return mint_tokens


@pytest.fixture
def graph(sandbox: ServerProcess, mint: Callable[..., dict[str, Any]]) -> Iterator[Callable[..., httpx.Client]]:
    """``graph(user=AVERY, scopes=None)``: an httpx client on ``/v1.0`` with that user's bearer token."""
    clients: list[httpx.Client] = []

    def make(user: str = AVERY, scopes: list[str] | None = None, token: str | None = None) -> httpx.Client:
        access = token or mint(user, scopes)["access_token"]
        client = httpx.Client(base_url=f"{sandbox.url}/v1.0", headers={"Authorization": f"Bearer {access}"},
                              timeout=10.0)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def admin(sandbox: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{sandbox.url}/_admin", timeout=10.0) as client:
        yield client
