"""A serving fleet over one day: hourly demand, autoscaled prefill and decode pools.

Demand in hour h is the mean rate x the profile's weight w_h (24 weights with mean 1). Each pool
is sized per hour in whole deployment units (engines) to the largest demand of the hours it must
already cover when it starts growing (``scale_up_delay_h``), plus ``regional_headroom`` and
``n_plus`` spare units (N+1). Averages over the day give GPU-hours and, with token prices, revenue.

Profiles: ``flat``; ``diurnal`` = 1 + 0.35 cos(2 pi (h - 14) / 24), a generic prior for a
consumer service (peak mid-afternoon, trough before dawn, peak / mean 1.35), NOT fitted to any
published fleet; or a file of 24 hourly weights (one per line or comma-separated; normalised to
mean 1), for a measured profile.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from gigacluster.errors import GigaclusterError

DIURNAL_AMPLITUDE = 0.35
DIURNAL_PEAK_HOUR = 14.0


class DayProfile(BaseModel):
    """24 hourly demand weights, mean 1."""

    model_config = ConfigDict(frozen=True)

    name: str
    weights: tuple[float, ...] = Field(min_length=24, max_length=24)

    @property
    def peak_to_mean(self) -> float:
        return max(self.weights)


def _normalised(name: str, values: list[float]) -> DayProfile:
    if len(values) != 24 or any(not v >= 0 for v in values) or sum(values) <= 0:
        raise GigaclusterError("traffic_profile", f"'{name}': need 24 non-negative hourly weights, got "
                               f"{len(values)} values")
    mean = sum(values) / 24.0
    return DayProfile(name=name, weights=tuple(v / mean for v in values))


def _flat() -> DayProfile:
    return DayProfile(name="flat", weights=(1.0,) * 24)


def _diurnal() -> DayProfile:
    hours = np.arange(24, dtype=np.float64)
    w = 1.0 + DIURNAL_AMPLITUDE * np.cos(2.0 * np.pi * (hours - DIURNAL_PEAK_HOUR) / 24.0)
    return _normalised("diurnal", [float(x) for x in w])


BUILT_IN_PROFILES = {"flat": _flat, "diurnal": _diurnal}  # day shapes by name; any other spec is a file


def load_profile(spec: str) -> DayProfile:
    """A built-in day shape (``BUILT_IN_PROFILES``) or a path to a file of 24 hourly weights."""
    if spec in BUILT_IN_PROFILES:
        return BUILT_IN_PROFILES[spec]()
    path = Path(spec)
    if not path.exists():
        allowed = ", ".join(BUILT_IN_PROFILES)
        raise GigaclusterError("traffic_profile", f"'{spec}': allowed: {allowed}, or a file of 24 weights")
    text = path.read_text(encoding="utf-8").replace(",", "\n")
    try:
        values = [float(t) for t in text.split() if t.strip()]
    except ValueError:
        raise GigaclusterError("traffic_profile", f"'{spec}': not a list of numbers") from None
    return _normalised(path.name, values)


class PoolDay(BaseModel):
    """One pool's units per hour over the day."""

    model_config = ConfigDict(frozen=True)

    engine_gpus: int
    units_per_hour: tuple[int, ...]
    avg_gpus: float
    peak_gpus: int


class FleetDay(BaseModel):
    """The day of a fleet: both pools, averages and peaks, GPU-hours, revenue."""

    model_config = ConfigDict(frozen=True)

    profile: str
    pools: dict[str, PoolDay]
    avg_gpus: float
    peak_gpus: int
    gpu_hours: float
    mean_output_tokens_per_s: float
    output_tokens_per_s_per_avg_gpu: float
    revenue_usd_per_day: float | None


def pool_day(demand_per_s: float, capacity_per_engine_s: float, engine_gpus: int, profile: DayProfile,
             n_plus: int, headroom: float, delay_h: float) -> PoolDay:
    """Units per hour to serve ``demand_per_s`` x w_h with engines of ``capacity_per_engine_s``."""
    w = np.asarray(profile.weights)
    ahead = max(int(math.ceil(delay_h)), 0)
    cover = np.array([w[[(h + k) % 24 for k in range(ahead + 1)]].max() for h in range(24)])
    units = np.ceil(demand_per_s * cover * (1.0 + headroom) / capacity_per_engine_s - 1e-9).astype(int)
    units = np.maximum(units, 1) + n_plus
    gpus = units * engine_gpus
    return PoolDay(engine_gpus=engine_gpus, units_per_hour=tuple(int(u) for u in units),
                   avg_gpus=float(gpus.mean()), peak_gpus=int(gpus.max()))


def fleet_day(pools: dict[str, PoolDay], mean_output_tokens_per_s: float,
              revenue_usd_per_day: float | None = None, profile: str = "") -> FleetDay:
    per_hour = sum(np.asarray(p.units_per_hour) * p.engine_gpus for p in pools.values())
    avg = float(np.mean(per_hour))
    return FleetDay(profile=profile, pools=pools, avg_gpus=avg, peak_gpus=int(np.max(per_hour)),
                    gpu_hours=avg * 24.0, mean_output_tokens_per_s=mean_output_tokens_per_s,
                    output_tokens_per_s_per_avg_gpu=mean_output_tokens_per_s / avg,
                    revenue_usd_per_day=revenue_usd_per_day)


def users_servable(capacity_per_engine_rps: float, engine_gpus: int, gpus: int, requests_per_user_day: float,
                   profile: DayProfile, n_plus: int = 1, headroom: float = 0.0) -> float:
    """Daily users whose PEAK-hour pool (:func:`pool_day`: whole engines, ``headroom``, ``n_plus`` spares)
    fits in ``gpus``: pool_day's peak inverted in closed form (units = gpus // engine_gpus - n_plus engines
    serve at most units x capacity at the profile's peak weight x (1 + headroom))."""
    units = gpus // engine_gpus - n_plus
    if units < 1:
        return 0.0
    peak_rps = units * capacity_per_engine_rps / (profile.peak_to_mean * (1.0 + headroom))
    return peak_rps * 86400.0 / requests_per_user_day
