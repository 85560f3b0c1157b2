import pytest

from gigacluster.report.fmt import fmt_compact, fmt_num, fmt_usd, fmt_value, formatter_for, humanize


@pytest.mark.parametrize(
    ("x", "text"),
    [(0, "0"), (6.1, "6.1"), (0.0003, "0.0003"), (63.7, "63.7"), (1173, "1,173"), (2.0, "2"), (1.5e16, "1.50e+16")],
)
def test_fmt_num(x: float, text: str) -> None:
    assert fmt_num(x) == text


def test_fmt_usd_and_compact() -> None:
    assert fmt_usd(45e9) == "$45.0B" and fmt_usd(3.2e8) == "$320.0M" and fmt_usd(2.1) == "$2.10"
    assert fmt_compact(8192) == "8.19K" and fmt_compact(1.5e13) == "15T"


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        ("it_power_mw", 1020, "1,020 MW"),
        ("mfu", 0.43, "43.0%"),
        ("memory_gb", 63.7, "63.7 GB"),
        ("usd_per_gpu_hour", 2.1, "$2.10/GPU-h"),
        ("gpu_hours", 1.44e8, "144M GPU-h"),
        ("step_time_s", 6.1, "6.1 s"),
        ("tokens_per_s", 2.67e6, "2.67M tok/s"),
        ("racks", 6944, "6,944"),
        ("sharding", "dist_opt", "dist_opt"),
        ("ok", True, "yes"),
        ("x", None, "—"),
    ],
)
def test_fmt_value_by_key(key: str, value: object, text: str) -> None:
    assert fmt_value(key, value) == text


def test_child_inherits_parent_unit() -> None:
    assert fmt_value("accelerators", 600, parent="power_mw") == "600 MW"
    assert formatter_for("nodes") is None


def test_humanize() -> None:
    assert humanize("it_power_mw") == "IT power"
    assert humanize("tp_comm") == "TP comm"
    assert humanize("p99") == "p99"
    assert humanize("tokens_per_s") == "Tokens per second"
