"""The limits a person's SPARQL must keep before any engine parses it: size, nesting, operators, no SERVICE.

Oxigraph's parser and evaluator recurse on the query's tree: a few thousand nested groups, a few hundred
UNION or OPTIONAL branches, or a long chain of ``||`` overflow the engine's stack (the embedded store
segfaults, the server dies). The check here is a linear scan of the query's tokens, with strings, IRIs
and comments skipped, after the ``\\uXXXX`` escapes are applied as SPARQL applies them to the whole
text (so ``\\u0053ERVICE`` is SERVICE). It bounds what makes the tree deep; it does not parse SPARQL,
and a query it lets through can still be a syntax error, which the engine then reports.

``polkg sparql`` and ``polkg serve --sparql`` both call ``check_query``; stored queries do not (they
are ours, and fixed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graph_builder.errors import QueryError


@dataclass(frozen=True)
class Limits:
    """What a query may hold. The defaults are far above any stored query and far below what breaks Oxigraph."""

    chars: int = 200_000  # the whole text
    term_chars: int = 20_000  # one string literal or IRI
    depth: int = 64  # brackets { ( [ open at once
    branches: int = 128  # UNION, OPTIONAL and MINUS (each nests the pattern before it one level deeper)
    operators: int = 512  # || && ! = != < > <= >= + - * / | ^ (each can nest an expression or path)
    service: bool = False  # SERVICE makes the engine fetch a URL the query names: never, by default


LIMITS = Limits()

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r'(?P<long>"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
    r"|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*''')"
    r'|(?P<string>"[^"\\\n\r]*(?:\\.[^"\\\n\r]*)*"'
    r"|'[^'\\\n\r]*(?:\\.[^'\\\n\r]*)*')"
    r"|(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)"
    r"|(?P<comment>#[^\n\r]*)"
    r"|(?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]*)"
    r"|(?P<word>[\w.:%\\-]+)"
    r"|(?P<open>[{(\[])"
    r"|(?P<close>[})\]])"
    r"|(?P<op>\|\||&&|!=|<=|>=|[!=<>+*/|^-])"
    r"|(?P<other>.)",
    re.DOTALL,
)
_BRANCHES = frozenset({"UNION", "OPTIONAL", "MINUS"})


def _unescape(text: str) -> str:
    """``text`` with SPARQL's codepoint escapes applied (an escape naming no valid code point is left alone)."""

    def one(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)

    return _ESCAPE.sub(one, text) if "\\u" in text or "\\U" in text else text


def check_query(text: str, limits: Limits = LIMITS) -> None:
    """Raise QueryError, saying which limit and by how much, when ``text`` breaks one of ``limits``."""

    def refuse(what: str, limit: str) -> QueryError:
        return QueryError(f"the query is refused: {what} ({limit}); simplify it or split it into smaller queries")

    if len(text) > limits.chars:
        raise refuse(f"it is {len(text):,} characters long", f"polkg accepts up to {limits.chars:,}")
    text = _unescape(text)
    depth = deepest = branches = operators = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in ("long", "string", "iri"):
            size = match.end() - match.start()
            if size > limits.term_chars:
                what = "an IRI" if kind == "iri" else "a literal"
                raise refuse(f"{what} of {size:,} characters", f"polkg accepts up to {limits.term_chars:,}")
        elif kind == "word":
            word = match.group().rstrip(".").upper()
            if word == "SERVICE" and not limits.service:
                raise QueryError(
                    "the query is refused: SERVICE asks the engine to fetch another endpoint's data, and polkg "
                    "never fetches a URL a query names (run the remote part against that endpoint with --endpoint)"
                )
            if word in _BRANCHES:
                branches += 1
                if branches > limits.branches:
                    raise refuse(f"more than {limits.branches} UNION, OPTIONAL and MINUS", "each nests the query deeper")
        elif kind == "open":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limits.depth:
                    raise refuse(f"brackets nest more than {limits.depth} deep", f"polkg accepts up to {limits.depth}")
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "op":
            operators += 1
            if operators > limits.operators:
                raise refuse(f"more than {limits.operators} operators", "each can nest an expression or path deeper")
