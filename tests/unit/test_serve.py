"""The production server rebuilds the frontend exactly when what it is built from changed, and never trusts a
build that did not finish."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from crm_app import serve

CONFIG = json.dumps({"app_name": "crm_app", "api_url": "http://localhost:3000", "frontend_port": 3000,
                     "_non_default_attributes": ["api_url", "app_name"]})
PACKAGES = ["reflex==0.10.1", "reflex-base==0.10.1"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "crm_app" / "pages").mkdir(parents=True)
    (tmp_path / "crm_app" / "pages" / "home.py").write_text("TITLE = 'Home'\n")
    (tmp_path / "crm_app" / "__pycache__").mkdir()
    (tmp_path / "crm_app" / "__pycache__" / "home.cpython-311.pyc").write_bytes(b"\x00compiled")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "logo.svg").write_text("<svg/>")
    (tmp_path / "reflex.lock").mkdir()
    (tmp_path / "reflex.lock" / "bun.lock").write_text("lock 1")
    (tmp_path / "rxconfig.py").write_text("config = 1\n")
    (tmp_path / "notes.txt").write_text("not part of the app")
    return tmp_path


def digest(root: Path, config: str = CONFIG, packages=PACKAGES, environ=None) -> str:
    return serve.fingerprint(root, config, packages, environ or {"REFLEX_WEB_WORKDIR": "/a"})


def test_the_inputs_are_the_app_sources_its_assets_config_and_frontend_lock(root):
    names = [p.relative_to(root).as_posix() for p in serve.source_files(root)]
    assert names == ["rxconfig.py", "crm_app/pages/home.py", "assets/logo.svg", "reflex.lock/bun.lock"]


@pytest.mark.parametrize("change", [
    lambda root: (root / "crm_app" / "pages" / "home.py").write_text("TITLE = 'Start'\n"),
    lambda root: (root / "crm_app" / "pages" / "new.py").write_text("X = 1\n"),
    lambda root: (root / "assets" / "logo.svg").write_text("<svg id='new'/>"),
    lambda root: (root / "reflex.lock" / "bun.lock").write_text("lock 2"),
    lambda root: (root / "rxconfig.py").write_text("config = 2\n"),
])
def test_a_change_to_any_input_changes_the_fingerprint(root, change):
    before = digest(root)
    change(root)
    assert digest(root) != before


def test_the_configuration_packages_and_bundle_environment_count(root):
    before = digest(root)
    assert digest(root, config=CONFIG.replace("3000", "3100")) != before
    assert digest(root, packages=["reflex==0.10.2", "reflex-base==0.10.1"]) != before
    assert digest(root, environ={"REFLEX_WEB_WORKDIR": "/a", "VITE_MINIFY": "false"}) != before
    assert digest(root, environ={"REFLEX_WEB_WORKDIR": "/a", "REFLEX_SSR": "false"}) != before
    # the session cookie's lifetime is compiled into the page, so a new lifetime means a new build
    assert digest(root, environ={"SESSION_TTL_HOURS": "12"}) != before


def test_what_varies_per_start_does_not_count(root):
    before = digest(root)
    (root / "crm_app" / "__pycache__" / "home.cpython-311.pyc").write_bytes(b"\x00recompiled")
    (root / "notes.txt").write_text("edited")
    reordered = json.dumps({**json.loads(CONFIG), "_non_default_attributes": ["app_name", "api_url"]})
    assert digest(root, config=reordered) == before
    per_start = {"REFLEX_WEB_WORKDIR": "/b", "REFLEX_STATES_WORKDIR": "/s", "REFLEX_SKIP_COMPILE": "true",
                 "REFLEX_ENV_MODE": "prod", "REFLEX_BACKEND_START_METHOD": "spawn", "DATABASE_URL": "sqlite:///other.db",
                 "PORT": "3000"}
    assert digest(root, environ=per_start) == before


def _built(web: Path) -> Path:
    static = web / "build" / "client"
    static.mkdir(parents=True)
    (static / "index.html").write_text("<html></html>")
    return static


def test_only_a_finished_build_with_the_same_fingerprint_is_current(tmp_path):
    web = tmp_path / "web"
    static = web / "build" / "client"
    assert not serve.build_is_current(web, static, "abc")
    _built(web)
    assert not serve.build_is_current(web, static, "abc")  # built, but never stamped
    serve.stamp_path(web).write_text("abc\n")
    assert serve.build_is_current(web, static, "abc")
    assert not serve.build_is_current(web, static, "abd")
    (static / "index.html").unlink()
    assert not serve.build_is_current(web, static, "abc")  # stamped, but the build is gone


def test_a_successful_build_is_stamped(tmp_path):
    web = tmp_path / "web"
    static = _built(web)
    serve.build_frontend(tmp_path, web, "fresh", command=[sys.executable, "-c", "pass"])
    assert serve.build_is_current(web, static, "fresh")


def test_a_failed_build_leaves_no_stamp_and_says_what_to_do(tmp_path):
    web = tmp_path / "web"
    static = _built(web)
    serve.stamp_path(web).write_text("old\n")
    with pytest.raises(serve.BuildError, match=r"exited with code 3.*fix it, then start the app again"):
        serve.build_frontend(tmp_path, web, "new", command=[sys.executable, "-c", "raise SystemExit(3)"])
    assert not serve.stamp_path(web).exists()
    assert not serve.build_is_current(web, static, "old")
    assert not serve.build_is_current(web, static, "new")


def test_the_reflex_packages_are_the_installed_ones():
    from importlib import metadata

    packages = serve.reflex_packages()
    assert "reflex==0.10.1" in packages
    assert f"reflex_base=={metadata.version('reflex-base')}" in packages
    assert all(name.startswith("reflex") for name in packages)
    assert not any(name.startswith(("sqlmodel", "httpx")) for name in packages)


def test_the_reflex_packages_are_read_from_the_install_folders(tmp_path):
    site, user = tmp_path / "site", tmp_path / "user"
    for folder, names in ((site, ["reflex-0.10.1", "reflex_base-0.10.1", "httpx-0.28.1"]), (user, ["reflex-0.9.0"])):
        for name in names:
            (folder / f"{name}.dist-info").mkdir(parents=True)
    assert serve.reflex_packages([str(site), str(user), str(tmp_path / "missing")]) == [
        "reflex==0.10.1", "reflex_base==0.10.1"]  # the first on the path wins, as at import


def test_one_worker_is_spawned_several_are_forked_and_a_chosen_method_wins():
    assert serve.start_method(1, None) == "spawn"
    assert serve.start_method(2, None) is None  # Reflex's default: fork, sharing the preloaded app
    assert serve.start_method(1, "fork") == "fork"
    assert serve.start_method(4, "spawn") == "spawn"
