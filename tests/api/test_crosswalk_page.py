"""The crosswalk page (``/crosswalk/{target}``) in-process: the switch, the matrix, coverage, gaps, downloads,
errors and caching. What the page shows is checked against the named queries it reads and, where the issue
states it, against expectations written by hand (the 2005 gaps, CHAN × 9.2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from itsm_prm.api import create_app
from itsm_prm.config import Settings
from itsm_prm.crosswalk.targets import TARGETS
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.terms import QueryResult, Term

ID = "https://w3id.org/itsm-prm/id/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHAN_9_2 = ID + "mapping-set/prm-iso20000-1-2005/CHAN-9.2"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


# ---------------------------------------------------------------- a small DOM, enough to read the page


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def words(self) -> str:
        return " ".join(self.text().split())

    def all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        """Descendants with the tag and attributes (``class_`` matches one class among several)."""
        found = []
        for child in self.children:
            if isinstance(child, str):
                continue
            if (tag is None or child.tag == tag) and all(_has(child, k, v) for k, v in attrs.items()):
                found.append(child)
            found += child.all(tag, **attrs)
        return found

    def one(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.all(tag, **attrs)
        assert len(found) == 1, (tag, attrs, len(found))
        return found[0]


def _has(node: Node, name: str, value: str) -> bool:
    if name == "class_":
        return value in node.attrs.get("class", "").split()
    return node.attrs.get(name.replace("_", "-")) == value


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def dom(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    return builder.root


def page(client: TestClient, path: str) -> Node:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200, (path, response.text[:300])
    return dom(response.text)


def rows(kg: KnowledgeGraph, name: str, **params: str) -> list[dict[str, Term | None]]:
    result = kg.run(name, **params)
    assert isinstance(result, QueryResult)
    return result.rows


def value(row: dict[str, Term | None], name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


def matrix_cell(doc: Node, process: str, element: str) -> Node:
    row = doc.one("tr", data_process=process)
    return row.one("td", data_element=element)


@pytest.fixture(scope="module")
def page_2005(client: TestClient) -> Node:
    return page(client, "/crosswalk/2005")


# ---------------------------------------------------------------- status, type, switch


def test_page_is_html_with_cache_headers_and_a_content_policy(client: TestClient) -> None:
    for _ in range(2):  # the second answer comes from the answer cache: the same page, the same policy
        response = client.get("/crosswalk/2005")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["etag"] and "max-age" in response.headers["cache-control"]
        policy = dom(response.text).one("meta", http_equiv="Content-Security-Policy").attrs["content"]
        assert "script-src 'self';" in policy and "default-src 'self';" in policy
    assert client.get("/crosswalk/").text == client.get("/crosswalk").text  # the default edition


def test_switch_links_every_target_and_marks_the_current_one(client: TestClient) -> None:
    for path, current in [
        ("/crosswalk", "iso20000-1:2005"),  # the default
        ("/crosswalk/2005", "iso20000-1:2005"),
        ("/crosswalk/2011", "iso20000-1:2011"),
        ("/crosswalk/iso20000-1:2018", "iso20000-1:2018"),
        ("/crosswalk/ISO%2FIEC%2020000-1%3A2018", "iso20000-1:2018"),
        ("/crosswalk/itil4", "itil4"),
    ]:
        doc = page(client, path)
        tabs = doc.one("nav", class_="xw-tabs").all("a")
        assert [a.attrs["href"] for a in tabs] == [f"/crosswalk/{t.short}" for t in TARGETS.values()]
        chosen = [a for a in tabs if a.attrs.get("aria-current") == "page"]
        assert [a.text() for a in chosen] == [TARGETS[current].label], path
        canonical = doc.one("link", rel="canonical").attrs["href"]
        assert canonical == f"/crosswalk/{TARGETS[current].short}"


def test_derived_targets_carry_the_banner(client: TestClient) -> None:
    for target in TARGETS.values():
        doc = page(client, f"/crosswalk/{target.short}")
        banners = doc.all("p", class_="xw-derived")
        assert len(banners) == (1 if target.derived else 0), target.key
        if target.derived:
            assert "derived" in banners[0].words() and "reviewed" in banners[0].words()
            links = [a.attrs["href"] for a in banners[0].all("a")]
            assert "/id/mapping-set/prm-iso20000-1-2005" in links  # what it was derived from


def test_unknown_target_is_a_404_naming_the_choices(client: TestClient) -> None:
    response = client.get("/crosswalk/2019", headers={"Accept": BROWSER})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    doc = dom(response.text)
    assert "2019" in doc.one("main").words()
    choices = [a.attrs["href"] for a in doc.one("ul", class_="xw-choices").all("a")]
    assert choices == [f"/crosswalk/{t.short}" for t in TARGETS.values()]
    as_json = client.get("/crosswalk/2019", headers={"Accept": "application/json"})
    assert as_json.status_code == 404
    assert "iso20000-1:2018" in as_json.json()["error"]


def test_etag_answers_304_and_head_has_no_body(client: TestClient) -> None:
    first = client.get("/crosswalk/2018")
    again = client.get("/crosswalk/2018", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/crosswalk/2005").headers["etag"] != first.headers["etag"]
    head = client.head("/crosswalk/2018")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == first.headers["etag"]


# ---------------------------------------------------------------- the matrix


def test_change_management_equals_clause_9_2_with_its_why(page_2005: Node, kg: KnowledgeGraph) -> None:
    cell = matrix_cell(page_2005, "CHAN", "9.2")
    assert cell.attrs["data-relation"] == "equal"
    assert "xw-equal" in cell.attrs["class"].split()
    link = cell.one("a")
    assert link.attrs["href"] == "/id/mapping-set/prm-iso20000-1-2005/CHAN-9.2"
    comment = kg.query(f"SELECT ?c WHERE {{ <{CHAN_9_2}> <http://www.w3.org/2000/01/rdf-schema#comment> ?c }}")
    assert isinstance(comment, QueryResult) and len(comment.rows) == 1
    tooltip = link.attrs["title"]
    assert "equal to" in tooltip
    assert "strength 9 of 10" in tooltip and "semantic rationale" in tooltip
    assert comment.rows[0]["c"].value in tooltip  # the why, as the record states it


def test_rows_are_the_processes_in_model_order(page_2005: Node, kg: KnowledgeGraph) -> None:
    body = page_2005.one("table", id="matrix").one("tbody")
    shown = [tr.attrs["data-process"] for tr in body.all("tr")]
    assert shown == [value(r, "id") for r in rows(kg, "processes")]
    assert shown == ["INC", "PRO", "CHAN", "CONF", "REL", "SLM", "ITFM", "CAP", "ITSCM", "AVA"]
    first = body.all("tr")[0].one("th")
    assert first.one("a").attrs["href"] == "/id/process/INC"


def test_columns_are_the_coverage_elements_grouped(page_2005: Node, kg: KnowledgeGraph) -> None:
    expected = rows(kg, "crosswalk-coverage", edition="2005")
    head = page_2005.one("table", id="matrix").one("thead")
    headers = head.one("tr", class_="xw-elements").all("th")
    assert [h.attrs["data-element"] for h in headers] == [value(r, "number") for r in expected]
    for h, r in zip(headers, expected, strict=True):
        number = value(r, "number")
        assert h.text().strip() == number  # the clause number, its title in the tooltip
        assert h.attrs["title"] == f"{number} {value(r, 'title')}"
        assert h.one("a").attrs["href"] == f"/id/iso20000-1/2005/clause/{number}"
    groups = head.one("tr", class_="xw-groups").all("th")[1:]
    spans = [int(g.attrs["colspan"]) for g in groups]
    assert sum(spans) == len(headers)
    titles = list(dict.fromkeys(f"{value(r, 'groupNumber')} {value(r, 'groupTitle')}" for r in expected))
    assert [g.attrs["title"] for g in groups] == titles
    assert all(title.startswith(g.words()) for g, title in zip(groups, titles, strict=True))
    assert groups[0].words() == titles[0] == "3 Requirements for a management system"  # wide enough for its title


def test_every_cell_shows_the_records_of_its_pair(page_2005: Node, kg: KnowledgeGraph) -> None:
    """A process-level record colours its cell by its relation; outcome records without one make an
    outcome-level cell listing them; a pair without records is an empty cell."""
    records = rows(kg, "crosswalk-matrix", edition="2005")
    assert {value(r, "level") for r in records} == {"process", "outcome"}
    symbols = {"equalTo": "equal", "supersetOf": "superset", "subsetOf": "subset", "intersectsWith": "intersects"}
    process_level: dict[tuple[str, str], str] = {}
    outcome_level: dict[tuple[str, str], set[str]] = {}
    for r in records:
        if value(r, "number") is None:
            continue  # no counterpart: not a column
        key = (value(r, "processId") or "", value(r, "number") or "")
        relation = (value(r, "relation") or "").rsplit("#", 1)[-1]
        if value(r, "level") == "process":
            process_level[key] = symbols.get(relation, "not-related")
        else:
            outcome_level.setdefault(key, set()).add(value(r, "subjectId") or "")
    columns = [h.attrs["data-element"] for h in page_2005.one("tr", class_="xw-elements").all("th")]
    checked = {"process": 0, "outcome": 0, "empty": 0}
    for tr in page_2005.one("table", id="matrix").one("tbody").all("tr"):
        process = tr.attrs["data-process"]
        cells = tr.all("td")
        assert [c.attrs["data-element"] for c in cells] == columns
        for cell in cells:
            key = (process, cell.attrs["data-element"])
            if key in process_level:
                assert cell.attrs["data-relation"] == process_level[key], key
                checked["process"] += 1
            elif key in outcome_level:
                assert cell.attrs["data-relation"] == "outcome-level", key
                assert "xw-outcome-level" in cell.attrs["class"].split()
                assert {a.text() for a in cell.all("a")} == outcome_level[key]
                assert all(a.attrs["href"].startswith("/id/mapping-set/prm-iso20000-1-2005/") for a in cell.all("a"))
                assert f"{len(outcome_level[key])} outcome" in cell.attrs["title"]
                checked["outcome"] += 1
            else:
                assert "data-relation" not in cell.attrs and not cell.all("a"), key
                checked["empty"] += 1
    assert checked["process"] == len(process_level) == 10  # every process-level record of 2005 has a cell
    assert checked["outcome"] == len([k for k in outcome_level if k not in process_level]) > 0


def test_coverage_row_and_summary_follow_the_queries(page_2005: Node, kg: KnowledgeGraph) -> None:
    coverage = rows(kg, "crosswalk-coverage", edition="2005")
    footer = page_2005.one("tr", class_="xw-coverage").all("td")
    assert [td.text() for td in footer] == [value(r, "coverage") for r in coverage]
    # hand-written expectations: CHAN equals 9.2, so it is fully covered; 6.2 has no counterpart
    shown = {td.attrs["data-element"]: td.text() for td in footer}
    assert shown["9.2"] == "full" and shown["6.2"] == "none" and shown["6.3"] == "partial"

    summary = rows(kg, "crosswalk-coverage-summary", edition="2005")
    whole = [r for r in summary if r.get("group") is None]
    assert len(whole) == 1
    table = page_2005.one("table", class_="xw-summary")
    total = [td.text() for td in table.one("tfoot").all("td")]
    assert total[:4] == [value(whole[0], k) for k in ("elements", "full", "partial", "none")]
    assert total[4] == f"{float(value(whole[0], 'fullPercent') or 0):g}%"
    assert len(table.one("tbody").all("tr")) == len(summary) - 1  # one row per group


def test_gap_lists(page_2005: Node, kg: KnowledgeGraph) -> None:
    gaps = [a.attrs["href"].rsplit("/", 1)[-1] for a in page_2005.one("ul", class_="xw-gaps").all("a")]
    assert gaps == [value(r, "number") for r in rows(kg, "crosswalk-gaps", edition="2005")]
    assert {"6.2", "6.6", "7.2", "7.3"} <= set(gaps)  # the clauses the issue names
    assert not {"8.2", "9.2", "6.1"} & set(gaps)
    unmapped = [
        li.one("span", class_="identifier").text() for li in page_2005.one("ul", class_="xw-unmapped").all("li")
    ]
    expected = rows(kg, "crosswalk-unmapped-outcomes", edition="2005")
    assert unmapped == list(dict.fromkeys(value(r, "outcomeId") for r in expected))
    assert {"ITFM.4", "ITFM.5"} <= set(unmapped)  # charging: explicitly without counterpart in 2005


def test_download_buttons_name_the_mapping_set(page_2005: Node) -> None:
    links = [a.attrs["href"] for a in page_2005.one("ul", class_="xw-downloads").all("a")]
    stem = "/download/crosswalk/prm-iso20000-1-2005"
    assert links == [f"{stem}.sssom.tsv", f"{stem}.sssom.ttl", f"{stem}.csv", f"{stem}.xlsx", f"{stem}.oscal.json"]


def test_itil4_columns_are_practices_by_category(client: TestClient, kg: KnowledgeGraph) -> None:
    doc = page(client, "/crosswalk/itil4")
    expected = rows(kg, "crosswalk-coverage", edition="itil4")
    headers = doc.one("tr", class_="xw-elements").all("th")
    assert len(headers) == len(expected) == 34
    assert [h.text() for h in headers] == [value(r, "title") for r in expected]  # names, not slugs
    categories = [g.words() for g in doc.one("tr", class_="xw-groups").all("th")[1:]]
    assert len(categories) == 3


def test_every_link_of_the_pages_answers(client: TestClient, crawl_budget: int | None) -> None:
    """Records, clauses, processes, tabs, downloads: no broken link (every 4th on the stores that
    serve the same pages from another engine)."""
    checked: set[str] = set()
    for target in TARGETS.values():
        for a in page(client, f"/crosswalk/{target.short}").all("a"):
            href = a.attrs.get("href", "")
            if not href.startswith("/") or href in checked or href.startswith("/docs"):
                continue
            checked.add(href)
            if crawl_budget is None or len(checked) % 4 == 0:
                assert client.get(href, headers={"Accept": BROWSER}).status_code == 200, href
    assert len(checked) > 100


def test_links_and_policy_follow_the_public_base_url(make_client: Callable[..., TestClient]) -> None:
    elsewhere = make_client(base_url="https://prm.example.org/sub", query_workers=1)
    doc = dom(elsewhere.get("/crosswalk/2005").text)
    tabs = [a.attrs["href"] for a in doc.one("nav", class_="xw-tabs").all("a")]
    assert tabs[0] == "https://prm.example.org/sub/crosswalk/2005"
    record = matrix_cell(doc, "CHAN", "9.2").one("a").attrs["href"]
    assert record == "https://prm.example.org/sub/id/mapping-set/prm-iso20000-1-2005/CHAN-9.2"
    policy = doc.one("meta", http_equiv="Content-Security-Policy").attrs["content"]
    assert "script-src 'self' https://prm.example.org;" in policy  # the script comes from there


# ---------------------------------------------------------------- a home without crosswalk data


@pytest.fixture
def small_client(fixture_settings: Settings, fixture_kg: KnowledgeGraph) -> Iterator[TestClient]:
    app = create_app(fixture_settings.model_copy(update={"query_workers": 1}), fixture_kg)
    with TestClient(app) as small:
        yield small


def test_without_mapping_set_or_queries_the_page_says_so(small_client: TestClient) -> None:
    doc = page(small_client, "/crosswalk/2018")
    assert doc.one("p", id="no-mapping-set")
    assert "crosswalk-matrix" in doc.one("main").words()  # names the queries the catalog lacks
    assert not doc.all("table", id="matrix")
    assert doc.one("nav", class_="xw-tabs")  # the way to the other editions stays


# ---------------------------------------------------------------- the matrix query


def test_matrix_query_rows(kg: KnowledgeGraph, client: TestClient) -> None:
    records = rows(kg, "crosswalk-matrix", edition="iso20000-1:2005")
    chan = [r for r in records if value(r, "record") == CHAN_9_2]
    assert len(chan) == 1
    assert value(chan[0], "level") == "process" and value(chan[0], "subjectId") == "CHAN"
    assert value(chan[0], "derived") == "false"
    outcomes = [r for r in records if value(r, "level") == "outcome"]
    assert outcomes and all(value(r, "subjectId").startswith(value(r, "processId") + ".") for r in outcomes)  # type: ignore[union-attr]
    assert all(value(r, "derived") == "false" for r in records)  # 2005 is curated by hand
    derived = rows(kg, "crosswalk-matrix", edition="2018")
    assert any(value(r, "derived") == "true" for r in derived)  # most; additions for new clauses are not
    assert all(value(r, "edition") == ID + "iso20000-1/2018" for r in derived)
    # the REST operation of the same query
    answer = client.get("/api/queries/crosswalk-matrix?edition=2005&format=json")
    assert answer.status_code == 200
    assert len(answer.json()["results"]["bindings"]) == len(records)
