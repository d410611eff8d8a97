"""The interactive docs render in a real browser without a console error."""

import pytest

from tests.browser import console_errors


@pytest.mark.parametrize("path", ["/docs"])
def test_docs_page_renders_in_chromium(browser, live_server, path):
    page = browser.new_page()
    errors = console_errors(page)
    response = page.goto(live_server + path, wait_until="networkidle")
    assert response.status == 200
    assert page.title()
    assert errors == []
    page.close()
