"""What a front-end developer sees in a real browser: three charts embedded in a page, and the
demo page at `/` (app/static/index.html) working against the API, without a console error.

The charts screenshot is written to $SCREENSHOT_DIR when set (CI keeps it as an artifact);
`python -m tools.screenshots` refreshes the copies in docs/ that the README shows."""

import os
from pathlib import Path

import pytest

from tests.browser import console_errors
from tools.screenshots import CHARTS, photograph_charts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    configured = os.environ.get("SCREENSHOT_DIR")
    directory = Path(configured) if configured else tmp_path
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def test_three_embedded_charts_render(browser, live_server, screenshot_dir):
    target = screenshot_dir / "charts.png"
    widths = photograph_charts(browser, live_server, target)
    assert len(widths) == len(CHARTS) == 3
    # naturalWidth is 0 for an image the browser could not decode.
    assert all(width > 0 for width in widths), widths
    assert target.read_bytes().startswith(PNG_SIGNATURE)


def test_a_chart_opened_on_its_own_renders_without_errors(browser, live_server):
    page = browser.new_page()
    errors = console_errors(page)
    response = page.goto(live_server + "/v1/metrics/M9.4/chart.svg", wait_until="load")
    assert response.status == 200
    assert page.locator("svg title").first.text_content().startswith("M9.4")
    assert page.locator(".mark").count() == 3
    assert errors == []
    page.close()


def test_demo_page_shows_the_summary_attention_list_and_search(browser, live_server):
    page = browser.new_page()
    errors = console_errors(page)
    response = page.goto(live_server + "/", wait_until="networkidle")
    assert response.status == 200
    assert "script-src" in response.headers["content-security-policy"]
    total = page.locator("#summary tfoot #total td").nth(1)
    assert total.text_content() == "120"
    assert page.locator("#summary tbody tr").count() == 7
    # The "needs attention" list: one chart per metric assessed worse, each rendered.
    worse = page.request.get(live_server + "/v1/metrics?assessment=worse&pageSize=100").json()
    images = page.locator("#attention img")
    assert images.count() == len(worse["items"]) > 0
    widths = page.eval_on_selector_all("#attention img", "all => all.map(i => i.naturalWidth)")
    assert all(width > 0 for width in widths)
    page.fill("#q", "laadpalen")
    page.click("#search button")
    page.wait_for_selector("#results li")
    assert page.locator("#results li a").count() > 0
    assert errors == []
    page.close()
