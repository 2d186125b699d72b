"""Exponential backoff with full jitter between retries of failed transport attempts, as tenacity wait strategies."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from tenacity import RetryCallState
from tenacity.wait import wait_base, wait_exponential

DEFAULT_BASE_SECONDS = 0.2
DEFAULT_FACTOR = 2.0
DEFAULT_CAP_SECONDS = 2.0


def _state_at(attempt_number: int) -> RetryCallState:
    state = RetryCallState(None, None, (), {})
    state.attempt_number = attempt_number
    return state


@dataclass(frozen=True)
class Backoff:
    """Delay before retry number ``attempt`` (0-based): uniform in ``[0, min(cap, base * factor**attempt)]``.

    Full jitter spreads the retries of many clients so a recovering server is not hit by
    all of them at once. The ceiling is tenacity's ``wait_exponential``; ``strategy`` gives
    the jittered wait for a tenacity retry loop, with the randomness passed in.
    """

    base: float = DEFAULT_BASE_SECONDS
    factor: float = DEFAULT_FACTOR
    cap: float = DEFAULT_CAP_SECONDS

    def _exponential(self) -> wait_exponential:
        return wait_exponential(multiplier=self.base, exp_base=self.factor, max=self.cap)

    def ceiling(self, attempt: int) -> float:
        return self._exponential()(_state_at(max(0, attempt) + 1))

    def delay(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        return rand() * self.ceiling(attempt)

    def strategy(self, rand: Callable[[], float] = random.random) -> FullJitter:
        return FullJitter(self._exponential(), rand)


class FullJitter(wait_base):
    """A tenacity wait: a random share (``rand()``) of an exponential ceiling."""

    def __init__(self, ceiling: wait_base, rand: Callable[[], float]) -> None:
        self._ceiling = ceiling
        self._rand = rand

    def __call__(self, retry_state: RetryCallState) -> float:
        return self._rand() * self._ceiling(retry_state)
