"""The import contracts in setup.cfg hold for crm_app, and they catch an import that points up."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter over the crm_app package found in `root` with the contracts in setup.cfg."""
    return subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()",
         "--no-cache", "--no-logo", "setup.cfg"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
    )


def test_the_import_contracts_hold():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    assert "BROKEN" not in result.stdout


def _copy_app(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO / "setup.cfg", root / "setup.cfg")
    shutil.copytree(
        REPO / "crm_app", root / "crm_app",
        ignore=shutil.ignore_patterns("__pycache__", "*.json", "*.md"),
    )
    return root


def test_an_import_from_a_lower_layer_up_breaks_the_contract(tmp_path):
    root = _copy_app(tmp_path)
    (root / "crm_app" / "mcp" / "probe.py").write_text("from crm_app.services import auth\n")
    (root / "crm_app" / "state" / "probe.py").write_text("from crm_app import db\n")
    (root / "crm_app" / "sandbox" / "probe.py").write_text("import crm_app.settings\n")
    result = lint_imports(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "crm_app.mcp.probe -> crm_app.services.auth" in result.stdout
    assert "crm_app.state.probe -> crm_app.db" in result.stdout
    assert "crm_app.sandbox.probe -> crm_app.settings" in result.stdout
    # Imports that point down stay allowed: nothing from the unchanged modules is reported.
    assert "crm_app.services.auth -> " not in result.stdout


def test_a_new_top_level_module_must_be_placed_in_a_layer(tmp_path):
    root = _copy_app(tmp_path)
    (root / "crm_app" / "unplaced.py").write_text("VALUE = 1\n")
    result = lint_imports(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "unplaced" in result.stdout
