"""Parameter types: how each kind of value a person types (a title fragment, an alias, "(25)") becomes a term.

A new type is one ``ParamKind`` and one ``register`` call; stored-query headers may then use its name.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from graph_builder.errors import UsageError
from graph_builder.query.engine import Engine
from graph_builder.query.results import Term
from graph_builder.sources.names import normalise_name

# ?name: every name a value may match; ?label: the English name a listing of candidates shows
_DOCUMENTS = """
SELECT ?item ?id ?name ?label WHERE {
  ?item a pk:Document ; dcterms:identifier ?id .
  { ?item dcterms:title ?name } UNION { ?item pk:officialNumber ?name } UNION { ?item pk:officialNumberAlt ?name }
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
# CJK ideographs, radicals, punctuation and kana: such text has no spaces, so a fragment may start anywhere
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_PROVISIONS = """
SELECT ?doc ?item ?id ?name WHERE {
  ?item pk:inDocument ?doc ; pk:number ?name ; dcterms:identifier ?id ; pk:ordinal ?ordinal .
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


def _suggestions(wanted: str, candidates: list[_Candidate], most: int = 5, few: int = 3) -> list[_Candidate]:
    """The candidates whose id, a name or a word of a name is closest to ``wanted`` (difflib's ratio): up to
    ``most`` close ones (ratio 0.6 or more), else the ``few`` closest that are somewhat alike (0.4 or more)."""
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(wanted)
    scored = []
    for c in candidates:
        keys = {c.id, *(normalise_name(n) for n in c.names)}
        keys |= {word for key in list(keys) for word in re.split(r"[\s-]+", key) if len(word) >= 3}
        best = 0.0
        for key in keys:
            matcher.set_seq1(key)
            if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
                best = max(best, matcher.ratio())
        scored.append((-best, c.id, c))
    ranked = sorted(scored, key=lambda s: (s[0], s[1]))
    close = [c for score, _, c in ranked if -score >= 0.6][:most]
    return close or [c for score, _, c in ranked if -score >= 0.4][:few]


def _english_name(candidate: _Candidate) -> str:
    """The name a listing shows: the English label, else the first name without Chinese characters, else ""
    (a listing keeps to one language; the id is always shown)."""
    if candidate.label:
        return candidate.label
    return next((name for name in candidate.names if not _CJK.search(name)), "")


def _compact_number(text: str) -> str:
    return re.sub(r"\s+", "", normalise_name(text))


def _pick(name: str, value: str, candidates: list[_Candidate], kind: str, allow_fragment: bool = True) -> str:
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

    name_of = _english_name

    if matches:
        listing = "\n".join(f"  {c.id}: {name_of(c)}" if name_of(c) else f"  {c.id}" for c in matches[:20])
        more = f"\n  ... and {len(matches) - 20} more" if len(matches) > 20 else ""
        kinds = _PLURALS.get(kind, kind + "s")
        raise UsageError(f"{name}={value!r} matches {len(matches)} {kinds}; give one of these ids:\n{listing}{more}")
    close = _suggestions(wanted, candidates)
    hint = "; did you mean " + ", ".join(f"{c.id} ({name_of(c)})" if name_of(c) else c.id for c in close) + "?" if close else ""
    listing_query = KINDS[kind].listed_by if kind in KINDS else None
    listed = f"{' ' if hint else '; '}'polkg query run {listing_query}' lists them all" if listing_query else ""
    raise UsageError(f"{name}={value!r}: no such {kind}{hint}{listed}")


def normalise_provision_number(text: str) -> str:
    """'(25)', '（25）', 'provision 25', 'Measure X' -> '25' / 'X'."""
    text = normalise_name(text)
    text = re.sub(r"^(provision|measure|article|item|no\.?)\s*", "", text)
    return text.strip("()（） .")


Resolver = Callable[[str, str, Engine, "Term | None"], Term]


@dataclass(frozen=True)
class ParamKind:
    """A parameter type: its name in query headers, what it is resolved against, and how.

    ``resolve(name, value, engine, document)`` gives the term to bind for ``value`` (``document`` is the
    query's bound document parameter, for kinds that ``needs_document``); ``listed_by`` is the stored
    query that lists every value, named in the message about an unknown one.
    """

    name: str
    resolve: Resolver
    listed_by: str | None = None
    needs_document: bool = False


KINDS: dict[str, ParamKind] = {}


def register(kind: ParamKind) -> ParamKind:
    """Make ``kind`` usable as ``type:`` in stored-query headers."""
    KINDS[kind.name] = kind
    return kind


def names() -> tuple[str, ...]:
    return tuple(KINDS)


def _by_names(sparql: str, kind: str) -> Resolver:
    def resolve(name: str, value: str, engine: Engine, document: Term | None) -> Term:
        return Term("uri", _pick(name, value, _candidates(engine, sparql), kind))

    return resolve


def _provision(name: str, value: str, engine: Engine, document: Term | None) -> Term:
    if document is None:
        raise UsageError("give the document before a provision number")
    candidates = _candidates(engine, _PROVISIONS, {"doc": document})
    number = normalise_provision_number(value)
    matches = [c for c in candidates if any(normalise_name(n) == number for n in c.names)]
    if len(matches) == 1:
        return Term("uri", matches[0].iri)
    numbers = ", ".join(n for c in candidates for n in c.names[:1])
    raise UsageError(f"{name}={value!r}: no such provision in this document; its provisions are: {numbers or '(none)'}")


def _string(name: str, value: str, engine: Engine, document: Term | None) -> Term:
    return Term("literal", value)


register(ParamKind("document", _by_names(_DOCUMENTS, "document"), listed_by="documents"))
register(ParamKind("provision", _provision, needs_document=True))
register(ParamKind("agency", _by_names(_AGENCIES, "agency"), listed_by="agencies"))
register(ParamKind("theme", _by_names(_THEMES, "theme"), listed_by="themes"))
register(ParamKind("string", _string))
