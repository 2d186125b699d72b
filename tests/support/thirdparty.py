"""Third-party MCP servers from the npm registry (pinned in tests/thirdparty/package-lock.json), installed
by scripts/setup_thirdparty.sh and started as real processes on free loopback ports."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.procs import ROOT, ServerProcess, free_port

THIRDPARTY = ROOT / "tests" / "thirdparty"
SETUP = ROOT / "scripts" / "setup_thirdparty.sh"
INSTALL_SECONDS = 600
START_SECONDS = 60.0
SOFTERIA_ENTRY = THIRDPARTY / "node_modules" / "@softeria" / "ms-365-mcp-server" / "dist" / "index.js"
EVERYTHING_BIN = THIRDPARTY / "node_modules" / ".bin" / "mcp-server-everything"


def ensure_installed() -> None:
    """Install (or confirm) the pinned packages; quick when they are already in place."""
    subprocess.run(["bash", str(SETUP)], check=True, timeout=INSTALL_SECONDS)


def softeria_ms365(graph_origin: str, log_dir: Path | None = None) -> ServerProcess:
    """`@softeria/ms-365-mcp-server` in organisation mode over Streamable HTTP, calling Graph at `graph_origin`
    (the sandbox) with the bearer token each MCP request carries."""
    ensure_installed()
    port = free_port()
    return ServerProcess(
        "softeria_ms365", port,
        command=["node", str(SOFTERIA_ENTRY), "--http", f"127.0.0.1:{port}", "--org-mode"],
        env={"MS365_TEST_GRAPH_ORIGIN": graph_origin, "MS365_MCP_RATE_LIMIT_DISABLED": "1"},
        health_path="/.well-known/oauth-protected-resource",
        log_path=(log_dir / f"softeria_{port}.log") if log_dir else None,
    ).start(timeout=START_SECONDS)


def everything(log_dir: Path | None = None) -> ServerProcess:
    """The reference `@modelcontextprotocol/server-everything` over Streamable HTTP; its MCP URL is `url + /mcp`."""
    ensure_installed()
    port = free_port()
    return ServerProcess(
        "everything", port, command=[str(EVERYTHING_BIN), "streamableHttp"],
        env={"PORT": str(port)}, health_path="/mcp",
        health_statuses=(400,),  # a GET without an MCP session is refused once it listens
        log_path=(log_dir / f"everything_{port}.log") if log_dir else None,
    ).start(timeout=START_SECONDS)
