"""Reflex configuration. Every value that varies between installs comes from crm_app.settings."""

import logging
import os
import shutil
from pathlib import Path

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
# One registry, named: without it Reflex times a mirror as well, and logs each failed probe when offline.
os.environ.setdefault("NPM_CONFIG_REGISTRY", "https://registry.npmjs.org")


class StartupAdvice(logging.Filter):
    """Rewords Reflex start-up advice that does not apply here, so a first start reads calmly.

    * `reflex init` ends by telling you to `uv pip install -r requirements.txt`: `make run` has installed it.
    * An older Node.js draws an "out of date" warning, though the frontend is built and served with bun
      (`bun --bun`), which does not use Node.js.
    """

    NODE_NOTE = "Node.js is older than Reflex prefers; the build runs on bun, so this is fine."

    def __init__(self) -> None:
        super().__init__()
        self.noted_node = False

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "uv pip install" in message:
            record.msg, record.args = "Prepared the frontend build folder (.web).", None
        elif "of Node.js is out of date" in message:
            if self.noted_node:
                return False
            self.noted_node = True
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg, record.args = self.NODE_NOTE, None
        return True


for _name in ("reflex.reflex", "reflex.utils.js_runtimes"):
    logging.getLogger(_name).addFilter(StartupAdvice())

from crm_app.settings import Settings, SettingsError  # noqa: E402

_settings = Settings()
try:
    _settings.check()
except SettingsError as _exc:
    raise SystemExit(f"crm_app cannot start.\n{_exc}") from None

_redis = _settings.reflex_redis_url
if _redis:
    # Reflex starts 2 x CPUs + 1 workers when state is in Redis; on a small machine the extra workers only
    # compete for the same cores (measured on 2 cores: 5 workers served half the turns per second of 2).
    os.environ.setdefault("GRANIAN_WORKERS", str(os.cpu_count() or 1))
_port = int(os.environ.get("PORT", "3000"))

config = rx.Config(
    app_name="crm_app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    redis_url=_redis or None,
    state_manager_mode="redis" if _redis else "disk",
    frontend_port=_port,
    backend_port=_port,
    api_url=os.environ.get("API_URL") or _settings.app_url,
    deploy_url=_settings.app_url,
    bun_path=Path(os.environ.get("REFLEX_BUN_PATH") or shutil.which("bun") or "/usr/bin/bun"),
    disable_plugins=[SitemapPlugin],
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="inherit", accent_color="indigo", gray_color="slate", radius="large")
        )
    ],
)
