"""Counters the admin API reports: requests by path, statuses, throttling."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Stats:
    """Request counters since start or the last reset."""

    requests_by_path: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    throttled: int = 0
    faults_injected: int = 0
    dropped: int = 0

    def record(self, path: str, status: int) -> None:
        self.requests_by_path[path] += 1
        self.statuses[status] += 1
        if status == 429:
            self.throttled += 1

    def reset(self) -> None:
        self.requests_by_path.clear()
        self.statuses.clear()
        self.throttled = self.faults_injected = self.dropped = 0

    def snapshot(self) -> dict[str, object]:
        return {
            "requests_total": sum(self.requests_by_path.values()),
            "requests_by_path": dict(self.requests_by_path),
            "statuses": {str(code): count for code, count in sorted(self.statuses.items())},
            "throttled": self.throttled,
            "faults_injected": self.faults_injected,
            "dropped_connections": self.dropped,
        }
