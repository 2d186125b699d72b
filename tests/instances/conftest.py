"""Fixtures for the several-instances test: a Redis database of its own, a fresh PostgreSQL database, the
sandbox and MCP server, two app instances and the proxy in front of them.

Run in the browser's pytest process: ``pytest tests/instances -p no:asyncio``.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis
from cryptography.fernet import Fernet

from tests.conftest import create_pg_database, drop_pg_database
from tests.e2e.conftest import browser_type_launch_args, unique_email  # noqa: F401  (fixtures)
from tests.instances.cluster import REDIS_HOST, REDIS_PORT, START_TIMEOUT, Instance, instance
from tests.instances.proxy import SwitchingProxy
from tests.support.procs import ServerProcess, free_port

REDIS_DATABASES = range(1, 16)
CLAIM_KEY = "crm-app-instances-test-claim"
CLAIM_SECONDS = 1800


def claim_redis_database() -> tuple[redis.Redis, str]:
    """An empty Redis database this run owns (marked by a claim key), so parallel runs never share one."""
    mark = uuid.uuid4().hex
    for number in random.sample(list(REDIS_DATABASES), len(REDIS_DATABASES)):
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number)
        try:
            if client.dbsize() == 0 and client.set(CLAIM_KEY, mark, nx=True, ex=CLAIM_SECONDS):
                return client, f"redis://{REDIS_HOST}:{REDIS_PORT}/{number}"
        except redis.RedisError as exc:
            raise RuntimeError(f"Redis is required at {REDIS_HOST}:{REDIS_PORT} and did not answer: {exc}. "
                               "Start it with: redis-server --daemonize yes") from exc
        client.close()
    raise RuntimeError(f"No free Redis database among {REDIS_DATABASES.start}-{REDIS_DATABASES.stop - 1}; "
                       "other runs hold them all. Wait for them or flush stale ones.")


@dataclass
class Cluster:
    a: Instance
    b: Instance
    proxy: SwitchingProxy
    sandbox: ServerProcess
    redis: redis.Redis

    @property
    def url(self) -> str:
        return self.proxy.url

    def instance(self, name: str) -> Instance:
        return {"a": self.a, "b": self.b}[name]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("instances")
    client, redis_url = claim_redis_database()
    database_url = create_pg_database()
    sandbox = ServerProcess("crm_app.sandbox", free_port()).start()
    mcp = ServerProcess("crm_app.ms365_mcp", free_port(), env={"GRAPH_BASE_URL": f"{sandbox.url}/v1.0"}).start()
    proxy = SwitchingProxy({}, "a")
    shared = {
        "APP_MODE": "production", "APP_URL": proxy.url, "DATABASE_URL": database_url,
        "REFLEX_REDIS_URL": redis_url, "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SANDBOX_HOST": "127.0.0.1", "SANDBOX_PORT": str(sandbox.port), "MS365_MCP_URL": f"{mcp.url}/mcp",
    }
    a, b = instance("a", root, shared), instance("b", root, shared)
    proxy.upstreams = {"a": a.port, "b": b.port}
    try:
        a.start()
        b.start()
        a.wait_healthy(START_TIMEOUT)
        b.wait_healthy(START_TIMEOUT)
        proxy.start()
        yield Cluster(a, b, proxy, sandbox, client)
    finally:
        for process in (a, b):
            process.stop()
        proxy.stop()
        mcp.stop()
        sandbox.stop()
        client.flushdb()
        client.close()
        drop_pg_database(database_url)
