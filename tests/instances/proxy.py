"""A TCP reverse proxy in front of several app instances, as a load balancer is in production.

It forwards whole TCP connections (HTTP and websocket upgrades alike) to the instance currently selected.
``hand_over(name, until=...)`` moves the traffic: new connections wait, open ones are cut (the page sees a
dropped network connection and reconnects), and once ``until()`` holds, waiting and new connections go to
the new instance. ``connections`` counts the connections each instance received.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future

from tests.support.procs import free_port

CHUNK = 65536
HANDOVER_TIMEOUT = 30.0
POLL_SECONDS = 0.05


class SwitchingProxy:
    """Listens on ``port`` and forwards to ``upstreams[target]`` (name → port on 127.0.0.1)."""

    def __init__(self, upstreams: dict[str, int], target: str) -> None:
        self.upstreams = dict(upstreams)
        self.target = target
        self.port = free_port()
        self.connections: Counter[str] = Counter()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="switching-proxy", daemon=True)
        self._open: asyncio.Event | None = None
        self._live: set[asyncio.StreamWriter] = set()
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> SwitchingProxy:
        self._thread.start()
        self._call(self._listen()).result(timeout=10)
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._call(self._close()).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def hand_over(self, target: str, until: Callable[[], bool] = lambda: True) -> None:
        """Send all traffic to ``target``: cut open connections, hold new ones until ``until()`` holds."""
        self._call(self._pause()).result(timeout=10)
        deadline = time.monotonic() + HANDOVER_TIMEOUT
        while not until():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the hand-over to {target} did not become ready within {HANDOVER_TIMEOUT} s")
            time.sleep(POLL_SECONDS)
        self._call(self._resume(target)).result(timeout=10)

    # ---- the event loop side

    def _call(self, coroutine) -> Future:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    async def _listen(self) -> None:
        self._open = asyncio.Event()
        self._open.set()
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._live):
            writer.close()

    async def _pause(self) -> None:
        assert self._open is not None
        self._open.clear()
        for writer in list(self._live):
            writer.close()

    async def _resume(self, target: str) -> None:
        assert self._open is not None
        self.target = target
        self._open.set()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        assert self._open is not None
        self._live.add(client_writer)
        try:
            await self._open.wait()
            target = self.target
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.upstreams[target])
        except OSError:
            client_writer.close()
            self._live.discard(client_writer)
            return
        self.connections[target] += 1
        self._live.add(upstream_writer)
        try:
            await asyncio.gather(self._pipe(client_reader, upstream_writer), self._pipe(upstream_reader, client_writer))
        finally:
            for writer in (client_writer, upstream_writer):
                self._live.discard(writer)
                writer.close()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(CHUNK):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
