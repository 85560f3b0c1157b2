"""Run the application layer off the event loop, bounded and cached.

* **Cache**: results (already JSON-ready) are kept in an LRU keyed by a hash of the endpoint and the
  validated request; identical requests in flight share one computation.
* **Concurrency**: at most ``max_concurrent`` computations run (a thread pool of that size); at most
  ``max_waiting`` more may queue; beyond that a request is answered 429 at once.
* **Time**: a request waits at most ``timeout_s`` (then 504). Python cannot stop a thread, so timed-out
  work finishes in the background and still holds its slot: the slots, not the clock, bound the load.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pydantic import BaseModel

from gigacluster.web.limits import WebLimits

JSON = Any
"""A result ready to send (the app caches its serialised JSON bytes)."""


class Busy(Exception):
    """Every slot and queue place is taken."""


class TimedOut(Exception):
    """The request's time limit passed before its result was ready."""


def request_key(endpoint: str, req: BaseModel) -> str:
    """The cache key of a validated request: SHA-256 of the endpoint and the request's canonical JSON."""
    return hashlib.sha256(f"{endpoint}\n{req.model_dump_json()}".encode()).hexdigest()


class Runner:
    """The bounded, caching executor one app holds."""

    def __init__(self, limits: WebLimits) -> None:
        self.limits = limits
        self.pool = ThreadPoolExecutor(max_workers=limits.max_concurrent, thread_name_prefix="gigacluster")
        self.cache: OrderedDict[str, JSON] = OrderedDict()
        self.inflight: dict[str, asyncio.Future[JSON]] = {}
        self.hits = self.misses = 0

    def _remember(self, key: str, value: JSON) -> None:
        if self.limits.cache_entries == 0:
            return
        self.cache[key] = value
        self.cache.move_to_end(key)
        while len(self.cache) > self.limits.cache_entries:
            self.cache.popitem(last=False)

    def _start(self, key: str, compute: Callable[[], JSON]) -> asyncio.Future[JSON]:
        if len(self.inflight) >= self.limits.max_concurrent + self.limits.max_waiting:
            raise Busy()
        future = asyncio.get_running_loop().run_in_executor(self.pool, compute)
        self.inflight[key] = future

        def done(f: asyncio.Future[JSON]) -> None:
            self.inflight.pop(key, None)
            if not f.cancelled() and f.exception() is None:
                self._remember(key, f.result())

        future.add_done_callback(done)
        return future

    async def run(self, key: str, compute: Callable[[], JSON]) -> JSON:
        """The cached result of ``key``, or ``compute()`` run in the pool under the limits."""
        if key in self.cache:
            self.hits += 1
            self.cache.move_to_end(key)
            return self.cache[key]
        self.misses += 1
        future = self.inflight.get(key) or self._start(key, compute)
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.limits.timeout_s)
        except TimeoutError:
            raise TimedOut() from None

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
