"""Two app instances started the documented way (``reflex run --env prod --single-port``), sharing PostgreSQL
and Redis, behind a switching proxy that plays the load balancer.

Each instance is its own "machine": its own port, data directory, frontend build directory and Reflex state
directory. What they share is what the README says they must: ``DATABASE_URL``, ``REFLEX_REDIS_URL``,
``TOKEN_ENCRYPTION_KEYS`` and the public ``APP_URL`` (the proxy).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.procs import ROOT, ServerProcess, free_port

START_TIMEOUT = 240.0
STOP_TIMEOUT = 20.0
WORKERS_PER_INSTANCE = 2
REDIS_HOST = "127.0.0.1"
REDIS_PORT = 6379
TOKEN_RECORD_PREFIX = "token_manager_socket_record_"


@dataclass
class Instance(ServerProcess):
    """One app instance: ``reflex run`` in its own process group (its Granian workers stop with it)."""

    root: Path = field(default_factory=Path)

    def start(self, timeout: float = START_TIMEOUT) -> Instance:
        env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1"}
        for name in ("API_URL", "PYTEST_CURRENT_TEST"):
            env.pop(name, None)
        self.log_path = self.root / f"instance_{self.port}.log"
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [str(Path(sys.executable).with_name("reflex")), "run", "--env", "prod", "--single-port",
                 "--frontend-port", str(self.port), "--backend-port", str(self.port)],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        return self

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.proc = None


def instance(name: str, root: Path, shared: dict[str, str]) -> Instance:
    home = root / name
    for part in ("data", "web", "states"):
        (home / part).mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        **shared,
        "PORT": str(port),
        "DATA_DIR": str(home / "data"),
        "REFLEX_WEB_WORKDIR": str(home / "web"),
        "REFLEX_STATES_WORKDIR": str(home / "states"),
        "GRANIAN_WORKERS": str(WORKERS_PER_INSTANCE),
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "LLM_MODEL": "",
    }
    return Instance("reflex", port, env=env, health_path="/api/v1/health", root=home)
