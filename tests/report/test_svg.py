import math
import xml.etree.ElementTree as ET

import pytest

from gigacluster.report.fmt import fmt_num, fmt_pct, fmt_usd
from gigacluster.report.svg import Axis, Series, bar_chart, line_chart, make_axis, stacked_bar


def test_bar_chart_has_a_bar_and_value_per_row() -> None:
    root = ET.fromstring(bar_chart([("a", 1.0), ("b", 3.0)], fmt_usd, "t"))
    rects = root.findall("rect")
    assert len(rects) == 2
    assert float(rects[1].attrib["width"]) > float(rects[0].attrib["width"]) * 2.9
    assert {t.text for t in root.findall("text")} >= {"a", "b", "$1.00", "$3.00"}


def test_stacked_bar_shares_and_zero_total() -> None:
    root = ET.fromstring(stacked_bar([("x", 1.0), ("y", 3.0)], fmt_num, "t", width=400))
    widths = [float(r.attrib["width"]) for r in root.findall("rect")[:2]]
    assert widths == pytest.approx([100.0, 300.0])
    assert "75.0%" in {t.text for t in root.findall("text")}
    ET.fromstring(stacked_bar([("x", 0.0)], fmt_num, "t"))


def test_line_chart_two_axes_points_and_legend() -> None:
    xs = [8192, 16384, 65536, 500000]
    left = Series("MFU", [0.45, 0.44, 0.42, 0.37], fmt_pct)
    right = Series("Days", [400, 205, 52, 8], fmt_num)
    root = ET.fromstring(line_chart(xs, left, right, "GPUs", fmt_num, "scaling"))
    assert len(root.findall("polyline")) == 2 and len(root.findall("circle")) == 8
    labels = {t.text for t in root.findall("text")}
    assert {"MFU", "Days", "GPUs"} <= labels and "50.0%" in labels and "100" in labels


def test_line_chart_single_point_and_one_series() -> None:
    root = ET.fromstring(line_chart([1024], Series("MFU", [0.4], fmt_pct), None, "GPUs", fmt_num, "t"))
    assert len(root.findall("circle")) == 1


def test_make_axis_linear_covers_values_with_round_ends() -> None:
    axis = make_axis([0.37, 0.45])
    assert axis.lo == 0 and axis.hi == pytest.approx(0.5) and not axis.log
    assert axis.ticks()[0] == 0 and axis.ticks()[-1] == pytest.approx(0.5)


def test_make_axis_log_for_wide_ranges() -> None:
    axis = make_axis([8192, 500000])
    assert axis.log and axis.lo <= 8192 and axis.hi >= 500000
    assert all(axis.lo <= t <= axis.hi for t in axis.ticks())
    assert axis.frac(axis.lo) == pytest.approx(0) and axis.frac(axis.hi) == pytest.approx(1)


def test_axis_frac_linear() -> None:
    assert Axis(0, 10).frac(2.5) == pytest.approx(0.25)
    assert math.isfinite(make_axis([3.0, 3.0]).hi)
