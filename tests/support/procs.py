"""Start the project's own processes (sandbox, MCP server, app) on free loopback ports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ServerProcess:
    """A child process serving HTTP on 127.0.0.1:port, with its output kept in a log file.

    By default it is ``python -m module --host 127.0.0.1 --port N``; ``command`` replaces that for a
    program of its own (a Node.js server), with ``module`` then only naming the log file.
    """

    module: str
    port: int
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    health_path: str = "/health"
    log_path: Path | None = None
    proc: subprocess.Popen | None = None
    command: list[str] | None = None
    health_statuses: tuple[int, ...] = (200,)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> "ServerProcess":
        env = {**os.environ, **self.env}
        env.setdefault("PYTHONUNBUFFERED", "1")
        if self.log_path is None:
            logdir = ROOT / "test-results" / "logs"
            logdir.mkdir(parents=True, exist_ok=True)
            self.log_path = logdir / f"{self.module.replace('.', '_')}_{self.port}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            argv = self.command or [sys.executable, "-m", self.module, "--host", "127.0.0.1", "--port", str(self.port)]
            self.proc = subprocess.Popen(
                [*argv, *self.args],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.module} exited with {self.proc.returncode}; see {self.log_path}")
            try:
                r = httpx.get(self.url + self.health_path, timeout=1.0)
                if r.status_code in self.health_statuses:
                    return
            except httpx.HTTPError as exc:
                last = exc
            time.sleep(0.1)
        raise TimeoutError(f"{self.module} not healthy on {self.url} after {timeout}s ({last}); see {self.log_path}")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def restart(self, timeout: float = 30.0) -> None:
        self.stop()
        self.start(timeout)

    def read_log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
