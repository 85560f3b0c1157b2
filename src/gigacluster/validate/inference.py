"""Predict every published serving case and report the errors (``gigacluster validate inference``).

Offline rows: the maximum throughput of the chosen layout (closed form, :mod:`..inference.throughput`).
Server / interactive rows: the highest throughput the simulator finds within the row's p99 TTFT
and TPOT limits (:mod:`..inference.slo`). Latency rows: the single-request latency.
ape = |predicted - measured| / measured.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from pathlib import Path

from pydantic import ConfigDict

from gigacluster.catalog import get_accelerator
from gigacluster.errors import GigaclusterError
from gigacluster.inference.calibration import ServingCalibration, load_calibration
from gigacluster.inference.fleet import fleet_day, load_profile, pool_day
from gigacluster.inference.layout import ServingLayout
from gigacluster.inference.options import MtpSpec
from gigacluster.inference.pools import DecodePool, PrefillPool, decode_pool, prefill_pool
from gigacluster.inference.search import best_layout, default_kv_precision, rank_layouts
from gigacluster.inference.simulator import EngineConfig, Limits
from gigacluster.inference.slo import max_throughput_under_slo
from gigacluster.inference.step_cost import make_step_fn, step_coefficients
from gigacluster.inference.throughput import OfflineThroughput, single_request_latency
from gigacluster.inference.workload import Workload
from gigacluster.results import Result, Scalar, model_rows
from gigacluster.validate.cases_inference import InferenceCase, case_model, dataset_of, load_cases, read_cases
from gigacluster.validate.report import FamilyError, PredictedRow, Skipped, family_errors

Progress = Callable[[int, int, str], None]
SIM_REQUESTS = 1500


class Row(PredictedRow):
    """A predicted serving case; ``scenario`` is offline | server | interactive | latency."""

    scenario: str


class InferenceValidation(Result):
    """Same shape as ``validate training``: counts, skipped rows, median / mean APE, rows."""

    model_config = ConfigDict(frozen=True)

    cases: int
    predicted: int
    skipped: list[Skipped]
    median_ape: float | None
    mean_ape: float | None
    rows: list[Row]
    families: list[FamilyError]

    def flat_rows(self) -> list[dict[str, Scalar]]:
        """One row per predicted case."""
        return model_rows(self.rows)


def case_lengths(case: InferenceCase) -> tuple[float, float, float]:
    """(input_len, output_len, length_cv): blank input lengths from the named dataset's mean."""
    ds = dataset_of(case)
    inp = case.input_len or ds.input_len_mean
    if not inp or not case.output_len:
        raise GigaclusterError(f"case {case.id}", "input_len / output_len unknown")
    return float(inp), float(case.output_len), ds.length_cv


def case_layout(case: InferenceCase, cal: ServingCalibration) -> OfflineThroughput:
    """The published layout where it is complete, else the best one on the case's GPUs."""
    spec, accel = case_model(case), get_accelerator(case.accelerator)
    inp, out, _ = case_lengths(case)
    wp = case.weight_precision
    kv = case.kv_precision or default_kv_precision(wp)
    if case.tp and (not spec.is_moe or case.ep):
        pp = case.pp or 1
        dp = case.dp or max((case.num_gpus or case.tp * pp) // (case.tp * pp), 1)
        layout = ServingLayout(tp=case.tp, pp=pp, dp=dp, ep=case.ep or 1, weight_precision=wp, kv_precision=kv)
        return rank_layouts(spec, accel, [layout], inp, out, cal)[0]
    return best_layout(spec, accel, case.num_gpus, wp, kv, inp, out, cal=cal)


def _throughput_metric(case: InferenceCase, out_per_gpu: float, inp: float, out: float) -> float:
    if case.metric == "output_tokens_per_s_per_gpu":
        return out_per_gpu
    if case.metric == "total_tokens_per_s_per_gpu":
        return out_per_gpu * (inp + out) / out
    return out_per_gpu * inp / out


def _slo_throughput(case: InferenceCase, off: OfflineThroughput, cal: ServingCalibration) -> float:
    spec, accel = case_model(case), get_accelerator(case.accelerator)
    inp, out, cv = case_lengths(case)
    step = make_step_fn(step_coefficients(spec, accel, off.layout, cal))
    ranks = off.layout.attention_groups(spec)
    cfg = EngineConfig(max_batch=cal.global_.offline_max_batch * ranks,
                       max_tokens=cal.global_.offline_max_tokens * ranks,
                       kv_capacity_tokens=off.memory.kv_tokens_per_engine)
    w = Workload(input_len=inp, output_len=out, length_cv=cv, n_requests=SIM_REQUESTS, seed=7)
    limits = Limits(ttft_ms=case.ttft_limit_ms, tpot_ms=case.tpot_limit_ms)
    res = max_throughput_under_slo(step, cfg, w, off.engine_gpus, off.requests_per_s, limits, ranks)
    if not res.feasible:
        raise GigaclusterError(f"case {case.id}", "no simulated rate meets the latency limits")
    return res.output_tokens_per_s_per_gpu


def pool_layout(case: InferenceCase, pool: str) -> ServingLayout:
    """The published layout of one pool of a disaggregated case (``prefill_*`` / ``decode_*``)."""
    tp, ep, dp = (getattr(case, f"{pool}_{k}") for k in ("tp", "ep", "dp"))
    if not (tp and ep and dp):
        raise GigaclusterError(f"case {case.id}", f"{pool}_tp / {pool}_ep / {pool}_dp not given")
    wp = case.weight_precision
    return ServingLayout(tp=tp, dp=dp, ep=ep, weight_precision=wp, kv_precision=case.kv_precision or
                         default_kv_precision(wp), moe_a2a=case.moe_a2a or "collective",
                         overlap="two_batch" if case.moe_a2a == "deepep" else "none",
                         redundant_experts=case.redundant_experts or 0)


def _case_cal(case: InferenceCase, cal: ServingCalibration) -> ServingCalibration:
    if case.batch_per_rank is None:
        return cal
    return cal.model_copy(update={"global_": cal.global_.model_copy(update={"offline_max_batch": case.batch_per_rank})})


def _decode_pool(case: InferenceCase, cal: ServingCalibration) -> DecodePool:
    spec, accel = case_model(case), get_accelerator(case.accelerator)
    inp = float(case.input_len or 0.0)
    kv_len = case.kv_len_avg or inp + (case.output_len or 0.0) / 2.0
    tpot = 1.0 / case.tok_s_user if case.tok_s_user else (case.tpot_limit_ms or 0.0) / 1e3 or None
    mtp = MtpSpec(depth=case.mtp_depth or 0, accept=case.mtp_accept if case.mtp_accept is not None else 0.85)
    return decode_pool(spec, accel, pool_layout(case, "decode"), kv_len, tpot, mtp, _case_cal(case, cal))


def _prefill_pool(case: InferenceCase, cal: ServingCalibration) -> PrefillPool:
    spec, accel = case_model(case), get_accelerator(case.accelerator)
    if not case.input_len:
        raise GigaclusterError(f"case {case.id}", "input_len unknown")
    return prefill_pool(spec, accel, pool_layout(case, "prefill"), case.input_len, case.prefix_hit_rate or 0.0, cal)


def _fleet_per_gpu(case: InferenceCase, cal: ServingCalibration) -> float:
    """Output tokens/s per average fleet GPU over a day: both pools autoscaled hour by hour (N+1)."""
    if not (case.input_tokens_per_s and case.output_tokens_per_s):
        raise GigaclusterError(f"case {case.id}", "input_tokens_per_s / output_tokens_per_s not given")
    prefill, decode = _prefill_pool(case, cal), _decode_pool(case, cal)
    profile = load_profile(case.traffic_profile or "flat")
    p_day = pool_day(case.input_tokens_per_s, prefill.input_tokens_per_s_per_gpu * prefill.engine_gpus,
                     prefill.engine_gpus, profile, 1, 0.0, 0.0)
    d_day = pool_day(case.output_tokens_per_s, decode.output_tokens_per_s_per_gpu * decode.engine_gpus,
                     decode.engine_gpus, profile, 1, 0.0, 0.0)
    return fleet_day({"prefill": p_day, "decode": d_day}, case.output_tokens_per_s).output_tokens_per_s_per_avg_gpu


def predict_disagg(case: InferenceCase, cal: ServingCalibration) -> tuple[float, str]:
    """A prefill pool (input tokens/s incl. prefix-cache hits), a decode pool (output tokens/s at the
    per-user speed or TPOT limit; saturated when neither is given) or a whole fleet over a day."""
    if case.pool == "prefill":
        return _prefill_pool(case, cal).input_tokens_per_s_per_gpu, pool_layout(case, "prefill").label()
    if case.pool == "decode":
        return _decode_pool(case, cal).output_tokens_per_s_per_gpu, pool_layout(case, "decode").label()
    if case.pool == "fleet":
        label = f"P {pool_layout(case, 'prefill').label()} / D {pool_layout(case, 'decode').label()}"
        return _fleet_per_gpu(case, cal), label
    raise GigaclusterError(f"case {case.id}", "disaggregated case needs pool prefill | decode | fleet")


def predict(case: InferenceCase, cal: ServingCalibration | None = None) -> tuple[float, str]:
    """(predicted value in the case's metric, layout label); raises GigaclusterError to skip."""
    cal = cal or load_calibration()
    if case.deployment == "disagg":
        return predict_disagg(case, cal)
    inp, out, _ = case_lengths(case)
    off = case_layout(case, cal)
    label = off.layout.label()
    if case.scenario == "latency":
        lat = single_request_latency(case_model(case), get_accelerator(case.accelerator), off.layout, inp, out,
                                     cal)
        if case.metric not in ("ttft_ms", "tpot_ms", "e2e_latency_ms"):
            raise GigaclusterError(f"case {case.id}", f"metric {case.metric} not a latency")
        return float(getattr(lat, case.metric)), label
    if case.metric.endswith("_per_gpu") and case.scenario == "offline":
        return _throughput_metric(case, off.output_tokens_per_s_per_gpu, inp, out), label
    if case.metric.endswith("_per_gpu") and case.scenario in ("server", "interactive"):
        return _throughput_metric(case, _slo_throughput(case, off, cal), inp, out), label
    raise GigaclusterError(f"case {case.id}", f"scenario {case.scenario} / metric {case.metric} not modelled")


def validate_inference(path: str | Path | None = None, progress: Progress | None = None,
                       cal: ServingCalibration | None = None,
                       scenarios: tuple[str, ...] | None = None) -> InferenceValidation:
    """Predict every case of ``path`` (default: the shipped inference.csv); a row that cannot be read or
    predicted is skipped with its reason."""
    cases, unreadable = read_cases(path)
    rows: list[Row] = []
    skipped: list[Skipped] = list(unreadable)
    for i, case in enumerate(cases):
        if progress:
            progress(i, len(cases), case.id)
        if scenarios and case.scenario not in scenarios:
            continue
        try:
            value, label = predict(case, cal)
        except GigaclusterError as exc:
            skipped.append(Skipped(id=case.id, reason=str(exc)))
            continue
        rows.append(Row(id=case.id, family=case.family, scenario=case.scenario, metric=case.metric,
                        measured=case.value, predicted=value, ape=abs(value - case.value) / case.value,
                        layout=label))
    apes = [r.ape for r in rows]
    return InferenceValidation(
        cases=len(cases) + len(unreadable), predicted=len(rows), skipped=skipped,
        median_ape=statistics.median(apes) if apes else None,
        mean_ape=statistics.fmean(apes) if apes else None, rows=rows, families=family_errors(rows))


FIT_FAMILY_KEYS = ("gemm_eff", "hbm_eff", "step_overhead_ms")
FIT_GLOBAL_KEYS = ("moe_gemm_eff", "moe_half_ffn", "moe_half_rows", "overhead_us_per_seq", "gemm_half_tokens")
#: physical bounds the fit may not leave (fractions of peak that kernels are known to reach)
FIT_BOUNDS = {"gemm_eff": (0.3, 0.85), "hbm_eff": (0.5, 0.92), "step_overhead_ms": (0.1, 5.0),
              "moe_gemm_eff": (0.1, 1.0), "moe_half_rows": (8.0, 512.0), "moe_half_ffn": (100.0, 20000.0),
              "overhead_us_per_seq": (0.0, 50.0),
              "gemm_half_tokens": (8.0, 256.0)}


def _objective(cases: list[InferenceCase], cal: ServingCalibration) -> float:
    apes = []
    for case in cases:
        try:
            value, _ = predict(case, cal)
        except GigaclusterError:
            apes.append(1.0)
            continue
        apes.append(min(abs(value - case.value) / case.value, 1.0))
    return statistics.median(apes) + statistics.fmean(apes)


def _with(cal: ServingCalibration, where: str, key: str, value: float) -> ServingCalibration:
    if where == "global":
        return cal.model_copy(update={"global_": cal.global_.model_copy(update={key: value})})
    fam = cal.families[where].model_copy(update={key: value})
    return cal.model_copy(update={"families": {**cal.families, where: fam}})


def fit_calibration(path: str | Path | None = None, rounds: int = 3) -> ServingCalibration:
    """Coordinate descent of the calibrated constants on the closed-form rows (offline, latency)
    of the case file: ONE value per family or global constant for all rows, never per row."""
    cases = [c for c in load_cases(path) if c.scenario in ("offline", "latency")]
    cal = load_calibration()
    families = sorted({get_accelerator(c.accelerator).family for c in cases})
    slots = [(f, k) for f in families for k in FIT_FAMILY_KEYS] + [("global", k) for k in FIT_GLOBAL_KEYS]
    best = _objective(cases, cal)
    for _ in range(rounds):
        for where, key in slots:
            src = cal.global_ if where == "global" else cal.families[where]
            current = float(getattr(src, key))
            lo, hi = FIT_BOUNDS[key]
            for factor in (0.7, 0.85, 0.93, 1.07, 1.15, 1.3):
                trial = _with(cal, where, key, min(max(current * factor, lo), hi))
                score = _objective(cases, trial)
                if score < best - 1e-6:
                    best, cal = score, trial
    return cal


if __name__ == "__main__":  # python -m gigacluster.validate.inference --fit
    import sys

    import yaml

    if "--fit" in sys.argv:
        fitted = fit_calibration(sys.argv[-1] if sys.argv[-1].endswith(".csv") else None)
        print(yaml.safe_dump({"global": fitted.global_.model_dump(),
                              "families": {k: v.model_dump() for k, v in fitted.families.items()}}))
