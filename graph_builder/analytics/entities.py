"""Fetch what the entity pages show (documents, provisions, agencies, concepts) from stored queries, as records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from graph_builder.analytics.data import ViewData, fetch_records
from graph_builder.query.engine import Engine

K = TypeVar("K")
R = TypeVar("R")


def joined(value: str) -> tuple[str, ...]:
    """The values of a joined column (plain strings separated by " | "), in the order the query gave them."""
    return tuple(v for v in value.split(" | ") if v)


@dataclass(frozen=True)
class ProvisionText:
    doc: str
    provision: str
    provision_id: str
    number: str
    ordinal: str
    label: str
    summary: str
    chapter: str
    chapter_label: str
    agencies: str
    open_ended: str
    themes: str
    sectors: str
    zones: str
    frameworks: str
    earlier: str
    later: str
    source: str
    locator: str
    query: str = "provision"


@dataclass(frozen=True)
class ConceptMention:
    doc: str
    doc_date: str
    item: str
    item_id: str
    item_kind: str
    item_label: str
    concept_kind: str
    concept: str
    concept_id: str
    concept_label: str
    source: str
    locator: str
    query: str = "mentions"


@dataclass(frozen=True)
class Concept:
    concept: str
    kind: str
    id: str
    label: str
    label_zh: str
    acronym: str
    definition: str
    type: str
    broader: str
    exact: str
    close: str
    query: str = "concepts"


@dataclass(frozen=True)
class NewMeasure:
    doc: str
    measure: str
    number: str
    label: str
    rationale: str
    source: str
    locator: str
    query: str = "new-measures"


@dataclass(frozen=True)
class Claim:
    doc: str
    claim: str
    kind: str
    label: str
    value: str
    unit: str
    metric: str
    locator: str
    summary: str
    query: str = "source-claims"


@dataclass(frozen=True)
class Case:
    case: str
    label: str
    group: str
    highlight: str
    highlight_label: str
    city: str
    zone: str
    themes: str
    source: str
    locator: str
    summary: str
    query: str = "pilot-cases"


@dataclass(frozen=True)
class DocumentInfo:
    doc: str
    id: str
    title: str
    title_zh: str
    number: str
    number_alt: str
    date: str
    doc_type: str
    kind: str
    coverage: str
    approved_by: str
    approved_by_label: str
    based_on: str
    cites: str
    curator_basis: str
    reported_by: str
    query: str = "document"


@dataclass(frozen=True)
class KindChange:
    agency: str
    agency_label: str
    date: str
    kind_before: str
    kind: str
    basis: str
    note: str
    query: str = "kind-changes"


@dataclass(frozen=True)
class ThemeNames:
    theme: str
    id: str
    label: str
    label_zh: str
    aliases: str
    query: str = "themes"


QUERIES: dict[str, type] = {
    "provision": ProvisionText,
    "mentions": ConceptMention,
    "concepts": Concept,
    "new-measures": NewMeasure,
    "source-claims": Claim,
    "pilot-cases": Case,
    "document": DocumentInfo,
    "kind-changes": KindChange,
    "themes": ThemeNames,
}


def grouped(items: Iterable[R], key: Any) -> dict[Any, list[R]]:
    """``items`` by ``key(item)``, each group in the order the items came (the stored query's order)."""
    groups: dict[Any, list[R]] = defaultdict(list)
    for item in items:
        groups[key(item)].append(item)
    return dict(groups)


@dataclass(frozen=True)
class EntityData:
    """Everything the entity pages read: the views' records plus the page queries', each from one stored query."""

    views: ViewData
    provisions: tuple[ProvisionText, ...]
    mentions: tuple[ConceptMention, ...]
    concepts: tuple[Concept, ...]
    new_measures: tuple[NewMeasure, ...]
    claims: tuple[Claim, ...]
    cases: tuple[Case, ...]
    documents: tuple[DocumentInfo, ...]
    kind_changes: tuple[KindChange, ...]
    themes: tuple[ThemeNames, ...]


def fetch_entities(engine: Engine, views: ViewData) -> EntityData:
    """Run each stored query the entity pages need once, over the whole graph (any engine, embedded or remote)."""
    got = fetch_records(QUERIES, engine)
    return EntityData(
        views=views,
        provisions=got["provision"],
        mentions=got["mentions"],
        concepts=got["concepts"],
        new_measures=got["new-measures"],
        claims=got["source-claims"],
        cases=got["pilot-cases"],
        documents=got["document"],
        kind_changes=got["kind-changes"],
        themes=got["themes"],
    )
