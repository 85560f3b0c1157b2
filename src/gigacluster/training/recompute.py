"""Recompute policies as named strategies (a registry of names and codes for the vectorised model).

Megatron-Core offers two granularities (``megatron/core/transformer/transformer_config.py``,
``recompute_granularity`` / ``recompute_method`` / ``recompute_modules``; Megatron-Core docs,
"Activation recomputation"):

- ``none``; ``full`` (every layer re-run, only its input kept); ``partial`` (full recompute of the
  fewest whole layers per stage that fit: ``--recompute-method block --recompute-num-layers N``,
  training.memory.recompute_layers); ``selective`` (the attention core, = ``core_attn``).
- **Module policies** (``--recompute-granularity selective --recompute-modules ...``), named by
  their modules joined with ``+`` (``layernorm+moe_act``): ``core_attn``, ``moe_act`` (the MoE
  experts' activation function), ``layernorm`` (input_layernorm and pre_mlp_layernorm),
  ``mla_up_proj`` (MLA up-projections and RoPE), ``mlp`` (the dense MLP), ``moe`` (the MoE layer).
  ``moe_act``, ``layernorm`` and ``mla_up_proj`` use output-discarding checkpointing: their
  outputs are freed after use and re-made before the backward. Each policy frees the stored
  bytes of its modules (training.dims.ModuleBytes) and re-runs their forward
  (training.recompute_cost).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from gigacluster.errors import GigaclusterError
from gigacluster.training.dims import MODULES, Dims

BASE: dict[str, int] = {"none": 0, "selective": 1, "full": 2, "partial": 3}
MODULE_CODE = 8  # module policies: MODULE_CODE + bitmask over MODULES
# output-discarding modules (cheap to re-run, memory-bound or small GEMMs), tried by the search
CHEAP = ("moe_act", "layernorm", "mla_up_proj")

IntArray = NDArray[np.int64]


def allowed() -> str:
    return (f"{', '.join(BASE)}, or modules joined with '+' from {', '.join(MODULES)} "
            "(e.g. layernorm+moe_act)")


def code_of(name: str, field: str = "recompute") -> int:
    """The code of a policy name; an unknown name raises naming the allowed ones."""
    key = name.strip().lower()
    if key in BASE:
        return BASE[key]
    parts = [p.strip() for p in key.split("+")]
    bad = [p for p in parts if p not in MODULES]
    if bad or not key:
        raise GigaclusterError(field, f"unknown recompute policy '{name}'; allowed: {allowed()}")
    return MODULE_CODE + sum(1 << MODULES.index(p) for p in set(parts))


def name_of(code: int) -> str:
    """The canonical name of a code (modules in Megatron's order)."""
    for name, value in BASE.items():
        if value == code:
            return name
    mask = code - MODULE_CODE
    return "+".join(m for i, m in enumerate(MODULES) if mask >> i & 1)


def check(name: str) -> str:
    """``name`` in canonical form when it is a policy (raises otherwise)."""
    return name_of(code_of(name))


def uses(rc: IntArray, module: str) -> NDArray[np.bool_]:
    """Which candidates' policy re-runs ``module`` (selective re-runs the attention core)."""
    bit = (rc >= MODULE_CODE) & (((rc - MODULE_CODE) >> MODULES.index(module)) & 1 == 1)
    return bit | ((rc == BASE["selective"]) & (module == "core_attn"))


def reruns(rc: IntArray, module: str) -> NDArray[np.bool_]:
    """Which candidates' policy re-runs ``module`` on its own account (selective is ``core_attn``):
    ``moe`` already re-runs (and frees) its experts' activation, so ``moe_act`` then adds nothing."""
    on = uses(rc, module)
    return on & ~uses(rc, "moe") if module == "moe_act" else on


ALL_CODES: IntArray = np.arange(MODULE_CODE + (1 << len(MODULES)), dtype=np.int64)  # every policy code


def per_code(values: NDArray[np.float64], rc: IntArray) -> NDArray[np.float64]:
    """``values`` (one per code of ``ALL_CODES``) looked up per candidate: a policy's quantities
    depend on its code alone, so the search evaluates them once per code, not per candidate."""
    return values[rc]


def layer_share(d: Dims, module: str) -> float:
    """Share of a model's layers a module runs in: the MoE modules in MoE layers, the dense MLP in
    dense layers, the others in every layer."""
    shares = {"moe": d.moe_fraction, "moe_act": d.moe_fraction, "mlp": 1.0 - d.moe_fraction}
    return shares.get(module, 1.0)


def freed_bytes(d: Dims, rc: IntArray, low_precision: bool) -> NDArray[np.float64]:
    """Stored bytes per token and layer (mean, before tensor parallelism) a module policy frees.
    Outputs that feed a GEMM (layernorm, expert activation) are cached in fp8 under low precision
    (training.dims), so freeing them saves half as much; ``moe`` includes ``moe_act``."""
    half = 0.5 if low_precision else 1.0
    scale = {"layernorm": half, "moe_act": half}
    table = sum((np.where(reruns(ALL_CODES, m), d.modules.of(m) * scale.get(m, 1.0), 0.0) for m in MODULES),
                np.zeros(ALL_CODES.shape))
    return per_code(table, rc)


# Megatron-Core --recompute-modules (moe_act, layernorm, mla_up_proj, ...): Megatron-LM commit 3b141a2471
# (2025-04-05, "Add output-discarding recomputation method"), first released in Megatron-Core 0.13
MODULES_YEAR = 2025


def searched(d: Dims, korthikanti: bool = True, year: int | None = None,
             materialised: bool = False) -> tuple[int, ...]:
    """Policies the search tries when the case leaves recompute blank: none, partial and the
    output-discarding modules the model has (full is partial at its limit; mlp/moe are dominated
    by partial's per-layer choice), plus selective where the attention core stores its scores
    (materialised attention, training.stack); under flash attention it saves no memory. A run can
    only use what its stack had: selective and block (partial) recompute came with sequence
    parallelism (Korthikanti et al. 2022), so a stack without it (``korthikanti`` False: before
    2022, DeepSpeed's pipeline engine) has none or full; module policies exist from 2025."""
    if not korthikanti:
        return (BASE["none"], BASE["full"])
    out = (BASE["none"], BASE["partial"]) + ((BASE["selective"],) if materialised else ())
    cheap = [m for m in CHEAP if d.modules.of(m) > 0.0]
    if cheap and (year is None or year >= MODULES_YEAR):
        out = out + (code_of("+".join(cheap)),)
    return out
