"""Fixtures for the LLM backend's integration tests: the scripted OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crm_app.assistant.llm import LLMBackend
from tests.support.procs import ServerProcess, free_port

SCRIPTED_MODULE = "tests.integration.llm.scripted_server"
TEST_KEY = "sk-test-0123456789abcdef"
TEST_TIMEOUT_SECONDS = 5.0


class ScriptedLLM:
    """A running scripted server: load a script, read back what the backend sent."""

    def __init__(self, process: ServerProcess) -> None:
        self.process = process

    @property
    def api_base(self) -> str:
        return f"{self.process.url}/v1"

    def script(self, *responses: dict[str, Any]) -> None:
        httpx.post(f"{self.process.url}/script", json={"responses": list(responses)}, timeout=5).raise_for_status()

    def seen(self) -> dict[str, Any]:
        return httpx.get(f"{self.process.url}/requests", timeout=5).json()

    def requests(self) -> list[dict[str, Any]]:
        return [entry["body"] for entry in self.seen()["requests"]]

    def backend(self, **overrides: Any) -> LLMBackend:
        options: dict[str, Any] = {
            "api_key": TEST_KEY,
            "api_base": self.api_base,
            "max_retries": 0,
            "timeout_seconds": TEST_TIMEOUT_SECONDS,
        }
        options.update(overrides)
        return LLMBackend("openai/scripted-model", **options)


@pytest.fixture(scope="module")
def scripted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScriptedLLM]:
    port = free_port()
    log_path: Path = tmp_path_factory.mktemp("scripted-llm") / f"scripted_{port}.log"
    process = ServerProcess(SCRIPTED_MODULE, port, log_path=log_path).start()
    try:
        yield ScriptedLLM(process)
    finally:
        process.stop()
