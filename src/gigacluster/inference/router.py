"""Routing requests across engine replicas (named strategies).

- ``round_robin``: replicas in turn (vLLM / SGLang router default without load information).
- ``least_outstanding``: the replica with the fewest requests waiting, prefilling or running
  (join-the-shortest-queue; SGLang router's "shortest queue", llm-d's load-aware scorer).
- ``kv_aware``: the replica with the most free KV cache tokens (NVIDIA Dynamo KV-aware router's
  load term; prefix overlap is not modelled per request, the hit rate is a workload property).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gigacluster.errors import GigaclusterError
from gigacluster.inference.simulator import Engine

Router = Callable[[Sequence[Engine], int], int]


def _outstanding(e: Engine) -> int:
    return len(e.waiting) + len(e.prefilling) + e.n_running


def round_robin() -> Router:
    state = [0]

    def route(engines: Sequence[Engine], rid: int) -> int:
        state[0] = (state[0] + 1) % len(engines)
        return state[0]

    return route


def least_outstanding() -> Router:
    def route(engines: Sequence[Engine], rid: int) -> int:
        return min(range(len(engines)), key=lambda i: _outstanding(engines[i]))

    return route


def kv_aware() -> Router:
    def route(engines: Sequence[Engine], rid: int) -> int:
        return max(range(len(engines)), key=lambda i: engines[i].cfg.kv_capacity_tokens - engines[i].kv_used
                   - sum(engines[i]._need(r) for r in engines[i].waiting))

    return route


ROUTERS: dict[str, Callable[[], Router]] = {
    "round_robin": round_robin, "least_outstanding": least_outstanding, "kv_aware": kv_aware,
}


def make_router(name: str) -> Router:
    if name not in ROUTERS:
        raise GigaclusterError("routing", f"unknown '{name}'; allowed: {', '.join(ROUTERS)}")
    return ROUTERS[name]()
