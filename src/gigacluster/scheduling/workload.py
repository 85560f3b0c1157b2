"""A job workload: one row per job, held as NumPy arrays (arrivals sorted).

Researchers and teams are small integers with names kept alongside. Durations are the run
time a job needs on a healthy, compact placement (hours); ``gpus`` is the gang size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from gigacluster.errors import GigaclusterError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Offered(BaseModel):
    """What the generator offered: the load aimed at and reached, the window, the size scale."""

    model_config = ConfigDict(frozen=True)

    target_load: float = Field(description="offered load asked for")
    offered_load: float = Field(description="offered load of the jobs over their arrival window")
    horizon_h: float = Field(description="arrival window aimed at")
    arrival_span_h: float = Field(description="arrival window the jobs were spread over")
    size_scale: int = Field(description="each simulated job runs a trace job's size x this many GPUs")
    shortfall: str = Field(default="", description="why the target load was not reached, if it was not")


@dataclass(frozen=True)
class Workload:
    """Jobs sorted by arrival. ``researcher``/``team`` index ``researcher_names``/``team_names``."""

    source: str
    arrival_h: FloatArray
    duration_h: FloatArray
    gpus: IntArray
    researcher: IntArray
    team: IntArray
    priority: IntArray
    researcher_names: tuple[str, ...]
    team_names: tuple[str, ...]
    researcher_team: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    line: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # CSV line per job
    offered: Offered | None = None  # synthetic workloads: the load they were generated for

    def __post_init__(self) -> None:
        n = len(self.arrival_h)
        for name in ("duration_h", "gpus", "researcher", "team", "priority"):
            if len(getattr(self, name)) != n:
                raise GigaclusterError(f"workload.{name}", f"has {len(getattr(self, name))} rows, expected {n}")
        if n and np.any(np.diff(self.arrival_h) < 0):
            raise GigaclusterError("workload.arrival_h", "must be sorted")
        if len(self.researcher_team) == 0 and len(self.researcher_names):
            rt = np.zeros(len(self.researcher_names), dtype=np.int64)
            rt[self.researcher] = self.team
            object.__setattr__(self, "researcher_team", rt)

    def __len__(self) -> int:
        return len(self.arrival_h)

    @property
    def researchers(self) -> int:
        return len(self.researcher_names)

    @property
    def gpu_h(self) -> float:
        return float(np.dot(self.duration_h, self.gpus))

    def head(self, jobs: int) -> Workload:
        """The first ``jobs`` jobs by arrival (all of them if fewer)."""
        return self.take(np.arange(min(jobs, len(self))))

    def take(self, idx: npt.NDArray[np.intp] | npt.NDArray[np.int64]) -> Workload:
        return Workload(self.source, self.arrival_h[idx], self.duration_h[idx], self.gpus[idx],
                        self.researcher[idx], self.team[idx], self.priority[idx],
                        self.researcher_names, self.team_names, self.researcher_team,
                        self.line[idx] if len(self.line) else self.line, self.offered)

    def check_fits(self, cluster_gpus: int) -> None:
        """One-line error naming the first job larger than the cluster."""
        big = np.flatnonzero(self.gpus > cluster_gpus)
        if len(big):
            i = int(big[0])
            where = f"{self.source} line {int(self.line[i])}" if len(self.line) else f"{self.source} job {i}"
            raise GigaclusterError(
                f"{where}: num_gpus", f"{int(self.gpus[i])} GPUs exceeds the cluster's {cluster_gpus}")


def build(source: str, arrival_h: FloatArray, duration_h: FloatArray, gpus: IntArray,
          researcher: IntArray, team: IntArray, priority: IntArray,
          researcher_names: tuple[str, ...], team_names: tuple[str, ...],
          researcher_team: IntArray | None = None, line: IntArray | None = None,
          offered: Offered | None = None) -> Workload:
    """Sort by arrival (stable) and shift by whole days so the first job arrives in day 0
    (the hour of day is kept for the daily cycle)."""
    order = np.argsort(arrival_h, kind="stable")
    arr = arrival_h[order]
    if len(arr):
        arr = arr - np.floor(arr[0] / 24.0) * 24.0
    return Workload(source, arr.astype(np.float64), duration_h[order].astype(np.float64),
                    gpus[order].astype(np.int64), researcher[order].astype(np.int64),
                    team[order].astype(np.int64), priority[order].astype(np.int64),
                    researcher_names, team_names,
                    np.zeros(0, dtype=np.int64) if researcher_team is None else researcher_team,
                    np.zeros(0, dtype=np.int64) if line is None else line[order].astype(np.int64), offered)


def assign_researchers(team: IntArray, n_teams: int, researchers: int,
                       rng: np.random.Generator) -> tuple[IntArray, IntArray]:
    """Spread ``researchers`` over teams in proportion to team job counts; give each job one of
    its team's researchers with Zipf-like activity (a few researchers submit most jobs).

    Returns (researcher per job, team per researcher).
    """
    counts = np.bincount(team, minlength=n_teams).astype(np.float64)
    researchers = max(researchers, n_teams)
    per_team = 1 + np.floor(counts / max(counts.sum(), 1.0) * (researchers - n_teams)).astype(np.int64)
    extra = researchers - int(per_team.sum())
    per_team[np.argsort(-counts, kind="stable")[:extra]] += 1
    first = np.concatenate([[0], np.cumsum(per_team)[:-1]])
    researcher_team = np.repeat(np.arange(n_teams), per_team)
    out = np.empty(len(team), dtype=np.int64)
    for t in range(n_teams):
        idx = np.flatnonzero(team == t)
        k = int(per_team[t])
        w = 1.0 / np.arange(1, k + 1) ** 0.8
        out[idx] = first[t] + rng.choice(k, size=len(idx), p=w / w.sum())
    return out, researcher_team.astype(np.int64)
