"""The crosswalk page in a real browser: headless Debian Chromium driven by Playwright, against a real
server (``server_url``), on a laptop-sized window. ``make test`` installs Chromium when it is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from itsm_prm.crosswalk.targets import TARGETS
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.terms import QueryResult
from tests.e2e.browser import Traffic, launch, recording_context, requires_chromium

LAPTOP = {"width": 1366, "height": 768}
CHAN_9_2 = 'tr[data-process="CHAN"] td[data-element="9.2"]'
RECORD = "https://w3id.org/itsm-prm/id/mapping-set/prm-iso20000-1-2005/CHAN-9.2"

pytestmark = requires_chromium


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launch()


@pytest.fixture
def context_and_traffic(browser: Browser) -> Iterator[tuple[BrowserContext, Traffic]]:
    yield from recording_context(browser, viewport=LAPTOP)


def open_page(context: BrowserContext, traffic: Traffic, url: str) -> Page:
    page = context.new_page()
    page.on("pageerror", lambda error: traffic.errors.append(f"page error: {error}"))
    page.on("console", lambda m: m.type in ("error", "warning") and traffic.errors.append(f"console: {m.text}"))
    response = page.goto(url)
    assert response is not None and response.status == 200
    page.wait_for_selector("table#matrix tbody tr")
    return page


def record_comment(kg: KnowledgeGraph) -> str:
    result = kg.query(f"SELECT ?c WHERE {{ <{RECORD}> <http://www.w3.org/2000/01/rdf-schema#comment> ?c }}")
    assert isinstance(result, QueryResult) and len(result.rows) == 1
    return result.rows[0]["c"].value  # type: ignore[union-attr]


def test_matrix_tooltip_switch_gaps_and_downloads(
    context_and_traffic: tuple[BrowserContext, Traffic], server_url: str, kg: KnowledgeGraph
) -> None:
    context, traffic = context_and_traffic
    page = open_page(context, traffic, f"{server_url}/crosswalk/2005")

    # the matrix: ten processes, one column per clause, the coverage row
    assert page.locator("table#matrix tbody tr").count() == 10
    columns = page.locator("tr.xw-elements th").count()
    assert columns > 20
    assert page.locator("tr.xw-coverage td").count() == columns

    # hovering a cell shows its record at once: relation, strength, rationale and why
    cell = page.locator(CHAN_9_2)
    assert cell.get_attribute("data-relation") == "equal"
    cell.locator("a").hover()
    tooltip = page.locator(".xw-tooltip[role=tooltip]")
    tooltip.wait_for(state="visible")
    text = tooltip.inner_text()
    assert "equal to" in text and "strength 9 of 10" in text
    assert " ".join(record_comment(kg).split()) in " ".join(text.split())
    assert cell.locator("a").get_attribute("aria-describedby") == "xw-tooltip"
    page.locator("h1").hover()  # away: the tooltip goes, the native one is back
    tooltip.wait_for(state="detached")
    assert "equal to" in (cell.locator("a").get_attribute("title") or "")

    # keyboard: focusing the cell's link shows the tooltip too, Escape hides it
    cell.locator("a").focus()
    tooltip.wait_for(state="visible")
    page.keyboard.press("Escape")
    tooltip.wait_for(state="detached")

    # gaps and downloads
    gaps = page.locator("#gaps ul.xw-gaps a")
    assert {"6.2", "6.6", "7.2", "7.3"} <= {(gaps.nth(i).get_attribute("href") or "").rsplit("/", 1)[-1] for i in range(gaps.count())}
    assert page.locator("#gaps ul.xw-unmapped li").count() >= 2
    buttons = page.locator("ul.xw-downloads a.xw-button")
    hrefs = [buttons.nth(i).get_attribute("href") or "" for i in range(buttons.count())]
    stem = "/download/crosswalk/prm-iso20000-1-2005"
    assert hrefs == [f"{stem}.sssom.tsv", f"{stem}.sssom.ttl", f"{stem}.csv", f"{stem}.xlsx", f"{stem}.oscal.json"]
    for href in hrefs:
        answer = httpx.get(server_url + href, timeout=30)
        assert answer.status_code == 200 and answer.content, href

    # switching edition by clicking its tab
    page.get_by_role("link", name=TARGETS["iso20000-1:2018"].label, exact=True).click()
    page.wait_for_url(f"{server_url}/crosswalk/2018")
    page.wait_for_selector("table#matrix tbody tr")
    current = page.locator('.xw-tabs a[aria-current="page"]')
    assert current.inner_text() == "ISO/IEC 20000-1:2018"
    assert page.locator(".xw-derived").is_visible()
    assert page.locator("table#matrix tbody tr").count() == 10
    assert page.locator('tr.xw-elements th[data-element="8.5.1.1"]').count() == 1  # a 2018 clause

    assert traffic.hosts() == {urlsplit(server_url).netloc}, traffic.urls
    assert traffic.errors == []

    # a cell leads to its record's page (the record pages are another router's: their errors are not ours)
    page.locator('tr[data-process="CHAN"] td[data-relation]:not([data-relation="outcome-level"]) a').first.click()
    page.wait_for_url(f"{server_url}/id/mapping-set/prm-iso20000-1-2018/CHAN-*")
    assert "CHAN" in page.locator("h1").inner_text()


def test_the_matrix_scrolls_under_a_sticky_first_column_and_header(
    context_and_traffic: tuple[BrowserContext, Traffic], server_url: str
) -> None:
    context, traffic = context_and_traffic
    page = open_page(context, traffic, f"{server_url}/crosswalk/2018")
    # the page itself does not scroll sideways: the matrix does, inside its box
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = page.locator(".xw-scroll")
    assert page.evaluate("e => e.scrollWidth > e.clientWidth", box.element_handle())
    row_head = page.locator('tr[data-process="INC"] th')
    col_head = page.locator('tr.xw-elements th').first
    left, top = row_head.bounding_box(), col_head.bounding_box()
    assert left is not None and top is not None
    box.evaluate("e => { e.scrollLeft = 600; e.scrollTop = 150; }")
    page.wait_for_function("document.querySelector('.xw-scroll').scrollLeft >= 600")
    after_left, after_top = row_head.bounding_box(), col_head.bounding_box()
    assert after_left is not None and after_top is not None
    assert abs(after_left["x"] - left["x"]) < 1  # the process names stay in view
    assert abs(after_top["y"] - top["y"]) < 1  # so do the clause numbers
    assert traffic.errors == []


def test_the_page_works_without_javascript(browser: Browser, server_url: str) -> None:
    context = browser.new_context(viewport=LAPTOP, java_script_enabled=False)
    try:
        page = context.new_page()
        response = page.goto(f"{server_url}/crosswalk/itil4")
        assert response is not None and response.status == 200
        assert page.locator("table#matrix tbody tr").count() == 10
        assert page.locator("tr.xw-elements th").count() == 34
        cells = page.locator("td.xw-cell[data-relation]")
        assert cells.count() > 0
        first = cells.first
        title = first.get_attribute("title") or first.locator("a").first.get_attribute("title") or ""
        assert "strength" in title  # the tooltip is the native one
        page.locator('.xw-tabs a:text-is("ISO/IEC 20000-1:2005")').click()
        page.wait_for_url(f"{server_url}/crosswalk/2005")
    finally:
        context.close()
