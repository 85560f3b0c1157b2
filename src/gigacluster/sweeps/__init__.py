"""Design-space sweeps on Dask distributed: a typed spec of axes over a base scenario, sampled as a grid,
at random or by Latin hypercube; each point one flat row (inputs, the stage's headline outputs or an
error); chunks written as Parquet shards atomically, so a killed sweep resumes with no row lost or
repeated; Pareto frontiers in ``frontier.csv`` and a self-contained ``summary.html``."""

from gigacluster.sweeps.engine import RunStats, run_sweep
from gigacluster.sweeps.run import SweepOutcome, read_rows, run, sweep
from gigacluster.sweeps.spec import Frontier, Range, SweepSpec, load_spec, parse_spec

__all__ = ["Frontier", "Range", "RunStats", "SweepOutcome", "SweepSpec", "load_spec", "parse_spec", "read_rows",
           "run", "run_sweep", "sweep"]
