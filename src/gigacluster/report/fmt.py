"""Number formatting for the reports. Units are not guessed here: they come from the typed results'
field metadata (see :mod:`gigacluster.report.typed`)."""

from __future__ import annotations

import math
from collections.abc import Callable

Formatter = Callable[[float], str]



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


_ACRONYMS = {"gpu": "GPU", "gpus": "GPUs", "cpu": "CPU", "cpus": "CPUs", "nic": "NIC", "nics": "NICs", "it": "IT",
             "mfu": "MFU", "hfu": "HFU", "ettr": "ETTR", "mtbf": "MTBF", "mttr": "MTTR", "ttft": "TTFT", "tpot": "TPOT",
             "pue": "PUE", "kv": "KV", "slo": "SLO", "tco": "TCO", "hbm": "HBM", "usd": "USD", "mtok": "Mtok",
             "tp": "TP", "pp": "PP", "vpp": "VPP", "dp": "DP", "cp": "CP", "ep": "EP"}


def humanize(key: str) -> str:
    """A breakdown key as a label: ``it_depreciation`` -> ``IT depreciation``, ``cpus_hosts`` -> ``CPUs hosts``."""
    words = [_ACRONYMS.get(w, w) for w in key.split("_") if w]
    if not words:
        return key
    first = words[0]
    if first.islower() and not (first[0] == "p" and first[1:].isdigit()):
        words[0] = first[:1].upper() + first[1:]
    return " ".join(words)
