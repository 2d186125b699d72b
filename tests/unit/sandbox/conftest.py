"""Shared fixtures for the sandbox unit tests: a demo tenant generated in-process."""

from __future__ import annotations

import pytest
from sandbox_unit_support import PINNED_NOW

from crm_app.sandbox.data.tenant import Tenant, load_tenant
from crm_app.sandbox.links import Links
from crm_app.sandbox.settings import DEFAULT_DATA_FILE
from crm_app.sandbox.state import SandboxState


@pytest.fixture(scope="session")
def tenant() -> Tenant:
    return load_tenant(DEFAULT_DATA_FILE)


@pytest.fixture(scope="session")
def links() -> Links:
    return Links("http://127.0.0.1:8002")


@pytest.fixture(scope="session")
def demo_state(tenant: Tenant, links: Links) -> SandboxState:
    """Read-only: tests that change data build their own state."""
    return SandboxState(tenant, 42, 500, links, PINNED_NOW)
