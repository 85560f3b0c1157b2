"""The bounded, caching runner: LRU cache, shared in-flight work, the concurrency and time limits."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from gigacluster.web import WebLimits
from gigacluster.web.runner import Busy, Runner, TimedOut


def test_cache_hits_and_lru_eviction() -> None:
    runner, calls = Runner(WebLimits(cache_entries=2)), []

    async def go() -> list[int]:
        out = []
        for key in ("a", "b", "a", "c", "b"):
            out.append(await runner.run(key, lambda k=key: calls.append(k) or len(calls)))
        return out

    assert asyncio.run(go()) == [1, 2, 1, 3, 4]  # "a" cached; "c" evicts "b" (least recent), so "b" recomputes
    assert calls == ["a", "b", "c", "b"] and runner.hits == 1
    runner.close()


def test_identical_requests_in_flight_share_one_computation() -> None:
    runner, calls = Runner(WebLimits()), []

    def slow() -> str:
        calls.append(1)
        time.sleep(0.2)
        return "done"

    async def go() -> list[str]:
        return list(await asyncio.gather(*(runner.run("same", slow) for _ in range(10))))

    assert asyncio.run(go()) == ["done"] * 10 and len(calls) == 1
    runner.close()


def test_busy_beyond_slots_and_queue() -> None:
    runner, gate = Runner(WebLimits(max_concurrent=1, max_waiting=1, timeout_s=5)), threading.Event()

    async def go() -> None:
        first = asyncio.ensure_future(runner.run("1", gate.wait))
        second = asyncio.ensure_future(runner.run("2", gate.wait))
        await asyncio.sleep(0.05)
        with pytest.raises(Busy):
            await runner.run("3", gate.wait)
        gate.set()
        await asyncio.gather(first, second)

    asyncio.run(go())
    runner.close()


def test_time_limit_answers_and_the_work_is_still_cached() -> None:
    runner = Runner(WebLimits(timeout_s=0.05))

    async def go() -> str:
        with pytest.raises(TimedOut):
            await runner.run("slow", lambda: time.sleep(0.3) or "late")
        await asyncio.sleep(0.5)
        return str(await runner.run("slow", lambda: "recomputed"))

    assert asyncio.run(go()) == "late"
    runner.close()
