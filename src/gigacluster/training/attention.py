"""Rate of the flash-attention core as a function of its shape.

The calibrated ``attention.relative_efficiency`` holds at a reference shape (sequence 4,096, head
dimension 128). Shorter sequences leave thread blocks idle (few query tiles per head) and narrow heads
do less work per loaded K/V tile, so the rate scales as s/(s + s½) and d/(d + d½), normalised at the
reference (FlashAttention-2, Dao 2023, Fig. 4-6; FlashAttention-3, Shah et al. 2024, Fig. 5).
"""

from __future__ import annotations

from gigacluster.llm.counts import qk_dim
from gigacluster.llm.spec import ModelSpec
from gigacluster.training.calibration import AttentionCal

REF_SEQ = 4096.0
REF_HEAD_DIM = 128.0


def saturation(x: float, half: float) -> float:
    """x / (x + half): the fraction of the asymptotic rate reached at size ``x``."""
    return x / (x + half)


def shape_factor(seq_len: float, head_dim: float, cal: AttentionCal) -> float:
    """Attention-core rate at (seq_len, head_dim) relative to the reference shape."""
    seq = saturation(seq_len, cal.half_seq) / saturation(REF_SEQ, cal.half_seq)
    head = saturation(head_dim, cal.half_head_dim) / saturation(REF_HEAD_DIM, cal.half_head_dim)
    return seq * head


def head_dim(model: ModelSpec) -> float:
    """Query/key width per head (MLA: nope + rope dimensions)."""
    return qk_dim(model) / model.heads
