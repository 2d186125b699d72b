"""Chat turn time through the app's real event path, for 1, 10 and 50 concurrent users.

Each simulated user is a browser tab without the browser: it has signed in (a session cookie, as
after the sign-in form), has Microsoft 365 connected (sandbox tokens in the encrypted vault, as after
OAuth), opens /chat over the app's Socket.IO websocket the way the compiled frontend does (the
hydrate event in the CONNECT packet, the session cookie among the client-storage vars) and sends
``ChatState.send`` events. A turn is timed from the emit to the state delta whose last assistant
message is no longer "working" (the final card). The offline parser answers; tools run through the
MS365 MCP server against the sandbox. The comparison: the same turns run by the turn engine in
this process (``services.assistant.send_message``), without Reflex and the websocket. After the
timed levels, one more 50-user pass runs under py-spy (not timed) and its top entries are reported.

    python -m bench.bench_chat [--quick]
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import socketio  # type: ignore[import-untyped]

from bench.profile import Profile, sampling
from bench.stats import (
    BenchmarkError,
    Context,
    Section,
    cpu_seconds_by_name,
    figure_row,
    mailbox_limit_lifted,
    ms,
    p50_p95,
    summary,
)
from bench.targets import CHAT_P95_MS

LEVELS = (1, 10, 50)
TURNS_PER_USER = {1: 30, 10: 6, 50: 6}
QUICK_TURNS_PER_USER = {1: 6, 10: 2, 50: 1}
PASSWORD = "bench password 1"
MAILBOX = "avery.chen@northwind.example"
MAILBOX_NAME = "Avery Chen"
TOKEN_LIFETIME_S = 3600
CHAT_PATH = "/chat"
CONNECT_TIMEOUT_S = 60.0
TURN_TIMEOUT_S = 60.0
FINAL_STATUSES = frozenset({"done", "failed"})
ERROR_EXAMPLES = 5
PROFILE_TOP = 12


@dataclass(frozen=True)
class Command:
    """A message a user types and the kind of card its answer must carry."""

    text: str
    card: str


# One task each: a mail search, its follow-up (the full body), a topic search, the calendar, files, a CRM record.
SCRIPT: tuple[Command, ...] = (
    Command("Show me emails from John Smith", "email"),
    Command("what does the first one say?", "email"),
    Command("Find emails about the quarterly report", "email"),
    Command("Show me this week's meetings", "event"),
    Command("List my recent OneDrive files", "file"),
    Command("show the Acme deal", "crm"),
)


# ---------------------------------------------------------------- the wire names
@dataclass(frozen=True)
class Wire:
    """State and event names as the compiled frontend sends and receives them."""

    root: str
    chat: str
    hydrate: str
    send: str
    new_conversation: str
    session_cookie_var: str
    hydrated_var: str
    messages_var: str
    sending_var: str
    cookie_name: str
    endpoint: str


def wire() -> Wire:
    """Derive the names from the app's state classes (the same code the running app compiled)."""
    import reflex as rx
    from reflex_base.constants.event import Endpoint
    from reflex_base.constants.state import FIELD_MARKER
    from reflex_base.utils import format

    from crm_app.state.chat import ChatState
    from crm_app.state.session import SESSION_COOKIE, SessionState

    return Wire(
        root=rx.State.get_full_name(),
        chat=ChatState.get_full_name(),
        hydrate=format.format_event_handler(rx.State.hydrate_and_load),
        send=format.format_event_handler(ChatState.send),
        new_conversation=format.format_event_handler(ChatState.new_conversation),
        session_cookie_var=f"{SessionState.get_full_name()}.session_token{FIELD_MARKER}",
        hydrated_var=f"is_hydrated{FIELD_MARKER}",
        messages_var=f"messages{FIELD_MARKER}",
        sending_var=f"sending{FIELD_MARKER}",
        cookie_name=SESSION_COOKIE,
        endpoint=f"/{Endpoint.EVENT.value}",
    )


# ---------------------------------------------------------------- accounts
@dataclass(frozen=True)
class Account:
    user_id: int
    email: str
    session_token: str


def provision(ctx: Context, count: int, prefix: str) -> list[Account]:
    """Sign up ``count`` users, sign each in and connect Microsoft 365 with sandbox-minted tokens."""
    from crm_app.microsoft.oauth import TokenGrant
    from crm_app.microsoft.vault import store_grant
    from crm_app.services import auth
    from crm_app.services.integrations import requested_scopes

    ctx.use_app_settings()
    scopes = [*requested_scopes(), "offline_access"]
    run = uuid.uuid4().hex[:8]
    accounts = []
    with httpx.Client(base_url=ctx.sandbox_url, timeout=30) as sandbox:
        for index in range(count):
            email = f"{prefix}-{run}-{index}@bench.example"
            auth.sign_up(email, PASSWORD, f"Bench User {index}", "Europe/London")
            user, session_token = auth.sign_in(email, PASSWORD)
            minted = sandbox.post("/_admin/tokens", json={"user": MAILBOX, "scopes": scopes, "lifetime": TOKEN_LIFETIME_S})
            minted.raise_for_status()
            tokens = minted.json()
            store_grant(user.id, TokenGrant(
                access_token=tokens["access_token"], refresh_token=tokens.get("refresh_token"),
                expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=int(tokens["expires_in"])),
                scopes=tuple(tokens["scope"].split()), account_email=MAILBOX, account_name=MAILBOX_NAME))
            accounts.append(Account(user.id, email, session_token))
    return accounts


# ---------------------------------------------------------------- one simulated browser tab
@dataclass
class TurnOutcome:
    text: str
    ms: float
    error: str | None = None


class SimulatedUser:
    """A /chat tab on the app's websocket: keeps the chat state the deltas describe."""

    def __init__(self, app_url: str, account: Account, names: Wire) -> None:
        self.app_url = app_url
        self.account = account
        self.names = names
        self.tab_token = str(uuid.uuid4())
        self.messages: list[dict[str, Any]] = []
        self.sending = False
        self.hydrated = False
        self.redirects: list[str] = []
        self.closed_reason = ""
        self.changed = asyncio.Event()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._on_update, namespace=names.endpoint)
        self.sio.on("disconnect", self._on_disconnect, namespace=names.endpoint)

    async def _on_update(self, update: dict[str, Any]) -> None:
        delta = update.get("delta") or {}
        chat = delta.get(self.names.chat) or {}
        if self.names.messages_var in chat:
            self.messages = chat[self.names.messages_var]
        if self.names.sending_var in chat:
            self.sending = bool(chat[self.names.sending_var])
        root = delta.get(self.names.root) or {}
        if self.names.hydrated_var in root:
            self.hydrated = bool(root[self.names.hydrated_var])
        for event in update.get("events") or []:
            if str(event.get("name", "")).endswith("_redirect"):
                self.redirects.append(str((event.get("payload") or {}).get("path", "")))
        self.changed.set()

    async def _on_disconnect(self, reason: object = None) -> None:
        self.closed_reason = str(reason or "closed")
        self.changed.set()

    def _router_data(self) -> dict[str, str]:
        return {"pathname": CHAT_PATH, "asPath": CHAT_PATH}

    async def wait_for(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        """Wait until the state the deltas built satisfies ``condition``."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if self.closed_reason:
                raise BenchmarkError(f"the websocket closed ({self.closed_reason}) while waiting for {what}")
            if self.redirects:
                raise BenchmarkError(f"the app redirected to {self.redirects[-1]} while waiting for {what}")
            self.changed.clear()
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise BenchmarkError(f"no {what} within {timeout:.0f} s")
            try:
                await asyncio.wait_for(self.changed.wait(), remaining)
            except TimeoutError:
                continue

    async def open(self) -> None:
        """Connect with the hydrate event in the CONNECT packet, as the browser does, and wait until hydrated."""
        boot = {"name": self.names.hydrate,
                "payload": {"vars": {self.names.session_cookie_var: self.account.session_token}},
                "router_data": self._router_data()}
        await self.sio.connect(f"{self.app_url}?token={self.tab_token}", transports=["websocket"],
                               socketio_path=self.names.endpoint, namespaces=[self.names.endpoint], auth={"event": boot},
                               headers={"Cookie": f"{self.names.cookie_name}={self.account.session_token}"},
                               wait_timeout=CONNECT_TIMEOUT_S)
        await self.wait_for(lambda: self.hydrated, CONNECT_TIMEOUT_S, "hydrated /chat page")

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()

    async def emit(self, name: str, payload: dict[str, Any]) -> None:
        await self.sio.emit("event", {"name": name, "payload": payload, "router_data": self._router_data()},
                            namespace=self.names.endpoint)

    async def turn(self, command: Command) -> TurnOutcome:
        """Send one message; time it until the final card arrives; then wait until the input is free again."""
        before = len(self.messages)

        def final() -> bool:
            return len(self.messages) >= before + 2 and self.messages[-1].get("status") in FINAL_STATUSES

        started = time.perf_counter()
        await self.emit(self.names.send, {"form": {"message": command.text}})
        try:
            await self.wait_for(final, TURN_TIMEOUT_S, "final card")
        except BenchmarkError as exc:
            return TurnOutcome(command.text, (time.perf_counter() - started) * 1000, str(exc))
        elapsed = (time.perf_counter() - started) * 1000
        last = self.messages[-1]
        kinds = {str(card.get("kind")) for card in last.get("cards") or []}
        error = None
        if last.get("status") != "done":
            error = f"the turn failed: {str(last.get('text', ''))[:160]}"
        elif command.card not in kinds:
            error = f"no {command.card} card in the answer (cards: {sorted(kinds) or 'none'})"
        try:
            await self.wait_for(lambda: not self.sending, TURN_TIMEOUT_S, "input ready for the next message")
        except BenchmarkError as exc:
            error = error or str(exc)
        return TurnOutcome(command.text, elapsed, error)

    async def new_conversation(self) -> None:
        await self.emit(self.names.new_conversation, {})
        await self.wait_for(lambda: not self.messages, TURN_TIMEOUT_S, "new conversation")


# ---------------------------------------------------------------- load
@dataclass
class LoadResult:
    users: int
    turns: list[TurnOutcome] = field(default_factory=list)
    connect_errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    cpu_s: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> list[str]:
        return self.connect_errors + [t.error for t in self.turns if t.error]

    @property
    def samples_ms(self) -> list[float]:
        return [t.ms for t in self.turns if not t.error]

    @property
    def turns_per_second(self) -> float:
        return len(self.turns) / self.wall_s if self.wall_s else float("nan")


async def drive(user: SimulatedUser, turns: int, script: Sequence[Command] = SCRIPT) -> list[TurnOutcome]:
    """Send ``turns`` messages back to back, starting a new conversation after each pass of the script."""
    outcomes = []
    for index in range(turns):
        outcomes.append(await user.turn(script[index % len(script)]))
        if index % len(script) == len(script) - 1 and index + 1 < turns:
            await user.new_conversation()
    return outcomes


async def load(ctx: Context, accounts: Sequence[Account], turns_per_user: int, names: Wire | None = None) -> LoadResult:
    """All users connect, then send their turns at the same time (closed loop, no think time)."""
    if ctx.app_url is None:
        raise BenchmarkError("The chat benchmark needs the app; start it with the shared processes.")
    names = names or wire()
    users = [SimulatedUser(ctx.app_url, account, names) for account in accounts]
    result = LoadResult(users=len(users))
    opened = await asyncio.gather(*(user.open() for user in users), return_exceptions=True)
    ready = []
    for user, outcome in zip(users, opened):
        if isinstance(outcome, BaseException):
            result.connect_errors.append(f"connect: {type(outcome).__name__}: {outcome}")
        else:
            ready.append(user)
    try:
        cpu_before = cpu_seconds_by_name(ctx.pids)
        started = time.perf_counter()
        per_user = await asyncio.gather(*(drive(user, turns_per_user) for user in ready))
        result.wall_s = time.perf_counter() - started
        cpu_after = cpu_seconds_by_name(ctx.pids)
        result.cpu_s = {name: cpu_after[name] - cpu_before.get(name, 0.0) for name in cpu_after}
        result.turns = [outcome for outcomes in per_user for outcome in outcomes]
    finally:
        await asyncio.gather(*(user.close() for user in users), return_exceptions=True)
    return result


def sandbox_requests(sandbox_url: str) -> dict[str, Any]:
    return httpx.get(f"{sandbox_url}/_admin/stats", timeout=10).json()


# ---------------------------------------------------------------- the comparison: the engine alone
async def engine_alone(ctx: Context, account: Account, turns: int) -> list[float]:
    """The same script through ``services.assistant.send_message`` in this process (no Reflex, no websocket).

    One unmeasured pass first opens this process's MCP session, as the warm-up turns do for the app.
    """
    from crm_app.services import assistant, auth, conversations
    from crm_app.services.mcp_runtime import shutdown

    ctx.use_app_settings()
    user = await asyncio.to_thread(auth.resolve_session, account.session_token)
    if user is None:
        raise BenchmarkError("The benchmark user's session is not valid in the app's database.")
    samples: list[float] = []
    try:
        for index in range(len(SCRIPT) + turns):
            command = SCRIPT[index % len(SCRIPT)]
            if index % len(SCRIPT) == 0:
                conversation = await asyncio.to_thread(conversations.create, user.id)
            started = time.perf_counter()
            turn = await assistant.send_message(user, conversation["id"], command.text)
            if index >= len(SCRIPT):
                samples.append((time.perf_counter() - started) * 1000)
            if turn.status != "done":
                raise BenchmarkError(f"The engine failed {command.text!r}: {turn.text}")
    finally:
        await shutdown()
    return samples


# ---------------------------------------------------------------- the section
def first_errors(errors: Sequence[str]) -> str:
    shown = sorted(set(errors))[:ERROR_EXAMPLES]
    return "; ".join(shown)


def cpu_note(result: LoadResult) -> str:
    spent = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in sorted(result.cpu_s.items(), key=lambda kv: -kv[1]))
    return (f"CPU used during the {result.users}-user run ({result.wall_s:.1f} s wall, "
            f"{result.wall_s * (os.cpu_count() or 1):.0f} CPU-s available): {spent}.")


async def measure(ctx: Context) -> dict[str, Any]:
    plan = QUICK_TURNS_PER_USER if ctx.quick else TURNS_PER_USER
    names = wire()
    accounts = await asyncio.to_thread(provision, ctx, max(LEVELS) + 1, "chat")
    engine_account, users = accounts[0], accounts[1:]
    results: dict[int, LoadResult] = {}
    before = await asyncio.to_thread(sandbox_requests, ctx.sandbox_url)
    with mailbox_limit_lifted(ctx.sandbox_url):
        # One turn per user first, so measured turns do not pay for each user's first MCP session and tool listing.
        await load(ctx, users, 1, names)
        for level in LEVELS:
            results[level] = await load(ctx, users[:level], plan[level], names)
        with sampling(ctx.pids["app"], ctx.log_dir / "bench_chat.profile.txt", gil=True) as profile:
            await load(ctx, users[:max(LEVELS)], plan[max(LEVELS)], names)
        engine = await engine_alone(ctx, engine_account, plan[1])
    after = await asyncio.to_thread(sandbox_requests, ctx.sandbox_url)
    return {"results": results, "engine_ms": engine, "profile": profile,
            "sandbox": {"requests": after["requests_total"] - before["requests_total"],
                        "throttled": after["throttled"] - before["throttled"]}}


def profile_notes(profile: Profile, users: int) -> list[str]:
    """The profile's top entries: where the app's processes spent their samples."""
    if profile.error:
        return [f"Profile of the {users}-user pass: not taken, {profile.error}."]
    own = "; ".join(f"`{frame}` {profile.share(n)}" for frame, n in profile.top_own(PROFILE_TOP))
    app = "; ".join(f"`{frame}` {profile.share(n)}" for frame, n in profile.top_app(PROFILE_TOP))
    return [
        (f"Profile: one more {users}-user pass, not timed, sampled by py-spy at 200 Hz over the app's processes "
         f"({profile.samples} samples of the thread holding the GIL, which is where the one backend worker's "
         f"CPU goes; threads waiting in a database call or on a lock are not counted). Own time, top {PROFILE_TOP}: "
         f"{own}."),
        f"Profile, the app's own functions by time on the stack (own + callees), top {PROFILE_TOP}: {app}.",
    ]


def section(figures: dict[str, Any]) -> Section:
    results: dict[int, LoadResult] = figures["results"]
    engine = summary(figures["engine_ms"])
    one = summary(results[LEVELS[0]].samples_ms)
    rows = []
    raw: dict[str, Any] = {"engine_alone": engine, "sandbox": figures["sandbox"]}
    for level, result in results.items():
        s = summary(result.samples_ms)
        if level == LEVELS[0]:
            against = f"turn engine alone, in-process: {p50_p95(engine)}"
        else:
            against = f"1 user: {p50_p95(one)}"
        if level in CHAT_P95_MS:
            against += f"; target p95 < {ms(CHAT_P95_MS[level])}"
        rows.append([f"chat turn, {level} concurrent user{'s' if level > 1 else ''} (send → final card)",
                     ms(s["p50"]), ms(s["p95"]), str(len(result.turns)), against, str(len(result.errors)),
                     f"{result.turns_per_second:.1f}"])
        raw[f"users_{level}"] = {**s, "turns": len(result.turns), "errors": result.errors, "wall_s": result.wall_s,
                                 "turns_per_second": result.turns_per_second, "cpu_s": result.cpu_s}
    rows.append(figure_row("turn engine alone, in-process (no Reflex, no websocket)", engine,
                           "the 1-user row: what the app's event path adds") + ["0", ""])
    notes = [
        ("Script per user, repeated: " + " → ".join(f"“{c.text}”" for c in SCRIPT)
         + "; a new conversation after each pass. Users send back to back (no think time); the keystroke "
         "events a browser also sends while typing (`set_draft`) are not simulated."),
        "An error is a turn that failed, timed out, or answered without the expected card; errors are left out of p50/p95.",
        ("Every simulated user reads Avery Chen's demo mailbox, so the sandbox's per-mailbox concurrency limit "
         "(Graph's 4 in flight) is lifted during the run; the sandbox answered "
         f"{figures['sandbox']['requests']} requests and throttled {figures['sandbox']['throttled']}."),
    ]
    top = results[max(results)]
    if top.cpu_s:
        notes.append(cpu_note(top) + " The simulated browsers (bench) share the same cores.")
    for level, result in results.items():
        if result.errors:
            notes.append(f"{level} user(s), {len(result.errors)} error(s), e.g.: {first_errors(result.errors)}")
    if "profile" in figures:
        notes += profile_notes(figures["profile"], max(results))
        raw["profile"] = {"samples": figures["profile"].samples, "own": figures["profile"].top_own(PROFILE_TOP),
                          "app": figures["profile"].top_app(PROFILE_TOP)}
    empty = [str(level) for level, result in results.items() if not result.samples_ms]
    return Section(
        title="Chat turn time through the app's websocket (bench_chat)",
        header=["measure", "p50", "p95", "turns", "compared with", "errors", "turns/s"],
        rows=rows, notes=notes, figures=raw,
        error=f"no chat turn completed with {' or '.join(empty)} user(s); the notes show why" if empty else None,
    )


def run(ctx: Context) -> Section:
    return section(asyncio.run(measure(ctx)))


def main(argv: Sequence[str] | None = None) -> int:
    from bench.run_all import standalone

    return standalone(run, argv, description=__doc__.splitlines()[0])


if __name__ == "__main__":
    import sys

    sys.exit(main())
