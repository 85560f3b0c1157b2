"""Run a grid on a backend: every microbenchmark, in order, into one :class:`Measurements`."""

from __future__ import annotations

from collections.abc import Callable

from gigacluster.calibrate.backends import Backend
from gigacluster.calibrate.device import DeviceInfo, catalog_reference, cpu_reference, match_catalog, utc_now
from gigacluster.calibrate.grid import BenchGrid, layer_gemms
from gigacluster.calibrate.records import (
    AttentionPoint,
    BandwidthPoint,
    DispatchPoint,
    GemmPoint,
    LaunchPoint,
    Measurements,
)
from gigacluster.catalog import get_model
from gigacluster.errors import GigaclusterError

Progress = Callable[[str], None]
DISPATCH_OPS = 64  # ops per timed chain of the host-dispatch microbenchmark


def quiet(_: str) -> None:
    return None


def gemm_shapes(grid: BenchGrid) -> list[tuple[str, int, int, int]]:
    """(role, m, n, k): the generic m × nk × nk grid, then the layer's GEMMs (held out of the fit)."""
    shapes = [("grid", m, nk, nk) for m in grid.gemm_m for nk in grid.gemm_nk]
    if grid.layer is not None:
        shapes += layer_gemms(get_model(grid.layer.model), grid.layer.tokens, grid.layer.tp)
    return shapes


def _gemms(b: Backend, grid: BenchGrid, say: Progress) -> list[GemmPoint]:
    out = []
    for precision in b.precisions():
        for role, m, n, k in gemm_shapes(grid):
            out.append(GemmPoint(precision=precision, m=m, n=n, k=k, role=role,
                                 timing=b.gemm(m, n, k, precision, grid.rep)))
            say(out[-1].id)
    return out


def _attention(b: Backend, grid: BenchGrid, say: Progress) -> list[AttentionPoint]:
    out = []
    for s in grid.attention_seq:
        for d in grid.attention_head_dim:
            batch = max(1, grid.attention_tokens // s)
            for phase in ("fwd", "bwd"):
                t = b.attention(batch, grid.attention_heads, s, d, phase, grid.rep)  # type: ignore[arg-type]
                if t is not None:
                    out.append(AttentionPoint(precision=b.precisions()[0], batch=batch, heads=grid.attention_heads,
                                              seq_len=s, head_dim=d, phase=phase, timing=t))  # type: ignore[arg-type]
                    say(out[-1].id)
    return out


def _bandwidth(b: Backend, grid: BenchGrid, say: Progress) -> list[BandwidthPoint]:
    out = []
    for op in ("copy", "elementwise"):
        for mb in grid.bandwidth_mb:
            moved, t = b.bandwidth(op, mb * 1e6, grid.rep)  # type: ignore[arg-type]
            out.append(BandwidthPoint(op=op, bytes_moved=moved, timing=t))  # type: ignore[arg-type]
            say(out[-1].id)
    return out


def run_grid(b: Backend, grid: BenchGrid, say: Progress = quiet) -> Measurements:
    """Measure everything the grid names that the backend supports."""
    launch = LaunchPoint(timing=b.launch(grid.rep))
    say(launch.id)
    dispatch = DispatchPoint(ops=DISPATCH_OPS, timing=b.dispatch(DISPATCH_OPS, grid.rep).per(DISPATCH_OPS))
    say(dispatch.id)
    return Measurements(gemm=_gemms(b, grid, say), attention=_attention(b, grid, say),
                        bandwidth=_bandwidth(b, grid, say), launch=[launch], dispatch=[dispatch],
                        collectives=b.collectives(grid.collective_mb, grid.rep))


def describe(b: Backend, device: str, accelerator: str | None, peak_tflops: float | None,
             mem_tbps: float | None) -> DeviceInfo:
    """The DeviceInfo of the backend's device, with the reference peaks the fit divides by."""
    name = b.device_name()
    if b.kind == "cpu" and accelerator is None:
        ref = cpu_reference(peak_tflops, mem_tbps)
    else:
        acc = accelerator or match_catalog(name)
        if acc is None:
            raise GigaclusterError("accelerator", f"'{name}' matches no catalog accelerator; pass --accelerator ID "
                                   "(gigacluster catalog accelerators)")
        ref = catalog_reference(acc, b.precisions())
    versions = b.versions()
    return DeviceInfo(name=name, backend=b.name, device=device, count=int(versions.get("device_count", "1")),
                      versions=versions,
                      date=utc_now(), **ref)  # type: ignore[arg-type]
