"""Build units: each source file's graph is emitted and SHACL-checked on its own, in parallel, and cached.

The registry files form one unit; every document file is a unit. A unit's graph depends on its
own file(s) only, and its SHACL check also on the classes of the nodes it links to in other
files (its *externals*). A cached unit is reused while its file is unchanged and its externals
keep their classes, so after one file changes only that file is emitted and checked again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from graph_builder._parallel import chunked_map
from graph_builder.graph.corecheck import Hierarchy
from graph_builder.graph.emit import emit_document_file, emit_registry, file_node_types
from graph_builder.graph.rules import rules_digest
from graph_builder.prefixes import PREFIXES
from graph_builder.sources import model
from graph_builder.sources.corpus import Corpus
from graph_builder.sources.files import path_order

REGISTRY_UNIT = "registry"
_SERIAL_BELOW = 64  # fewer misses than this are not worth starting worker processes
_CHUNK = 16

if TYPE_CHECKING:
    from graph_builder.graph.shapes import ShapeProblem as Violation

TypeIndex = dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class UnitEntry:
    """One source file's validated graph: N-Triples and Turtle body, and the outside nodes its check relied on."""

    key: str
    ntriples: bytes
    turtle: bytes
    externals: tuple[str, ...]
    context: str


@dataclass(frozen=True)
class UnitMeta:
    """What deciding whether a cached unit is still current needs: its key, the outside nodes it links to, their digest."""

    key: str
    externals: tuple[str, ...]
    context: str


@dataclass(frozen=True)
class Span:
    """Where one unit's part lies in graph.nt and in graph.ttl (offset and length in bytes), and its N-Triples lines."""

    nt_offset: int
    nt_length: int
    ttl_offset: int
    ttl_length: int
    lines: int

    def to_json(self) -> list[int]:
        return [self.nt_offset, self.nt_length, self.ttl_offset, self.ttl_length, self.lines]


class UnitCache(Protocol):
    """Where checked units are kept between builds (``store.cache.Cache``)."""

    def unit_meta(self, keys: Iterable[str]) -> dict[str, UnitMeta]: ...

    def units(self, keys: Iterable[str], keep: bool = True) -> dict[str, UnitEntry]: ...

    def put_units(self, entries: Iterable[UnitEntry]) -> None: ...


@dataclass(frozen=True)
class Unit:
    """A build unit: its name (``registry`` or the document file's name) and the key of its inputs."""

    name: str
    key: str


def plan(corpus: Corpus) -> list[Unit]:
    """The units of ``corpus`` in output order: the registry, then the document files by name."""
    rules = rules_digest()
    registry = hashlib.sha256(f"{REGISTRY_UNIT}\0{rules}".encode())
    for path in sorted(corpus.digests, key=path_order):
        if path.parent.name == "registry":
            registry.update(f"{path.name}\0{corpus.digests[path]}\0".encode())
    # reorganisation evidence names source texts of document files by key
    for _, doc_file in corpus.files:
        registry.update(f"{doc_file.source.key}\0{bool(doc_file.source.document)}\0".encode())
    units = [Unit(REGISTRY_UNIT, registry.hexdigest())]
    for path, _ in corpus.files:
        units.append(Unit(path.name, hashlib.sha256(f"{path.name}\0{corpus.digests[path]}\0{rules}".encode()).hexdigest()))
    return units


def type_index(corpus: Corpus, registry: Graph) -> TypeIndex:
    """The classes of every node a file may link to: registry nodes, documents, provisions, source texts."""
    index: dict[str, list[str]] = {}
    for node, cls in registry.subject_objects(RDF.type):
        index.setdefault(str(node), []).append(str(cls))
    for _, doc_file in corpus.files:
        for node, classes in file_node_types(doc_file).items():
            index.setdefault(str(node), []).extend(str(c) for c in classes)
    return {node: tuple(sorted(set(classes))) for node, classes in index.items()}


def context_digest(externals: tuple[str, ...], index: TypeIndex) -> str:
    digest = hashlib.sha256()
    for node in externals:
        digest.update(f"{node}\0{' '.join(index.get(node, ()))}\0".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Outcome:
    """A unit's result: the entry to cache, or the SHACL violations that stop the build."""

    entry: UnitEntry
    violations: tuple[Violation, ...]


# ------------------------------------------------------------------ the work on one unit (may run in a worker)
_INDEX: TypeIndex = {}
_HIERARCHY: Hierarchy | None = None
_FILES: list[model.DocumentFile] = []  # the corpus's document files; forked workers inherit them, so jobs name them by position


def _init(index: TypeIndex, hierarchy: Hierarchy, files: list[model.DocumentFile]) -> None:
    global _INDEX, _HIERARCHY, _FILES
    _INDEX, _HIERARCHY, _FILES = index, hierarchy, files


def _entry(key: str, graph: Graph) -> UnitEntry:
    """A unit's cache entry: its sorted N-Triples, its Turtle body and the outside nodes it links to."""
    import pyoxigraph

    ntriples = b"".join(sorted(set(graph.serialize(format="nt", encoding="utf-8").splitlines(keepends=True))))
    turtle = pyoxigraph.serialize(
        pyoxigraph.parse(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES), format=pyoxigraph.RdfFormat.TURTLE, prefixes=PREFIXES
    )
    typed = set()
    nodes = set()
    for s, p, o in graph:
        nodes.add(s)
        if p == RDF.type:
            typed.add(s)
        elif isinstance(o, URIRef):
            nodes.add(o)
    externals = tuple(sorted(str(n) for n in nodes - typed if str(n) in _INDEX))
    return UnitEntry(key, ntriples, turtle_body(turtle or b""), externals, context_digest(externals, _INDEX))


def _check(graphs: list[Graph]) -> list[Violation]:
    """SHACL-check ``graphs`` together, with the classes of the outside nodes they link to; one line per violation."""
    from graph_builder.graph.corecheck import index_graph
    from graph_builder.graph.shapes import check_unit, violation_line

    assert _HIERARCHY is not None
    index = index_graph(triple for graph in graphs for triple in graph)
    # nodes typed elsewhere (not here) are other files' nodes: give them their classes, and do not check them
    objects = (o for props in index.values() for values in props.values() for o in values)
    nodes = {n for n in (*index, *objects) if isinstance(n, URIRef)}
    outside = {n for n in nodes if RDF.type not in index.get(n, ()) and str(n) in _INDEX}
    focus = [n for n in index if isinstance(n, URIRef) and n not in outside]
    for node in outside:
        index[node][RDF.type].extend(URIRef(c) for c in _INDEX[str(node)])
    return [violation_line(index, v) for v in check_unit(index, focus, _HIERARCHY)]


def _document_units(jobs: list[tuple[str, int]]) -> list[Outcome]:
    """Emit each file of a batch (key, position in the corpus), then check the batch; a violation fails the build."""
    graphs = [emit_document_file(_FILES[position]) for _, position in jobs]
    entries = [_entry(key, graph) for (key, _), graph in zip(jobs, graphs, strict=True)]
    violations = tuple(_check(graphs))
    return [Outcome(entry, violations) for entry in entries]


def turtle_header() -> bytes:
    """The ``@prefix`` lines that open graph.ttl (each unit's Turtle is written without them)."""
    return b"".join(f"@prefix {name}: <{ns}> .\n".encode() for name, ns in sorted(PREFIXES.items()))


def turtle_body(turtle: bytes) -> bytes:
    """``turtle`` without its opening ``@prefix`` lines, which must declare exactly ``turtle_header()``.

    (The serialiser writes its prefix block in no fixed order; graph.ttl gets one sorted block.)
    """
    lines = turtle.splitlines(keepends=True)
    count = 0
    while count < len(lines) and lines[count].startswith(b"@prefix "):
        count += 1
    if count and sorted(lines[:count]) != turtle_header().splitlines(keepends=True):
        raise AssertionError("the Turtle serialiser wrote an unexpected prefix block")
    return b"".join(lines[count:])


# ------------------------------------------------------------------ all units
@dataclass
class UnitsResult:
    """Every unit in output order with its result, and how many were reused from the cache.

    A unit emitted and checked in this build, or read from the cache, has its ``UnitEntry`` (graph
    included); a unit whose part of the previous build's files can be copied has that ``Span``.
    """

    units: list[Unit]
    entries: list[UnitEntry | Span]
    reused: int
    violations: list[Violation]


def build_units(
    corpus: Corpus,
    ontology: Graph,
    cache: UnitCache | None,
    workers: int | None = None,
    old_parts: Callable[[], dict[str, tuple[str, Span]]] | None = None,
) -> UnitsResult:
    """Emit and check every unit of ``corpus`` not found current in ``cache``; ``workers`` processes (default: CPUs).

    A current unit is taken from the previous build's files where ``old_parts`` (unit name -> key and
    span in files found intact) holds it under the same key, else from the cache, whose entries are
    checked against their digests; a unit found in neither is emitted and checked again.
    """
    from graph_builder.graph.shapes import class_hierarchy

    units = plan(corpus)
    registry = emit_registry(corpus)
    index = type_index(corpus, registry)
    hierarchy = class_hierarchy(ontology)
    _init(index, hierarchy, [doc_file for _, doc_file in corpus.files])

    found: dict[str, UnitEntry | Span] = {}
    if cache is not None:
        cached = cache.unit_meta(unit.key for unit in units)
        current = [
            u for u in units if u.key in cached and cached[u.key].context == context_digest(cached[u.key].externals, index)
        ]
        parts = old_parts() if old_parts is not None and current else {}
        for unit in current:
            if unit.name in parts and parts[unit.name][0] == unit.key:
                found[unit.name] = parts[unit.name][1]
        entries = cache.units(u.key for u in current if u.name not in found)
        for unit in current:
            if unit.name not in found and unit.key in entries:
                found[unit.name] = entries[unit.key]
    reused = len(found)
    outcomes: dict[str, Outcome] = {}
    if REGISTRY_UNIT not in found:
        outcomes[REGISTRY_UNIT] = Outcome(_entry(units[0].key, registry), tuple(_check([registry])))
    jobs = [(unit.name, unit.key, position) for position, unit in enumerate(units[1:]) if unit.name not in found]
    for name, outcome in zip((name for name, _, _ in jobs), _run(jobs, workers), strict=True):
        outcomes[name] = outcome
    violations = sorted({v for outcome in outcomes.values() for v in outcome.violations})
    if cache is not None and not violations:
        cache.put_units(outcome.entry for outcome in outcomes.values())
    results: list[UnitEntry | Span] = [found[u.name] if u.name in found else outcomes[u.name].entry for u in units]
    return UnitsResult(units, results, reused, violations)


def _run(jobs: list[tuple[str, str, int]], workers: int | None) -> Iterator[Outcome]:
    # the workers inherit this module's globals (set by _init): the type index, hierarchy and files are not sent
    return chunked_map(_document_units, [(key, position) for _, key, position in jobs], _CHUNK, workers, _SERIAL_BELOW)
