"""A sampling profile of a process tree while a benchmark drives it (py-spy), and its top entries.

py-spy attaches from outside (no change to the profiled process). With ``gil`` it samples only the
thread holding the GIL: a Python process runs Python on one core at a time, so those samples are
where one backend worker's CPU goes, and threads waiting in C (a database call, a lock) are left out;
without it, every thread that is not idle. ``top_own`` and ``top_app`` turn the collapsed stacks into
the functions sampled most (own time) and the app's functions on the stack most (own time plus what
they called).
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SAMPLE_RATE_HZ = 200
ATTACH_SECONDS = 1.0
STOP_TIMEOUT_S = 60.0
APP_PACKAGE = "crm_app/"
STDLIB_PATH = re.compile(r"/lib/python3\.\d+/")


def py_spy() -> Path | None:
    exe = Path(sys.executable).with_name("py-spy")
    return exe if exe.exists() else None


@dataclass
class Profile:
    """Samples per frame: ``own`` counts the frame on top of the stack, ``total`` anywhere on it."""

    samples: int = 0
    own: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    error: str = ""

    def share(self, count: int) -> str:
        return f"{100 * count / self.samples:.1f}%" if self.samples else "—"

    def top_own(self, n: int = 12) -> list[tuple[str, int]]:
        return self.own.most_common(n)

    def top_app(self, n: int = 12) -> list[tuple[str, int]]:
        return [(frame, count) for frame, count in self.total.most_common() if APP_PACKAGE in frame][:n]


def _frame(raw: str) -> str:
    """``func (path/to/file.py:123)`` → ``func (file under site-packages or the repo:123)``."""
    name, _, where = raw.partition(" (")
    where = where.rstrip(")")
    stdlib = STDLIB_PATH.search(where)
    if "site-packages/" in where:
        where = where.split("site-packages/", 1)[1]
    elif stdlib:
        where = where[stdlib.end():]
    elif f"/{APP_PACKAGE}" in where:
        where = where[where.index(f"/{APP_PACKAGE}") + 1:]
    return f"{name} ({where})" if where else name


def parse(text: str) -> Profile:
    """py-spy's ``--format raw`` output: one ``frame;frame;...;frame count`` line per distinct stack."""
    profile = Profile()
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_frame(f) for f in stack.split(";") if f and not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        profile.samples += n
        profile.own[frames[-1]] += n
        for frame in set(frames):
            profile.total[frame] += n
    return profile


@contextmanager
def sampling(pid: int, out_path: Path, rate: int = SAMPLE_RATE_HZ, *, gil: bool = False) -> Iterator[Profile]:
    """Sample ``pid`` and its subprocesses while the block runs; the yielded Profile is filled on exit."""
    profile = Profile()
    exe = py_spy()
    if exe is None:
        profile.error = "py-spy is not installed (pip install -r requirements-test.txt)"
        yield profile
        return
    out_path.parent.mkdir(parents=True, exist_ok=True)
    log_path = out_path.with_suffix(".log")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([str(exe), "record", "--pid", str(pid), "--subprocesses", "--nonblocking",
                                 *(["--gil"] if gil else []),
                                 "--format", "raw", "--rate", str(rate), "--output", str(out_path)],
                                stdout=log, stderr=subprocess.STDOUT)
        time.sleep(ATTACH_SECONDS)
        try:
            yield profile
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    if out_path.exists():
        parsed = parse(out_path.read_text(errors="replace"))
        profile.samples, profile.own, profile.total = parsed.samples, parsed.own, parsed.total
    if not profile.samples:
        profile.error = f"py-spy recorded no samples (see {log_path})"
