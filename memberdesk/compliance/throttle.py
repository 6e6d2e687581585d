"""Back-pressure on unauthenticated traffic, so a flood cannot starve signed-in users.

Public routes (sign-in, health check, API docs) and requests whose credentials fail share one
leaky bucket: beyond ``rate`` per second they wait (a sleeping coroutine costs the server almost
nothing), and a request that would wait longer than ``max_wait`` is answered 503 with
Retry-After after that wait. A flooding client is slowed to the bucket's rate instead of being
answered at full speed, while authenticated requests never touch the bucket.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aiolimiter import AsyncLimiter

from memberdesk.errors import MemberdeskError


class Busy(MemberdeskError):
    """Too much unauthenticated traffic right now: retry later (503)."""

    status_code = 503
    type = "unavailable"
    retry_after = 5


class AnonymousGate:
    """One bucket per process for traffic that proved no identity."""

    def __init__(self, rate: float, max_wait: float) -> None:
        self.rate = rate
        self.max_wait = max_wait
        self._loop: asyncio.AbstractEventLoop | None = None
        self._limiter = AsyncLimiter(rate, 1.0)

    def _bucket(self) -> AsyncLimiter:
        # A limiter's waiters and timer belong to one event loop. A server has one loop; an app
        # served again on a new loop (each test client starts its own) gets a fresh bucket.
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop, self._limiter = loop, AsyncLimiter(self.rate, 1.0)
        return self._limiter

    async def pass_through(self) -> None:
        """Wait for room in the bucket; 503 after ``max_wait``."""
        try:
            async with asyncio.timeout(self.max_wait):
                await self._bucket().acquire()
        except TimeoutError:
            raise Busy("the service is busy; try again in a few seconds") from None


# Argon2id takes ~64 MiB and ~0.1 s of CPU per check: a burst of sign-ins must not take every
# core and all the memory at once. Sign-in waits its turn instead.
_PASSWORD_SLOTS = threading.BoundedSemaphore(2)


@contextmanager
def password_slot() -> Iterator[None]:
    """Hold one of the few slots for a password hash or check."""
    with _PASSWORD_SLOTS:
        yield
