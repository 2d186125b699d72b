"""A private PostgreSQL server for tests that stop and restart it, never touching the shared cluster.

``PrivatePostgres`` runs ``initdb`` and ``pg_ctl`` from the installed server binaries into a temporary
directory, on a free loopback port. PostgreSQL refuses to run as root, so under root the commands run as
the ``postgres`` system user (``runuser``). Anything that prevents it from starting raises: the tests that
use it fail, they never skip.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.procs import free_port

SERVER_BINARIES = "/usr/lib/postgresql/*/bin"
SERVICE_USER = "postgres"
SUPERUSER = "postgres"
DATABASE = "crm"
START_TIMEOUT_SECONDS = 60
SERVER_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60"


class PostgresUnavailable(RuntimeError):
    """The private PostgreSQL server could not be set up; the message says what to install or fix."""


def _bin_dir() -> Path:
    found = sorted(glob.glob(SERVER_BINARIES), key=lambda p: int(Path(p).parent.name.split(".")[0]))
    if not found or not (Path(found[-1]) / "pg_ctl").exists():
        raise PostgresUnavailable(
            f"PostgreSQL server binaries were not found under {SERVER_BINARIES}. Install them: "
            "apt-get install -y postgresql")
    return Path(found[-1])


@dataclass
class PrivatePostgres:
    """One throw-away PostgreSQL cluster: ``start()``, ``stop()``, ``restart()``, ``destroy()``."""

    port: int = field(default_factory=free_port)
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="crm-pg-")))
    bin_dir: Path = field(default_factory=_bin_dir)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def admin_url(self) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/postgres"

    @property
    def url(self) -> str:
        """The application database (created by ``start()`` on first use)."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / argv[0]), *argv[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVICE_USER, "--", *command]
        result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=START_TIMEOUT_SECONDS,
                                cwd=self.root)
        if check and result.returncode != 0:
            raise PostgresUnavailable(f"{' '.join(argv[:2])} failed ({result.returncode}): "
                                      f"{(result.stderr or result.stdout).strip()[-2000:]}")
        return result

    def _prepare(self) -> None:
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam(SERVICE_USER)
            except KeyError as exc:
                raise PostgresUnavailable(
                    f"Running as root needs the '{SERVICE_USER}' system user to own the server; install "
                    "PostgreSQL's server package or run the tests as a normal user.") from exc
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self._run("initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "-A", "trust", "--no-sync", "-E", "UTF8",
                  "--locale", "C")

    def start(self) -> PrivatePostgres:
        first = not self.data_dir.exists()
        if first:
            self._prepare()
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 {SERVER_OPTIONS}"
        self._run("pg_ctl", "-D", str(self.data_dir), "-o", options, "-l", str(self.root / "server.log"), "-w",
                  "-t", str(START_TIMEOUT_SECONDS), "start")
        if first:
            self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, DATABASE)
        return self

    def stop(self) -> None:
        """A fast shutdown: open connections are cut, as when the server is restarted under load."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data_dir), "status", check=False).returncode == 0

    def destroy(self) -> None:
        if self.data_dir.exists() and self.running():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""
