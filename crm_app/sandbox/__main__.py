"""``python -m crm_app.sandbox [--host H] [--port P] [--seed N] [--messages N] [--token-lifetime S] [--public-url U]``."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Any

import uvicorn
from pydantic import ValidationError

from crm_app.sandbox.app import create_app
from crm_app.sandbox.context import Sandbox
from crm_app.sandbox.errors import ConfigurationError
from crm_app.sandbox.middleware import install_log_filter
from crm_app.sandbox.settings import SandboxSettings

log = logging.getLogger("crm_app.sandbox")


def parse_args(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m crm_app.sandbox",
                                     description="Microsoft 365 sandbox: Entra ID and Graph v1.0 on loopback.")
    parser.add_argument("--host", help="interface to bind (SANDBOX_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (SANDBOX_PORT, default 8002)")
    parser.add_argument("--seed", type=int, help="seed of the demo data (SANDBOX_SEED, default 42)")
    parser.add_argument("--messages", type=int, help="messages in the main mailbox (SANDBOX_MESSAGES, default 500)")
    parser.add_argument("--token-lifetime", type=int, dest="token_lifetime",
                        help="access token lifetime in seconds (SANDBOX_TOKEN_LIFETIME, default 3600)")
    parser.add_argument("--public-url", dest="public_url",
                        help="browser URL of the sandbox (SANDBOX_PUBLIC_URL, default http://<host>:<port>)")
    parser.add_argument("--log-level", dest="log_level", help="debug, info, warning (SANDBOX_LOG_LEVEL)")
    return {key: value for key, value in vars(parser.parse_args(argv)).items() if value is not None}


def main(argv: list[str] | None = None) -> int:
    overrides = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        settings = SandboxSettings(**overrides)
    except ValidationError as exc:
        print(f"Invalid sandbox setting: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    try:
        sandbox = Sandbox(settings)
    except ConfigurationError as exc:
        print(f"Sandbox cannot start: {exc}", file=sys.stderr)
        return 2
    log.info("Demo tenant '%s' ready in %.1fs: %d messages in the main mailbox, seed %d; browser URL %s",
             sandbox.tenant.name, time.perf_counter() - started, settings.messages, settings.seed,
             settings.browser_url)
    install_log_filter()
    uvicorn.run(create_app(sandbox=sandbox), host=settings.host, port=settings.port, access_log=False,
                log_level=settings.log_level.lower(), lifespan="off")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
