"""Exponential backoff with full jitter between retries of failed transport attempts."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_BASE_SECONDS = 0.2
DEFAULT_FACTOR = 2.0
DEFAULT_CAP_SECONDS = 2.0


@dataclass(frozen=True)
class Backoff:
    """Delay before retry number ``attempt`` (0-based): uniform in ``[0, min(cap, base * factor**attempt)]``.

    Full jitter spreads the retries of many clients so a recovering server is not hit by
    all of them at once.
    """

    base: float = DEFAULT_BASE_SECONDS
    factor: float = DEFAULT_FACTOR
    cap: float = DEFAULT_CAP_SECONDS

    def ceiling(self, attempt: int) -> float:
        return min(self.cap, self.base * self.factor ** max(0, attempt))

    def delay(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        return rand() * self.ceiling(attempt)
