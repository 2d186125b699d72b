"""`make bench`: start the real processes once, run every benchmark in bench/, write bench/RESULTS.md.

The Microsoft 365 sandbox, the MS365 MCP server and the app (``python -m crm_app.serve``, production mode on one port)
start on free loopback ports with a fresh data directory in a temporary folder; the app builds its
frontend into that folder too, so a run never touches the working tree's ``.web`` or ``.states``.
Each module ``bench/bench_*.py`` that exposes ``run(ctx) -> Section`` gets the shared processes; a
module without it runs as ``python -m bench.<module>`` and its output is kept as it printed it.

    python -m bench.run_all [--only chat app ...] [--quick] [--output bench/RESULTS.md]
                            [--database-url URL] [--redis-url URL]

Before the app starts its database is migrated and seeded as ``make run`` does. Progress goes to
stderr, process logs to bench/out/logs/, raw figures to bench/out/results.json. Exit code 1 when a
benchmark could not measure (its section says why), 2 when the processes could not start.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import logging
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Self

import httpx
import psutil  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import targets
from bench.stats import BenchmarkError, Context, Section
from tests.support.procs import ServerProcess, free_port

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_PATH = BENCH_DIR / "RESULTS.md"
OUT_DIR = BENCH_DIR / "out"
LOG_DIR = OUT_DIR / "logs"
ORDER = ("bench_app", "bench_chat", "bench_contacts", "bench_parser", "bench_mcp", "bench_mcp_client", "bench_sandbox",
         "bench_token_refresh")
PROCESS_START_TIMEOUT = 60.0
APP_START_TIMEOUT = 600.0
APP_STOP_TIMEOUT = 20.0
MODULE_SUBPROCESS_TIMEOUT = 900.0
LOG_TAIL_CHARS = 3000
NEEDS_ALL = ("sandbox", "mcp", "app")
QUIET_LOGGERS = ("httpx", "httpx2", "mcp", "crm_app")

log = logging.getLogger("bench")


# ---------------------------------------------------------------- the app process
def app_environment(port: int, *, data_dir: Path, database_url: str, sandbox_port: int | None, mcp_url: str | None,
                    web_dir: Path, states_dir: Path, redis_url: str | None = None) -> dict[str, str]:
    """The environment of an app started for benchmarking: demo mode, offline parser, its own build and state dirs.

    With ``redis_url`` Reflex keeps state in Redis and runs several backend workers; without it, one worker
    and state on disk (the default install).
    """
    env = {key: value for key, value in os.environ.items() if key not in ("REFLEX_REDIS_URL", "API_URL")}
    env.update({
        "APP_MODE": "demo",
        "APP_URL": f"http://127.0.0.1:{port}",
        "PORT": str(port),
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "LLM_MODEL": "",
        "LLM_API_KEY": "",
        "LLM_API_BASE": "",
        "LOG_LEVEL": "WARNING",
        "MCP_ENABLED": "true" if mcp_url else "false",
        "MS365_MCP_URL": mcp_url or "",
        "SANDBOX_HOST": "127.0.0.1",
        "REFLEX_WEB_WORKDIR": str(web_dir),
        "REFLEX_STATES_WORKDIR": str(states_dir),
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "PYTHONUNBUFFERED": "1",
    })
    if sandbox_port is not None:
        env["SANDBOX_PORT"] = str(sandbox_port)
    if redis_url:
        env["REFLEX_REDIS_URL"] = redis_url
    return env


@dataclass
class AppProcess:
    """``python -m crm_app.serve`` (the production server on one port, as ``make run`` starts it) in its own
    process group, its output in a log file."""

    port: int
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen | None = None
    spawned_at: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise BenchmarkError("The app is not running.")
        return self.proc.pid

    def spawn(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "crm_app.serve", "--port", str(self.port)]
        with open(self.log_path, "wb") as out:
            self.spawned_at = time.perf_counter()
            self.proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)

    def wait_ready(self, timeout: float = APP_START_TIMEOUT) -> float:
        """Wait until the backend answers /ping and the first page is served; milliseconds since spawn."""
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0, follow_redirects=True) as http:
            while time.monotonic() < deadline:
                self.check_alive()
                try:
                    if http.get(f"{self.url}/ping").status_code == 200 and http.get(f"{self.url}/signin").status_code == 200:
                        return (time.perf_counter() - self.spawned_at) * 1000
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
        raise BenchmarkError(f"The app did not serve {self.url}/signin within {timeout:.0f} s; see {self.log_path}.")

    def check_alive(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            raise BenchmarkError(f"The app exited with code {self.proc.returncode} while starting. Last output:\n"
                                 f"{self.log_tail()}\n(full log: {self.log_path})")

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-LOG_TAIL_CHARS:] if self.log_path.exists() else ""

    def stop(self) -> None:
        """Stop the app and its workers (its own process group)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(APP_STOP_TIMEOUT)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc = None


def prepare_database(env: dict[str, str], log_path: Path) -> None:
    """Migrate and seed the app's database before it starts, as ``make run`` does (``crm_app.manage``)."""
    for command in ("migrate", "seed-demo"):
        with open(log_path, "ab") as out:
            done = subprocess.run([sys.executable, "-m", "crm_app.manage", command], cwd=ROOT, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, timeout=PROCESS_START_TIMEOUT, check=False)
        if done.returncode != 0:
            raise BenchmarkError(f"`python -m crm_app.manage {command}` failed with code {done.returncode}; "
                                 f"see {log_path}.")


def start_app(work_dir: Path, log_dir: Path, *, name: str, database_url: str | None, sandbox_port: int | None,
              mcp_url: str | None, redis_url: str | None = None, timeout: float = APP_START_TIMEOUT,
              extra_env: dict[str, str] | None = None) -> AppProcess:
    """Prepare a fresh database, spawn an app with fresh data, build and state directories under ``work_dir / name``,
    and wait until it serves."""
    base = work_dir / name
    data_dir = base / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = app_environment(port, data_dir=data_dir, database_url=database_url or f"sqlite:///{data_dir / 'crm.db'}",
                          sandbox_port=sandbox_port, mcp_url=mcp_url, web_dir=base / "web", states_dir=base / "states",
                          redis_url=redis_url)
    prepare_database(env, log_dir / f"{name}-prepare.log")
    app = AppProcess(port, {**env, **(extra_env or {})}, log_dir / f"{name}.log")
    app.spawn()
    try:
        app.wait_ready(timeout)
    except BaseException:
        app.stop()
        raise
    return app


# ---------------------------------------------------------------- the shared stack
@dataclass
class Stack:
    """The sandbox, the MS365 MCP server and the app, started once for a benchmark run."""

    work_dir: Path
    log_dir: Path = LOG_DIR
    needs: Sequence[str] = NEEDS_ALL
    database_url: str | None = None
    redis_url: str | None = None
    app_extra_env: dict[str, str] | None = None
    quick: bool = False
    sandbox: ServerProcess | None = None
    mcp: ServerProcess | None = None
    app: AppProcess | None = None
    app_start_ms: float | None = None
    _exit: ExitStack = field(default_factory=ExitStack)

    def __enter__(self) -> Self:
        try:
            self._start()
        except BaseException:
            self._exit.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._exit.close()

    def _start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        needs = set(self.needs)
        if "app" in needs or "mcp" in needs:
            needs.add("sandbox")
        if "sandbox" in needs:
            self.sandbox = ServerProcess("crm_app.sandbox", free_port(), env={"SANDBOX_LOG_LEVEL": "warning"},
                                         log_path=self.log_dir / "sandbox.log")
            _announce(f"starting the Microsoft 365 sandbox on {self.sandbox.url}")
            self.sandbox.start(PROCESS_START_TIMEOUT)
            self._exit.callback(self.sandbox.stop)
        if "mcp" in needs and self.sandbox is not None:
            self.mcp = ServerProcess("crm_app.ms365_mcp", free_port(),
                                     env={"GRAPH_BASE_URL": f"{self.sandbox.url}/v1.0", "MS365_MCP_LOG_LEVEL": "WARNING"},
                                     log_path=self.log_dir / "ms365_mcp.log")
            _announce(f"starting the MS365 MCP server on {self.mcp.url}")
            self.mcp.start(PROCESS_START_TIMEOUT)
            self._exit.callback(self.mcp.stop)
        if "app" in needs:
            _announce("starting the app (python -m crm_app.serve; builds the frontend first)")
            self.app = start_app(self.work_dir, self.log_dir, name="app", database_url=self.database_url,
                                 sandbox_port=self.sandbox.port if self.sandbox else None,
                                 mcp_url=self.mcp_url if self.mcp else None, redis_url=self.redis_url,
                                 extra_env=self.app_extra_env)
            self.app_start_ms = (time.perf_counter() - self.app.spawned_at) * 1000
            self._exit.callback(self.app.stop)
            _announce(f"app ready on {self.app.url} after {self.app_start_ms / 1000:.1f} s")

    @property
    def mcp_url(self) -> str:
        return f"{self.mcp.url}/mcp" if self.mcp else ""

    def context(self) -> Context:
        pids = {}
        for name, proc in (("sandbox", self.sandbox), ("mcp", self.mcp)):
            if proc is not None and proc.proc is not None:
                pids[name] = proc.proc.pid
        app_env: dict[str, str] = {}
        data_dir = self.work_dir / "app" / "data"
        database_url = self.database_url or ""
        if self.app is not None:
            pids["app"] = self.app.pid
            app_env = dict(self.app.env)
            data_dir = Path(app_env["DATA_DIR"])
            database_url = app_env["DATABASE_URL"]
        return Context(
            sandbox_url=self.sandbox.url if self.sandbox else "",
            mcp_url=self.mcp_url,
            app_url=self.app.url if self.app else None,
            pids=pids,
            data_dir=data_dir,
            database_url=database_url,
            app_env=app_env,
            work_dir=self.work_dir,
            log_dir=self.log_dir,
            quick=self.quick,
            app_start_ms=self.app_start_ms,
        )


@contextmanager
def shared_context(needs: Sequence[str] = NEEDS_ALL, *, quick: bool = False, database_url: str | None = None,
                   redis_url: str | None = None, app_extra_env: dict[str, str] | None = None) -> Iterator[Context]:
    """Start what a benchmark needs in a temporary folder and hand out its Context."""
    with (tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp,
          Stack(Path(tmp), needs=needs, quick=quick, database_url=database_url, redis_url=redis_url,
                app_extra_env=app_extra_env) as stack):
        yield stack.context()


def standalone(run: Callable[[Context], Section], argv: Sequence[str] | None = None,
               needs: Sequence[str] = NEEDS_ALL, description: str = "") -> int:
    """The ``main()`` of a benchmark module: start what it needs, run it, print its section."""
    parser = argparse.ArgumentParser(description=description)
    add_process_options(parser)
    parser.add_argument("--quick", action="store_true", help="fewer samples (a smoke run)")
    args = parser.parse_args(argv)
    configure_logging()
    with sigterm_as_exit(), shared_context(needs, quick=args.quick, database_url=args.database_url,
                                           redis_url=args.redis_url) as ctx:
        section = timed_section(run, ctx)
    print(section.markdown())
    return 1 if section.error else 0


def add_process_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", default=None,
                        help="run the app on this (empty) database instead of SQLite in the run's data directory")
    parser.add_argument("--redis-url", default=None,
                        help="keep the app's state in this Redis, which lets Reflex run several backend workers")


def timed_section(run: Callable[[Context], Section], ctx: Context) -> Section:
    started = time.perf_counter()
    section = run(ctx)
    section.seconds = time.perf_counter() - started
    return section


# ---------------------------------------------------------------- running the modules
def discover(only: Sequence[str] | None = None, bench_dir: Path = BENCH_DIR) -> list[str]:
    """Benchmark module names in run order; ``only`` filters by name with or without ``bench_``."""
    found = sorted(p.stem for p in bench_dir.glob("bench_*.py"))
    ordered = [name for name in ORDER if name in found] + [name for name in found if name not in ORDER]
    if not only:
        return ordered
    wanted = {name if name.startswith("bench_") else f"bench_{name}" for name in only}
    unknown = wanted - set(found)
    if unknown:
        raise SystemExit(f"No benchmark named {', '.join(sorted(unknown))}; known: {', '.join(ordered)}.")
    return [name for name in ordered if name in wanted]


def title_of(module: ModuleType | None, name: str) -> str:
    doc = (module.__doc__ or "").strip().splitlines() if module is not None else []
    first = doc[0].strip().rstrip(".") if doc else ""
    return f"{first} ({name})" if first else name


def run_module(name: str, ctx: Context, package: str = "bench") -> Section:
    """Run one benchmark module against the shared processes; failures become a section that says so."""
    qualified = f"{package}.{name}"
    started = time.perf_counter()
    try:
        module = importlib.import_module(qualified)
    except Exception as exc:  # noqa: BLE001 - a module that does not import must not stop the others
        section = Section(title=name, error=f"the module does not import: {type(exc).__name__}: {exc}")
        section.seconds = time.perf_counter() - started
        return section
    runner = getattr(module, "run", None)
    if callable(runner):
        try:
            section = runner(ctx)
            if not isinstance(section, Section):
                raise BenchmarkError(f"{qualified}.run(ctx) returned {type(section).__name__}, not a Section.")
        except Exception as exc:  # noqa: BLE001 - a failed benchmark is reported, the others still run
            detail = traceback.format_exc()
            log_path = ctx.log_dir / f"{name}.error.log"
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log_path.write_text(detail)
            section = Section(title=title_of(module, name),
                              error=f"{type(exc).__name__}: {exc} (traceback in {log_path})")
    else:
        section = run_as_script(qualified, title_of(module, name))
    section.seconds = time.perf_counter() - started
    return section


def run_as_script(qualified: str, title: str, timeout: float = MODULE_SUBPROCESS_TIMEOUT) -> Section:
    """A module without ``run(ctx)``: run it as a script with its own processes and keep what it printed."""
    command = [sys.executable, "-m", qualified]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(dict.fromkeys(filter(None, [str(ROOT), *sys.path])))}
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return Section(title=title, preformatted=out, error=f"`python -m {qualified}` did not finish within {timeout:.0f} s.")
    section = Section(title=title, preformatted=done.stdout,
                      notes=[f"Ran as `python -m {qualified}` with its own processes (the module has no `run(ctx)`)."])
    if done.returncode != 0:
        section.error = (f"`python -m {qualified}` exited with code {done.returncode}: "
                         f"{done.stderr.strip()[-LOG_TAIL_CHARS:] or 'no error output'}")
    return section


# ---------------------------------------------------------------- the report
def _read_first(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip() if ":" in line else line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return ""


def git_commit(root: Path = ROOT) -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True,
                             timeout=10, check=False).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True,
                               text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    if not sha:
        return "unknown"
    return f"{sha} (with uncommitted changes)" if dirty else sha


def load_average() -> str:
    """The 1/5/15-minute load averages: other work on the machine shows in the figures."""
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    memory = psutil.virtual_memory().total
    cpu = _read_first("/proc/cpuinfo", "model name") or platform.processor() or platform.machine()
    os_name = _read_first("/etc/os-release", "PRETTY_NAME=") or platform.system()
    physical = psutil.cpu_count(logical=False)
    return {
        "CPU": cpu,
        "Cores": f"{psutil.cpu_count(logical=True)} logical" + (f", {physical} physical" if physical else ""),
        "RAM": f"{memory / 1024 ** 3:.1f} GiB",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "OS": f"{os_name} (Linux {platform.release()})" if platform.system() == "Linux" else f"{os_name} {platform.release()}",
    }


def render(sections: Sequence[Section], *, info: dict[str, str], started: dt.datetime, seconds: float,
           commit: str, command: str = "make bench", quick: bool = False) -> str:
    """RESULTS.md: the machine, the date, the commit, then each benchmark's section."""
    failed = [s.title for s in sections if s.error]
    lines = [
        "# Benchmark results" + (" (quick run: few samples, rough figures)" if quick else ""),
        "",
        (f"Written by `{command}` (`python -m bench.run_all`). Every figure is measured against the real processes "
         "on loopback: the Microsoft 365 sandbox, the MS365 MCP server and the app in production mode "
         "(`python -m crm_app.serve`, as `make run` starts it), started once for the run with a fresh data directory. "
         "p50/p95 are percentiles of n samples; the column after them says what the figure is compared with, "
         "measured in the same run."),
        "",
        "| run | |",
        "|---|---|",
        f"| Date | {started.strftime('%Y-%m-%d %H:%M UTC')} |",
        f"| Duration | {seconds / 60:.1f} min |",
        f"| Git commit | {commit} |",
        *[f"| {key} | {value} |" for key, value in info.items()],
        "",
    ]
    if failed:
        lines += [f"**Not measured in this run:** {', '.join(failed)} (see their sections).", ""]
    for section in sections:
        lines.append(section.markdown())
    return "\n".join(lines).rstrip() + "\n"


def write_results(text: str, sections: Sequence[Section], output: Path, json_path: Path,
                  meta: dict[str, object]) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps({**meta, "sections": [s.as_json() for s in sections]}, indent=2))


@contextmanager
def sigterm_as_exit() -> Iterator[None]:
    """While running, SIGTERM raises SystemExit, so the processes a run started are stopped on the way out."""
    def _exit(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def configure_logging() -> None:
    """Progress lines on stderr; the request logs of the clients the benchmarks drive stay quiet."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def _announce(message: str) -> None:
    log.info("[bench] %s", message)


def run_benchmarks(names: Sequence[str], ctx: Context, package: str = "bench") -> list[Section]:
    """Run the modules one after the other on the shared processes, saying on stderr how each went."""
    sections = []
    for name in names:
        _announce(f"{name} ...")
        load_before = load_average()
        section = run_module(name, ctx, package)
        section.notes.append(f"Load average (1/5/15 min): {load_before} when it started, {load_average()} when it ended.")
        state = f"FAILED: {section.error}" if section.error else "done"
        _announce(f"{name} {state} ({section.seconds:.0f} s)")
        sections.append(section)
    return sections


def benchmarks_run(names: Sequence[str]) -> str:
    """Which benchmarks this run has, and which it left out (``--only``)."""
    left_out = [name for name in discover(None) if name not in names]
    if not left_out:
        return f"all {len(names)}"
    return (f"{', '.join(names)} (`--only`); not run this time: {', '.join(left_out)} — their latest figures are in "
            "the previous version of this file")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", help="run only these benchmarks (e.g. chat app contacts mcp)")
    parser.add_argument("--quick", action="store_true", help="fewer samples everywhere (a smoke run, figures are rough)")
    parser.add_argument("--output", type=Path, default=RESULTS_PATH, help="where to write the Markdown results")
    parser.add_argument("--json", type=Path, default=OUT_DIR / "results.json", help="where to write the raw figures")
    add_process_options(parser)
    args = parser.parse_args(argv)
    configure_logging()
    names = discover(args.only)
    shutil.rmtree(LOG_DIR, ignore_errors=True)
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    load_before = load_average()
    try:
        with sigterm_as_exit(), shared_context(NEEDS_ALL, quick=args.quick, database_url=args.database_url,
                                               redis_url=args.redis_url) as ctx:
            sections = run_benchmarks(names, ctx)
            sections.insert(0, targets.section(dict(zip(names, sections))))
    except (RuntimeError, TimeoutError) as exc:
        print(f"The benchmark processes could not start: {exc}", file=sys.stderr)
        return 2
    return report(sections, started=started, seconds=time.perf_counter() - clock, output=args.output,
                  json_path=args.json, quick=args.quick,
                  extra={"Load average (1/5/15 min)": f"{load_before} at the start, {load_average()} at the end",
                         "Benchmarks": benchmarks_run(names)})


def report(sections: Sequence[Section], *, started: dt.datetime, seconds: float, output: Path, json_path: Path,
           quick: bool = False, extra: dict[str, str] | None = None) -> int:
    """Write RESULTS.md and the raw figures, print the Markdown; 1 if a benchmark could not measure."""
    commit = git_commit()
    info = {**machine(), **(extra or {})}
    text = render(sections, info=info, started=started, seconds=seconds, commit=commit, quick=quick)
    write_results(text, sections, output, json_path,
                  {"date": started.isoformat(), "seconds": round(seconds, 1), "commit": commit, "machine": info,
                   "quick": quick})
    print(text)
    print(f"Written to {output} (raw figures: {json_path})", file=sys.stderr)
    return 1 if any(s.error for s in sections) else 0


if __name__ == "__main__":
    sys.exit(main())
