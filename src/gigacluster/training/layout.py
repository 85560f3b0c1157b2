"""Parallel layouts: the chosen one as a typed spec, the candidates as NumPy arrays.

Rank order (Megatron-Core): TP innermost, then CP, then DP (EP carved out of DP×CP), PP outermost;
so a TP group spans ``tp`` GPUs, a CP group ``tp·cp``, an EP group ``tp·cp·ep``, a DP group
``tp·cp·dp``, and consecutive pipeline stages sit ``tp·cp·dp`` GPUs apart.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Annotated, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import AfterValidator, BaseModel, ConfigDict

from gigacluster.training import recompute as rc_policies
from gigacluster.training.schedules import BY_CODE, schedule

Sharding = Literal["none", "dist_opt", "zero1", "zero2", "zero3", "fsdp", "hsdp"]
# a name of training.recompute: none | selective | full | partial | modules joined with '+'
Recompute = Annotated[str, AfterValidator(rc_policies.check)]
SHARDINGS: tuple[str, ...] = ("none", "dist_opt", "zero1", "zero2", "zero3", "fsdp", "hsdp")
RECOMPUTES: tuple[str, ...] = (*rc_policies.BASE, *rc_policies.MODULES)  # single names; '+' joins modules

# What each sharding shards across the data-parallel group: (optimizer, gradients, weights).
# dist_opt = Megatron distributed optimizer = ZeRO-1; hsdp = fsdp within a group. DeepSpeed's
# zero3 (code 5) shards like fsdp (code 3) but communicates over one flat communicator.
SHARD_STAGE = {"none": 0, "dist_opt": 1, "zero1": 1, "zero2": 2, "fsdp": 3, "hsdp": 4, "zero3": 5}
# partial = full recompute of the fewest whole layers per stage that fit memory (Megatron block
# recompute, training.memory.recompute_layers); module policies: training.recompute
RECOMPUTE_CODE = rc_policies.BASE

IntArray = NDArray[np.int64]


class Layout(BaseModel):
    """One parallel layout. tp·pp·cp·dp = GPUs; ep divides dp·cp; vpp = virtual stages per rank."""

    model_config = ConfigDict(frozen=True)

    tp: int = 1
    pp: int = 1
    vpp: int = 1
    dp: int = 1
    cp: int = 1
    ep: int = 1
    micro_batch: int = 1
    sharding: Sharding = "dist_opt"
    recompute: Recompute = "none"
    pipeline_schedule: str = "1f1b"  # a name of training.schedules.SCHEDULES
    recompute_layers: int = 0  # layers per stage re-run in full (partial/full recompute), set by the plan

    @property
    def gpus(self) -> int:
        return self.tp * self.pp * self.cp * self.dp


@dataclass(frozen=True)
class Candidates:
    """Candidate layouts as parallel int64 arrays (one entry per candidate)."""

    tp: IntArray
    pp: IntArray
    vpp: IntArray
    dp: IntArray
    cp: IntArray
    ep: IntArray
    mb: IntArray
    shard: IntArray  # SHARD_STAGE code
    rc: IntArray  # training.recompute code
    sched: IntArray  # Schedule.code (training.schedules)

    @property
    def etp(self) -> IntArray:
        """Expert tensor parallelism: TP when EP fits in DP×CP (Megatron's default ETP = TP),
        else 1 with EP spanning TP×DP×CP (ETP·EP·EDP = TP·CP·DP, Megatron-Core MoE)."""
        return np.where((self.dp * self.cp) % self.ep == 0, self.tp, 1)

    def __len__(self) -> int:
        return int(self.tp.shape[0])

    def take(self, index: IntArray | NDArray[np.bool_]) -> Candidates:
        return Candidates(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    def layout(self, i: int) -> Layout:
        shard = {v: k for k, v in SHARD_STAGE.items() if k != "zero1"}
        return Layout(
            tp=int(self.tp[i]), pp=int(self.pp[i]), vpp=int(self.vpp[i]), dp=int(self.dp[i]),
            cp=int(self.cp[i]), ep=int(self.ep[i]), micro_batch=int(self.mb[i]),
            sharding=shard[int(self.shard[i])], recompute=rc_policies.name_of(int(self.rc[i])),  # type: ignore[arg-type]
            pipeline_schedule=BY_CODE[int(self.sched[i])].name,
        )

    @staticmethod
    def of(layout: Layout) -> Candidates:
        def one(v: int) -> IntArray:
            return np.array([v], dtype=np.int64)

        return Candidates(
            tp=one(layout.tp), pp=one(layout.pp), vpp=one(layout.vpp), dp=one(layout.dp),
            cp=one(layout.cp), ep=one(layout.ep), mb=one(layout.micro_batch),
            shard=one(SHARD_STAGE[layout.sharding]), rc=one(rc_policies.code_of(layout.recompute)),
            sched=one(schedule(layout.pipeline_schedule).code),
        )
