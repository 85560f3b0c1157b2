"""Per-format low precision beyond the GEMM rate: quantisation passes and communication bytes.

``gemm.low_precision.<format>`` in calibration.yaml carries, per format (fp8, mxfp8, nvfp4):
``coverage`` and ``factor`` (the GEMM rate, :func:`gigacluster.training.costs.gemm_rate`),
``comm_bytes`` (bytes per element of the activations all-gathered for tensor/sequence parallelism
and dispatched to experts: Transformer Engine all-gathers the quantised GEMM input, DeepSeek-V3
§3.3.2 dispatches in FP8; reduce-scatters and the expert combine stay in BF16) and ``quant_bytes``
(extra HBM bytes written per quantised GEMM-input element: the column-wise copy the weight-gradient
GEMM reads, Transformer Engine's Float8Tensor/MXFP8Tensor keep row- and column-wise data; the
row-wise cast is fused into the producing layernorm or activation).
"""

from __future__ import annotations

import numpy as np

from gigacluster.training.calibration import Calibration, LowPrecisionCal
from gigacluster.training.dims import DTYPE_BYTES
from gigacluster.training.job import TrainingJob

F = np.ndarray


def low_precision(job: TrainingJob, cal: Calibration) -> LowPrecisionCal | None:
    """The job's low-precision format entry, or None for bf16/fp16/fp32 runs."""
    return cal.gemm.low_precision.get(job.precision)


def dispatch_bytes(job: TrainingJob, cal: Calibration) -> float:
    """Bytes per element of activations gathered (TP/SP) or dispatched (EP) before a GEMM."""
    low = low_precision(job, cal)
    return DTYPE_BYTES if low is None else low.comm_bytes


def quantise_s(job: TrainingJob, cal: Calibration, elements: F, hbm_bytes_per_s: float) -> F:
    """Seconds of the quantisation pass over ``elements`` GEMM-input elements (memory-bound)."""
    low = low_precision(job, cal)
    return np.asarray(elements, dtype=np.float64) * (0.0 if low is None else low.quant_bytes) / hbm_bytes_per_s
