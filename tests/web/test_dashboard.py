"""The dashboard in a real browser (Debian's chromium driven by Playwright): it loads from a live server,
an input change re-plans, and the numbers and charts shown agree with the HTTP API.

``SAVE_SCREENSHOTS=1`` also writes docs/img/dashboard.png (desktop) and dashboard-phone.png (390 px)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian chromium is not installed (apt-get install -y chromium; .ci/run does)")
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
PLAN_TIMEOUT_MS = 300_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def wait_ready(page: Any) -> None:
    page.wait_for_function("document.body.dataset.state === 'ready' || document.body.dataset.state === 'error'",
                           timeout=PLAN_TIMEOUT_MS)
    assert page.evaluate("document.body.dataset.state") == "ready", page.inner_text("#error")


def stat(page: Any, key: str) -> str:
    return str(page.inner_text(f'.stat[data-key="{key}"] .v'))


def api_plan(base: str, body: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(f"{base}/api/plan", json=body, timeout=PLAN_TIMEOUT_MS / 1000)
    assert r.status_code == 200, r.text
    return dict(r.json())


def chart_values(page: Any, chart: str) -> Any:
    return json.loads(page.get_attribute(f"#chart-{chart}", "data-values"))


def test_dashboard_updates_and_agrees_with_the_api(browser: Any, live_server: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    offline: list[str] = []
    page.on("request", lambda req: None if req.url.startswith(live_server) else offline.append(req.url))
    page.goto(f"{live_server}/?scenario=meta-24k")
    wait_ready(page)
    plan = api_plan(live_server, {"scenario": "meta-24k"})
    assert stat(page, "accelerators") == f"{plan['design']['accelerators']:,}"
    assert page.locator("#chart-power svg rect").count() >= 4
    before = chart_values(page, "researchers")

    page.fill("#researchers", "800")
    page.dispatch_event("#researchers", "change")
    sent = "document.body.dataset.request && JSON.parse(document.body.dataset.request).researchers === 800"
    page.wait_for_function(sent, timeout=PLAN_TIMEOUT_MS)
    wait_ready(page)
    assert "researchers=800" in page.url
    changed = api_plan(live_server, {"scenario": "meta-24k", "researchers": 800})
    q = changed["scheduling"]["queue"]
    assert changed["scheduling"]["researchers"] == 800
    after = chart_values(page, "researchers")
    assert after != before
    assert after[1] == pytest.approx(q["researcher_compute"]["median"])
    assert page.inner_text("#scheduling-text").startswith("800 researchers")
    scaling = chart_values(page, "scaling")[0]
    assert scaling == pytest.approx([s["wall_days"] for s in changed["scaling"]])
    assert offline == [], f"the page fetched from elsewhere: {offline}"
    if os.environ.get("SAVE_SCREENSHOTS"):
        IMG.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(IMG / "dashboard.png"), full_page=True)
    page.close()


def test_dashboard_is_readable_at_390px_and_restores_state_from_the_url(browser: Any, live_server: str) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    page.goto(f"{live_server}/?scenario=meta-24k&researchers=800")
    wait_ready(page)
    assert page.input_value("#researchers") == "800"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    sizes = page.evaluate("[...document.querySelectorAll('.chart text')].map(t => t.getBoundingClientRect().height)")
    assert sizes and min(sizes) >= 11  # chart text drawn at its real size, not shrunk with the SVG
    boxes = page.evaluate("""[...document.querySelectorAll('#chart-frontier text')]
        .map(t => t.getBoundingClientRect()).map(r => [r.left, r.top, r.right, r.bottom])""")
    overlaps = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                if a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1]
    assert boxes and not overlaps  # point labels of the time-against-cost chart stay legible
    if os.environ.get("SAVE_SCREENSHOTS"):
        page.screenshot(path=str(IMG / "dashboard-phone.png"), full_page=True)
    page.close()
