"""The headline outputs of one sweep point, per stage: typed, unit-carrying, one flat row each.

Every field is optional so that an invalid point's row has the same columns (all empty) and its error."""

from __future__ import annotations

from gigacluster.api import DesignSummary, GoodputResult, Plan, QueueReport, ServeResult, TrainingResult
from gigacluster.results import Result, quantity
from gigacluster.training.layout import Layout


def layout_label(layout: Layout) -> str:
    """A compact layout name: tp8·pp16·dp64 (·cp, ·ep, ·vpp when > 1), micro-batch, sharding, recompute."""
    dims = [f"{k}{getattr(layout, k)}" for k in ("tp", "pp", "vpp", "dp", "cp", "ep")
            if getattr(layout, k) > 1 or k in ("tp", "pp", "dp")]
    return f"{'·'.join(dims)} mb{layout.micro_batch} {layout.sharding} {layout.recompute}"


class DesignHeadline(Result):
    accelerator: str | None = quantity("Accelerator", default=None)
    accelerators: int | None = quantity("Accelerators", default=None)
    racks: int | None = quantity("Racks", default=None)
    pods: int | None = quantity("Pods", default=None)
    it_power_mw: float | None = quantity("IT power", "MW", default=None)
    facility_power_mw: float | None = quantity("Facility power", "MW", default=None)
    capex_usd: float | None = quantity("Capex", "USD", default=None)
    tco_usd_per_year: float | None = quantity("TCO per year", "USD/year", default=None)
    usd_per_gpu_hour: float | None = quantity("Cost per installed GPU-hour", "USD/GPU-h", default=None)


def design_headline(d: DesignSummary) -> DesignHeadline:
    return DesignHeadline(accelerator=d.accelerator, accelerators=d.accelerators, racks=d.racks, pods=d.pods,
                          it_power_mw=d.it_power_mw, facility_power_mw=d.facility_power_mw,
                          capex_usd=d.capex_usd["total"], tco_usd_per_year=d.tco_usd_per_year["total"],
                          usd_per_gpu_hour=d.usd_per_gpu_hour)


class TrainHeadline(DesignHeadline):
    model: str | None = quantity("Model", default=None)
    job_gpus: int | None = quantity("GPUs in the job", default=None)
    precision: str | None = quantity("Precision", default=None)
    layout: str | None = quantity("Best layout", default=None)
    mfu: float | None = quantity("MFU", "ratio", default=None)
    step_time_s: float | None = quantity("Step time", "s", default=None)
    tokens_per_s: float | None = quantity("Training throughput", "tokens/s", default=None)
    wall_days: float | None = quantity("Days to train, wall-clock with failures", "days", default=None)
    ettr: float | None = quantity("ETTR", "ratio", default=None)
    gpu_hours: float | None = quantity("GPU-hours held", "GPU-h", default=None)
    run_cost_usd: float | None = quantity("Cost of the training run", "USD", default=None)


def train_fields(t: TrainingResult) -> dict[str, object]:
    """The training part of a headline (the run's figures when a token budget was given)."""
    run = t.run
    return {"model": t.model, "job_gpus": t.gpus, "precision": t.precision, "layout": layout_label(t.best.layout),
            "mfu": t.best.mfu, "step_time_s": t.best.step_time_s, "tokens_per_s": t.best.tokens_per_s,
            "wall_days": run.wall_days if run else None, "ettr": run.ettr if run else None,
            "gpu_hours": run.gpu_hours if run else None, "run_cost_usd": run.cost_usd.total_usd if run else None}


class ServeHeadline(Result):
    model: str | None = quantity("Model", default=None)
    accelerator: str | None = quantity("Accelerator", default=None)
    layout: str | None = quantity("Serving layout", default=None)
    engine_gpus: int | None = quantity("GPUs per engine", default=None)
    replicas: int | None = quantity("Replicas", default=None)
    serving_gpus: int | None = quantity("GPUs serving", default=None)
    tokens_per_s_per_gpu: float | None = quantity("Throughput under the SLOs", "tokens/s/GPU", default=None)
    ttft_p99_ms: float | None = quantity("TTFT p99", "ms", default=None)
    tpot_p50_ms: float | None = quantity("TPOT p50", "ms", default=None)
    tokens_per_s_per_user: float | None = quantity("Output speed per user (1000 / TPOT p50)", "tokens/s",
                                                   default=None)
    serving_facility_mw: float | None = quantity("Serving facility power", "MW", default=None)
    usd_per_mtok: float | None = quantity("Price per million output tokens", "USD/Mtok", default=None)


def serve_headline(s: ServeResult, usd_per_mtok: float | None = None) -> ServeHeadline:
    """The headline of a serving fleet; ``usd_per_mtok`` replaces the reference-cluster price when given."""
    p = s.plan
    return ServeHeadline(model=p.model, accelerator=p.accelerator, layout=p.layout, engine_gpus=p.engine_gpus,
                         replicas=p.replicas, serving_gpus=p.gpus_needed,
                         tokens_per_s_per_gpu=p.slo_throughput_tokens_per_s_per_gpu, ttft_p99_ms=p.ttft_ms.p99,
                         tpot_p50_ms=p.tpot_ms.p50,
                         tokens_per_s_per_user=1000.0 / p.tpot_ms.p50 if p.tpot_ms.p50 > 0 else None,
                         serving_facility_mw=s.cost.facility_power_mw,
                         usd_per_mtok=s.cost.usd_per_mtok if usd_per_mtok is None else usd_per_mtok)


class ScheduleHeadline(Result):
    policy: str | None = quantity("Policy", default=None)
    cluster_gpus: int | None = quantity("GPUs", default=None)
    jobs: int | None = quantity("Jobs", default=None)
    utilization: float | None = quantity("Utilisation", "ratio", default=None)
    queue_wait_h_mean: float | None = quantity("Queue wait, mean", "h", default=None)
    jct_h_mean: float | None = quantity("Job completion time, mean", "h", default=None)
    jain_fairness: float | None = quantity("Jain fairness", "ratio", default=None)
    researcher_gpu_h_per_day: float | None = quantity("GPU-hours per researcher per day", "GPU-h", default=None)


def schedule_headline(q: QueueReport) -> ScheduleHeadline:
    return ScheduleHeadline(policy=q.policy, cluster_gpus=q.gpus, jobs=q.jobs, utilization=q.utilization,
                            queue_wait_h_mean=q.queue_wait_h.mean, jct_h_mean=q.jct_h.mean,
                            jain_fairness=q.jain_fairness,
                            researcher_gpu_h_per_day=q.gpu_hours_per_researcher_per_day)


class ReliabilityHeadline(Result):
    job_gpus: int | None = quantity("GPUs in the job", default=None)
    profile: str | None = quantity("Failure profile", default=None)
    ettr_mean: float | None = quantity("ETTR, mean", "ratio", default=None)
    ettr_p5: float | None = quantity("ETTR, p5", "ratio", default=None)
    mttf_hours: float | None = quantity("Job MTTF", "h", default=None)
    interruptions_expected: float | None = quantity("Interruptions expected", default=None)
    checkpoint_interval_min: float | None = quantity("Checkpoint interval", "min", default=None)


def reliability_headline(g: GoodputResult) -> ReliabilityHeadline:
    return ReliabilityHeadline(job_gpus=g.gpus, profile=g.profile, ettr_mean=g.ettr_mean, ettr_p5=g.ettr_p5,
                               mttf_hours=g.mttf_hours, interruptions_expected=g.interruptions_expected,
                               checkpoint_interval_min=g.checkpoint_interval_min)


class PlanHeadline(TrainHeadline):
    serving_gpus: int | None = quantity("GPUs serving the traffic", default=None)
    usd_per_mtok: float | None = quantity("Price per million output tokens", "USD/Mtok", default=None)
    tokens_per_s_per_user: float | None = quantity("Output speed per user (1000 / TPOT p50)", "tokens/s",
                                                   default=None)
    researcher_gpu_h_per_day: float | None = quantity("GPU-hours per researcher per day", "GPU-h", default=None)


def plan_headline(p: Plan) -> PlanHeadline:
    """Design, training (the plan's job size), serving and researcher figures of a plan."""
    serving = serve_headline(p.serving)
    return PlanHeadline.model_validate(
        design_headline(p.design).model_dump() | train_fields(p.training)
        | {"serving_gpus": serving.serving_gpus, "usd_per_mtok": serving.usd_per_mtok,
           "tokens_per_s_per_user": serving.tokens_per_s_per_user,
           "researcher_gpu_h_per_day": p.scheduling.queue.gpu_hours_per_researcher_per_day})
