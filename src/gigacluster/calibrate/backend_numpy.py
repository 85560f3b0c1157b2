"""CPU microbenchmarks with NumPy (its BLAS for GEMMs): fp32 GEMMs, copy / elementwise bandwidth,
and the per-call overhead of a trivial ufunc. No attention kernel and no collectives."""

from __future__ import annotations

import numpy as np

from gigacluster.calibrate.device import base_versions
from gigacluster.calibrate.records import AttentionPass, BandwidthOp, CollectivePoint, Timing
from gigacluster.calibrate.timing import Repetition, measure
from gigacluster.errors import GigaclusterError

_DTYPES = {"fp32": np.float32}


class NumpyBackend:
    name = "numpy"
    kind = "cpu"

    def __init__(self, device: str = "cpu") -> None:
        if device != "cpu":
            raise GigaclusterError("device", f"the numpy backend measures the CPU only; got '{device}', allowed: cpu")
        self._rng = np.random.default_rng(0)

    def device_name(self) -> str:
        import platform

        return f"{platform.machine()} CPU ({platform.processor() or 'unknown model'})"

    def versions(self) -> dict[str, str]:
        return base_versions()

    def precisions(self) -> tuple[str, ...]:
        return tuple(_DTYPES)

    def _rand(self, *shape: int, precision: str = "fp32") -> np.ndarray:
        return self._rng.standard_normal(shape, dtype=np.float32).astype(_DTYPES[precision])

    def gemm(self, m: int, n: int, k: int, precision: str, rep: Repetition) -> Timing:
        a, b = self._rand(m, k, precision=precision), self._rand(k, n, precision=precision)
        out = np.empty((m, n), dtype=_DTYPES[precision])
        return measure(lambda: np.matmul(a, b, out=out), rep)

    def attention(self, batch: int, heads: int, seq_len: int, head_dim: int, phase: AttentionPass,
                  rep: Repetition) -> Timing | None:
        return None

    def bandwidth(self, op: BandwidthOp, size_bytes: float, rep: Repetition) -> tuple[float, Timing]:
        """Copy reads + writes the buffer (2×); elementwise c = a + b reads two and writes one (3×)."""
        n = max(1, int(size_bytes // 4))
        a, b, c = self._rand(n), self._rand(n), np.empty(n, dtype=np.float32)
        if op == "copy":
            return 2.0 * a.nbytes, measure(lambda: np.copyto(c, a), rep)
        return 3.0 * a.nbytes, measure(lambda: np.add(a, b, out=c), rep)

    def launch(self, rep: Repetition) -> Timing:
        a = np.zeros(1, dtype=np.float32)
        return measure(lambda: np.add(a, 1.0, out=a), rep.model_copy(update={"min_sample_s": 1e-3}))

    def dispatch(self, ops: int, rep: Repetition) -> Timing:
        """One call: ``ops`` chained ufuncs on a one-element array (NumPy records no graph: the CPU
        analogue of the per-op host cost)."""
        a = np.zeros(1, dtype=np.float32)

        def chain() -> object:
            y = a
            for _ in range(ops):
                y = np.multiply(y, 1.0)
            return y

        return measure(chain, rep.model_copy(update={"min_sample_s": 1e-3}))

    def collectives(self, sizes_mb: tuple[float, ...], rep: Repetition) -> list[CollectivePoint]:
        return []
