"""Predict every row of a training case file and measure the error.

Blank layout fields are searched, given ones honoured; the predicted metric is converted by the
row's ``flops_convention``. End-to-end rows (gpu_hours, time_to_train_h) divide by the stated
effective-training-time ratio the reliability model gives for the run's GPU count (calibration
``goodput.profile``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ConfigDict, ValidationError

from gigacluster.catalog import get_accelerator
from gigacluster.catalog.loaders import raw_models
from gigacluster.errors import GigaclusterError
from gigacluster.llm.counts import model_flops_per_token, param_counts, qk_dim
from gigacluster.llm.spec import ModelSpec
from gigacluster.reliability import ReliabilitySpec
from gigacluster.reliability.goodput import closed_form_ettr
from gigacluster.reliability.model import resolve
from gigacluster.results import Result, Scalar, model_rows
from gigacluster.training.calibration import Calibration, load_calibration
from gigacluster.training.job import FixedLayout, SystemSpec, TrainingJob
from gigacluster.training.layout import Layout
from gigacluster.training.plan import hardware_flops_per_token, plan_training
from gigacluster.training.schedules import available
from gigacluster.training.stack import materialised_attention_for, probs_on_expert_output, sequence_parallel_for
from gigacluster.validate.cases import TrainingCase, load_cases
from gigacluster.validate.defaults import default_batch_seqs, default_gpus
from gigacluster.validate.ranking import RankingReport, rank_layouts
from gigacluster.validate.report import FamilyError, PredictedRow, Skipped, family_errors

ARCH_COLUMNS = ("arch", "layers", "hidden", "heads", "kv_heads", "head_dim", "ffn_hidden", "vocab",
                "attention", "moe_experts", "moe_topk", "moe_shared_experts", "moe_ffn_hidden",
                "moe_dense_layers")
LAYOUT_COLUMNS = ("tp", "pp", "vpp", "dp", "cp", "ep", "micro_batch", "sharding", "recompute", "pipeline_schedule")


# What a bad row can raise while it is turned into a job and predicted: it is skipped, never fatal.
ROW_ERRORS = (GigaclusterError, ValidationError, ValueError, ArithmeticError)


def one_line(exc: Exception) -> str:
    """A row's skip reason in one line (pydantic errors: the first field and message)."""
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        return f"{'.'.join(str(x) for x in err['loc']) or 'row'}: {err['msg']}"
    return " ".join(str(exc).split())


class ValidationReport(Result):
    """The JSON of `gigacluster validate training`."""

    model_config = ConfigDict(frozen=True)

    cases: int
    predicted: int
    skipped: list[Skipped]
    median_ape: float | None
    mean_ape: float | None
    rows: list[PredictedRow]
    families: list[FamilyError]
    ranking: RankingReport | None = None

    def flat_rows(self) -> list[dict[str, Scalar]]:
        """One row per predicted case."""
        return model_rows(self.rows)

    def by_family(self) -> dict[str, tuple[int, float, float]]:
        """family -> (rows, median APE, mean APE)."""
        return {f.family: (f.rows, f.median_ape, f.mean_ape) for f in self.families}


def case_model(case: TrainingCase) -> ModelSpec:
    """The architecture as measured: the row's columns over the catalog entry of ``model_id``."""
    base: dict[str, Any] = {}
    if case.get("model_id"):
        base = {k: v for k, v in (raw_models().get(case.get("model_id")) or {}).items() if v is not None}
    for col in ARCH_COLUMNS:
        if case.get(col) is not None:
            base[col] = case.get(col)
    base["name"] = case.get("model_name") or base.get("name") or case.id
    if not base.get("layers") or not base.get("hidden") or not base.get("heads") or not base.get("vocab"):
        raise GigaclusterError(f"{case.id}.model", "architecture unknown (layers/hidden/heads/vocab blank)")
    return ModelSpec(**base)


def case_job(case: TrainingCase, cal: Calibration) -> TrainingJob:
    if case.error:
        field, _, reason = case.error.partition(": ")
        raise GigaclusterError(field, reason or field)
    for col in ("accelerator", "metric", "value"):
        if case.get(col) is None:
            raise GigaclusterError(f"{case.id}.{col}", "blank; a row needs an accelerator, a metric and a value")
    model = case_model(case)
    acc = get_accelerator(str(case.get("accelerator")))
    seq = case.get("seq_len") or model.max_seq_len or 2048
    year = int(case.get("year")) if case.get("year") else None
    params = param_counts(model)
    batch = case.get("global_batch_seqs") or default_batch_seqs(params.total / 1e9, year, seq)
    gpus = case.get("num_gpus") or default_gpus(params.active / 1e9, case.get("total_tokens"),
                                                acc.peak_tflops("bf16"), year)
    fixed = FixedLayout(**{k: case.get(k) for k in LAYOUT_COLUMNS if case.get(k) is not None})
    return TrainingJob(
        model=model, accelerator=acc, system=SystemSpec.of(acc),
        gpus=gpus, seq_len=seq, global_batch_seqs=batch,
        precision=case.get("precision") or "bf16", fixed=fixed,
        schedules=available(year, case.get("framework")),
        sequence_parallel=sequence_parallel_for(year, case.get("framework")),
        materialised_attention=materialised_attention_for(year, case.get("framework")), stack_year=year,
    )


def convention_flops_per_token(case: TrainingCase, job: TrainingJob, layout: Layout) -> float:
    spec, s = job.model, job.seq_len
    conv = case.get("flops_convention") or ("hardware" if case.get("metric") == "hfu" else "model")
    if conv == "hardware":
        return hardware_flops_per_token(job, layout)
    if conv == "6nd":
        return 6.0 * param_counts(spec).active
    if conv == "6nd_attn":
        return 6.0 * param_counts(spec).active + 12.0 * spec.layers * qk_dim(spec) * s
    return model_flops_per_token(spec, s, causal=False)


@functools.cache
def run_ettr(gpus: int, profile: str) -> float:
    """Effective training time ratio of a run on ``gpus`` GPUs under a failure profile: the
    reliability model's closed form (Meta's ETTR approximation with its optimal checkpoint
    interval), which does not depend on the run's length."""
    ettr, _ = closed_form_ettr(resolve(ReliabilitySpec(gpus=gpus, days=1.0, profile=profile)))
    return ettr


def predict_metric(case: TrainingCase, job: TrainingJob, step: float, layout: Layout, cal: Calibration) -> float:
    """The row's metric from a predicted step time and layout."""
    metric = case.get("metric")
    tokens_per_gpu_s = job.tokens_per_step / step / job.gpus
    if metric == "step_time_s":
        return step
    if metric == "tokens_per_s_per_gpu":
        return tokens_per_gpu_s
    if metric in ("gpu_hours", "time_to_train_h"):
        if not case.get("total_tokens"):
            raise GigaclusterError(f"{case.id}.total_tokens", f"required for {metric} rows")
        hours = case.get("total_tokens") / tokens_per_gpu_s / 3600.0
        hours /= run_ettr(job.gpus, cal.goodput.profile)
        return hours if metric == "gpu_hours" else hours / job.gpus
    tflops = convention_flops_per_token(case, job, layout) * tokens_per_gpu_s / 1e12
    if metric == "tflops_per_gpu":
        return tflops
    low = job.precision in ("fp8", "mxfp8") and "fp8 peak" in str(case.get("notes") or "").lower()
    return tflops / job.accelerator.peak_tflops("fp8" if low else "bf16")


def predict_case(case: TrainingCase, cal: Calibration) -> PredictedRow:
    job = case_job(case, cal)
    best = plan_training(job, cal, top_k=1).best
    predicted = predict_metric(case, job, best.step_time_s, best.layout, cal)
    measured = float(case.get("value"))
    lay = best.layout
    text = f"tp{lay.tp} pp{lay.pp} v{lay.vpp} dp{lay.dp} cp{lay.cp} ep{lay.ep} mb{lay.micro_batch} " \
           f"{lay.sharding} {lay.recompute}" + (f" {lay.pipeline_schedule}" if lay.pp > 1 else "")
    return PredictedRow(id=case.id, family=str(case.get("family")), metric=str(case.get("metric")),
                        measured=measured, predicted=predicted,
                        ape=abs(predicted - measured) / measured, layout=text,
                        note="; ".join(n for n in (job.accelerator.peak_rule, stack_note(job)) if n))


def stack_note(job: TrainingJob) -> str:
    """The stack facts derived from the row's year and framework (training.stack), when not modern."""
    facts = [("no sequence parallelism", not job.sequence_parallel),
             ("materialised attention", job.materialised_attention),
             ("routed fc2 outputs kept", job.model.n_moe_layers > 0 and probs_on_expert_output(job.stack_year))]
    shown = [name for name, on in facts if on]
    return "stack: " + ", ".join(shown) if shown else ""


def validate_training(path: Path, cal: Calibration | None = None,
                      progress: Callable[[str], None] | None = None) -> ValidationReport:
    """Predict every row of ``path``; rows that cannot be predicted are listed with the reason."""
    cal = cal or load_calibration()
    cases = load_cases(path)
    rows: list[PredictedRow] = []
    skipped: list[Skipped] = []
    for case in cases:
        try:
            rows.append(predict_case(case, cal))
        except ROW_ERRORS as exc:
            skipped.append(Skipped(id=case.id, reason=one_line(exc)))
        if progress:
            progress(case.id)
    apes = [r.ape for r in rows]
    return ValidationReport(
        cases=len(cases), predicted=len(rows), skipped=skipped,
        median_ape=float(np.median(apes)) if apes else None, mean_ape=float(np.mean(apes)) if apes else None,
        rows=rows, families=family_errors(rows), ranking=rank_layouts(cases, {r.id: r.predicted for r in rows}),
    )
