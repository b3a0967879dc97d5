"""Show a result's English text in another language where the graph states it (``polkg query run --lang``)."""

from __future__ import annotations

from dataclasses import replace

from graph_builder.errors import UsageError
from graph_builder.query.binding import bind_rows, bind_values
from graph_builder.query.engine import Engine
from graph_builder.query.results import ResultSet, Term

LANGUAGES = ("en", "zh")  # the languages the curated graph writes its names and titles in
SOURCE = "en"  # stored queries give names, titles and labels in English
_BATCH = 500  # English texts looked up in one query

# the same resource, the same property, the text in the wanted language: a title for a title, a name for a name
_TRANSLATIONS = """
SELECT ?text ?translation WHERE {
  ?item ?property ?text .
  ?item ?property ?translation .
  FILTER (lang(?translation) = ?wanted)
}"""


def in_language(result: ResultSet, engine: Engine, lang: str) -> ResultSet:
    """``result`` with each English text (a literal tagged ``en``) replaced by the same property of the same
    resource in ``lang``, where the graph has exactly one such text; everything else is left as it is.

    The English texts are looked up as serialised terms in a VALUES block, never pasted into the query.
    """
    if lang not in LANGUAGES:
        raise UsageError(f"--lang {lang!r}: the graph's texts are in {', '.join(LANGUAGES)}")
    if lang == SOURCE or result.boolean is not None:
        return result
    texts = sorted(
        {term for row in result.rows for term in row.values() if term.kind == "literal" and term.lang == SOURCE},
        key=lambda t: t.value,
    )
    found: dict[str, set[Term]] = {}
    for start in range(0, len(texts), _BATCH):
        sparql = bind_values(bind_rows(_TRANSLATIONS, "text", texts[start : start + _BATCH]), {"wanted": Term("literal", lang)})
        for row in engine.select(sparql).rows:
            found.setdefault(row["text"].value, set()).add(row["translation"])
    swap = {text: next(iter(terms)) for text, terms in found.items() if len(terms) == 1}

    def swapped(term: Term) -> Term:
        if term.kind == "literal" and term.lang == SOURCE and term.value in swap:
            return swap[term.value]
        return term

    rows = tuple({name: swapped(term) for name, term in row.items()} for row in result.rows)
    return replace(result, rows=rows)
