"""Screenshots for the README: three embedded charts and the demo page, in headless Chromium.

    .venv/bin/python -m tools.screenshots          # writes docs/charts.png and docs/demo.png

Serves the app on a scratch SQLite database (migrated and seeded from seed/) and photographs
what a browser shows; the tests take the same pictures (tests/clients/test_charts_browser.py).
"""

import argparse
import tempfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
# The three charts shown in the README: a line over years, bars over school years (with a
# provisional value), and bars over five-year windows (with a pending one).
CHARTS = ("M5.1", "M9.4", "M7.1")
CHART_WIDTH, CHART_HEIGHT = 560, 340


def charts_page(base_url: str, codes: tuple[str, ...] = CHARTS) -> str:
    """An HTML page embedding the charts as a CMS would: plain <img> elements."""
    images = "\n".join(
        f'<img src="{base_url}/v1/metrics/{code}/chart.svg?width={CHART_WIDTH}'
        f'&height={CHART_HEIGHT}" alt="" width="{CHART_WIDTH}" height="{CHART_HEIGHT}">'
        for code in codes
    )
    return (
        "<!doctype html><html lang='nl'><head><meta charset='utf-8'><title>Grafieken</title>"
        "<style>body{margin:16px;background:#f5f7fa;display:flex;flex-wrap:wrap;gap:16px}"
        "img{background:#fff;border:1px solid #d9e2ec}</style></head>"
        f"<body>{images}</body></html>"
    )


def photograph_charts(browser, base_url: str, target: Path) -> list[int]:
    """Screenshot of the charts page; returns each image's natural width (0 = not rendered)."""
    page = browser.new_page(viewport={"width": 1180, "height": 760})
    page.set_content(charts_page(base_url), wait_until="networkidle")
    widths = page.eval_on_selector_all("img", "images => images.map(i => i.naturalWidth)")
    page.screenshot(path=str(target), full_page=True)
    page.close()
    return widths


def photograph_demo(browser, base_url: str, target: Path) -> None:
    page = browser.new_page(viewport={"width": 1180, "height": 1240})
    page.goto(base_url + "/", wait_until="networkidle")
    page.wait_for_selector("#summary table")
    # The first screen: the summary and the first charts (the whole page is long).
    page.screenshot(path=str(target))
    page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPOSITORY / "docs")
    arguments = parser.parse_args()

    from playwright.sync_api import sync_playwright
    from sqlmodel import Session

    from app import migrate
    from app.core.config import Settings
    from app.db import get_engine
    from app.main import create_app
    from app.seed import seed_database
    from tests.browser import chromium_path
    from tests.servers import running_server

    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings(
            database_url=f"sqlite:///{scratch}/screenshots.db", seed_dir=REPOSITORY / "seed"
        )
        engine = get_engine(settings)
        migrate.upgrade(engine)
        with Session(engine) as session:
            seed_database(session, settings.seed_dir)
        with running_server(create_app(settings)) as base_url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu"]
            )
            arguments.out.mkdir(parents=True, exist_ok=True)
            widths = photograph_charts(browser, base_url, arguments.out / "charts.png")
            if 0 in widths:
                raise SystemExit(f"a chart did not render: natural widths {widths}")
            photograph_demo(browser, base_url, arguments.out / "demo.png")
            browser.close()
        engine.dispose()
    print(f"wrote {arguments.out / 'charts.png'} and {arguments.out / 'demo.png'}")


if __name__ == "__main__":
    main()
