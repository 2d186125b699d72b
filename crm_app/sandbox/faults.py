"""Faults on demand (429, 503, latency, dropped connections) and Outlook's per-mailbox concurrency limit."""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from crm_app.sandbox.errors import BadRequest

DEFAULT_PATH_PREFIX = "/v1.0/"
DEFAULT_RETRY_AFTER_SECONDS = 1
FAULT_STATUSES = frozenset({429, 503})
MAX_LATENCY_MS = 120_000
OUTLOOK_SEGMENTS = frozenset(
    {"messages", "mailFolders", "sendMail", "events", "calendar", "calendars", "calendarView", "findMeetingTimes"}
)
_rule_ids = itertools.count(1)


@dataclass
class FaultRule:
    """One rule: which requests it matches, how often it fires, and what it does."""

    status: int | None = None
    every_nth: int | None = None
    burst: int | None = None
    retry_after: int = DEFAULT_RETRY_AFTER_SECONDS
    latency_ms: int = 0
    drop: bool = False
    path_prefix: str = DEFAULT_PATH_PREFIX
    user: str | None = None
    id: int = field(default_factory=lambda: next(_rule_ids))
    seen: int = 0
    fired: int = 0

    @classmethod
    def from_json(cls, body: Any) -> FaultRule:
        if not isinstance(body, dict):
            raise BadRequest("The fault rule must be a JSON object, e.g. {\"status\": 429, \"every_nth\": 3}.")
        known = {"status", "every_nth", "burst", "retry_after", "latency_ms", "drop", "path_prefix", "user"}
        unknown = sorted(set(body) - known)
        if unknown:
            raise BadRequest(f"Unknown fault rule field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(known))}.")
        retry_after = _optional_int(body, "retry_after", minimum=0)
        rule = cls(
            status=_optional_int(body, "status"),
            every_nth=_optional_int(body, "every_nth", minimum=1),
            burst=_optional_int(body, "burst", minimum=1),
            retry_after=DEFAULT_RETRY_AFTER_SECONDS if retry_after is None else retry_after,
            latency_ms=_optional_int(body, "latency_ms", minimum=0) or 0,
            drop=bool(body.get("drop", False)),
            path_prefix=str(body.get("path_prefix") or DEFAULT_PATH_PREFIX),
            user=str(body["user"]).lower() if body.get("user") else None,
        )
        if rule.status is not None and rule.status not in FAULT_STATUSES:
            raise BadRequest(f"'status' must be 429 or 503, not {rule.status}.")
        if rule.status is None and not rule.drop and not rule.latency_ms:
            raise BadRequest("A fault rule needs 'status' (429 or 503), 'latency_ms' or 'drop': true.")
        if rule.every_nth and rule.burst:
            raise BadRequest("Use either 'every_nth' or 'burst' in one rule, not both.")
        if rule.latency_ms > MAX_LATENCY_MS:
            raise BadRequest(f"'latency_ms' must be at most {MAX_LATENCY_MS}.")
        if not rule.path_prefix.startswith("/"):
            raise BadRequest("'path_prefix' must start with '/', e.g. /v1.0/me/messages.")
        return rule

    def matches(self, path: str, user: str | None) -> bool:
        return path.startswith(self.path_prefix) and (self.user is None or self.user == user)

    def fires(self) -> bool:
        """Count a matching request and say whether the rule acts on it."""
        self.seen += 1
        if self.every_nth:
            return self.seen % self.every_nth == 0
        if self.burst:
            return self.seen <= self.burst
        return True

    @property
    def spent(self) -> bool:
        return self.burst is not None and self.seen >= self.burst

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id, "status": self.status, "every_nth": self.every_nth, "burst": self.burst,
            "retry_after": self.retry_after, "latency_ms": self.latency_ms, "drop": self.drop,
            "path_prefix": self.path_prefix, "user": self.user, "seen": self.seen, "fired": self.fired,
        }


def _optional_int(body: dict[str, Any], key: str, minimum: int | None = None) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or (minimum is not None and value < minimum):
        bound = f" of at least {minimum}" if minimum is not None else ""
        raise BadRequest(f"'{key}' must be an integer{bound}.")
    return value


@dataclass
class FaultDecision:
    """What to do with one request."""

    latency_ms: int = 0
    status: int | None = None
    retry_after: int = DEFAULT_RETRY_AFTER_SECONDS
    drop: bool = False


class FaultInjector:
    """Holds the rules and the in-flight request count of each mailbox."""

    def __init__(self, concurrency_limit: int) -> None:
        self.rules: list[FaultRule] = []
        self.concurrency_limit = concurrency_limit
        self.in_flight: dict[str, int] = defaultdict(int)

    def add(self, rule: FaultRule) -> FaultRule:
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()

    def decide(self, path: str, user: str | None) -> FaultDecision:
        decision = FaultDecision()
        for rule in list(self.rules):
            if not rule.matches(path, user):
                continue
            if rule.fires():
                rule.fired += 1
                decision.latency_ms = max(decision.latency_ms, rule.latency_ms)
                if decision.status is None and not decision.drop:
                    decision.status = rule.status
                    decision.retry_after = rule.retry_after
                    decision.drop = rule.drop
            if rule.spent:
                self.rules.remove(rule)
        return decision

    @staticmethod
    def is_mailbox_path(path: str) -> bool:
        """Outlook resources (mail, calendar) of ``/me`` or ``/users/{id}``: subject to the concurrency limit."""
        parts = path.split("/")
        if len(parts) > 3 and parts[1] == "v1.0" and parts[2] == "me":
            return parts[3] in OUTLOOK_SEGMENTS
        if len(parts) > 4 and parts[1] == "v1.0" and parts[2] == "users":
            return parts[4] in OUTLOOK_SEGMENTS
        return False

    def enter(self, user: str) -> bool:
        """Start a mailbox request; False if the user already has the maximum in flight."""
        if self.concurrency_limit and self.in_flight[user] >= self.concurrency_limit:
            return False
        self.in_flight[user] += 1
        return True

    def leave(self, user: str) -> None:
        self.in_flight[user] -= 1
        if self.in_flight[user] <= 0:
            del self.in_flight[user]
