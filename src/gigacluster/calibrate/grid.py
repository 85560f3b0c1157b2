"""What to measure: the GEMM shape grid (generic shapes plus one model layer's GEMMs), attention,
bandwidth and collective sizes, and how many repetitions. ``quick`` and ``full`` per backend."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from gigacluster.calibrate.timing import Repetition
from gigacluster.errors import GigaclusterError, unknown
from gigacluster.llm.counts import kv_dim, qk_dim, v_dim
from gigacluster.llm.spec import ModelSpec


class LayerShapes(BaseModel):
    """Which model's layer GEMMs to add, at how many tokens per micro-batch, split ``tp`` ways."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str
    tokens: int
    tp: int = 1


class BenchGrid(BaseModel):
    """The microbenchmark grid. GEMM grid shapes are every (m, nk) pair as m × nk × nk."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    gemm_m: tuple[int, ...]
    gemm_nk: tuple[int, ...]
    layer: LayerShapes | None = None
    attention_seq: tuple[int, ...] = ()
    attention_head_dim: tuple[int, ...] = ()
    attention_tokens: int = 8192
    attention_heads: int = 16
    bandwidth_mb: tuple[float, ...] = ()
    collective_mb: tuple[float, ...] = ()
    rep: Repetition = Repetition()
    training_min_m: int = 1  # the training GEMM form is fitted on rows ≥ this (its regime: T = mb·s/cp tokens)


def layer_gemms(spec: ModelSpec, tokens: int, tp: int) -> list[tuple[str, int, int, int]]:
    """(role, m, n, k) of one transformer layer's forward GEMMs on one of ``tp`` ranks
    (Megatron column/row split, Shoeybi et al. 2019): QKV and FFN-up split n, out and down split k."""
    h, ffn = spec.hidden, spec.ffn_hidden or 4 * spec.hidden
    qkv = qk_dim(spec) + 2 * kv_dim(spec)
    up = (2 if spec.gated_mlp else 1) * ffn
    shapes = [("qkv", tokens, qkv // tp, h), ("out", tokens, h, v_dim(spec) // tp),
              ("up", tokens, up // tp, h), ("down", tokens, h, ffn // tp)]
    return [(r, m, n, k) for r, m, n, k in shapes if min(m, n, k) >= 1]


_CPU_QUICK = BenchGrid(name="quick", gemm_m=(16, 64, 256), gemm_nk=(256, 1024, 2048),
                       layer=LayerShapes(model="llama3-8b", tokens=32, tp=8),
                       bandwidth_mb=(8.0, 32.0), rep=Repetition(warmup=1, reps=5, min_sample_s=2e-3))
_CPU_FULL = BenchGrid(name="full", gemm_m=(16, 64, 256, 1024), gemm_nk=(256, 512, 1024, 2048),
                      layer=LayerShapes(model="llama3-8b", tokens=256, tp=8),
                      bandwidth_mb=(8.0, 32.0, 128.0, 512.0), rep=Repetition(warmup=2, reps=9, min_sample_s=5e-3))
_GPU_QUICK = BenchGrid(name="quick", gemm_m=(128, 512, 2048, 8192), gemm_nk=(1024, 4096, 8192),
                       layer=LayerShapes(model="llama3-70b", tokens=8192, tp=8),
                       attention_seq=(1024, 4096), attention_head_dim=(64, 128),
                       bandwidth_mb=(256.0, 1024.0), collective_mb=(1.0, 16.0, 256.0),
                       rep=Repetition(warmup=3, reps=7, min_sample_s=5e-3), training_min_m=1024)
_GPU_FULL = BenchGrid(name="full", gemm_m=(64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384),
                      gemm_nk=(1024, 2048, 4096, 8192, 16384),
                      layer=LayerShapes(model="llama3-70b", tokens=8192, tp=8),
                      attention_seq=(512, 1024, 2048, 4096, 8192, 16384), attention_head_dim=(64, 128, 256),
                      bandwidth_mb=(64.0, 256.0, 1024.0, 4096.0),
                      collective_mb=(0.0625, 0.25, 1.0, 4.0, 16.0, 64.0, 256.0, 1024.0),
                      rep=Repetition(warmup=5, reps=15, min_sample_s=1e-2), training_min_m=1024)

GRIDS: dict[tuple[str, str], BenchGrid] = {("cpu", "quick"): _CPU_QUICK, ("cpu", "full"): _CPU_FULL,
                                           ("gpu", "quick"): _GPU_QUICK, ("gpu", "full"): _GPU_FULL}


def grid_for(kind: str, name: str, layer: LayerShapes | None = None) -> BenchGrid:
    """The named grid for a device kind (``cpu`` or ``gpu``), optionally with another layer."""
    if (kind, name) not in GRIDS:
        raise unknown("grid", name, sorted({n for _, n in GRIDS}))
    grid = GRIDS[(kind, name)]
    return grid.model_copy(update={"layer": layer}) if layer is not None else grid


MAX_LAYER_TO_GRID = 2.0
"""The layer's GEMMs are a held-out check of the fit: they may cost at most this many times the grid's own."""


def check_layer(layer: LayerShapes, spec: ModelSpec | None = None) -> None:
    """Positive tokens and TP; with the model, a TP split that leaves every layer GEMM at least one
    column (a wider split would silently drop GEMMs from the grid)."""
    if layer.tokens < 1 or layer.tp < 1:
        raise GigaclusterError("layer", f"tokens and tp must be ≥ 1, got tokens={layer.tokens}, tp={layer.tp}")
    if spec is not None and len(layer_gemms(spec, layer.tokens, layer.tp)) < 4:
        widest = min(n if role in ("qkv", "up") else k for role, _, n, k in layer_gemms(spec, layer.tokens, 1))
        raise GigaclusterError("tp", f"must be ≤ {widest} for {layer.model} (its narrowest split GEMM "
                                     f"dimension), got {layer.tp}")


def gemm_flops(shapes: list[tuple[str, int, int, int]]) -> float:
    """FLOPs of one pass over (role, m, n, k) GEMMs: 2·m·n·k each."""
    return float(sum(2.0 * m * n * k for _, m, n, k in shapes))


def check_work(grid: BenchGrid, spec: ModelSpec | None) -> None:
    """Refuse up front a layer whose GEMMs would dwarf the grid they check (``--tp 1`` on a CPU ran for
    minutes): naming its cost, the grid's and what to change."""
    if grid.layer is None or spec is None:
        return
    mine = gemm_flops(layer_gemms(spec, grid.layer.tokens, grid.layer.tp))
    ref = gemm_flops([("grid", m, nk, nk) for m in grid.gemm_m for nk in grid.gemm_nk])
    if mine > MAX_LAYER_TO_GRID * ref:
        raise GigaclusterError("tp", f"the {grid.layer.model} layer GEMMs at {grid.layer.tokens} tokens and "
                                     f"tp={grid.layer.tp} are {mine / 1e9:,.1f} GFLOP a pass, more than "
                                     f"{MAX_LAYER_TO_GRID:g}x the {grid.name} grid's {ref / 1e9:,.1f} GFLOP they "
                                     "check: raise --tp or lower --tokens")
