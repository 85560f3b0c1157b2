"""What a published run's software stack did, from its year and framework (case columns).

**Sequence parallelism** (Korthikanti et al. 2022, "Reducing Activation Recomputation in Large
Transformer Models", MLSys'23): from 2022 Megatron-LM and its successors split the layernorms,
dropouts and residual adds of a tensor-parallel group along the sequence. Before it (Narayanan et
al. 2021) and on DeepSpeed's pipeline engine (Megatron-DeepSpeed, MT-NLG) every TP rank repeats
them: 10 of the 34 bytes per token and hidden unit of a layer's activations (Korthikanti eq. 1:
sbh(10 + 24/t) without, sbh·34/t with), and the TP traffic is two all-reduces per layer and pass
instead of two all-gathers and two reduce-scatters (the same bytes).

**Materialised attention**: before FlashAttention (Dao et al., 2022-05) reached training stacks
(runs up to 2022), and on Megatron-DeepSpeed, whose GPT model keeps the unfused path unless
``--use-flash-attn``, the attention core (baddbmm → fused scale-mask-softmax → dropout → bmm)
keeps its s×s softmax output (2 bytes), dropout mask (1) and dropout output (2) of every head for
the backward pass: the 5as/h term of Korthikanti eq. 1, freed by selective (core_attn) recompute.
Its time is the generation's fitted attention rate (calibration ``attention``), as before.

**Where the routing probability multiplies** an MoE layer's routed experts: until 2025 Megatron-Core
weighted each routed copy's fc2 output in the unpermute (``hidden_states * permuted_probs``), so
autograd kept those outputs (2h bytes per copy) for the probability's gradient. From Megatron-LM
commit 2659630721 (2025-04-09, "perf(MoE): Memory efficient token permutation", Megatron-Core 0.13)
the probability multiplies the expert activation instead (``WeightedSwiGLUFunction`` saves only its
input and the weights), and nothing more is kept.

A job planned from the CLI or API is a modern stack (sequence parallel, flash attention, probabilities
in the expert activation).
"""

from __future__ import annotations

SP_YEAR = 2022  # Megatron-LM sequence parallelism (Korthikanti et al. 2022; `--sequence-parallel` 2022-04/05)
NO_SP_STACKS = ("deepspeed",)  # DeepSpeed's pipeline engine / Megatron-DeepSpeed: TP without SP
# first year of runs whose stacks default to a fused attention kernel (Megatron-LM gained
# `--use-flash-attn` in commit d693034ecf, 2022-12-08)
FLASH_YEAR = 2023
UNFUSED_STACKS = ("megatron-deepspeed",)  # unfused attention by default, whatever the year
SCORE_BYTES = 5.0  # bytes per score element a materialised kernel stores (Korthikanti eq. 1)
PROBS_IN_EXPERT_YEAR = 2025  # Megatron-Core multiplies the routing probability into the expert activation
REPLICATED_SHARE = 10.0 / 34.0  # norm/dropout work every TP rank repeats without SP (Korthikanti eq. 1)


def sequence_parallel_for(year: int | None, framework: str | None) -> bool:
    """Whether a run of ``year`` on ``framework`` split its norms along the sequence (blank: yes)."""
    fw = (framework or "").lower()
    return not ((year is not None and year < SP_YEAR) or any(k in fw for k in NO_SP_STACKS))


def materialised_attention_for(year: int | None, framework: str | None) -> bool:
    """Whether a run of ``year`` on ``framework`` stored its attention scores (blank: no)."""
    fw = (framework or "").lower()
    return (year is not None and year < FLASH_YEAR) or any(k in fw for k in UNFUSED_STACKS)


def probs_on_expert_output(year: int | None) -> bool:
    """Whether a run of ``year`` weighted its routed experts' fc2 outputs (and kept them; blank: no)."""
    return year is not None and year < PROBS_IN_EXPERT_YEAR
