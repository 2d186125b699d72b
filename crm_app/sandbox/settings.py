"""Typed settings for the sandbox process, read from ``SANDBOX_*`` environment variables.

Command-line options of ``python -m crm_app.sandbox`` override the environment.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8002
DEFAULT_SEED = 42
DEFAULT_MESSAGES = 500
DEFAULT_TOKEN_LIFETIME_SECONDS = 3600
DEFAULT_REFRESH_TOKEN_LIFETIME_SECONDS = 90 * 24 * 3600
DEFAULT_CLIENT_ID = "crm-app-demo"
DEFAULT_CLIENT_SECRET = "demo-client-secret"
DEFAULT_CLIENT_NAME = "CRM App (demo)"
DEFAULT_MAILBOX_CONCURRENCY_LIMIT = 4
DEFAULT_DATA_FILE = Path(__file__).resolve().parent.parent / "demo_data" / "tenant.json"
MAX_MESSAGES = 1_000_000
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


class SandboxSettings(BaseSettings):
    """Everything the sandbox needs to start; all values have working defaults."""

    model_config = SettingsConfigDict(env_prefix="SANDBOX_", extra="ignore")

    host: str = DEFAULT_HOST
    port: int = Field(default=DEFAULT_PORT, ge=0, le=65535)
    seed: int = DEFAULT_SEED
    messages: int = Field(default=DEFAULT_MESSAGES, ge=50, le=MAX_MESSAGES)
    token_lifetime: int = Field(default=DEFAULT_TOKEN_LIFETIME_SECONDS, ge=1)
    refresh_token_lifetime: int = Field(default=DEFAULT_REFRESH_TOKEN_LIFETIME_SECONDS, ge=1)
    public_url: str | None = None
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    client_name: str = DEFAULT_CLIENT_NAME
    redirect_uris: str = ""
    now: datetime | None = None
    data_file: Path = DEFAULT_DATA_FILE
    mailbox_concurrency_limit: int = Field(default=DEFAULT_MAILBOX_CONCURRENCY_LIMIT, ge=0)
    log_level: str = "info"

    @field_validator("now")
    @classmethod
    def _now_is_aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else None

    @property
    def browser_url(self) -> str:
        """The plain-http base URL a person's browser uses (consent page, viewer pages)."""
        if self.public_url:
            return self.public_url
        host = "localhost" if self.host in WILDCARD_HOSTS else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def extra_redirect_uris(self) -> tuple[str, ...]:
        """Redirect URIs registered besides any ``http://localhost:*`` / ``http://127.0.0.1:*``."""
        return tuple(uri.strip() for uri in self.redirect_uris.split(",") if uri.strip())
