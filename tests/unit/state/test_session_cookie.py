"""The session cookie lasts as long as the server-side session: SESSION_TTL_HOURS, compiled into the page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
PROBE = """
import json
from reflex.compiler.utils import compile_client_storage
from crm_app.state.session import SessionState
print(json.dumps(list(compile_client_storage(SessionState)["cookies"].values())))
"""


def compiled_cookies(tmp_path: Path, **env: str) -> list[dict]:
    environment = {k: v for k, v in os.environ.items() if k != "SESSION_TTL_HOURS"}
    environment.update(APP_MODE="demo", DATA_DIR=str(tmp_path), **env)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=environment, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("hours", "seconds"), [("5", 5 * 3600), ("720", 720 * 3600)])
def test_the_cookie_max_age_is_the_session_setting(tmp_path, hours, seconds):
    cookies = compiled_cookies(tmp_path, SESSION_TTL_HOURS=hours)
    assert cookies == [{"name": "crm_session", "path": "/", "maxAge": seconds, "sameSite": "lax"}]


def test_without_the_setting_the_cookie_lasts_the_default_session(tmp_path):
    from crm_app.settings import Settings

    default_hours = Settings.model_fields["session_ttl_hours"].default
    cookies = compiled_cookies(tmp_path)
    assert [c["maxAge"] for c in cookies] == [default_hours * 3600]
