"""The measuring backends as a registry of named strategies. Each implements :class:`Backend`;
``torch`` is imported only when chosen (optional extra ``gigacluster[device]``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from gigacluster.calibrate.records import AttentionPass, BandwidthOp, CollectivePoint, Timing
from gigacluster.calibrate.timing import Repetition
from gigacluster.errors import GigaclusterError, unknown


class Backend(Protocol):
    """One device as the microbenchmarks see it."""

    name: str
    kind: str  # "cpu" or "gpu": which grid applies

    def device_name(self) -> str: ...
    def versions(self) -> dict[str, str]: ...
    def precisions(self) -> tuple[str, ...]: ...
    def gemm(self, m: int, n: int, k: int, precision: str, rep: Repetition) -> Timing: ...
    def attention(self, batch: int, heads: int, seq_len: int, head_dim: int, phase: AttentionPass,
                  rep: Repetition) -> Timing | None: ...
    def bandwidth(self, op: BandwidthOp, size_bytes: float, rep: Repetition) -> tuple[float, Timing]: ...
    def launch(self, rep: Repetition) -> Timing: ...
    def dispatch(self, ops: int, rep: Repetition) -> Timing: ...
    def collectives(self, sizes_mb: tuple[float, ...], rep: Repetition) -> list[CollectivePoint]: ...


def _numpy(device: str) -> Backend:
    from gigacluster.calibrate.backend_numpy import NumpyBackend

    return NumpyBackend(device)


def _torch(device: str) -> Backend:
    try:
        from gigacluster.calibrate.backend_torch import TorchBackend
    except ImportError as exc:
        raise GigaclusterError("backend", "torch is not installed; pip install 'gigacluster[device]' "
                               f"or use --backend numpy ({exc})") from exc
    return TorchBackend(device)


BACKENDS: dict[str, Callable[[str], Backend]] = {"numpy": _numpy, "torch": _torch}


def get_backend(name: str, device: str) -> Backend:
    if name not in BACKENDS:
        raise unknown("backend", name, BACKENDS)
    return BACKENDS[name](device)
