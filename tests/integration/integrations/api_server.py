"""The app's JSON API served on its own for integration tests.

    python -m tests.integration.integrations.api_server --host 127.0.0.1 --port N

It serves exactly what the Reflex backend mounts (``crm_app.api.build()``), applies the
migrations first, logs like the app (``LOG_LEVEL``, redacting filter) and answers
``GET /health``.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import AsyncIterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from crm_app import api, logging_setup
from crm_app.migrations import upgrade
from crm_app.services import mcp_runtime
from crm_app.settings import get_settings


async def health(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


@contextlib.asynccontextmanager
async def lifespan(_: Starlette) -> AsyncIterator[None]:
    logging_setup.configure(get_settings().log_level)
    upgrade()
    yield
    await mcp_runtime.shutdown()


def build() -> Starlette:
    return Starlette(routes=[Route("/health", health), Mount("/", api.build())], lifespan=lifespan)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(build(), host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
