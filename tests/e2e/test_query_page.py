"""The query page in a real browser: headless Debian Chromium driven by Playwright, against a real
server (``server_url``). ``make test`` installs Chromium when it is missing; Playwright's own
browser downloads are never used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page

from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.terms import QueryResult
from tests.e2e.browser import Traffic, launch, recording_context, requires_chromium

BASE = "https://w3id.org/itsm-prm/"
ACTIVE = ".tabPanel.active"
ROWS = f"{ACTIVE} .yasr table.dataTable tbody tr"

pytestmark = requires_chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launch()


@pytest.fixture
def context_and_traffic(browser: Browser) -> Iterator[tuple[BrowserContext, Traffic]]:
    yield from recording_context(browser)


def open_query_page(context: BrowserContext, traffic: Traffic, server_url: str) -> Page:
    page = context.new_page()
    page.on("pageerror", lambda error: traffic.errors.append(f"page error: {error}"))
    page.on("console", lambda m: m.type == "error" and traffic.errors.append(f"console: {m.text}"))
    response = page.goto(f"{server_url}/query")
    assert response is not None and response.status == 200
    page.wait_for_selector(".yasgui .tabsList")
    return page


def run_tab(page: Page, name: str) -> Locator:
    """Select an example tab, press the run button and wait for the results table."""
    page.get_by_role("tab", name=name, exact=True).click()
    page.locator(f"{ACTIVE} .yasqe_queryButton").click()
    page.wait_for_selector(ROWS)
    return page.locator(ROWS)


def test_every_named_query_is_an_example_tab(
    context_and_traffic: tuple[BrowserContext, Traffic], server_url: str, kg: KnowledgeGraph
) -> None:
    context, traffic = context_and_traffic
    page = open_query_page(context, traffic, server_url)
    for name, query in kg.catalog.items():  # scoped queries need a token the page does not have
        assert page.get_by_role("tab", name=name, exact=True).count() == (0 if query.scoped else 1), name
    assert page.locator("header.site-header a.brand").get_attribute("href") == "/"  # the way home
    assert traffic.errors == []


def test_run_an_example_and_follow_an_iri(
    context_and_traffic: tuple[BrowserContext, Traffic], server_url: str
) -> None:
    context, traffic = context_and_traffic
    page = open_query_page(context, traffic, server_url)
    rows = run_tab(page, "processes")
    assert rows.count() == 10
    ids = [rows.nth(i).locator("td").nth(2).inner_text().strip('" ') for i in range(10)]
    assert ids == ["INC", "PRO", "CHAN", "CONF", "REL", "SLM", "ITFM", "CAP", "ITSCM", "AVA"]

    link = rows.first.locator("a.iri").first
    assert link.get_attribute("href") == "/id/process/INC"  # the local page, not w3id.org
    assert link.get_attribute("title") == BASE + "id/process/INC"
    assert link.inner_text() == "id:process/INC"
    with context.expect_page() as opened:
        link.click()
    resource = opened.value
    resource.wait_for_load_state()
    assert resource.url == f"{server_url}/id/process/INC"
    assert "Incident Management" in resource.locator("body").inner_text()

    assert traffic.hosts() == {urlsplit(server_url).netloc}, traffic.urls
    assert traffic.errors == []


def test_run_a_parameterised_example(
    context_and_traffic: tuple[BrowserContext, Traffic], server_url: str, kg: KnowledgeGraph
) -> None:
    context, traffic = context_and_traffic
    page = open_query_page(context, traffic, server_url)
    rows = run_tab(page, "process-outcomes")
    expected = kg.run("process-outcomes", process="CHAN")
    assert isinstance(expected, QueryResult)
    assert rows.count() == len(expected.rows) > 0
    first = rows.first.locator("a.iri")
    assert first.nth(0).get_attribute("href") == "/id/process/CHAN"
    assert re.fullmatch(r"/id/process/CHAN/outcome/\d+", first.nth(1).get_attribute("href") or "")
    assert traffic.hosts() == {urlsplit(server_url).netloc}, traffic.urls
    assert traffic.errors == []
