"""Serve the app's backend (JSON API, state websocket, start-up tasks) on one port, without a frontend build.

    python -m tests.faults.app_backend --host 127.0.0.1 --port N

This is what ``reflex run --env prod --backend-only`` serves, started directly with uvicorn so tests can
run it as a process on a free port with their own settings (``DATABASE_URL`` and so on).
"""

from __future__ import annotations

import argparse
import os


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    os.environ["REFLEX_SKIP_COMPILE"] = "true"
    import uvicorn

    from crm_app.crm_app import app

    uvicorn.run(app(), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
