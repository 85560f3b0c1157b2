"""What a published run's software stack did, from its year and framework (case columns).

**Sequence parallelism** (Korthikanti et al. 2022, "Reducing Activation Recomputation in Large
Transformer Models", MLSys'23): from 2022 Megatron-LM and its successors split the layernorms,
dropouts and residual adds of a tensor-parallel group along the sequence. Before it (Narayanan et
al. 2021) and on DeepSpeed's pipeline engine (Megatron-DeepSpeed, MT-NLG) every TP rank repeats
them: 10 of the 34 bytes per token and hidden unit of a layer's activations (Korthikanti eq. 1:
sbh(10 + 24/t) without, sbh·34/t with), and the TP traffic is two all-reduces per layer and pass
instead of two all-gathers and two reduce-scatters (the same bytes).

A job planned from the CLI or API is a modern stack (sequence parallel).
"""

from __future__ import annotations

SP_YEAR = 2022  # Megatron-LM sequence parallelism (Korthikanti et al. 2022)
NO_SP_STACKS = ("deepspeed",)  # DeepSpeed's pipeline engine / Megatron-DeepSpeed: TP without SP
REPLICATED_SHARE = 10.0 / 34.0  # norm/dropout work every TP rank repeats without SP (Korthikanti eq. 1)


def sequence_parallel_for(year: int | None, framework: str | None) -> bool:
    """Whether a run of ``year`` on ``framework`` split its norms along the sequence (blank: yes)."""
    fw = (framework or "").lower()
    return not ((year is not None and year < SP_YEAR) or any(k in fw for k in NO_SP_STACKS))
