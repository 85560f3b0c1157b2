"""The sweep entry points: run (or resume) a sweep, then read its rows back and write its summary."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gigacluster.sweeps.engine import Progress, RunStats, run_sweep
from gigacluster.sweeps.spec import SweepSpec, load_spec, parse_spec
from gigacluster.sweeps.store import MANIFEST, SHARDS
from gigacluster.sweeps.summary import Summary, write_summary

SpecLike = SweepSpec | dict[str, object] | str | Path


@dataclass(frozen=True)
class SweepOutcome:
    """A finished sweep: what this run did, every row (in point order) and the summary it wrote."""

    stats: RunStats
    frame: pd.DataFrame
    summary: Summary


def as_spec(spec: SpecLike) -> SweepSpec:
    """A SweepSpec from a spec, a mapping or a YAML path."""
    if isinstance(spec, SweepSpec):
        return spec
    if isinstance(spec, str | Path):
        return load_spec(spec)
    return parse_spec(spec)


def read_rows(out: str | Path) -> pd.DataFrame:
    """Every finished row of the sweep in ``out``, in point order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    nullable = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}
    shards = sorted((Path(out) / SHARDS).glob("chunk-*.parquet"))
    if not shards:
        return pd.DataFrame()
    frame = pd.concat([pq.read_table(p).to_pandas(types_mapper=nullable.get) for p in shards], ignore_index=True)
    return frame.sort_values("index", ignore_index=True) if len(frame) else frame


def run(spec: SpecLike, out: str | Path | None = None, workers: int | None = None, scheduler: str | None = None,
        resume: bool = False, progress: Progress | None = None) -> SweepOutcome:
    """Run (or with ``resume`` continue) a sweep into ``out`` (a new temporary directory when None), then
    write ``frontier.csv`` and ``summary.html`` there."""
    s = as_spec(spec)
    root = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="gigacluster-sweep-"))
    stats = run_sweep(s, root, workers=workers, scheduler=scheduler, resume=resume, progress=progress)
    frame = read_rows(root)
    return SweepOutcome(stats=stats, frame=frame, summary=write_summary(s, frame, root))


def sweep(spec: SpecLike, out: str | Path | None = None, workers: int | None = None, scheduler: str | None = None,
          resume: bool = False) -> pd.DataFrame:
    """A design-space sweep as a DataFrame: one row per point (``point_id``, ``in.*`` inputs, the stage's
    headline outputs, ``error``). The Parquet shards, ``frontier.csv`` and ``summary.html`` are in ``out``."""
    return run(spec, out, workers=workers, scheduler=scheduler, resume=resume).frame


__all__ = ["MANIFEST", "SweepOutcome", "as_spec", "read_rows", "run", "sweep"]
