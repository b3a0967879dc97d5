"""Turn what a person types (a title fragment, an alias, "(25)") into the IRI a query binds."""

from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass

from graph_builder.errors import UsageError
from graph_builder.query.catalogue import Param, StoredQuery
from graph_builder.query.engine import Engine
from graph_builder.query.results import Term
from graph_builder.sources.names import normalise_name

# ?name: every name a value may match; ?label: the English name a listing of candidates shows
_DOCUMENTS = """
SELECT ?item ?id ?name ?label WHERE {
  ?item a pk:Document ; dcterms:identifier ?id .
  { ?item dcterms:title ?name } UNION { ?item eli:id_local ?name } UNION { ?item pk:officialNumberAlt ?name }
  OPTIONAL { ?item dcterms:title ?label FILTER (lang(?label) = "en") }
}"""
_AGENCIES = """
SELECT ?item ?id ?name ?label WHERE {
  { ?item a pk:Agency } UNION { ?item a pk:ActorGroup }
  ?item dcterms:identifier ?id .
  { ?item skos:prefLabel ?name } UNION { ?item skos:altLabel ?name } UNION { ?item pk:acronym ?name }
  OPTIONAL { ?item skos:prefLabel ?label FILTER (lang(?label) = "en") }
}"""
_THEMES = """
SELECT ?item ?id ?name ?label WHERE {
  ?item skos:inScheme/dcterms:identifier "themes" ; dcterms:identifier ?id .
  { ?item skos:prefLabel ?name } UNION { ?item skos:altLabel ?name }
  OPTIONAL { ?item skos:prefLabel ?label FILTER (lang(?label) = "en") }
}"""
_PLURALS = {"agency": "agencies"}
# the stored query that lists every value of a kind, for the message about an unknown value
_LISTED_BY = {"document": "documents", "agency": "agencies", "theme": "themes"}
# CJK ideographs, radicals, punctuation and kana: such text has no spaces, so a fragment may start anywhere
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_DATES = """
SELECT ?id ?date ?sortDate WHERE {
  ?doc dcterms:identifier ?id ; pk:sortDate ?sortDate .
  OPTIONAL { ?doc pk:date ?date }
}"""
_PROVISIONS = """
SELECT ?doc ?item ?id ?name WHERE {
  ?item pk:inDocument ?doc ; eli:number ?name ; dcterms:identifier ?id ; pk:ordinal ?ordinal .
}
ORDER BY ?ordinal"""


@dataclass(frozen=True)
class _Candidate:
    iri: str
    id: str
    names: tuple[str, ...]
    label: str | None = None


def _candidates(engine: Engine, sparql: str, bindings: dict[str, Term] | None = None) -> list[_Candidate]:
    result = engine.select(sparql, bindings)
    by_iri: dict[str, tuple[str, list[str], list[str]]] = {}
    for row in result.rows:
        iri = row["item"].value
        entry = by_iri.setdefault(iri, (row["id"].value, [], []))
        if row["name"].value not in entry[1]:
            entry[1].append(row["name"].value)
        if "label" in row and row["label"].value not in entry[2]:
            entry[2].append(row["label"].value)
    return [
        _Candidate(iri, ident, tuple(names), min(labels) if labels else None) for iri, (ident, names, labels) in by_iri.items()
    ]


def fragment_matches(fragment: str, name: str) -> bool:
    """Whether the normalised ``fragment`` is in the normalised ``name`` starting at a word start
    (``"cultural tra"`` in "foreign cultural trade", not ``"eadership"`` in "leadership"); a fragment
    with Chinese characters may start anywhere, Chinese having no spaces between words."""
    if _CJK.search(fragment):
        return fragment in name
    return re.search(r"(?<![\w'])" + re.escape(fragment), name) is not None


def _suggestions(wanted: str, candidates: list[_Candidate], most: int = 5) -> list[_Candidate]:
    """The candidates whose id, a name or a word of a name is closest to ``wanted`` (difflib's ratio)."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(wanted)
    scored = []
    for c in candidates:
        keys = {c.id, *(normalise_name(n) for n in c.names)}
        keys |= {word for key in list(keys) for word in re.split(r"[\s-]+", key) if len(word) >= 3}
        best = 0.0
        for key in keys:
            matcher.set_seq1(key)
            if matcher.real_quick_ratio() >= 0.6 and matcher.quick_ratio() >= 0.6:
                best = max(best, matcher.ratio())
        if best >= 0.6:
            scored.append((-best, c.id, c))
    return [c for _, _, c in sorted(scored, key=lambda s: (s[0], s[1]))[:most]]


def _compact_number(text: str) -> str:
    return re.sub(r"\s+", "", normalise_name(text))


def _pick(param: Param, value: str, candidates: list[_Candidate], kind: str, allow_fragment: bool = True) -> str:
    candidates = sorted(candidates, key=lambda c: c.id)
    wanted = normalise_name(value)
    exact = [
        c
        for c in candidates
        if wanted == c.id or any(wanted == normalise_name(n) or _compact_number(value) == _compact_number(n) for n in c.names)
    ]
    if len(exact) == 1:
        return exact[0].iri
    matches = exact
    if not matches and allow_fragment and len(wanted) >= 2:
        matches = [
            c
            for c in candidates
            if fragment_matches(wanted, c.id) or any(fragment_matches(wanted, normalise_name(n)) for n in c.names)
        ]
        if len(matches) == 1:
            return matches[0].iri

    def name_of(c: _Candidate) -> str:
        return c.label or (c.names[0] if c.names else "")

    if matches:
        listing = "\n".join(f"  {c.id}: {name_of(c)}" if name_of(c) else f"  {c.id}" for c in matches[:20])
        more = f"\n  ... and {len(matches) - 20} more" if len(matches) > 20 else ""
        kinds = _PLURALS.get(kind, kind + "s")
        raise UsageError(f"{param.name}={value!r} matches {len(matches)} {kinds}; give one of these ids:\n{listing}{more}")
    close = _suggestions(wanted, candidates)
    hint = "; did you mean " + ", ".join(f"{c.id} ({name_of(c)})" if name_of(c) else c.id for c in close) + "?" if close else ""
    listed = f"{' ' if hint else '; '}'polkg query run {_LISTED_BY[kind]}' lists them all" if kind in _LISTED_BY else ""
    raise UsageError(f"{param.name}={value!r}: no such {kind}{hint}{listed}")


def normalise_provision_number(text: str) -> str:
    """'(25)', '（25）', 'provision 25', 'Measure X' -> '25' / 'X'."""
    text = normalise_name(text)
    text = re.sub(r"^(provision|measure|article|item|no\.?)\s*", "", text)
    return text.strip("()（） .")


def resolve(query: StoredQuery, values: dict[str, str], engine: Engine) -> dict[str, Term]:
    """Bindings for ``query`` from the raw ``values``: every unknown or ambiguous value is a UsageError."""
    unknown = sorted(set(values) - {p.name for p in query.params})
    if unknown:
        accepted = ", ".join(p.name for p in query.params) or "none"
        raise UsageError(f"query '{query.id}' has no parameter {', '.join(unknown)} (parameters: {accepted})")
    bindings: dict[str, Term] = {}
    ordered = sorted(query.params, key=lambda p: p.type == "provision")  # documents before provisions
    for param in ordered:
        value = values.get(param.name, param.default)
        if value is None:
            if param.required:
                raise UsageError(f"query '{query.id}' needs --param {param.name}=... ({param.type}: {param.description})")
            continue
        if param.type == "document":
            bindings[param.name] = Term("uri", _pick(param, value, _candidates(engine, _DOCUMENTS), "document"))
        elif param.type == "agency":
            bindings[param.name] = Term("uri", _pick(param, value, _candidates(engine, _AGENCIES), "agency"))
        elif param.type == "theme":
            bindings[param.name] = Term("uri", _pick(param, value, _candidates(engine, _THEMES), "theme"))
        elif param.type == "provision":
            doc = next((bindings[p.name] for p in query.params if p.type == "document" and p.name in bindings), None)
            if doc is None:
                raise UsageError(f"query '{query.id}': give the document before a provision number")
            candidates = _candidates(engine, _PROVISIONS, {"doc": doc})
            number = normalise_provision_number(value)
            matches = [c for c in candidates if any(normalise_name(n) == number for n in c.names)]
            if len(matches) == 1:
                bindings[param.name] = Term("uri", matches[0].iri)
            else:
                numbers = ", ".join(n for c in candidates for n in c.names[:1])
                raise UsageError(
                    f"{param.name}={value!r}: no such provision in this document; its provisions are: {numbers or '(none)'}"
                )
        else:
            bindings[param.name] = Term("literal", value)
    check_order(query, bindings, engine)
    return bindings


def check_order(query: StoredQuery, bindings: dict[str, Term], engine: Engine) -> None:
    """Refuse documents given out of the date order the query's ``order`` header asks for (an empty answer
    would look like a real one)."""
    dated: list[tuple[str, str, str, str]] = []
    for name in query.order:
        if name not in bindings:
            continue
        rows = engine.select(_DATES, {"doc": bindings[name]}).rows
        if rows:
            row = min(rows, key=lambda r: r["sortDate"].value)
            date = row["date"].value if "date" in row else row["sortDate"].value
            dated.append((name, row["id"].value, row["sortDate"].value, date))
    for (a, doc_a, sort_a, date_a), (b, doc_b, sort_b, date_b) in itertools.pairwise(dated):
        if sort_a > sort_b:
            raise UsageError(f"{a}={doc_a} ({date_a}) is later than {b}={doc_b} ({date_b}): swap them")
