"""A real headless browser for tests: Debian's Chromium driven by Playwright.

`.ci/run` installs the `chromium` package; Playwright's own browser downloads are never used
(no network here), so the browser is always launched from its system path.
"""

import shutil
from collections.abc import Iterator

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def chromium_path() -> str:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    raise RuntimeError("Chromium is not installed: apt-get install chromium (see .ci/run)")


# Per module, not per session: while Playwright's sync API is active it keeps an event loop
# running in the main thread, and every later test that calls asyncio.run() would fail.
@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


def console_errors(page) -> list[str]:
    """Collects console errors and uncaught page errors of `page` from now on."""
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors
