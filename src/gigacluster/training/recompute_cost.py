"""What a module recompute policy re-runs (training.recompute): forward seconds per layer and
micro-batch, mean over dense and MoE layers, vectorised over candidates; and its FLOPs per token.

Each module's forward is priced like the layer model prices it (training.costs, training.moe):
``core_attn`` the flash-attention core; ``layernorm`` two norms read and write T·h (memory-bound);
``moe_act`` the experts' activation function over T·k·F; ``mla_up_proj`` the up-projection GEMMs
(q_lora·d_qk + kv_lora·heads·(d_nope + d_v) weights); ``mlp`` the dense MLP GEMMs and activation;
``moe`` the routed experts' grouped GEMMs, the dispatcher and the dispatch/combine all-to-alls
(Megatron's ``moe`` recompute re-runs the whole MoE layer, communication included).
"""

from __future__ import annotations

import numpy as np

from gigacluster.comm import TieredFabric
from gigacluster.llm.counts import attention_flops_per_token, param_counts
from gigacluster.llm.spec import ModelSpec
from gigacluster.training.calibration import Calibration
from gigacluster.training.costs import Rates, _common, tokens
from gigacluster.training.dims import DTYPE_BYTES, Dims
from gigacluster.training.job import TrainingJob
from gigacluster.training.layout import Candidates
from gigacluster.training.moe import all_to_all_pass_s, dispatcher_s, grouped_gemm_s, load_imbalance
from gigacluster.training.precision import dispatch_bytes
from gigacluster.training.recompute import BASE, MODULE_CODE, code_of, layer_share, reruns, uses

F = np.ndarray


def _moe_s(job: TrainingJob, d: Dims, c: Candidates, t: F, r: Rates, fab: TieredFabric, cal: Calibration) -> F:
    imbalance = load_imbalance(d, c, t, cal)
    a2a = all_to_all_pass_s(job, d, c, t, fab, cal, (dispatch_bytes(job, cal), DTYPE_BYTES), imbalance)
    return grouped_gemm_s(d, c, t, r.gemm_flops, cal, imbalance) + dispatcher_s(d, t, c, r.hbm_bytes, cal) \
        + a2a * (1.0 - cal.overlap.ep)


def module_forward_s(job: TrainingJob, d: Dims, c: Candidates, r: Rates, fab: TieredFabric,
                     cal: Calibration) -> F:
    """Forward seconds per layer and micro-batch a selective or module policy re-runs (0 for the
    others; full and partial recompute are priced by the step model)."""
    out = np.zeros(c.tp.shape, dtype=np.float64)
    if not np.any((c.rc >= MODULE_CODE) | (c.rc == BASE["selective"])):
        return out
    t = tokens(job, c)
    norm_split = c.tp if job.sequence_parallel else 1.0  # without SP every TP rank runs the norms whole
    width = (3.0 if d.gated else 2.0) * DTYPE_BYTES  # activation: read gate/up (or input), write output
    parts = {
        "core_attn": lambda: _common(d, t, c, job, r, cal)[0],
        "layernorm": lambda: 2.0 * 2.0 * t * d.hidden * DTYPE_BYTES / norm_split / r.hbm_bytes,
        "moe_act": lambda: t * d.topk * d.moe_ffn * width / c.tp / r.hbm_bytes,
        "mla_up_proj": lambda: 2.0 * t * d.mla_up_params / c.tp / r.gemm_flops,
        "mlp": lambda: 2.0 * t * d.mlp_params / c.tp / r.gemm_flops + t * d.ffn * width / c.tp / r.hbm_bytes,
        "moe": lambda: _moe_s(job, d, c, t, r, fab, cal) if d.moe_layers else 0.0 * t,
    }
    for module, seconds in parts.items():
        on = reruns(c.rc, module)
        if np.any(on):  # per layer of the kind the module runs in (recompute.layer_share)
            out = out + np.where(on, layer_share(d, module) * seconds(), 0.0)
    return out


def module_flops_per_token(spec: ModelSpec, seq_len: int, policy: str, mla_up_params: float) -> float:
    """FLOPs per token the policy's module GEMMs re-execute (attention core non-causal, PaLM
    convention of plan.hardware_flops_per_token); memory-bound modules add none."""
    rc = np.array([code_of(policy)], dtype=np.int64)
    if rc[0] < MODULE_CODE:
        return 0.0
    counts = param_counts(spec)

    def on(module: str) -> float:
        return 1.0 if bool(uses(rc, module)[0]) else 0.0

    moe_active = counts.moe_layer_active - float(spec.hidden * (spec.moe_experts or 0))
    return (on("core_attn") * attention_flops_per_token(spec, seq_len, causal=False)
            + on("mla_up_proj") * 2.0 * spec.layers * mla_up_params
            + on("mlp") * 2.0 * spec.n_dense_layers * counts.dense_mlp_per_layer
            + on("moe") * 2.0 * spec.n_moe_layers * moe_active)
