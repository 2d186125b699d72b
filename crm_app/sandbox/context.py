"""The running sandbox: settings, tenant data, identity, faults and counters in one object."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

from crm_app.sandbox.data.tenant import Tenant, User, load_tenant
from crm_app.sandbox.errors import GraphError
from crm_app.sandbox.faults import FaultInjector
from crm_app.sandbox.identity.keys import SigningKey
from crm_app.sandbox.identity.tokens import TokenService
from crm_app.sandbox.links import Links
from crm_app.sandbox.settings import SandboxSettings
from crm_app.sandbox.state import SandboxState
from crm_app.sandbox.stats import Stats

PENDING_AUTHORIZATION_SECONDS = 900


@dataclass
class PendingAuthorization:
    """An authorize request waiting for the person to accept or decline on the consent page."""

    client_id: str
    redirect_uri: str
    scope: str
    state: str | None
    nonce: str | None
    code_challenge: str | None
    challenge_method: str | None
    response_mode: str
    login_hint: str | None
    created: float = field(default_factory=time.time)


class Sandbox:
    """Everything the request handlers share."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.tenant: Tenant = load_tenant(settings.data_file)
        self.links = Links(settings.browser_url)
        self.state = SandboxState(self.tenant, settings.seed, settings.messages, self.links, settings.now)
        self.tokens = TokenService(settings.token_lifetime, settings.refresh_token_lifetime)
        self.keys = SigningKey()
        self.faults = FaultInjector(settings.mailbox_concurrency_limit)
        self.stats = Stats()
        self.pending: dict[str, PendingAuthorization] = {}
        self.outbound: list[dict[str, object]] = []
        self.download_secret = secrets.token_bytes(32)

    def remember(self, request: PendingAuthorization) -> str:
        cutoff = time.time() - PENDING_AUTHORIZATION_SECONDS
        self.pending = {key: value for key, value in self.pending.items() if value.created > cutoff}
        request_id = secrets.token_urlsafe(24)
        self.pending[request_id] = request
        return request_id

    def user(self, key: str) -> User:
        """A demo user by id or address, or Graph's 404."""
        user = self.tenant.user_by_id(key)
        if user is None:
            raise GraphError(
                404, "Request_ResourceNotFound",
                f"Resource '{key}' does not exist or one of its queried reference-property objects are not present.",
            )
        return user

    def reset(self, *, tokens: bool = False) -> None:
        """Back to the seeded data; faults, counters and config too; tokens only if asked."""
        self.state.reset()
        self.outbound.clear()
        self.faults.clear()
        self.faults.concurrency_limit = self.settings.mailbox_concurrency_limit
        self.tokens.access_lifetime = self.settings.token_lifetime
        self.tokens.refresh_lifetime = self.settings.refresh_token_lifetime
        self.stats.reset()
        self.tokens.reset_counts()
        if tokens:
            self.tokens.access.clear()
            self.tokens.refresh.clear()
            self.tokens.codes.clear()
            self.tokens.issued.clear()
