"""A training job: model, system, batch and the layout fields the user fixed."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, model_validator

from gigacluster.errors import GigaclusterError
from gigacluster.hardware.accelerator import Accelerator, Precision
from gigacluster.llm.spec import ModelSpec
from gigacluster.training.layout import Recompute, Sharding
from gigacluster.training.schedules import schedule


class FixedLayout(BaseModel):
    """Layout fields given by the user or the case; ``None`` fields are searched."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tp: int | None = None
    pp: int | None = None
    vpp: int | None = None
    dp: int | None = None
    cp: int | None = None
    ep: int | None = None
    micro_batch: int | None = None
    sharding: Sharding | None = None
    recompute: Recompute | None = None
    pipeline_schedule: str | None = None  # a name of training.schedules.SCHEDULES

    @model_validator(mode="after")
    def _positive(self) -> FixedLayout:
        for name in ("tp", "pp", "vpp", "dp", "cp", "ep", "micro_batch"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise GigaclusterError(name.replace("_", "-"), f"must be a positive integer, got {value}")
        if self.pipeline_schedule is not None:
            schedule(self.pipeline_schedule)  # raises naming the allowed schedules
        return self


class SystemSpec(BaseModel):
    """The part of the cluster a job sees: scale-up domain and scale-out fabric tiers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    scaleup_domain: int
    scaleup_gbytes_per_s: float | None
    scaleout_gbits_per_s: float | None
    pod_gpus: float | None = None
    oversubscription: float = 1.0

    @staticmethod
    def of(acc: Accelerator) -> SystemSpec:
        return SystemSpec(
            scaleup_domain=acc.scaleup_domain,
            scaleup_gbytes_per_s=acc.scaleup_gbps_per_dir,
            scaleout_gbits_per_s=acc.scaleout_gbps,
        )


class TrainingJob(BaseModel):
    """Everything the step-time model needs besides the layout."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: ModelSpec
    accelerator: Accelerator
    system: SystemSpec
    gpus: int
    seq_len: int
    global_batch_seqs: int
    precision: Precision = "bf16"
    fixed: FixedLayout = FixedLayout()
    schedules: tuple[str, ...] | None = None  # schedules searched when not fixed (None: all)
    sequence_parallel: bool = True  # TP ranks split norms/dropouts along the sequence (training.stack)
    materialised_attention: bool = False  # the attention core stores its s×s scores (training.stack)
    stack_year: int | None = None  # a published run's software year: recompute policies, MoE probs (training.stack)

    @model_validator(mode="after")
    def _check(self) -> TrainingJob:
        for name in ("gpus", "seq_len", "global_batch_seqs"):
            if getattr(self, name) < 1:
                raise GigaclusterError(name.replace("_", "-"), f"must be > 0, got {getattr(self, name)}")
        self.accelerator.peak_tflops(self.precision)  # raises when the part lacks this precision
        if not self.accelerator.hbm_gb or not self.accelerator.hbm_tbps:
            raise GigaclusterError("accelerator", f"'{self.accelerator.id}' publishes no HBM size/bandwidth")
        return self

    @property
    def tokens_per_step(self) -> int:
        return self.global_batch_seqs * self.seq_len
