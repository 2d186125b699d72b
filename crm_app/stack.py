"""Start the whole product on one machine: the Microsoft 365 sandbox (when no Azure app is configured),
the MS365 MCP server, then the Reflex app in production mode on one port (``crm_app.serve``: the frontend is
built on the first start and again only when what it is built from changed).

    python -m crm_app.stack [--port 3000] [--dev]

Children are stopped when the app stops (Ctrl+C).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from crm_app.settings import SettingsError, get_settings

ROOT = Path(__file__).resolve().parents[1]


def _wait_healthy(url: str, proc: subprocess.Popen, name: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} stopped while starting (exit code {proc.returncode}). See the output above.")
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:  # noqa: S310 - loopback health check
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{name} did not answer on {url} within {timeout:.0f} s.")


def _port_free(host: str, port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex((host, port)) != 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    parser.add_argument("--dev", action="store_true", help="run Reflex in development mode (hot reload)")
    args = parser.parse_args(argv)

    try:
        settings = get_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2

    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.setdefault("APP_URL", f"http://localhost:{args.port}")
    children: list[subprocess.Popen] = []

    def stop_children() -> None:
        for proc in reversed(children):
            if proc.poll() is None:
                proc.terminate()
        for proc in children:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()

    try:
        if settings.uses_sandbox:
            if _port_free(settings.sandbox_host, settings.sandbox_port):
                print(f"Starting the Microsoft 365 sandbox (Demo tenant) on {settings.sandbox_url}")
                children.append(subprocess.Popen(
                    [sys.executable, "-m", "crm_app.sandbox", "--host", settings.sandbox_host, "--port", str(settings.sandbox_port)],
                    cwd=ROOT, env=env))
                _wait_healthy(f"{settings.sandbox_url}/health", children[-1], "The Microsoft 365 sandbox")
            else:
                print(f"Port {settings.sandbox_port} is taken; using the sandbox already running at {settings.sandbox_url}")
        if settings.mcp_enabled and not settings.ms365_mcp_url:
            mcp_base = f"http://{settings.ms365_mcp_host}:{settings.ms365_mcp_port}"
            if _port_free(settings.ms365_mcp_host, settings.ms365_mcp_port):
                print(f"Starting the MS365 MCP server on {mcp_base}/mcp")
                children.append(subprocess.Popen(
                    [sys.executable, "-m", "crm_app.ms365_mcp", "--host", settings.ms365_mcp_host,
                     "--port", str(settings.ms365_mcp_port)],
                    cwd=ROOT, env={**env, "GRAPH_BASE_URL": settings.effective_graph_base_url}))
                _wait_healthy(f"{mcp_base}/health", children[-1], "The MS365 MCP server")
            else:
                print(f"Port {settings.ms365_mcp_port} is taken; using the MCP server already running at {mcp_base}")

        if args.dev:
            command = [str(Path(sys.executable).with_name("reflex")), "run",
                       "--frontend-port", str(args.port), "--backend-port", str(args.port + 5000)]
            env["API_URL"] = f"http://localhost:{args.port + 5000}"
        else:
            command = [sys.executable, "-m", "crm_app.serve", "--port", str(args.port)]
        print(f"Starting crm_app at http://localhost:{args.port} (a start after a change to the app builds the frontend "
              "first, about a minute; a start without one reuses the build)")
        app = subprocess.Popen(command, cwd=ROOT, env=env)
        children.append(app)
        signal.signal(signal.SIGTERM, lambda *_: app.terminate())
        return app.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        stop_children()


if __name__ == "__main__":
    sys.exit(main())
