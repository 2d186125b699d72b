"""Real processes for the integration tests: the sandbox, the MS365 MCP server and the app's API,
on SQLite and on PostgreSQL, plus a scripted browser that walks the OAuth consent."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.conftest import create_pg_database, drop_pg_database
from tests.support.procs import ServerProcess, free_port

AVERY = "avery.chen@northwind.example"
JORDAN = "jordan.patel@northwind.example"
SESSION_COOKIE = "crm_session"
PASSWORD = "correct horse battery"
HTTP_TIMEOUT = 30.0


class SandboxAdmin:
    """The sandbox process and its admin API."""

    def __init__(self, process: ServerProcess) -> None:
        self.process = process
        self.url = process.url
        self._http = httpx.Client(base_url=process.url, timeout=HTTP_TIMEOUT)

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self._http.post(path, json=body)
        response.raise_for_status()
        return response.json()

    def config(self, **knobs: int) -> dict[str, Any]:
        return self._post("/_admin/config", knobs)

    def revoke(self, user: str) -> None:
        self._post("/_admin/revoke", {"user": user})

    def grants(self, user: str) -> dict[str, int]:
        return self._http.get("/_admin/stats").json()["token_grants"].get(user, {})

    def token_requests(self) -> int:
        paths = self._http.get("/_admin/stats").json()["requests_by_path"]
        return sum(count for path, count in paths.items() if path.endswith("/oauth2/v2.0/token"))

    def issued_tokens(self) -> list[str]:
        return [entry["token"] for entry in self._http.get("/_admin/issued-tokens").json()["tokens"]]

    def inject(self, user: str, subject: str) -> None:
        self._post("/_admin/messages", {"user": user, "subject": subject, "body": f"Body of {subject}",
                                        "from": {"name": "Marker", "address": "marker@fabrikam.example"}})


@dataclass
class Stack:
    """The API process with its database; the test process points at the same database and keys."""

    api: ServerProcess
    sandbox: SandboxAdmin
    mcp: ServerProcess
    backend: str
    db_url: str
    data_dir: Path

    @property
    def api_url(self) -> str:
        return self.api.url


@dataclass
class Person:
    """A signed-in app user and the browser they use."""

    user: Any
    session_token: str
    browser: Browser


class Browser:
    """Follows the OAuth redirects like a browser would, carrying the app's session cookie."""

    def __init__(self, stack: Stack, session_token: str | None) -> None:
        self.stack = stack
        cookies = {SESSION_COOKIE: session_token} if session_token else {}
        self.http = httpx.Client(cookies=cookies, timeout=HTTP_TIMEOUT, follow_redirects=False)

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, self.stack.api_url + path, **kwargs)

    def start(self) -> str:
        response = self.api("GET", "/api/v1/integrations/ms365/auth")
        assert response.status_code == 200, response.text
        return response.json()["auth_url"]

    def consent(self, auth_url: str, account: str = AVERY, action: str = "accept") -> str:
        """Answer the sandbox's consent page; returns the redirect back to the app."""
        page = self.http.get(auth_url)
        assert page.status_code == 200, page.text
        request_id = re.search(r'name="request_id" value="([^"]+)"', page.text)[1]
        form_action = re.search(r'<form method="post" action="([^"]+)"', page.text)[1]
        answer = self.http.post(urljoin(auth_url, form_action),
                                data={"request_id": request_id, "user": account, "action": action})
        assert answer.status_code == 302, answer.text
        return answer.headers["location"]

    def callback(self, url: str) -> httpx.Response:
        return self.http.get(url)

    def connect(self, account: str = AVERY) -> httpx.Response:
        return self.callback(self.consent(self.start(), account))


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("integration_logs")


@pytest.fixture(scope="session")
def sandbox(log_dir: Path) -> Iterator[SandboxAdmin]:
    port = free_port()
    process = ServerProcess("crm_app.sandbox", port, env={"SANDBOX_LOG_LEVEL": "info"},
                            log_path=log_dir / f"sandbox_{port}.log").start(timeout=60)
    try:
        yield SandboxAdmin(process)
    finally:
        process.stop()


@pytest.fixture(scope="session")
def ms365_mcp(sandbox: SandboxAdmin, log_dir: Path) -> Iterator[ServerProcess]:
    port = free_port()
    process = ServerProcess("crm_app.ms365_mcp", port, env={"GRAPH_BASE_URL": f"{sandbox.url}/v1.0"},
                            log_path=log_dir / f"ms365_mcp_{port}.log").start(timeout=60)
    try:
        yield process
    finally:
        process.stop()


def _database(backend: str, data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'crm.db'}" if backend == "sqlite" else create_pg_database()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def stack(request: pytest.FixtureRequest, sandbox: SandboxAdmin, ms365_mcp: ServerProcess, log_dir: Path,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The API on a fresh database of each backend; this process's settings point at the same database."""
    from crm_app.db import reset_engine
    from crm_app.migrations import upgrade
    from crm_app.settings import reset_settings_cache

    backend = request.param
    data_dir = tmp_path_factory.mktemp(f"data-{backend}")
    db_url = _database(backend, data_dir)
    port = free_port()
    env = {
        "APP_MODE": "demo",
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": db_url,
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SANDBOX_HOST": "127.0.0.1",
        "SANDBOX_PORT": str(sandbox.process.port),
        "MS365_MCP_URL": f"{ms365_mcp.url}/mcp",
        "APP_URL": f"http://127.0.0.1:{port}",
        "API_URL": f"http://127.0.0.1:{port}",
        "MCP_ENABLED": "true",
        "MCP_TIMEOUT_SECONDS": "20",
        "LOG_LEVEL": "DEBUG",
    }
    saved = dict(os.environ)
    for name in ("MICROSOFT_CLIENT_ID", "MICROSOFT_CLIENT_SECRET", "REFLEX_REDIS_URL", "MS365_TOOL_AREAS"):
        os.environ.pop(name, None)
    os.environ.update(env)
    reset_settings_cache()
    reset_engine()
    upgrade(db_url)
    api = ServerProcess("tests.integration.integrations.api_server", port, env=env,
                        log_path=log_dir / f"api_{backend}_{port}.log")
    try:
        api.start(timeout=60)
        yield Stack(api, sandbox, ms365_mcp, backend, db_url, data_dir)
    finally:
        api.stop()
        os.environ.clear()
        os.environ.update(saved)
        reset_settings_cache()
        reset_engine()
        if backend == "postgres":
            drop_pg_database(db_url)


@pytest.fixture
def person(stack: Stack) -> Callable[[], Person]:
    """Sign up and sign in a fresh app user."""
    from crm_app.services import auth

    def make() -> Person:
        email = f"user-{uuid.uuid4().hex[:10]}@example.com"
        auth.sign_up(email, PASSWORD, "Test User")
        user, token = auth.sign_in(email, PASSWORD)
        return Person(user, token, Browser(stack, token))

    return make


@pytest.fixture
async def runtime_cleanup() -> AsyncIterator[None]:
    """Close this test loop's MCP sessions when the test ends."""
    from crm_app.services import mcp_runtime

    yield
    await mcp_runtime.shutdown()
