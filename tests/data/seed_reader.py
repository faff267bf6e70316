"""An independent reader of the PRM seed document, used only by the fidelity tests.

The seed is a text export of the PRM: a process table per process whose "Process Purpose" and
"Process Outcomes" cells hold HTML fragments (<p>, <i>, <ul>/<ol> whose items are marked "▪" or "N.").
This reader uses the standard library's HTML parser, a different technique from the one the data was
drafted with, so that the tests do not simply repeat the data's own reading.

The normalisation rule the graph follows (and this reader applies): markup removed, whitespace runs
collapsed to one space, each list item on its own line after a "▪ " bullet.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SEED = REPO.parent / "shared" / "seed" / "itsm-prm-v3.0.txt"


def seed_path() -> Path:
    """The seed file: $ITSM_PRM_SEED, else ../shared/seed/ next to the repository."""
    path = Path(os.environ.get("ITSM_PRM_SEED", DEFAULT_SEED))
    if not path.is_file():
        raise FileNotFoundError(
            f"seed file not found at {path}; set ITSM_PRM_SEED to the PRM seed text (itsm-prm-v3.0.txt)"
        )
    return path


def squash(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Block:
    kind: str  # "p" (paragraph) or "list"
    text: str = ""
    items: list[str] = field(default_factory=list)


class _CellParser(HTMLParser):
    """Turns a cell into paragraphs and lists; list content is kept raw for item splitting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._current: Block | None = None

    def _open(self, kind: str) -> None:
        self._current = Block(kind)
        self.blocks.append(self._current)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "p":
            self._open("p")
        elif tag in ("ul", "ol"):
            self._open("list")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._current = None

    def handle_data(self, data: str) -> None:
        if not data.strip():
            return
        if self._current is None:
            self._open("p")
        self._current.text += data


def cell_blocks(cell: str) -> list[Block]:
    parser = _CellParser()
    parser.feed(cell)
    parser.close()
    for block in parser.blocks:
        block.text = squash(block.text)
    return [b for b in parser.blocks if b.text]


def bullet_items(text: str) -> list[str]:
    return [squash(part) for part in text.split("▪") if part.strip()]


def numbered_items(text: str, start: int) -> list[tuple[int, str]]:
    """Split '1. a; 2. b' into [(1, 'a;'), (2, 'b')], expecting consecutive numbers from `start`."""
    items: list[tuple[int, str]] = []
    number = start
    assert text.startswith(f"{number}. "), text[:30]
    rest = text[len(f"{number}. "):]
    while True:
        marker = f" {number + 1}. "
        cut = rest.find(marker)
        if cut < 0:
            items.append((number, rest.strip()))
            return items
        items.append((number, rest[:cut].strip()))
        rest = rest[cut + len(marker):]
        number += 1


def with_items(lead: str, items: list[str]) -> str:
    return lead + "".join(f"\n▪ {item}" for item in items)


REF = re.compile(r"\s*\(Ref\. ([^)]*)\)\.?$")
NOTE = re.compile(r"^NOTE (\d+): (.*)$", re.S)


@dataclass
class SeedOutcome:
    number: int
    statement: str
    reference: str | None
    heading: str | None


@dataclass
class SeedNote:
    number: int
    section: str  # "purpose" or "outcomes"
    text: str


@dataclass
class SeedProcess:
    id: str
    name: str
    section: str
    purpose: str
    notes: list[SeedNote]
    outcomes_intro: str
    outcomes: list[SeedOutcome]


def _paragraphs_with_lists(blocks: list[Block]) -> list[tuple[str, list[str]]]:
    """Pair each paragraph with the bullet list that directly follows it."""
    pairs: list[tuple[str, list[str]]] = []
    for block in blocks:
        if block.kind == "list" and "▪" in block.text and pairs:
            pairs[-1] = (pairs[-1][0], bullet_items(block.text))
        else:
            pairs.append((block.text, []))
    return pairs


def read_processes(text: str) -> list[SeedProcess]:
    rows: list[dict[str, str]] = []
    for line in text.split("\n"):
        heading = re.match(r"^(IV\.\d\.\d) (\S+) (.+)$", line)
        if heading:
            rows.append({"section": heading.group(1)})
            continue
        if rows and "\t" in line:
            key, _, value = line.partition("\t")
            rows[-1][key] = value
    processes = []
    for row in rows:
        purpose, notes = None, []
        for para, items in _paragraphs_with_lists(cell_blocks(row["Process Purpose"])):
            note = NOTE.match(para)
            if note:
                notes.append(SeedNote(int(note.group(1)), "purpose", with_items(note.group(2), items)))
            else:
                assert purpose is None, row["Process ID"]
                purpose = with_items(para, items)
        blocks = cell_blocks(row["Process Outcomes"])
        intro = blocks[0].text
        outcomes: list[SeedOutcome] = []
        heading = None
        for block in blocks[1:]:
            note = NOTE.match(block.text)
            if note:
                notes.append(SeedNote(int(note.group(1)), "outcomes", note.group(2)))
            elif re.match(r"^\d+\. ", block.text):
                for number, statement in numbered_items(block.text, len(outcomes) + 1):
                    ref = REF.search(statement)
                    if ref:
                        statement = statement[: ref.start()]
                    outcomes.append(SeedOutcome(number, statement, ref.group(1) if ref else None, heading))
            else:
                heading = block.text
        processes.append(
            SeedProcess(row["Process ID"], row["Process Name"], row["section"], purpose, notes, intro, outcomes)
        )
    return processes


@dataclass
class SeedReference:
    """One '(Ref. …)' of the seed, expanded to its target(s)."""

    subject: str  # path under id/, e.g. process/INC/outcome/2 or process/INC
    targets: list[str]  # paths under id/
    kind: str  # "extended outcome", "outcome" or "process"
    page: str
    citation: str


def read_references(processes: list[SeedProcess]) -> list[SeedReference]:
    refs: list[SeedReference] = []
    for proc in processes:
        for note in proc.notes:
            found = re.search(r"\(Ref\. (ISO/IEC 15504-5:2006, p\. ([\d-]+), (.+?))\)", note.text)
            if found:
                ids = [re.sub(r"^([A-Z]+)(\d+)$", r"\1.\2", x.strip()) for x in found.group(3).split(",")]
                refs.append(SeedReference(
                    f"process/{proc.id}", [f"iso15504-5/2006/process/{i}" for i in ids], "process",
                    found.group(2), "Ref. " + found.group(1),
                ))
        for outcome in proc.outcomes:
            if not outcome.reference:
                continue
            m = re.match(r"^ISO/IEC 15504-5:2006, p\. (\d+), (\S+), (extended outcomes?|outcome) (.+)$",
                         outcome.reference)
            assert m, outcome.reference
            page, process_id, word, numbers = m.groups()
            refs.append(SeedReference(
                f"process/{proc.id}/outcome/{outcome.number}",
                [f"iso15504-5/2006/process/{process_id}/outcome/{n.strip()}" for n in numbers.split(",")],
                "extended outcome" if word.startswith("extended") else "outcome",
                page, "Ref. " + outcome.reference,
            ))
    return refs


@dataclass
class SeedDocument:
    title: str
    abstract: str
    history: list[list[str]]
    references: list[str]
    trademark: str
    processes: list[SeedProcess]


def read_seed(path: Path | None = None) -> SeedDocument:
    text = (path or seed_path()).read_text(encoding="utf-8")
    lines = text.split("\n")
    nonblank = [line for line in lines if line.strip()]
    title = nonblank[0].strip()
    abstract = nonblank[nonblank.index("Abstract") + 1]
    start = lines.index("DOCUMENT HISTORICAL") + 2  # skip the header row
    history = []
    for line in lines[start:]:
        if not line.strip():
            break
        history.append(line.split("\t"))
    references = [line[2:] for line in lines if line.startswith("- ")]
    trademark = next(line for line in lines if line.startswith("ITIL® is a Registered"))
    return SeedDocument(title, abstract, history, references, trademark, read_processes(text))
