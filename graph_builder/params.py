"""Turn what a person types (a title fragment, an alias, "(25)") into the IRI a query binds."""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph_builder.catalogue import Param, StoredQuery
from graph_builder.engine import Engine
from graph_builder.errors import UsageError
from graph_builder.names import normalise_name
from graph_builder.results import Term

_DOCUMENTS = """
SELECT ?item ?id ?name WHERE {
  ?item a pk:Document ; dcterms:identifier ?id .
  { ?item dcterms:title ?name } UNION { ?item eli:id_local ?name } UNION { ?item pk:officialNumberAlt ?name }
}"""
_AGENCIES = """
SELECT ?item ?id ?name WHERE {
  { ?item a pk:Agency } UNION { ?item a pk:ActorGroup }
  ?item dcterms:identifier ?id .
  { ?item skos:prefLabel ?name } UNION { ?item skos:altLabel ?name } UNION { ?item pk:acronym ?name }
}"""
_THEMES = """
SELECT ?item ?id ?name WHERE {
  ?item skos:inScheme/dcterms:identifier "themes" ; dcterms:identifier ?id ; skos:prefLabel ?name .
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


def _candidates(engine: Engine, sparql: str, bindings: dict[str, Term] | None = None) -> list[_Candidate]:
    result = engine.select(sparql, bindings)
    by_iri: dict[str, tuple[str, list[str]]] = {}
    for row in result.rows:
        iri = row["item"].value
        entry = by_iri.setdefault(iri, (row["id"].value, []))
        entry[1].append(row["name"].value)
    return [_Candidate(iri, ident, tuple(names)) for iri, (ident, names) in by_iri.items()]


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
        matches = [c for c in candidates if wanted in c.id or any(wanted in normalise_name(n) for n in c.names)]
        if len(matches) == 1:
            return matches[0].iri

    def describe(c: _Candidate) -> str:
        return f"  {c.id}: {c.names[0]}" if c.names else f"  {c.id}"

    if matches:
        listing = "\n".join(describe(c) for c in matches[:20])
        raise UsageError(f"{param.name}={value!r} matches {len(matches)} {kind}s; give one of these ids:\n{listing}")
    listing = "\n".join(describe(c) for c in candidates[:40])
    more = f"\n  ... and {len(candidates) - 40} more" if len(candidates) > 40 else ""
    raise UsageError(f"{param.name}={value!r}: no such {kind}. Known {kind}s:\n{listing}{more}")


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
    return bindings
