"""The HTML report of real plans: every section, every chart, typed labels and units, self-contained."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from gigacluster.planning.model import Plan, ScenarioInfo
from gigacluster.report import render_report, write_report
from tests.conftest import SCENARIOS

SVG_RE = re.compile(r"<svg .*?</svg>", re.S)
SECTIONS = ("design", "training", "scaling", "serving", "scheduling", "cost", "timings")


def svgs(html: str) -> list[str]:
    return SVG_RE.findall(html)


def chart_titles(html: str) -> list[str]:
    return [ET.fromstring(s).attrib["aria-label"] for s in svgs(html)]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_section_and_chart_of_every_scenario(real_plan: Callable[[str], Plan], scenario: str) -> None:
    html = render_report(real_plan(scenario))
    for key in SECTIONS:
        assert f'<section id="{key}">' in html, key
    titles = chart_titles(html)
    for needed in ("Power breakdown", "Capex breakdown", "Step time breakdown", "Memory per GPU by part",
                   "MFU and days to train", "Days lost to failures", "Cost of the run", "GPU-hours per researcher",
                   "ETTR and cost of the run against job size", "Throughput per GPU against speed per user"):
        assert any(t.startswith(needed) for t in titles), (needed, titles)
    for s in svgs(html):
        ET.fromstring(s)


def test_fabric_tiers_and_labelled_units(real_plan: Callable[[str], Plan]) -> None:
    plan = real_plan("meta-24k")
    html = render_report(plan)
    assert "Fabric tiers" in html
    for tier in plan.design.fabric.per_tier:
        assert f"<td>{tier.name}</td>" in html
    assert f"{plan.design.accelerators:,}" in html
    # labels and units come from the typed fields, not guessed from key suffixes
    assert "Power per rack" in html and " kW<" in html
    assert "Capex per GW of facility power" in html and "Kw per rack" not in html
    assert "GPU-hours held (wall-clock × GPUs)" in html and "GPU-hours of useful work (failure-free)" in html
    assert "Share of the cluster" in html and re.search(r"Share of the cluster</th><td>[0-9.]+%", html)


def test_report_is_self_contained(real_plan: Callable[[str], Plan]) -> None:
    html = render_report(real_plan("meta-24k"))
    assert "http" not in html.replace("http://www.w3.org", "")
    for forbidden in ("<script", "<link", "src=", "@import", "url("):
        assert forbidden not in html.lower()
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")


def test_text_is_escaped_everywhere(real_plan: Callable[[str], Plan]) -> None:
    evil = "<script>alert(1)</script>"
    plan = real_plan("meta-24k")
    info = ScenarioInfo(**(plan.scenario.model_dump() | {"name": evil, "description": evil}))
    html = render_report(plan.model_copy(update={"scenario": info}))
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_render_is_pure(real_plan: Callable[[str], Plan]) -> None:
    plan = real_plan("meta-24k")
    assert render_report(plan) == render_report(plan)


def test_write_report_writes_both_files(real_plan: Callable[[str], Plan], tmp_path: Path) -> None:
    plan = real_plan("meta-24k")
    json_path, html_path = write_report(plan, tmp_path / "out" / "run")
    assert json_path == tmp_path / "out" / "run" / "plan.json"
    assert Plan.model_validate(json.loads(json_path.read_text())) == plan
    assert html_path.read_text(encoding="utf-8") == render_report(plan)


def test_every_chart_has_a_phone_version_with_legible_text(real_plan: Callable[[str], Plan]) -> None:
    html = render_report(real_plan("meta-24k"))
    wide = re.findall(r'<div class="wide">(<svg .*?</svg>)</div>', html, re.S)
    narrow = re.findall(r'<div class="narrow">(<svg .*?</svg>)</div>', html, re.S)
    assert len(wide) == len(narrow) == len(svgs(html)) // 2 >= 8
    for s in narrow:
        root = ET.fromstring(s)
        width = float(root.attrib["viewBox"].split()[2])
        assert width <= 360  # shown about 1:1 in a 390 px screen's content column
        sizes = [float(t.attrib["font-size"]) for t in root.iter("text")]
        assert min(sizes) >= 11
    assert "@media (max-width:600px)" in html
