"""The crosswalk targets: which edition a user means by ``iso20000-1:2018`` and where its mappings live.

One registry for the CLI (``--to``), the API (``/api/crosswalk/{target}``, ``/download/crosswalk/…``),
the named queries' ``edition`` parameter and the crosswalk page, so they never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

ID = "https://w3id.org/itsm-prm/id/"
GRAPH = "https://w3id.org/itsm-prm/graph/"


@dataclass(frozen=True)
class Target:
    """A standard edition the model's processes and outcomes are mapped to."""

    key: str  # what users type: iso20000-1:2018
    label: str
    edition: str  # IRI of the prm:StandardEdition
    mapping_set: str  # IRI of the prm:MappingSet from the model to this edition
    mapping_graph: str  # named graph holding that mapping set
    element_kind: str  # what the target's elements are called in tables: clause, practice
    derived: bool  # True when the set was derived through the edition crosswalk, then reviewed

    @property
    def short(self) -> str:
        """The part after the colon (``2018``), or the key itself (``itil4``)."""
        return self.key.split(":", 1)[-1]

    @property
    def slug(self) -> str:
        """File stem of downloads: the mapping set's last path segment (``prm-iso20000-1-2018``)."""
        return self.mapping_set.rsplit("/", 1)[-1]


TARGETS: dict[str, Target] = {
    t.key: t
    for t in (
        Target(
            "iso20000-1:2005",
            "ISO/IEC 20000-1:2005",
            ID + "iso20000-1/2005",
            ID + "mapping-set/prm-iso20000-1-2005",
            GRAPH + "mappings/prm-iso20000-1-2005",
            "clause",
            False,
        ),
        Target(
            "iso20000-1:2011",
            "ISO/IEC 20000-1:2011",
            ID + "iso20000-1/2011",
            ID + "mapping-set/prm-iso20000-1-2011",
            GRAPH + "mappings/prm-iso20000-1-2011",
            "clause",
            True,
        ),
        Target(
            "iso20000-1:2018",
            "ISO/IEC 20000-1:2018",
            ID + "iso20000-1/2018",
            ID + "mapping-set/prm-iso20000-1-2018",
            GRAPH + "mappings/prm-iso20000-1-2018",
            "clause",
            True,
        ),
        Target(
            "itil4",
            "ITIL 4",
            ID + "itil/4",
            ID + "mapping-set/prm-itil4",
            GRAPH + "mappings/prm-itil4",
            "practice",
            False,
        ),
    )
}

# Accepted spellings: "2018", "iso20000-1:2018", "ISO/IEC 20000-1:2018", "itil4", "ITIL 4".
_ALIASES: dict[str, str] = {}
for _t in TARGETS.values():
    for _alias in (_t.key, _t.short, _t.label, _t.label.replace("ISO/IEC ", "")):
        _ALIASES[_alias.lower().replace(" ", "")] = _t.key


class UnknownTarget(ValueError):
    """The user named an edition we do not map to."""


def resolve_target(name: str) -> Target:
    """The target a user means, or UnknownTarget listing the choices."""
    key = _ALIASES.get(name.strip().lower().replace(" ", ""))
    if key is None:
        raise UnknownTarget(f"unknown crosswalk target '{name}' (choose from {', '.join(TARGETS)})")
    return TARGETS[key]


ISO20000_TARGETS = tuple(t for t in TARGETS.values() if t.element_kind == "clause")
