"""When a failed transport attempt is tried again, and after how long (a tenacity retry policy)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_base

from crm_app.mcp.breaker import BreakerState, CircuitBreaker
from crm_app.mcp.config import ServerConfig
from crm_app.mcp.errors import CircuitOpen, ServerUnavailable

logger = logging.getLogger(__name__)


def transport_retrying(
    *,
    retries: int,
    server: ServerConfig,
    user_id: int,
    breaker: CircuitBreaker,
    replay_safe: bool,
    jitter: wait_base,
    sleep: Callable[[float], Awaitable[None]],
) -> AsyncRetrying:
    """Up to ``retries`` more tries after a transport failure, unless the request may have reached the server and
    is not safe to send again, or the failure opened the server's breaker. A lost session is retried at once,
    other failures after ``jitter``."""

    def retryable(exc: BaseException) -> bool:
        return (
            isinstance(exc, ServerUnavailable)
            and not isinstance(exc, CircuitOpen)
            and not (exc.delivered and not replay_safe)
            and breaker.state is not BreakerState.OPEN
        )

    def wait(state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        return 0.0 if isinstance(failure, ServerUnavailable) and failure.session_lost else jitter(state)

    def log_retry(state: RetryCallState) -> None:
        failure = state.outcome.exception() if state.outcome else None
        logger.info(
            "retrying %s for user %s after a transport failure (%s), attempt %d",
            server.id,
            user_id,
            getattr(failure, "detail", None),
            state.attempt_number,
        )

    async def pause(seconds: float) -> None:
        if seconds:
            await sleep(seconds)

    return AsyncRetrying(
        stop=stop_after_attempt(retries + 1),
        retry=retry_if_exception(retryable),
        wait=wait,
        sleep=pause,
        before_sleep=log_retry,
        reraise=True,
    )
