import pytest

from gigacluster.report.fmt import fmt_compact, fmt_num, fmt_usd, humanize
from gigacluster.report.typed import fmt_scalar


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
    ("value", "unit", "text"),
    [
        (1020, "MW", "1,020 MW"),
        (0.43, "ratio", "43.0%"),
        (63.7, "GB", "63.7 GB"),
        (2.1, "USD/GPU-h", "$2.10/GPU-h"),
        (4.5e10, "USD/year", "$45.0B/yr"),
        (1.44e8, "GPU-h", "144M GPU-h"),
        (6.1, "s", "6.1 s"),
        (6944, "", "6,944"),
        (7.0, ":1", "7:1"),
        ("dist_opt", "", "dist_opt"),
        (True, "", "yes"),
        (None, "MW", "—"),
    ],
)
def test_fmt_scalar_by_declared_unit(value: object, unit: str, text: str) -> None:
    assert fmt_scalar(value, unit) == text


def test_humanize() -> None:
    assert humanize("it_depreciation") == "IT depreciation"
    assert humanize("tp_comm") == "TP comm"
    assert humanize("p99") == "p99"
