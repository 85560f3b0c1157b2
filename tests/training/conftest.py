from __future__ import annotations

from gigacluster.catalog import get_accelerator, get_model
from gigacluster.training.job import FixedLayout, SystemSpec, TrainingJob


def make_job(model: str = "llama3-70b", acc: str = "h100-sxm", gpus: int = 64, seq: int = 4096,
             batch: int = 64, precision: str = "bf16", **fixed: object) -> TrainingJob:
    a = get_accelerator(acc)
    return TrainingJob(model=get_model(model), accelerator=a, system=SystemSpec.of(a), gpus=gpus,
                       seq_len=seq, global_batch_seqs=batch, precision=precision,  # type: ignore[arg-type]
                       fixed=FixedLayout(**fixed))  # type: ignore[arg-type]
