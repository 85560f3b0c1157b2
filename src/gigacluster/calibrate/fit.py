"""Fit the model's efficiency curves to measurements, in the model's own functional forms.

- Training GEMM (``training/costs.py``): t = F / (P·e) + o  →  ``gemm.efficiency_max``, ``gemm.overhead_s``.
- Serving GEMM (``inference/step_cost.py``): t = F·(M + h) / (P·e·M)  →  ``gemm_eff``, ``gemm_half_tokens``.
- Attention: t = F / (P·e_gemm·r) forward, backward = ratio × forward  →  ``relative_efficiency``,
  ``backward_ratio``; serving ``attn_eff`` = F / (P·t).
- Bandwidth: t = bytes / (B·η)  →  ``hbm_efficiency`` / ``hbm_eff``.
- Collectives (``comm/collectives.py``): t = 2·log2(n)·α + β / (B·s·m/(m + m½))  →  ``latency_us``,
  ``scaleup_efficiency``, ``half_efficiency_mb``.
All are linear in a reparametrisation and are solved by least squares on *relative* error with
non-negative coefficients (an active-set loop). Shapes of the model layer (role ≠ ``grid``) are
held out of the GEMM fit and reported separately.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict

from gigacluster.calibrate.device import DeviceInfo
from gigacluster.calibrate.records import AttentionPoint, BandwidthPoint, CollectivePoint, GemmPoint, Measurements

F = np.ndarray
MAX_EFFICIENCY = 2.0  # a fitted fraction of the reference peak above this is noise or a wrong reference
# Outliers: after a first fit, points off by more than max(OUTLIER_FLOOR, OUTLIER_K × the median relative
# residual) are left out of one refit, at most OUTLIER_SHARE of them (a contended sample, a clock dip).
OUTLIER_FLOOR, OUTLIER_K, OUTLIER_SHARE = 0.25, 3.0, 0.25


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FitQuality(_Frozen):
    """Absolute percentage errors of the fitted form against the measured medians."""

    points: int
    median_ape: float
    max_ape: float
    outliers: int = 0  # points left out of the refit (still counted in the errors above)
    holdout_points: int = 0
    holdout_median_ape: float | None = None
    holdout_max_ape: float | None = None


class GemmFit(_Frozen):
    precision: str
    efficiency: float
    overhead_s: float
    training: FitQuality
    serving_efficiency: float
    half_tokens: float
    serving: FitQuality
    measurements: list[str]


class AttentionFit(_Frozen):
    relative_efficiency: float
    serving_efficiency: float
    backward_ratio: float
    quality: FitQuality
    measurements: list[str]


class BandwidthFit(_Frozen):
    efficiency: float
    quality: FitQuality
    measurements: list[str]


class CommFit(_Frozen):
    latency_us: float
    scaleup_efficiency: float
    half_efficiency_mb: float
    quality: FitQuality
    measurements: list[str]


class FitResult(_Frozen):
    main_precision: str | None
    gemm: dict[str, GemmFit]
    low_precision_factor: float | None = None
    attention: AttentionFit | None = None
    bandwidth: BandwidthFit | None = None
    comm: CommFit | None = None
    launch_s: float | None = None
    dispatch_s: float | None = None  # host seconds per eager op with autograd recording
    not_fitted: list[str] = []


def nonneg_relative_lstsq(x: F, t: F) -> F:
    """c ≥ 0 minimising Σ(1 − x_i·c / t_i)²: least squares on relative error (active set)."""
    w = x / t[:, None]
    active = np.ones(x.shape[1], dtype=bool)
    coef = np.zeros(x.shape[1])
    while active.any():
        sol, *_ = np.linalg.lstsq(w[:, active], np.ones(t.size), rcond=None)
        if (sol >= 0).all():
            coef[active] = sol
            return coef
        idx = np.flatnonzero(active)[np.argmin(sol)]
        active[idx] = False
    return coef


def robust_relative_lstsq(x: F, t: F) -> tuple[F, int]:
    """:func:`nonneg_relative_lstsq`, refitted once without the worst outliers; (coefficients, outliers)."""
    coef = nonneg_relative_lstsq(x, t)
    r = np.abs(x @ coef / t - 1.0)
    out = r > max(OUTLIER_FLOOR, OUTLIER_K * float(np.median(r)))
    if not out.any() or out.sum() > OUTLIER_SHARE * t.size or t.size - out.sum() <= x.shape[1]:
        return coef, 0
    return nonneg_relative_lstsq(x[~out], t[~out]), int(out.sum())


def quality(pred: F, meas: F, holdout: tuple[F, F] | None = None, outliers: int = 0) -> FitQuality:
    ape = np.abs(pred / meas - 1.0)
    q = FitQuality(points=ape.size, median_ape=float(np.median(ape)), max_ape=float(ape.max()), outliers=outliers)
    if holdout is None or holdout[0].size == 0:
        return q
    h = np.abs(holdout[0] / holdout[1] - 1.0)
    return q.model_copy(update={"holdout_points": h.size, "holdout_median_ape": float(np.median(h)),
                                "holdout_max_ape": float(h.max())})


def _arrays(points: list[GemmPoint]) -> tuple[F, F, F]:
    return (np.array([p.flops for p in points]), np.array([float(p.m) for p in points]),
            np.array([p.timing.median_s for p in points]))


def fit_gemm(points: list[GemmPoint], peak_flops: float, training_min_m: int = 1) -> GemmFit | None:
    """Both GEMM forms for one precision; fitted on role ``grid``, checked on the layer shapes.
    None when the times do not grow with FLOPs enough for an efficiency ≤ MAX_EFFICIENCY to fit them."""
    fit_pts = [p for p in points if p.role == "grid"] or points
    held = [p for p in points if p.role != "grid" and fit_pts is not points]
    f, m, t = _arrays(fit_pts)
    hf, hm, ht = _arrays(held) if held else (np.zeros(0),) * 3
    big = m >= training_min_m if (m >= training_min_m).sum() >= 2 else np.ones_like(m, dtype=bool)
    (a, o), n_train = robust_relative_lstsq(np.column_stack([f[big], np.ones(int(big.sum()))]), t[big])
    (sa, sb), n_serve = robust_relative_lstsq(np.column_stack([f, f / m]), t)
    if min(a, sa) * peak_flops * MAX_EFFICIENCY <= 1.0:
        return None
    train = quality(a * f[big] + o, t[big], (a * hf + o, ht), n_train)
    serve = quality(sa * f + sb * f / m, t, (sa * hf + sb * hf / np.maximum(hm, 1.0), ht), n_serve)
    return GemmFit(precision=points[0].precision, efficiency=1.0 / (a * peak_flops), overhead_s=float(o),
                   training=train, serving_efficiency=1.0 / (sa * peak_flops), half_tokens=float(sb / sa),
                   serving=serve, measurements=[p.id for p in fit_pts])


def fit_attention(points: list[AttentionPoint], peak_flops: float, gemm_eff: float) -> AttentionFit | None:
    fwd = [p for p in points if p.phase == "fwd"]
    bwd = {(p.batch, p.seq_len, p.head_dim): p.timing.median_s for p in points if p.phase == "bwd"}
    if not fwd:
        return None
    f = np.array([p.forward_flops for p in fwd])
    t = np.array([p.timing.median_s for p in fwd])
    (a,), n_out = robust_relative_lstsq(f[:, None], t)
    ratios = [bwd[(p.batch, p.seq_len, p.head_dim)] / p.timing.median_s for p in fwd
              if (p.batch, p.seq_len, p.head_dim) in bwd]
    eff = 1.0 / (a * peak_flops)
    return AttentionFit(relative_efficiency=eff / gemm_eff, serving_efficiency=eff,
                        backward_ratio=float(np.median(ratios)) if ratios else 2.5,
                        quality=quality(a * f, t, outliers=n_out), measurements=[p.id for p in points])


def fit_bandwidth(points: list[BandwidthPoint], mem_bytes_per_s: float) -> BandwidthFit | None:
    if not points:
        return None
    b = np.array([p.bytes_moved for p in points])
    t = np.array([p.timing.median_s for p in points])
    (a,), n_out = robust_relative_lstsq(b[:, None], t)
    if a * mem_bytes_per_s * MAX_EFFICIENCY <= 1.0:
        return None
    return BandwidthFit(efficiency=1.0 / (a * mem_bytes_per_s), quality=quality(a * b, t, outliers=n_out),
                        measurements=[p.id for p in points])


def bus_bytes_and_message(p: CollectivePoint) -> tuple[float, float, float]:
    """(latency steps, bus bytes β, message bytes m) exactly as :mod:`gigacluster.comm` costs ``p``."""
    n, s = float(p.ranks), p.size_bytes
    if p.op == "send_recv":
        return 1.0, s, s
    if p.op == "all_reduce":
        return 2.0 * np.log2(n), 2.0 * (n - 1) / n * s, s
    return 2.0 * np.log2(n), (n - 1) / n * s, s / n


def fit_comm(points: list[CollectivePoint], scaleup_gbps: float) -> CommFit | None:
    """t = steps·α + β/(B·s) + β·m½/(B·s·m): linear in (α, 1/s, m½/s)."""
    if len(points) < 3:
        return None
    steps, beta, msg = (np.array(v) for v in zip(*(bus_bytes_and_message(p) for p in points), strict=True))
    t = np.array([p.timing.median_s for p in points])
    bw = scaleup_gbps * 1e9
    x = np.column_stack([steps, beta / bw, beta / (bw * msg)])
    c, n_out = robust_relative_lstsq(x, t)
    if c[1] <= 0:
        return None
    return CommFit(latency_us=float(c[0] * 1e6), scaleup_efficiency=float(1.0 / c[1]),
                   half_efficiency_mb=float(c[2] / c[1] / 1e6), quality=quality(x @ c, t, outliers=n_out),
                   measurements=[p.id for p in points])


def _main_precision(gemm: dict[str, GemmFit]) -> str | None:
    for p in ("bf16", "fp16", "fp32"):
        if p in gemm:
            return p
    return next(iter(gemm), None)


def fit_all(meas: Measurements, dev: DeviceInfo, training_min_m: int = 1) -> FitResult:
    """Every fit the measurements allow; a kind with no points (or no reference peak) is left out.
    The training GEMM form is fitted on grid shapes with at least ``training_min_m`` rows."""
    by_prec: dict[str, list[GemmPoint]] = {}
    for p in meas.gemm:
        by_prec.setdefault(p.precision, []).append(p)
    fits = {k: fit_gemm(v, dev.peak_flops(k), training_min_m) for k, v in by_prec.items()}
    gemm = {k: v for k, v in fits.items() if v is not None}
    missing = [f"gemm/{k}: no efficiency ≤ {MAX_EFFICIENCY:g}× the reference peak fits the times (noise, "
               "contention or a wrong reference peak); no GEMM keys written"
               for k, v in fits.items() if v is None]
    main = _main_precision(gemm)
    low = next((p for p in ("fp8", "mxfp8", "nvfp4") if p in gemm), None)
    factor = gemm[low].efficiency / gemm[main].efficiency if low and main and main != low else None
    attn = None
    if main and meas.attention:
        attn = fit_attention(meas.attention, dev.peak_flops(meas.attention[0].precision), gemm[main].efficiency)
    bw = fit_bandwidth(meas.bandwidth, dev.mem_tbps * 1e12) if dev.mem_tbps else None
    launch = float(np.median([p.timing.median_s for p in meas.launch])) if meas.launch else None
    dispatch = float(np.median([p.timing.median_s for p in meas.dispatch])) if meas.dispatch else None
    comm = fit_comm(meas.collectives, dev.scaleup_gbps_per_dir) if dev.scaleup_gbps_per_dir else None
    if meas.bandwidth and dev.mem_tbps and bw is None:
        missing.append(f"bandwidth: more than {MAX_EFFICIENCY:g}× the reference memory rate; no HBM keys written")
    if meas.collectives and comm is None:
        missing.append("collectives: no positive bandwidth fits the times (or no scale-up rate); no comm keys")
    if meas.attention and attn is None:
        missing.append("attention: no 16-bit GEMM fit to relate it to; no attention keys written")
    return FitResult(main_precision=main, gemm=gemm, low_precision_factor=factor, attention=attn,
                     bandwidth=bw, comm=comm, launch_s=launch, dispatch_s=dispatch,
                     not_fitted=missing)
