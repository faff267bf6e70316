"""The assessment upload page in a real browser: headless Debian Chromium driven by Playwright, against a
real server (``server_url``). The form posts the file without any script; the answer is the same page with
the validation summary, the capability profile and the findings."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext

from tests.cli.test_cli_assess import VALID
from tests.e2e.browser import Traffic, launch, recording_context, requires_chromium

pytestmark = requires_chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launch()


@pytest.fixture
def context_and_traffic(browser: Browser) -> Iterator[tuple[BrowserContext, Traffic]]:
    yield from recording_context(browser, viewport={"width": 1366, "height": 768}, java_script_enabled=False)


def test_upload_the_valid_example_and_see_the_report(
    context_and_traffic: tuple[BrowserContext, Traffic], server_url: str
) -> None:
    context, traffic = context_and_traffic
    page = context.new_page()
    page.on("pageerror", lambda error: traffic.errors.append(f"page error: {error}"))
    response = page.goto(f"{server_url}/")
    assert response is not None and response.status == 200
    page.get_by_role("link", name="Assess").click()  # from the site navigation
    page.wait_for_selector("form#assessment-upload")
    assert urlsplit(page.url).path == "/assess"

    page.set_input_files("#assessment-file", str(VALID))
    with page.expect_navigation():
        page.click("form#assessment-upload button[type=submit]")

    assert page.locator("h2#results-heading").inner_text() == "Results for valid-all-ten.ttl"
    summary = page.locator("p.as-summary")
    assert summary.get_attribute("data-conforms") == "true"
    assert "conforms" in summary.inner_text() and "0 violations" in summary.inner_text()
    rows = page.locator("table#profile-grid tbody tr")
    assert rows.count() == 10
    inc = page.locator('table#profile-grid tr[data-process="INC"]')
    assert "Incident Management" in inc.inner_text()
    assert inc.locator("td[data-attribute]").count() == 9
    assert page.locator("svg#level-chart g[data-process-bar]").count() == 10
    assert page.locator("section#findings").is_visible()

    assert traffic.errors == []
    assert traffic.hosts() == {urlsplit(server_url).netloc}, "nothing from another host"
