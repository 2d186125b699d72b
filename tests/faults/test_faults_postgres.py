"""PostgreSQL restarts while people work: requests during the outage fail with a clear message, nothing
written before it is lost, and the running app recovers by itself once the database is back."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from cryptography.fernet import Fernet

from crm_app.db import DatabaseUnavailable, reset_engine
from crm_app.settings import reset_settings_cache
from tests.faults.postgres import PrivatePostgres
from tests.faults.support import SandboxAdmin, cards_of
from tests.faults.test_faults_mcp_server import wait_in_flight
from tests.integration.assistant.conftest import Assistant, connect, fixed_now
from tests.support.procs import ServerProcess, free_port

APP_BACKEND = "tests.faults.app_backend"
SESSION_COOKIE = "crm_session"
SLOW_GRAPH_MS = 3000
PASSWORD = "long enough pw"
OUTAGE_MESSAGE = "The database is not answering right now"


@pytest.fixture(scope="module")
def pg():
    server = PrivatePostgres().start()
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture(scope="module")
def encryption_key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture(scope="module")
def app_process(pg, ms365_processes, encryption_key, tmp_path_factory):
    """The app's backend as its own process on the private PostgreSQL."""
    from crm_app.migrations import upgrade

    sandbox, mcp = ms365_processes
    upgrade(pg.url)
    process = ServerProcess(APP_BACKEND, free_port(), health_path="/api/v1/health", env={
        "APP_MODE": "demo", "DATA_DIR": str(tmp_path_factory.mktemp("pg-app")), "DATABASE_URL": pg.url,
        "TOKEN_ENCRYPTION_KEYS": encryption_key, "SANDBOX_PORT": str(sandbox.port), "MS365_MCP_URL": f"{mcp.url}/mcp",
        "REFLEX_REDIS_URL": "",
    }).start(timeout=60)
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
async def worker(pg, app_process, ms365_processes, encryption_key, app_env, monkeypatch):
    """A signed-in user on the private PostgreSQL with Avery's mailbox connected; this process shares the app's
    database and key."""
    from crm_app.services import auth, conversations
    from crm_app.services.mcp_runtime import shutdown

    sandbox, mcp = ms365_processes
    for name, value in {"DATABASE_URL": pg.url, "TOKEN_ENCRYPTION_KEYS": encryption_key,
                        "SANDBOX_PORT": str(sandbox.port), "MS365_MCP_URL": f"{mcp.url}/mcp"}.items():
        monkeypatch.setenv(name, value)
    reset_settings_cache()
    reset_engine()
    fixed_now(monkeypatch)
    SandboxAdmin(sandbox.url).reset()
    email = f"worker-{uuid.uuid4().hex[:8]}@example.com"
    auth.sign_up(email, PASSWORD, "Wendy Worker", "Europe/London")
    user, token = auth.sign_in(email, PASSWORD)
    connect(user.id, sandbox)
    conversation = conversations.create(user.id)
    yield Assistant(user, conversation["id"], sandbox, mcp, []), token
    await shutdown()
    if not pg.running():
        pg.start()


def api(app: ServerProcess, path: str, token: str) -> httpx.Response:
    return httpx.get(f"{app.url}{path}", cookies={SESSION_COOKIE: token}, timeout=30)


async def test_outage_fails_clearly_keeps_earlier_work_and_recovers(pg, app_process, worker):
    from crm_app.services import auth, conversations, crm

    assistant, token = worker
    admin = SandboxAdmin(assistant.sandbox.url)
    contact = crm.create_contact({"first_name": "Olive", "last_name": "Outage", "emails": "olive@outage.example"},
                                 assistant.user.id)
    first = await assistant.say("Show me emails from the last 3 days")
    assert first.status == "done" and cards_of(first, "email")
    assert api(app_process, "/api/v1/me", token).json()["email"] == assistant.user.email

    admin.fault(latency_ms=SLOW_GRAPH_MS, burst=1, path_prefix="/v1.0/me/messages")
    in_flight = asyncio.create_task(assistant.say("Show me emails from John Smith"))
    await wait_in_flight(admin)
    pg.stop()
    with pytest.raises(DatabaseUnavailable) as raised:
        await in_flight
    assert raised.value.user_message.startswith(OUTAGE_MESSAGE)

    for path in ("/api/v1/me", "/api/v1/integrations/ms365/status?live=0", "/api/v1/mcp/status"):
        answer = api(app_process, path, token)
        assert answer.status_code == 503, path
        assert answer.json()["error"] == {"code": "database_unavailable", "message": DatabaseUnavailable.user_message}
    with pytest.raises(DatabaseUnavailable):
        auth.sign_in(assistant.user.email, PASSWORD)
    with pytest.raises(DatabaseUnavailable):
        crm.create_contact({"first_name": "Never", "last_name": "Saved", "emails": "never@outage.example"}, assistant.user.id)

    pg.start()
    me = api(app_process, "/api/v1/me", token)
    assert me.status_code == 200 and me.json()["name"] == "Wendy Worker", "the running app recovered by itself"
    assert api(app_process, "/api/v1/integrations/ms365/status?live=0", token).json()["status"] == "connected"
    assert crm.contacts_by_emails(["olive@outage.example"])["olive@outage.example"]["id"] == contact["id"]
    assert not crm.contacts_by_emails(["never@outage.example"])
    history = conversations.messages(assistant.user.id, assistant.conversation_id)
    assert [(m["role"], m["content"]) for m in history[:3]] == [
        ("user", "Show me emails from the last 3 days"), ("assistant", first.text),
        ("user", "Show me emails from John Smith")], "everything written before the outage is there"
    assert history[1]["cards"] == first.cards

    again = await assistant.say("Show me emails from John Smith")
    assert again.status == "done" and cards_of(again, "email")
    assert conversations.messages(assistant.user.id, assistant.conversation_id)[-1]["content"] == again.text


async def test_a_restart_between_requests_is_invisible(pg, app_process, worker):
    from crm_app.services import conversations

    assistant, token = worker
    before = await assistant.say("What's on my calendar today?")
    pg.restart()
    assert api(app_process, "/api/v1/me", token).status_code == 200
    after = await assistant.say("What's on my calendar tomorrow?")
    assert before.status == after.status == "done"
    assert len(conversations.messages(assistant.user.id, assistant.conversation_id)) == 4
