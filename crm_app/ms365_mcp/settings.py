"""Settings of the MS365 MCP server, read from the environment (and `.env`)."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_GRAPH_BASE_URL = "https://graph.microsoft.com/v1.0"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
DEFAULT_TIMEOUT_SECONDS = 20.0
DEFAULT_MAX_RETRIES = 3
DEFAULT_MAX_RETRY_AFTER_SECONDS = 10.0
DEFAULT_MAX_CONNECTIONS = 100
DEFAULT_LOG_LEVEL = "INFO"


class Settings(BaseSettings):
    """Where Microsoft Graph is, how the server listens, and how hard it tries."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    graph_base_url: str = Field(default=DEFAULT_GRAPH_BASE_URL, validation_alias="GRAPH_BASE_URL")
    host: str = Field(default=DEFAULT_HOST, validation_alias="MS365_MCP_HOST")
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535, validation_alias="MS365_MCP_PORT")
    graph_timeout_seconds: float = Field(
        default=DEFAULT_TIMEOUT_SECONDS, gt=0, validation_alias="GRAPH_TIMEOUT_SECONDS"
    )
    graph_max_retries: int = Field(default=DEFAULT_MAX_RETRIES, ge=0, le=10, validation_alias="GRAPH_MAX_RETRIES")
    max_retry_after_seconds: float = Field(
        default=DEFAULT_MAX_RETRY_AFTER_SECONDS, ge=0, validation_alias="MS365_MCP_MAX_RETRY_AFTER"
    )
    graph_max_connections: int = Field(default=DEFAULT_MAX_CONNECTIONS, ge=1, validation_alias="GRAPH_MAX_CONNECTIONS")
    log_level: str = Field(default=DEFAULT_LOG_LEVEL, validation_alias="MS365_MCP_LOG_LEVEL")

    @field_validator("graph_base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"GRAPH_BASE_URL must be an http(s) URL such as {DEFAULT_GRAPH_BASE_URL}, got {value!r}")
        return value

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"MS365_MCP_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {value!r}")
        return level
