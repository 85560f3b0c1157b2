"""Load job traces: the shipped Philly-derived and Alibaba openb traces, or any CSV like them.

Two schemas are recognised by their header:

* **Philly (Pollux artifact)**: ``timestamp`` (ISO date-time or seconds), ``duration`` (s),
  ``num_gpus``; optional ``cluster`` (virtual cluster = team), ``user`` (researcher),
  ``priority`` (integer, higher first). Other columns (``gpu_time``) are ignored.
* **Alibaba openb pods**: ``creation_time``, ``scheduled_time``, ``deletion_time`` (s),
  ``num_gpu``, ``gpu_milli``, ``qos``. CPU-only pods and never-scheduled (Pending) pods are
  dropped; a fractional GPU request takes one whole GPU (gangs here are whole GPUs); run time is
  ``deletion - scheduled``; pods created before day 115 (27 long-lived survivors of the snapshot,
  see the trace README) are dropped.

Traces without researchers get them assigned per team (seeded), see ``assign_researchers``.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from gigacluster.catalog.files import read_text
from gigacluster.data import shipped
from gigacluster.errors import GigaclusterError
from gigacluster.limits import MAX_SEED
from gigacluster.scheduling.workload import Workload, assign_researchers, build

TRACES_DIR = shipped("traces")
SHIPPED = {
    "philly": TRACES_DIR / "philly_pollux" / "philly.csv",
    "alibaba": TRACES_DIR / "alibaba_openb" / "openb_pod_list_default.csv",
}
PHILLY_REQUIRED = ("timestamp", "duration", "num_gpus")
ALIBABA_REQUIRED = ("creation_time", "scheduled_time", "deletion_time", "num_gpu")
ALIBABA_FIRST_DAY = 115.0


MAX_TIME_S = 1e11
"""Timestamps within ±1e11 s (~3,000 years of the epoch) and durations ≤ 100 years: beyond that a
float64 clock cannot resolve a second, and the simulator's work accounting would not balance."""
MAX_DURATION_S = 100 * 365 * 86400.0


def trace_path(name: str) -> Path:
    """A shipped trace name (philly, alibaba) or a path to a CSV file."""
    path = SHIPPED.get(name, Path(name))
    try:
        found = path.is_file()
    except (OSError, ValueError):
        found = False
    if not found:
        shown = name if len(name) <= 80 else name[:77] + "..."
        raise GigaclusterError("trace", f"no such trace or file '{shown}'; shipped: {', '.join(SHIPPED)}")
    return path


def load_trace(name: str, researchers: int = 500, seed: int = 0) -> Workload:
    """Load a shipped trace or a CSV file; errors name the column or line."""
    if not 0 <= seed <= MAX_SEED:
        raise GigaclusterError("seed", f"must be in [0, 2^63 - 1], got {seed}")
    path = trace_path(name)
    text = read_text(path, "trace")
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [h.strip() for h in (reader.fieldnames or [])]
        rows = [{(k or "").strip(): v for k, v in r.items() if isinstance(k, str)} for r in reader]
    except csv.Error as exc:
        raise GigaclusterError("trace", f"'{path.name}' is not valid CSV: {exc}") from None
    if all(c in header for c in ALIBABA_REQUIRED):
        w = _alibaba(path, rows, researchers, seed)
    else:
        missing = [c for c in PHILLY_REQUIRED if c not in header]
        if missing:
            raise GigaclusterError(f"{path.name}: columns", f"missing column '{missing[0]}' "
                                   f"(need {', '.join(PHILLY_REQUIRED)}, or the Alibaba pod columns)")
        w = _philly(path, rows, header, researchers, seed)
    if len(w) and not w.gpu_h > 0:
        raise GigaclusterError("trace", f"'{path.name}' has no work: every job's duration is 0")
    return w


def _number(path: Path, line: int, col: str, text: str | None) -> float:
    try:
        value = float(text if text is not None else "")
    except ValueError:
        raise GigaclusterError(f"{path.name} line {line}: {col}", f"not a number: '{text}'") from None
    if not np.isfinite(value) or abs(value) > MAX_TIME_S:
        raise GigaclusterError(f"{path.name} line {line}: {col}", f"must be finite and within ±{MAX_TIME_S:.0e}, "
                                                                  f"got '{text}'")
    return value


def _timestamp_s(path: Path, line: int, text: str | None) -> float:
    text = (text or "").strip()
    try:
        float(text)
    except ValueError:
        pass
    else:
        return _number(path, line, "timestamp", text)
    try:
        stamp = datetime.fromisoformat(text)
        return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()
    except ValueError:
        raise GigaclusterError(f"{path.name} line {line}: timestamp",
                               f"expected a date-time or seconds, got '{text}'") from None


def _philly(path: Path, rows: list[dict[str, str]], header: list[str], researchers: int,
            seed: int) -> Workload:
    n = len(rows)
    arrival = np.empty(n)
    duration = np.empty(n)
    gpus = np.empty(n, dtype=np.int64)
    prio = np.zeros(n, dtype=np.int64)
    teams: dict[str, int] = {}
    users: dict[str, int] = {}
    team = np.empty(n, dtype=np.int64)
    user = np.empty(n, dtype=np.int64)
    has_user, has_prio = "user" in header, "priority" in header
    for i, r in enumerate(rows):
        line = i + 2
        arrival[i] = _timestamp_s(path, line, r.get("timestamp"))
        duration[i] = _number(path, line, "duration", r.get("duration"))
        if not 0 <= duration[i] <= MAX_DURATION_S:
            raise GigaclusterError(f"{path.name} line {line}: duration",
                                   f"must be in [0, {MAX_DURATION_S:.3g}] s, got {r['duration']}")
        g = _number(path, line, "num_gpus", r.get("num_gpus"))
        if g < 1 or g != int(g) or g > 1e8:
            raise GigaclusterError(f"{path.name} line {line}: num_gpus", f"must be a whole number >= 1, got {g}")
        gpus[i] = int(g)
        team[i] = teams.setdefault(r.get("cluster") or "all", len(teams))
        if has_user:
            user[i] = users.setdefault(r.get("user") or "?", len(users))
        if has_prio:
            prio[i] = int(_number(path, line, "priority", r.get("priority")))
    rng = np.random.default_rng(seed)
    if has_user:
        rt = np.zeros(len(users), dtype=np.int64)
        rt[user] = team
        names = tuple(users)
    else:
        user, rt = assign_researchers(team, len(teams), researchers, rng)
        names = tuple(f"r{i:04d}" for i in range(len(rt)))
    return build(path.stem, arrival / 3600.0, duration / 3600.0, gpus, user, team, prio,
                 names, tuple(teams), rt, np.arange(2, n + 2, dtype=np.int64))


def _alibaba(path: Path, rows: list[dict[str, str]], researchers: int, seed: int) -> Workload:
    keep_arrival, keep_run, keep_gpus, keep_team, keep_line = [], [], [], [], []
    teams: dict[str, int] = {}
    for i, r in enumerate(rows):
        line = i + 2
        g = _number(path, line, "num_gpu", r.get("num_gpu"))
        if g <= 0 or not (r.get("scheduled_time") or "").strip():
            continue
        if g > 1e8:
            raise GigaclusterError(f"{path.name} line {line}: num_gpu", f"must be ≤ 1e8, got {g}")
        created = _number(path, line, "creation_time", r.get("creation_time"))
        start = _number(path, line, "scheduled_time", r.get("scheduled_time"))
        end = _number(path, line, "deletion_time", r.get("deletion_time"))
        if end < start or end - start > MAX_DURATION_S:
            raise GigaclusterError(f"{path.name} line {line}: deletion_time",
                                   f"before scheduled_time or over 100 years after it ({end} vs {start})")
        if created < ALIBABA_FIRST_DAY * 86400.0:
            continue
        keep_arrival.append(created)
        keep_run.append(end - start)
        keep_gpus.append(int(np.ceil(g)))
        keep_team.append(teams.setdefault(r.get("qos") or "all", len(teams)))
        keep_line.append(line)
    team = np.array(keep_team, dtype=np.int64)
    user, rt = assign_researchers(team, len(teams), researchers, np.random.default_rng(seed))
    return build(path.stem, np.array(keep_arrival) / 3600.0, np.array(keep_run) / 3600.0,
                 np.array(keep_gpus, dtype=np.int64), user, team, np.zeros(len(team), dtype=np.int64),
                 tuple(f"r{i:04d}" for i in range(len(rt))), tuple(teams), rt,
                 np.array(keep_line, dtype=np.int64))
