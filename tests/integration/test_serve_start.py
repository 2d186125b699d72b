"""``python -m crm_app.serve``, as ``make run`` starts it: the first start builds the frontend and serves it, a
second start on the same address serves that build without building, and a start on another port builds again
(the address is compiled into the page)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from crm_app import serve
from tests.support.procs import ServerProcess, free_port

START_TIMEOUT_S = 600.0
BUILDING = "Building the frontend into"


def app_env(tmp: Path, port: int) -> dict[str, str]:
    data = tmp / "data"
    data.mkdir(exist_ok=True)
    env = {key: value for key, value in os.environ.items() if key not in ("REFLEX_REDIS_URL", "API_URL")}
    env.update({
        "APP_MODE": "demo", "APP_URL": f"http://127.0.0.1:{port}", "PORT": str(port), "DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'crm.db'}", "MCP_ENABLED": "false", "LLM_MODEL": "", "LOG_LEVEL": "WARNING",
        "REFLEX_WEB_WORKDIR": str(tmp / "web"), "REFLEX_STATES_WORKDIR": str(tmp / "states"),
    })
    return env


def start(tmp: Path, port: int, name: str) -> tuple[ServerProcess, str]:
    """Start the server, check it serves the sign-in page, stop it; its process and its output."""
    app = ServerProcess("crm_app.serve", port, env=app_env(tmp, port), health_path="/ping",
                        log_path=tmp / f"{name}.log")
    app.start(START_TIMEOUT_S)
    try:
        page = httpx.get(f"{app.url}/signin", follow_redirects=True, timeout=30)
        assert page.status_code == 200 and "<html" in page.text.lower(), app.read_log()[-2000:]
    finally:
        app.stop()
    return app, app.read_log()


def test_a_second_start_serves_the_first_build_and_another_port_builds_again(tmp_path: Path) -> None:
    workdir = tmp_path
    port = free_port()
    _, first = start(workdir, port, "first")
    assert BUILDING in first and serve.REUSED not in first
    stamp = serve.stamp_path(workdir / "web")
    built = stamp.read_text()
    page_bundle = sorted((workdir / "web" / "build" / "client").rglob("*.js"))
    assert page_bundle

    _, second = start(workdir, port, "second")
    assert serve.REUSED in second and BUILDING not in second
    assert stamp.read_text() == built
    assert sorted((workdir / "web" / "build" / "client").rglob("*.js")) == page_bundle

    _, moved = start(workdir, free_port(), "moved")
    assert BUILDING in moved and serve.REUSED not in moved
    assert stamp.read_text() != built
