"""GEMM shape efficiency: tile and wave quantisation, vectorised over candidate layouts.

A GPU computes C[M×N] = A[M×K]·B[K×N] as output tiles of tm×tn, one per SM (thread block), run
in waves of ``units`` tiles at a time (NVIDIA, "Matrix Multiplication Background User's Guide",
§ "Dimension Quantization Effects": tile quantisation pads M and N up to whole tiles, wave
quantisation pads the tile count up to whole waves). The useful share of the work is

    q(M, N) = M·N / (⌈⌈M/tm⌉·⌈N/tn⌉ / units⌉ · units · tm·tn)

A large GEMM has q ≈ 1; the per-GPU slices of a small or highly tensor-parallel model do not
(hidden 1024 at TP 8: the QKV GEMM of 1,024 tokens is 8×3 tiles of 128 on 108 SMs, q = 0.22;
its best tile, 64×64, fills 96 of the 108 SMs at half rate, 0.44).
The library picks the tile: we take the best over the tile set {2t×t, t×2t, t×t, t×t/2, t/2×t,
t/2×t/2} of the part's full-rate tile edge t (catalog ``matrix_tile``); a tile smaller than
t×t re-reads its operands more often per FLOP and runs at its arithmetic-intensity share
tm·tn/(tm+tn) / (t/2) of full rate. Split-K is not modelled.

A layer's GEMMs run three passes (forward Y = XW, input gradient dX = dY·Wᵀ, weight gradient
dW = Xᵀ·dY) with the same FLOPs and output shapes T×N, T×K and K×N: the layer factor is the
FLOP-weighted harmonic mean over its GEMMs and passes. The calibrated GEMM efficiency is the
in-tile rate of a large GEMM; the step model divides it by this factor.

Parts without ``matrix_units`` (unpublished) get q = 1 (stated rule: no quantisation loss).
Unit counts: V100 80, A100 108, H100/H800/H200 SXM 132 SMs (NVIDIA Volta, A100 and H100
whitepapers); B200/GB200 148, B300/GB300 160 SMs (NVIDIA Blackwell / Blackwell Ultra technical
briefs); MI300X/MI325X 304, MI355X 256 CUs (AMD CDNA 3 / CDNA 4 whitepapers); TPU MXUs: v3 2×2,
v4 2×4, v5e 1×4, v5p 2×4 of 128×128, v6e 1×2 of 256×256 (Google Cloud TPU system architecture
docs); Trainium2 8 NeuronCores with a 128×128 tensor engine (AWS Neuron docs).
"""

from __future__ import annotations

import numpy as np

from gigacluster.hardware.accelerator import Accelerator

F = np.ndarray
# (tm, tn) multiples of the full-rate tile edge t
TILE_SHAPES: tuple[tuple[float, float], ...] = ((2, 1), (1, 2), (1, 1), (1, 0.5), (0.5, 1), (0.5, 0.5))


def tile_rate(tm: float, tn: float, t: float) -> float:
    """Rate of a tm×tn tile relative to the full-rate t×t tile: its arithmetic intensity share."""
    return min(1.0, (tm * tn / (tm + tn)) / (t / 2.0))


def useful_share(m: F, n: F, units: int, t: int) -> F:
    """Best q(M, N) × tile rate over the tile set (1 = no quantisation loss)."""
    best = np.zeros(np.broadcast(m, n).shape)
    for a, b in TILE_SHAPES:
        tm, tn = a * t, b * t
        tiles = np.ceil(m / tm) * np.ceil(n / tn)
        waves = np.ceil(tiles / units)
        best = np.maximum(best, m * n / (waves * units * tm * tn) * tile_rate(tm, tn, t))
    return best


def gemm_factor(acc: Accelerator, t: F, tp: F, shapes: tuple[tuple[float, float, bool], ...]) -> F:
    """Layer factor (≤ 1) of the GEMMs ``shapes`` = ((K, N, row_parallel) of each whole weight)
    run on ``t`` tokens, N split ``tp`` ways (column-parallel) or K (row-parallel): the
    FLOP-weighted harmonic mean of q over the GEMMs and their three passes. Evaluated on the
    grid of distinct token counts × TP degrees (candidates share few of them), then looked up."""
    t, tp = np.broadcast_arrays(np.asarray(t, dtype=np.float64), np.asarray(tp, dtype=np.float64))
    if not acc.matrix_units or not acc.matrix_tile or t.size == 0:
        return np.ones(t.shape)
    t_u, t_i = np.unique(t, return_inverse=True)
    p_u, p_i = np.unique(tp, return_inverse=True)
    tt, pp = (g.ravel() for g in np.meshgrid(t_u, p_u, indexing="ij"))
    table = _layer_factor(tt, pp, shapes, acc.matrix_units, acc.matrix_tile).reshape(t_u.size, p_u.size)
    return np.asarray(table[t_i.reshape(t.shape), p_i.reshape(t.shape)])


def _layer_factor(t: F, tp: F, shapes: tuple[tuple[float, float, bool], ...], units: int, edge: int) -> F:
    flops, slow = 0.0, np.zeros(t.shape)
    for k_full, n_full, row in shapes:
        split = k_full / tp if row else n_full / tp
        k, n = (split, np.full_like(split, n_full)) if row else (np.full_like(split, k_full), split)
        w = k_full * n_full
        flops += 3.0 * w
        slow = slow + w * (1.0 / useful_share(t, n, units, edge) + 1.0 / useful_share(t, k, units, edge)
                           + 1.0 / useful_share(k, n, units, edge))
    return np.asarray(flops / slow)
