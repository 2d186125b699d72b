"""Serve the app in production mode on one port, building the frontend only when what it is built from changed.

    python -m crm_app.serve [--port 3000] [--host 0.0.0.0] [--build-only]

``reflex run --env prod`` compiles every page and runs the production build (bun and Vite) on each start. Here a
finished build is stamped with a fingerprint of everything it is made from: the app's sources (``crm_app/``,
``rxconfig.py``, ``assets/``, the frontend lock in ``reflex.lock/``), the installed Reflex packages, the Reflex
configuration (the app's URL and port are compiled into the bundle) and the ``REFLEX_*``/``VITE_*`` environment.
When the stamp matches, Reflex's production backend starts at once with that build mounted, as
``reflex run --env prod --single-port`` serves it; otherwise ``reflex export --frontend-only --no-zip`` builds it
first, in a process of its own that ends before the server starts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE_INPUTS = ("rxconfig.py", "crm_app", "assets", "reflex.lock")
SKIPPED_PARTS = frozenset({"__pycache__"})
SKIPPED_SUFFIXES = (".pyc", ".pyo")
STAMP_FILE = "crm_app.build-fingerprint"
BUILT_PAGE = "index.html"
REUSED = "starting without a rebuild"
DEFAULT_HOST = "0.0.0.0"  # noqa: S104 - the app serves its port on every interface, as `reflex run` does
# Set for each start, by Reflex or by this module, without changing what the bundle holds.
PER_START_ENV = frozenset({
    "REFLEX_WEB_WORKDIR", "REFLEX_STATES_WORKDIR", "REFLEX_ENV_MODE", "REFLEX_SKIP_COMPILE",
    "REFLEX_MOUNT_FRONTEND_COMPILED_APP", "REFLEX_COMPILE_CONTEXT", "REFLEX_BACKEND_ONLY", "REFLEX_FRONTEND_ONLY",
    "REFLEX_CHECK_LATEST_VERSION", "REFLEX_TELEMETRY_ENABLED", "REFLEX_BACKEND_START_METHOD",
})


class BuildError(RuntimeError):
    """The production build of the frontend failed."""


def source_files(root: Path, inputs: Iterable[str] = SOURCE_INPUTS) -> Iterator[Path]:
    """The files the frontend is compiled from, in a stable order."""
    for name in inputs:
        path = root / name
        if path.is_file():
            yield path
        elif path.is_dir():
            for child in sorted(path.rglob("*")):
                if (child.is_file() and not SKIPPED_PARTS.intersection(child.relative_to(root).parts)
                        and not child.name.endswith(SKIPPED_SUFFIXES)):
                    yield child


def reflex_packages(search_path: Iterable[str] | None = None) -> list[str]:
    """``name==version`` of every installed Reflex distribution (the compiler and the components).

    Read from the names of their ``.dist-info`` folders (``reflex_base-0.10.1.dist-info``), which is what an
    installer writes, without opening the metadata of every installed package.
    """
    found: dict[str, str] = {}
    for entry in search_path if search_path is not None else sys.path:
        folder = Path(entry or ".")
        if not folder.is_dir():
            continue
        for info in folder.glob("reflex*.dist-info"):
            name, _, version = info.name.removesuffix(".dist-info").partition("-")
            found.setdefault(name.lower().replace("-", "_"), version)
    return sorted(f"{name}=={version}" for name, version in found.items())


# App settings the pages read when they are compiled (the session cookie's lifetime is set in the browser).
COMPILED_SETTINGS = frozenset({"SESSION_TTL_HOURS"})


def bundle_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The ``REFLEX_*``/``VITE_*`` variables and the compiled app settings that can change the bundle."""
    return {key: value for key, value in sorted(environ.items())
            if (key.startswith(("REFLEX_", "VITE_")) and key not in PER_START_ENV) or key in COMPILED_SETTINGS}


def canonical_config(config_json: str) -> str:
    """Reflex's configuration as JSON with sorted keys, without its bookkeeping (``_``) fields, whose order varies."""
    values = {key: value for key, value in json.loads(config_json).items() if not key.startswith("_")}
    return json.dumps(values, sort_keys=True)


def fingerprint(root: Path, config_json: str, packages: Iterable[str], environ: Mapping[str, str]) -> str:
    """A digest of everything the production build is made from."""
    digest = hashlib.sha256()
    for part in (canonical_config(config_json), json.dumps(list(packages)), json.dumps(bundle_environment(environ))):
        digest.update(part.encode())
        digest.update(b"\0")
    for path in source_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def stamp_path(web_dir: Path) -> Path:
    return web_dir / STAMP_FILE


def build_is_current(web_dir: Path, static_dir: Path, expected: str) -> bool:
    """Whether ``web_dir`` holds a finished build made from exactly the inputs ``expected`` digests."""
    stamp = stamp_path(web_dir)
    return stamp.is_file() and stamp.read_text().strip() == expected and (static_dir / BUILT_PAGE).is_file()


def build_frontend(root: Path, web_dir: Path, expected: str, command: list[str] | None = None) -> None:
    """Run Reflex's production build of the frontend, then stamp it; the stamp goes first, so a failed build has none."""
    stamp = stamp_path(web_dir)
    stamp.unlink(missing_ok=True)
    command = command or [str(Path(sys.executable).with_name("reflex")), "export", "--frontend-only", "--no-zip",
                          "--env", "prod"]
    done = subprocess.run(command, cwd=root, check=False)
    if done.returncode != 0:
        raise BuildError(f"The frontend build failed (`{' '.join(command[1:])}` exited with code {done.returncode}). "
                         "Its output above names the cause; fix it, then start the app again.")
    web_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(expected + "\n")


def start_method(workers: int, chosen: str | None) -> str | None:
    """How the backend workers start: ``chosen`` when set; one worker is spawned, several are forked (Reflex's default).

    Forked workers share the pages of the app the supervisor imported first, which pays off from two workers
    on; with one, the supervisor would only hold a second copy of the app for nothing.
    """
    if chosen:
        return chosen
    return "spawn" if workers <= 1 else None


def serve(host: str, port: int) -> None:
    """Reflex's production backend on ``port`` with the built frontend mounted (blocks until stopped)."""
    from reflex.istate.manager import reset_disk_state_manager
    from reflex.utils import exec as reflex_exec
    from reflex.utils import processes
    from reflex_base import constants
    from reflex_base.config import get_config
    from reflex_base.environment import environment

    workers = int(os.environ.get("GRANIAN_WORKERS") or processes.get_num_workers())
    environment.REFLEX_BACKEND_START_METHOD.set(
        start_method(workers, os.environ.get(environment.REFLEX_BACKEND_START_METHOD.name)))
    environment.REFLEX_SKIP_COMPILE.set(True)
    environment.REFLEX_COMPILE_CONTEXT.set(constants.CompileContext.RUN)
    reset_disk_state_manager()
    print(f"crm_app running at http://localhost:{port}/", flush=True)
    reflex_exec.run_backend_prod(host, port, get_config().loglevel.subprocess_level(), True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm_app.serve", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--build-only", action="store_true", help="build the frontend if it is not current, then exit")
    args = parser.parse_args(argv)

    os.chdir(ROOT)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from reflex.utils import prerequisites
    from reflex_base import constants
    from reflex_base.config import get_config
    from reflex_base.environment import environment

    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    config = get_config()
    config._set_persistent(frontend_port=args.port, backend_port=args.port)
    web_dir = prerequisites.get_web_dir()
    expected = fingerprint(ROOT, config.json(), reflex_packages(), os.environ)
    if build_is_current(web_dir, web_dir / constants.Dirs.STATIC, expected):
        print(f"The built frontend in {web_dir} is current; {REUSED}.", flush=True)
    else:
        print(f"Building the frontend into {web_dir} (its sources or settings changed, or it was never built).",
              flush=True)
        try:
            build_frontend(ROOT, web_dir, expected)
        except BuildError as exc:
            print(exc, file=sys.stderr)
            return 1
    if args.build_only:
        return 0
    serve(args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
