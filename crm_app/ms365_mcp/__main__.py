"""Run the MS365 MCP server: `python -m crm_app.ms365_mcp [--host H] [--port N]`.

Logs go to stderr through a redacting handler. Every tool call is logged with
its outcome and duration, which makes per-request HTTP access lines redundant.
The server runs on uvloop with the httptools HTTP parser: each tool call crosses
the event loop several times, and both cut the server's share of a call.
"""

from __future__ import annotations

import argparse
import sys

import uvicorn
from pydantic import ValidationError

from crm_app.ms365_mcp.log_redaction import configure_logging
from crm_app.ms365_mcp.server import create_app
from crm_app.ms365_mcp.settings import Settings


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m crm_app.ms365_mcp",
        description="MCP server (Streamable HTTP at /mcp) over the signed-in user's Microsoft 365.",
    )
    parser.add_argument("--host", help="interface to listen on (default: MS365_MCP_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default: MS365_MCP_PORT or 8001)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        print(f"Invalid MS365 MCP server settings:\n{exc}", file=sys.stderr)
        return 2
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    if overrides:
        settings = settings.model_copy(update=overrides)
    configure_logging(settings.log_level)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        log_level=settings.log_level.lower(),
        access_log=False,
        loop="uvloop",
        http="httptools",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
