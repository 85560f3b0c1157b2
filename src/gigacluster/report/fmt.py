"""Number formatting with units for the reports.

A value's unit is read from its key, the project's convention (``power_mw``, ``capex_usd``,
``memory_gb``, ``step_time_s``, ``train_days``): :func:`formatter_for` maps a key to a formatter,
and :func:`fmt_value` formats any JSON scalar under its key.
"""

from __future__ import annotations

import math
from collections.abc import Callable

Formatter = Callable[[float], str]

_RATIO_KEYS = {"mfu", "hfu", "ettr", "goodput", "utilization", "availability"}
_RATIO_SUFFIXES = ("_frac", "_fraction", "_share", "_util", "_utilization", "_ratio_pct")


def fmt_num(x: float, digits: int = 3) -> str:
    """A plain number: thousands separators for big ones, ``digits`` significant digits otherwise."""
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    if abs(x) >= 1e15 or abs(x) < 1e-4:
        return f"{x:.{max(digits - 1, 0)}e}"
    if abs(x) >= 10 ** (digits - 1):
        return f"{x:,.0f}"
    decimals = max(digits - 1 - math.floor(math.log10(abs(x))), 0)
    text = f"{x:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_compact(x: float) -> str:
    """Short form with a suffix: 8,192 -> 8.19K, 1.5e13 -> 15T (for ticks and headline counts)."""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(x) >= scale:
            return f"{fmt_num(x / scale)}{suffix}"
    return fmt_num(x)


def fmt_count(x: float) -> str:
    """An integer count with thousands separators."""
    return f"{round(x):,}"


def fmt_usd(x: float) -> str:
    """Dollars: $45.0B, $320M, $2.10."""
    sign = "-" if x < 0 else ""
    x = abs(x)
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if x >= scale:
            return f"{sign}${x / scale:,.1f}{suffix}"
    return f"{sign}${x:,.2f}"


def fmt_pct(x: float) -> str:
    """A fraction as a percentage: 0.431 -> 43.1%."""
    return f"{100 * x:.1f}%"


def with_unit(unit: str) -> Formatter:
    """A formatter appending ``unit`` to :func:`fmt_num`."""

    def fmt(x: float) -> str:
        return f"{fmt_num(x)} {unit}"

    return fmt


_SUFFIX_UNITS: tuple[tuple[str, Formatter], ...] = (  # first match wins: specific before general
    ("tokens_per_s", lambda x: f"{fmt_compact(x)} tok/s"),
    ("_usd_per_year", lambda x: f"{fmt_usd(x)}/yr"),
    ("_usd_per_hour", lambda x: f"{fmt_usd(x)}/h"),
    ("usd_per_gpu_hour", lambda x: f"{fmt_usd(x)}/GPU-h"),
    ("usd_per_mtok", lambda x: f"{fmt_usd(x)}/Mtok"),
    ("_usd", fmt_usd),
    ("gpu_hours", lambda x: f"{fmt_compact(x)} GPU-h"),
    ("_mwh", with_unit("MWh")),
    ("_mw", with_unit("MW")),
    ("_kw", with_unit("kW")),
    ("_gb", with_unit("GB")),
    ("_tb", with_unit("TB")),
    ("_gbps", with_unit("Gb/s")),
    ("gbps_per_port", with_unit("Gb/s")),
    ("_rps", with_unit("req/s")),
    ("_ms", with_unit("ms")),
    ("_min", with_unit("min")),
    ("_s", with_unit("s")),
    ("_hours", with_unit("h")),
    ("_h", with_unit("h")),
    ("_days", with_unit("days")),
    ("_tflops", with_unit("TFLOP/s")),
    ("tflops_per_gpu", with_unit("TFLOP/s")),
    ("tokens", lambda x: f"{fmt_compact(x)} tokens"),
    ("oversubscription", lambda x: f"{fmt_num(x)}:1"),
)


def is_ratio_key(key: str) -> bool:
    """Whether a key names a fraction shown as a percentage."""
    return key in _RATIO_KEYS or key.endswith(_RATIO_SUFFIXES)


def formatter_for(key: str) -> Formatter | None:
    """The formatter a key's unit suffix implies, or None for a unitless key."""
    if is_ratio_key(key):
        return fmt_pct
    for suffix, fmt in _SUFFIX_UNITS:
        if key == suffix.lstrip("_") or key.endswith(suffix):
            return fmt
    return None


def fmt_value(key: str, value: object, parent: str = "") -> str:
    """Format a JSON scalar under ``key``; a unitless key inherits the unit of its ``parent`` key."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        fmt = formatter_for(key) or (formatter_for(parent) if parent else None)
        if fmt is not None:
            return fmt(float(value))
        return fmt_count(value) if isinstance(value, int) or float(value).is_integer() else fmt_num(value)
    if value is None:
        return "—"
    return str(value)


_LABELS = {
    "usd_per_gpu_hour": "Cost per GPU-hour",
    "usd_per_mtok": "Cost per million tokens",
    "gpu_hours": "GPU-hours",
    "gpu_energy_mwh": "GPU energy",
    "train_days": "Days to train (failure-free)",
    "wall_days": "Wall-clock days (with failures)",
    "lost_days": "Days lost",
    "hosts_cpus": "Hosts and CPUs",
    "tokens_per_s": "Tokens per second",
    "gbps_per_port": "Port speed",
}
_ACRONYMS = {"gpu": "GPU", "gpus": "GPUs", "cpu": "CPU", "cpus": "CPUs", "nic": "NIC", "nics": "NICs", "it": "IT",
             "mfu": "MFU", "hfu": "HFU", "ettr": "ETTR", "mtbf": "MTBF", "mttr": "MTTR", "ttft": "TTFT", "tpot": "TPOT",
             "pue": "PUE", "kv": "KV", "slo": "SLO", "tco": "TCO", "hbm": "HBM", "usd": "USD", "mtok": "Mtok",
             "tp": "TP", "pp": "PP", "vpp": "VPP", "dp": "DP", "cp": "CP", "ep": "EP"}
_UNIT_SUFFIXES = ("_usd_per_year", "_rps", "_usd", "_mwh", "_mw", "_kw", "_gb", "_tb", "_gbps", "_ms", "_s", "_min",
                  "_h", "_hours", "_days")


def _strip_unit(key: str) -> str:
    for suffix in _UNIT_SUFFIXES:
        stem = key[: -len(suffix)]
        if key.endswith(suffix) and stem and not stem.endswith("_per"):
            return stem
    return key


def humanize(key: str) -> str:
    """A key as a label, without its unit suffix (the value carries it): ``it_power_mw`` -> ``IT power``."""
    if key in _LABELS:
        return _LABELS[key]
    words = [_ACRONYMS.get(w, w) for w in _strip_unit(key).split("_") if w]
    if not words:
        return key
    first = words[0]
    if first.islower() and not (first[0] == "p" and first[1:].isdigit()):
        words[0] = first[:1].upper() + first[1:]
    return " ".join(words)
