"""Integration fixtures: one sandbox process per session (clock pinned), reset before every test."""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
import requests
from bs4 import BeautifulSoup

from tests.support.procs import ServerProcess, free_port

PINNED_NOW = "2026-03-04T10:30:00Z"
TENANT_ID = "8f3c2d1e-5b4a-4c3d-9e8f-7a6b5c4d3e2f"
CLIENT_ID = "crm-app-demo"
CLIENT_SECRET = "demo-client-secret"
AVERY = "avery.chen@northwind.example"
JORDAN = "jordan.patel@northwind.example"
SAM = "sam.rivera@northwind.example"
EXTRA_REDIRECT = "https://crm.example/auth/callback"
ALL_SCOPES = [".default"]


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[ServerProcess]:
    server = ServerProcess(
        "crm_app.sandbox",
        free_port(),
        env={"SANDBOX_NOW": PINNED_NOW, "SANDBOX_SEED": "42", "SANDBOX_MESSAGES": "500",
             "SANDBOX_REDIRECT_URIS": EXTRA_REDIRECT},
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


class LoopbackSession(requests.Session):
    """The http client an msal app passes: the sandbox's https authority is served as http on loopback."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.secure_base = f"https://127.0.0.1:{port}"
        self.plain_base = f"http://127.0.0.1:{port}"

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if url.startswith(self.secure_base):
            url = self.plain_base + url[len(self.secure_base):]
        return super().request(method, url, *args, **kwargs)


def authority(port: int, tenant: str = TENANT_ID) -> str:
    return f"https://127.0.0.1:{port}/{tenant}"


def consent(auth_uri: str, user: str | None, action: str = "accept") -> dict[str, str]:
    """Use the sign-in page as a person would: pick ``user``, press Accept or Decline; return the redirect query."""
    with requests.Session() as browser:
        page = browser.get(auth_uri)
        assert page.status_code == 200, page.text
        soup = BeautifulSoup(page.text, "html.parser")
        form = soup.find("form")
        fields = {field["name"]: field.get("value", "") for field in form.find_all("input", type="hidden")}
        if user is not None:
            radio = soup.find("input", id="user-" + user.split("@")[0])
            fields["user"] = radio["value"]
        fields["action"] = action
        response = browser.post(urljoin(page.url, form["action"]), data=fields, allow_redirects=False)
    assert response.status_code == 302, response.text
    return {key: values[0] for key, values in parse_qs(urlsplit(response.headers["location"]).query).items()}


def hidden_inputs(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
