"""Fault tests run the real sandbox and MS365 MCP server as processes, with a connected demo user."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.fixtures import ms365_processes  # noqa: F401  (fixture)
from tests.faults.support import SandboxAdmin
from tests.integration.assistant.conftest import assistant_env, avery  # noqa: F401  (fixtures)


@pytest.fixture
def admin(avery) -> Iterator[SandboxAdmin]:  # noqa: F811
    """The sandbox admin API of the running sandbox; faults are cleared after each test."""
    sandbox = SandboxAdmin(avery.sandbox.url)
    yield sandbox
    sandbox.clear_faults()
