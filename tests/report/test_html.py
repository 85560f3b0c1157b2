import copy
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from gigacluster.report import render_report, write_report

SVG_RE = re.compile(r"<svg .*?</svg>", re.S)


def svgs(html: str) -> list[str]:
    return SVG_RE.findall(html)


def chart_titles(html: str) -> list[str]:
    return [ET.fromstring(s).attrib["aria-label"] for s in svgs(html)]


def test_fixture_has_a_chart_for_every_required_figure(plan: dict[str, Any]) -> None:
    titles = chart_titles(render_report(plan))
    for needed in ("Power breakdown", "Capex breakdown", "MFU and days to train", "Memory per GPU by part"):
        assert any(t.startswith(needed) for t in titles), (needed, titles)


def test_every_svg_is_well_formed_xml(plan: dict[str, Any]) -> None:
    for s in svgs(render_report(plan)):
        ET.fromstring(s)


def test_fabric_tier_table_and_headline_numbers(plan: dict[str, Any]) -> None:
    html = render_report(plan)
    assert "Fabric tiers" in html and all(f"<td>{t}</td>" in html for t in ("leaf", "spine", "core"))
    for figure in ("500,000", "1,020 MW", "1,173 MW", "$45.0B", "43.0%", "13.5"):
        assert figure in html


def test_report_is_self_contained(plan: dict[str, Any]) -> None:
    html = render_report(plan)
    assert "http" not in html
    for forbidden in ("<script", "<link", "src=", "@import", "url("):
        assert forbidden not in html.lower()
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")


def test_text_is_escaped_everywhere(plan: dict[str, Any]) -> None:
    evil = "<script>alert(1)</script>"
    plan["scenario"]["name"] = evil
    plan["scenario"]["description"] = evil
    plan["design"]["power_mw"][evil] = 12.0
    plan["training"]["memory_breakdown_gb"][evil] = 1.0
    plan["serving"][evil] = evil
    html = render_report(plan)
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for s in svgs(html):
        ET.fromstring(s)


def test_empty_plan_renders() -> None:
    html = render_report({})
    assert "<section" not in html and "gigacluster plan" in html


@pytest.mark.parametrize("key", ["design", "training", "scaling", "serving", "reliability", "scheduling"])
def test_each_section_alone_and_each_missing(plan: dict[str, Any], key: str) -> None:
    alone = render_report({"scenario": plan["scenario"], key: plan[key]})
    assert f'<section id="{key}">' in alone
    others = {k: v for k, v in plan.items() if k != key}
    assert f'<section id="{key}">' not in render_report(others)


def test_partial_sections_render_what_they_have() -> None:
    plan = {"design": {"accelerators": 1024}, "training": {"mfu": 0.4}, "scaling": [], "serving": {}}
    html = render_report(plan)
    assert "1,024" in html and "40.0%" in html
    assert '<section id="scaling">' not in html and '<section id="serving">' not in html
    assert "<svg" not in html


def test_wrong_types_do_not_raise(plan: dict[str, Any]) -> None:
    bad = copy.deepcopy(plan)
    bad["design"]["power_mw"] = "lots"
    bad["design"]["fabric"] = {"tier_table": "none"}
    bad["training"]["memory_breakdown_gb"] = {"weights": None, "activations": float("nan")}
    bad["scaling"] = [{"gpus": "many"}, {"gpus": 8, "mfu": 0.5}, 3]
    bad["scheduling"] = "skipped"
    bad["reliability"] = [{"a": 1}, {"b": {"c": 2}}]
    html = render_report(bad)
    assert '<section id="scaling">' in html and '<section id="scheduling">' not in html
    for s in svgs(html):
        ET.fromstring(s)


def test_unknown_top_level_sections_render_generically(plan: dict[str, Any]) -> None:
    plan["economics"] = {"tco_usd": 5e10, "lines": [{"item": "gpus", "cost_usd": 3e10}]}
    html = render_report(plan)
    assert '<section id="economics">' in html and "$50.0B" in html and "$30.0B" in html


def test_render_is_pure(plan: dict[str, Any]) -> None:
    before = copy.deepcopy(plan)
    assert render_report(plan) == render_report(plan)
    assert plan == before


def test_write_report_writes_both_files(plan: dict[str, Any], tmp_path: Path) -> None:
    json_path, html_path = write_report(plan, tmp_path / "out" / "run")
    assert json_path == tmp_path / "out" / "run" / "plan.json"
    assert html_path == tmp_path / "out" / "run" / "report.html"
    assert json.loads(json_path.read_text()) == plan
    assert html_path.read_text(encoding="utf-8") == render_report(plan)
