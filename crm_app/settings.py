"""One typed settings object, read from the environment and `.env`.

`get_settings()` is the single entry point. It validates at first use and refuses a
missing or placeholder secret outside the demo setup, with a message that says which
variable to set and how.
"""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"

PLACEHOLDER_MARKERS = ("change-me", "changeme", "your_", "your-", "placeholder", "xxx", "<")

DEMO_CLIENT_ID = "crm-app-demo"
DEMO_CLIENT_SECRET = "demo-client-secret"  # the sandbox's own demo app registration


class SettingsError(RuntimeError):
    """The configuration cannot be used; the message says what to change."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=ROOT / ".env", env_file_encoding="utf-8", extra="ignore")

    app_mode: Literal["demo", "production"] = Field("demo", alias="APP_MODE")
    app_url: str = Field("http://localhost:3000", alias="APP_URL")
    api_url: str = Field("", alias="API_URL")
    data_dir: Path = Field(DATA_DIR, alias="DATA_DIR")
    database_url: str = Field("", alias="DATABASE_URL")
    reflex_redis_url: str = Field("", alias="REFLEX_REDIS_URL")
    default_timezone: str = Field("Europe/London", alias="DEFAULT_TIMEZONE")
    log_level: str = Field("INFO", alias="LOG_LEVEL")

    # Accounts
    session_ttl_hours: int = Field(24 * 7, alias="SESSION_TTL_HOURS")
    signin_max_failures: int = Field(5, alias="SIGNIN_MAX_FAILURES")
    signin_window_minutes: int = Field(15, alias="SIGNIN_WINDOW_MINUTES")

    # Token encryption (Fernet keys, comma-separated, newest first)
    token_encryption_keys: str = Field("", alias="TOKEN_ENCRYPTION_KEYS")

    # Microsoft 365 (an Azure app registration); empty client id means the demo tenant
    microsoft_client_id: str = Field("", alias="MICROSOFT_CLIENT_ID")
    microsoft_client_secret: str = Field("", alias="MICROSOFT_CLIENT_SECRET")
    microsoft_tenant_id: str = Field("common", alias="MICROSOFT_TENANT_ID")
    microsoft_redirect_uri: str = Field("", alias="MICROSOFT_REDIRECT_URI")
    microsoft_authority_host: str = Field("https://login.microsoftonline.com", alias="MICROSOFT_AUTHORITY_HOST")
    graph_base_url: str = Field("https://graph.microsoft.com/v1.0", alias="GRAPH_BASE_URL")
    ms365_tool_areas: str = Field("mail,calendar,files,sharepoint,teams", alias="MS365_TOOL_AREAS")

    # The Microsoft 365 sandbox (demo tenant)
    sandbox_host: str = Field("127.0.0.1", alias="SANDBOX_HOST")
    sandbox_port: int = Field(8002, alias="SANDBOX_PORT")

    # MCP
    mcp_enabled: bool = Field(True, alias="MCP_ENABLED")
    ms365_mcp_url: str = Field("", alias="MS365_MCP_URL")
    ms365_mcp_host: str = Field("127.0.0.1", alias="MS365_MCP_HOST")
    ms365_mcp_port: int = Field(8001, alias="MS365_MCP_PORT")
    mcp_timeout_seconds: float = Field(30.0, alias="MCP_TIMEOUT_SECONDS")
    mcp_tool_overrides: str = Field("", alias="MCP_TOOL_OVERRIDES")
    mcp_allowed_hosts: str = Field("", alias="MCP_ALLOWED_HOSTS")

    # LLM (optional; the offline parser is used without it)
    llm_model: str = Field("", alias="LLM_MODEL")
    llm_api_key: str = Field("", alias="LLM_API_KEY")
    llm_api_base: str = Field("", alias="LLM_API_BASE")
    llm_max_steps: int = Field(4, alias="LLM_MAX_STEPS")

    @field_validator("data_dir", mode="before")
    @classmethod
    def _expand(cls, v: object) -> object:
        return Path(str(v)).expanduser() if v else DATA_DIR

    # ---- derived values -------------------------------------------------
    @property
    def is_demo(self) -> bool:
        return self.app_mode == "demo"

    @property
    def uses_sandbox(self) -> bool:
        """No Azure app configured: Microsoft 365 is the local demo tenant."""
        return not self.microsoft_client_id

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'crm.db'}"

    @property
    def backend_url(self) -> str:
        """Where the backend (API, websocket, OAuth callback) answers; the app URL when served on one port."""
        return (self.api_url or self.app_url).rstrip("/")

    @property
    def sandbox_url(self) -> str:
        return f"http://{self.sandbox_host}:{self.sandbox_port}"

    @property
    def effective_graph_base_url(self) -> str:
        if self.uses_sandbox and self.graph_base_url == "https://graph.microsoft.com/v1.0":
            return f"{self.sandbox_url}/v1.0"
        return self.graph_base_url

    @property
    def effective_ms365_mcp_url(self) -> str:
        return self.ms365_mcp_url or f"http://{self.ms365_mcp_host}:{self.ms365_mcp_port}/mcp"

    @property
    def oauth_client_id(self) -> str:
        return self.microsoft_client_id or DEMO_CLIENT_ID

    @property
    def oauth_client_secret(self) -> str:
        return self.microsoft_client_secret if self.microsoft_client_id else DEMO_CLIENT_SECRET

    @property
    def oauth_tenant(self) -> str:
        if self.uses_sandbox:
            return "common"
        return self.microsoft_tenant_id

    @property
    def oauth_authority_host(self) -> str:
        """The https authority host msal sees. The sandbox's is mapped to loopback http."""
        if self.uses_sandbox:
            return f"https://{self.sandbox_host}:{self.sandbox_port}"
        return self.microsoft_authority_host.rstrip("/")

    @property
    def oauth_redirect_uri(self) -> str:
        return self.microsoft_redirect_uri or f"{self.backend_url}/api/v1/integrations/ms365/callback"

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_model)

    # ---- validation -----------------------------------------------------
    def check(self) -> None:
        """Refuse a configuration that cannot be used safely."""
        problems: list[str] = []
        if not self.is_demo:
            if not self.token_encryption_keys or _is_placeholder(self.token_encryption_keys):
                problems.append(
                    "TOKEN_ENCRYPTION_KEYS is missing or a placeholder. Generate one with "
                    "`python -m crm_app.manage generate-key` and set it in the environment or .env."
                )
        if self.microsoft_client_id:
            if not self.microsoft_client_secret or _is_placeholder(self.microsoft_client_secret):
                problems.append(
                    "MICROSOFT_CLIENT_SECRET is missing or a placeholder while MICROSOFT_CLIENT_ID is set. "
                    "Create a client secret for your Azure app registration and set it."
                )
            if _is_placeholder(self.microsoft_client_id):
                problems.append("MICROSOFT_CLIENT_ID looks like a placeholder. Use your Azure app's Application (client) ID.")
        if self.llm_model and not self.llm_api_key and not self.llm_api_base:
            problems.append(
                f"LLM_MODEL is set to {self.llm_model!r} but LLM_API_KEY is empty. Set the provider's API key, "
                "or LLM_API_BASE for a local OpenAI-compatible server, or unset LLM_MODEL to use the offline assistant."
            )
        if problems:
            raise SettingsError("The configuration is not usable:\n- " + "\n- ".join(problems))

    def encryption_keys(self) -> list[str]:
        """Fernet keys, newest first. In the demo setup a key is generated once into a private file."""
        if self.token_encryption_keys:
            return [k.strip() for k in self.token_encryption_keys.split(",") if k.strip()]
        if not self.is_demo:
            raise SettingsError("TOKEN_ENCRYPTION_KEYS is required outside the demo setup.")
        return [_demo_key(self.data_dir / "secret.key")]


def _is_placeholder(value: str) -> bool:
    v = value.strip().lower()
    return any(m in v for m in PLACEHOLDER_MARKERS)


def _demo_key(path: Path) -> str:
    from cryptography.fernet import Fernet

    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        key = Fernet.generate_key()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        os.chmod(path, 0o600)
    return path.read_text().strip()


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    settings = Settings()
    settings.check()
    return settings


def reset_settings_cache() -> None:
    get_settings.cache_clear()
