"""The official MCP Inspector (CLI mode) lists and calls the server's tools.

The Inspector is pinned in this folder's package.json / package-lock.json and
installed here with `npm ci` on first use. Without node and npm the test fails.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.integration.ms365_mcp.harness import Mcp

HERE = Path(__file__).resolve().parent
INSPECTOR = HERE / "node_modules" / ".bin" / "mcp-inspector"
INSTALL_TIMEOUT_SECONDS = 600
CALL_TIMEOUT_SECONDS = 120


@pytest.fixture(scope="module")
def inspector() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, "node and npm are required to run the MCP Inspector (install Node.js 20 or later)"
    if not INSPECTOR.exists():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=HERE, check=True, timeout=INSTALL_TIMEOUT_SECONDS,
        )
    assert INSPECTOR.exists(), f"npm ci did not install {INSPECTOR}"
    return INSPECTOR


def run_inspector(inspector: Path, mcp: Mcp, token: str, *args: str) -> tuple[int, dict[str, Any]]:
    completed = subprocess.run(
        [str(inspector), "--cli", mcp.url, "--transport", "http", "--header", f"Authorization: Bearer {token}",
         *args],
        capture_output=True, text=True, timeout=CALL_TIMEOUT_SECONDS, cwd=HERE, check=False,
    )
    assert completed.stdout.strip(), completed.stderr
    return completed.returncode, json.loads(completed.stdout)


def test_inspector_lists_every_tool(inspector: Path, mcp: Mcp, avery: str) -> None:
    code, listing = run_inspector(inspector, mcp, avery, "--method", "tools/list", "--strict")
    assert code == 0, listing
    tools = {tool["name"]: tool for tool in listing["tools"]}
    assert len(tools) == 23
    search = tools["outlook_search_emails"]
    assert search["annotations"]["readOnlyHint"] is True
    assert tools["outlook_send_email"]["annotations"]["readOnlyHint"] is False
    assert "sender" in search["inputSchema"]["properties"] and "participants" in search["inputSchema"]["properties"]
    assert tools["teams_read_channel_messages"]["annotations"]["readOnlyHint"] is True
    assert "emails" in search["outputSchema"]["properties"]


def test_inspector_calls_a_tool_with_the_bearer_header(inspector: Path, mcp: Mcp, avery: str) -> None:
    code, result = run_inspector(
        inspector, mcp, avery,
        "--method", "tools/call", "--tool-name", "outlook_search_emails",
        "--tool-arg", "sender=o'brien@initech.example", "--tool-arg", "top=3",
    )
    assert code == 0, result
    assert result.get("isError") is not True
    emails = result["structuredContent"]["emails"]
    assert len(emails) == 3
    assert {e["from"]["address"] for e in emails} == {"o'brien@initech.example"}


def test_inspector_sees_tool_errors(inspector: Path, mcp: Mcp) -> None:
    code, result = run_inspector(inspector, mcp, "not-a-valid-token", "--method", "tools/call",
                                 "--tool-name", "outlook_list_folders")
    assert code != 0
    assert result["isError"] is True
    error = json.loads(result["content"][0]["text"].splitlines()[0])["error"]
    assert (error["code"], error["status"]) == ("InvalidAuthenticationToken", 401)
