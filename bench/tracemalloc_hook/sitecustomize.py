"""Loaded at interpreter start by ``bench.memory_trace`` (this folder is put on PYTHONPATH of the app only).

With ``CRM_TRACEMALLOC_DIR`` set, the backend workers trace allocations with ``CRM_TRACEMALLOC_FRAMES`` frames,
and a thread in each writes a tracemalloc snapshot for every request file that appears in that folder. A worker
started by multiprocessing's spawn traces from its start; one forked from this process traces from the fork.
The server process itself is not traced, so the frontend build it may run keeps its usual speed.
"""

import os
import sys
import threading
import time
import tracemalloc

POLL_S = 0.25
_DIR = os.environ.get("CRM_TRACEMALLOC_DIR")
_FRAMES = int(os.environ.get("CRM_TRACEMALLOC_FRAMES", "12"))


def _answer_requests(directory: str) -> None:
    answered = set(os.listdir(directory))
    while True:
        time.sleep(POLL_S)
        for name in sorted(set(os.listdir(directory)) - answered):
            answered.add(name)
            if name.startswith("request-"):
                import gc

                gc.collect()
                label = name.removeprefix("request-")
                path = os.path.join(directory, f"snapshot-{os.getpid()}-{label}")
                tracemalloc.take_snapshot().dump(path + ".part")
                os.replace(path + ".part", path)
                answered.add(os.path.basename(path))


def _trace_this_process() -> None:
    tracemalloc.start(_FRAMES)
    threading.Thread(target=_answer_requests, args=(_DIR,), name="tracemalloc-snapshots", daemon=True).start()


if _DIR:
    if "--multiprocessing-fork" in sys.argv:
        _trace_this_process()
    else:
        os.register_at_fork(after_in_child=_trace_this_process)
