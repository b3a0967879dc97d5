"""Fetch what the views and analytics show from stored queries, as typed records (any engine, embedded or remote)."""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graph_builder.query.engine import Engine
from graph_builder.query.results import ResultSet

R = TypeVar("R")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def records(cls: type[R], result: ResultSet, query: str) -> tuple[R, ...]:
    """One ``cls`` per row; fields are the query's variables in snake_case, missing optional values are ''."""
    names = [(f.name, _camel(f.name)) for f in dataclasses.fields(cls) if f.name != "query"]  # type: ignore[arg-type]
    records = []
    for row in result.rows:
        values: dict[str, Any] = {"query": query}
        for name, variable in names:
            term = row.get(variable)
            values[name] = term.value if term is not None else ""
        records.append(cls(**values))
    return tuple(records)


@dataclass(frozen=True)
class Document:
    doc: str
    title: str
    date: str
    doc_type: str
    number: str
    kind: str
    coverage: str = ""
    query: str = "documents"

    @property
    def short(self) -> str:
        """A short label: the year and the document type, e.g. "2022 Opinions"."""
        year = self.date[:4] if self.date else "undated"
        return f"{year} {self.doc_type}"


@dataclass(frozen=True)
class Responsibility:
    doc: str
    doc_date: str
    provision: str
    number: str
    provision_label: str
    agency: str
    agency_label: str
    acronym: str
    kind: str
    source: str
    locator: str
    query: str = "responsibilities"


@dataclass(frozen=True)
class Issuance:
    doc: str
    doc_date: str
    agency: str
    agency_label: str
    acronym: str
    kind: str
    role: str
    source: str
    locator: str
    query: str = "issuances"


@dataclass(frozen=True)
class Provision:
    doc: str
    doc_date: str
    provision: str
    provision_id: str
    number: str
    ordinal: str
    provision_label: str
    kind: str
    themes: str
    source: str
    locator: str
    query: str = "provisions"

    @property
    def theme_list(self) -> tuple[str, ...]:
        return tuple(t for t in self.themes.split(" | ") if t)


@dataclass(frozen=True)
class Evolution:
    later: str
    later_date: str
    relation: str
    earlier: str
    earlier_date: str
    rationale: str
    source: str
    locator: str
    query: str = "evolution-links"


@dataclass(frozen=True)
class Reorganisation:
    date: str
    original: str
    original_label: str
    resulting: str
    resulting_label: str
    label: str
    basis: str
    query: str = "reorganisations"


@dataclass(frozen=True)
class Mention:
    doc: str
    doc_date: str
    via: str
    via_label: str
    via_kind: str
    target: str
    target_label: str
    target_kind: str
    source: str
    locator: str
    query: str = "zone-framework-mentions"


@dataclass(frozen=True)
class AgencyDocument:
    """An agency's part in one document: lead, co-issuer or neither (""), and the provisions naming it responsible."""

    agency: str
    agency_id: str
    agency_label: str
    doc: str
    doc_id: str
    doc_date: str
    role: str
    responsibilities: str
    query: str = "agency-documents"


@dataclass(frozen=True)
class ThemeDocument:
    """How many provisions of one document are about one theme."""

    theme: str
    theme_id: str
    theme_label: str
    doc: str
    doc_id: str
    doc_date: str
    provisions: str
    query: str = "theme-documents"


@dataclass(frozen=True)
class AgencyInfo:
    agency: str
    acronym: str
    name: str
    name_zh: str
    kind: str
    part_of: str
    aliases: str
    id: str
    query: str = "agencies"

    @property
    def short(self) -> str:
        return self.acronym or _initials(self.name)


def _initials(name: str) -> str:
    """A compact label for agencies without an acronym: the name itself if short, else its first words."""
    if len(name) <= 24:
        return name
    words = re.split(r"\s+", name)
    label = ""
    for word in words:
        if len(label) + len(word) + 1 > 22:
            break
        label = f"{label} {word}".strip()
    return label + "…"


@dataclass(frozen=True)
class ViewData:
    """Everything the views and analytics read, each record remembering the stored query it came from."""

    documents: tuple[Document, ...]
    responsibilities: tuple[Responsibility, ...]
    issuances: tuple[Issuance, ...]
    provisions: tuple[Provision, ...]
    evolutions: tuple[Evolution, ...]
    reorganisations: tuple[Reorganisation, ...]
    mentions: tuple[Mention, ...]
    agencies: tuple[AgencyInfo, ...]
    agency_documents: tuple[AgencyDocument, ...] = ()
    theme_documents: tuple[ThemeDocument, ...] = ()
    _index: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False, repr=False)

    def _lookup(self, name: str, records: tuple[Any, ...], key: str, iri: str) -> Any:
        if name not in self._index:
            self._index[name] = {getattr(r, key): r for r in records}
        return self._index[name].get(iri)

    def agency(self, iri: str) -> AgencyInfo | None:
        found: AgencyInfo | None = self._lookup("agency", self.agencies, "agency", iri)
        return found

    def document(self, iri: str) -> Document | None:
        found: Document | None = self._lookup("document", self.documents, "doc", iri)
        return found

    def provision(self, iri: str) -> Provision | None:
        found: Provision | None = self._lookup("provision", self.provisions, "provision", iri)
        return found

    def provision_rank(self, iri: str) -> int:
        """Where provision ``iri`` comes in the provisions query's order (by document date, then number);
        after every listed provision when it is not listed."""
        if "provision-rank" not in self._index:
            self._index["provision-rank"] = {p.provision: i for i, p in enumerate(self.provisions)}
        rank: int = self._index["provision-rank"].get(iri, len(self.provisions))
        return rank

    def _grouped(self, name: str, records: tuple[Any, ...]) -> dict[str, tuple[Any, ...]]:
        if name not in self._index:
            groups: dict[str, list[Any]] = {}
            for r in records:
                groups.setdefault(r.doc, []).append(r)
            self._index[name] = {doc: tuple(rows) for doc, rows in groups.items()}
        return self._index[name]

    def responsibilities_of(self, doc: str) -> tuple[Responsibility, ...]:
        """``doc``'s responsibility rows, in query order (an index built once, not a scan per document)."""
        found: tuple[Responsibility, ...] = self._grouped("responsibilities", self.responsibilities).get(doc, ())
        return found

    def issuances_of(self, doc: str) -> tuple[Issuance, ...]:
        """``doc``'s lead and co-issuer rows, in query order."""
        found: tuple[Issuance, ...] = self._grouped("issuances", self.issuances).get(doc, ())
        return found


#: The stored queries the views read, with the record type each row becomes.
QUERIES: dict[str, type] = {
    "documents": Document,
    "responsibilities": Responsibility,
    "issuances": Issuance,
    "provisions": Provision,
    "evolution-links": Evolution,
    "reorganisations": Reorganisation,
    "zone-framework-mentions": Mention,
    "agencies": AgencyInfo,
    "agency-documents": AgencyDocument,
    "theme-documents": ThemeDocument,
}


def fetch_records(queries: dict[str, type], engine: Engine) -> dict[str, tuple[Any, ...]]:
    """Each stored query's records, the queries run side by side: in forked workers over a store held in this
    process (the work is partly Python's, under its lock), else in threads (a remote store does the work)."""
    from concurrent.futures import ThreadPoolExecutor

    from graph_builder._parallel import chunked_map

    ids = list(queries)
    if engine.fork_safe:
        got = dict(chunked_map(_fetch_forked, ids, chunk=1, shared=(queries, engine)))
    else:
        with ThreadPoolExecutor(max(1, min(os.cpu_count() or 1, len(ids)))) as pool:
            got = dict(pool.map(lambda query_id: _fetch_one(queries, engine, query_id), ids))
    return {query_id: got[query_id] for query_id in ids}


def _fetch_one(queries: dict[str, type], engine: Engine, query_id: str) -> tuple[str, tuple[Any, ...]]:
    from graph_builder.query.run import run_query

    return query_id, records(queries[query_id], run_query(query_id, None, engine), query_id)


def _fetch_forked(ids: list[str]) -> list[tuple[str, tuple[Any, ...]]]:
    """The records of the stored queries ``ids`` (in a forked worker of ``fetch_records``)."""
    from graph_builder._parallel import shared

    queries, engine = shared()
    return [_fetch_one(queries, engine, query_id) for query_id in ids]


def fetch(engine: Engine) -> ViewData:
    """Run each stored query the views need once, over the whole graph."""
    got = fetch_records(QUERIES, engine)
    return ViewData(
        documents=got["documents"],
        responsibilities=got["responsibilities"],
        issuances=got["issuances"],
        provisions=got["provisions"],
        evolutions=got["evolution-links"],
        reorganisations=got["reorganisations"],
        mentions=got["zone-framework-mentions"],
        agencies=got["agencies"],
        agency_documents=got["agency-documents"],
        theme_documents=got["theme-documents"],
    )
