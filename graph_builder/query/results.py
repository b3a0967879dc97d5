"""Query results in one neutral form, and their output formats: table, csv, json, markdown."""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import dataclass
from typing import Literal

from graph_builder.prefixes import compact

FORMATS = ("table", "csv", "json", "markdown")


@dataclass(frozen=True)
class Term:
    """An RDF term as SPARQL results carry it."""

    kind: Literal["uri", "literal", "bnode"]
    value: str
    datatype: str | None = None
    lang: str | None = None

    def display(self) -> str:
        return compact(self.value) if self.kind == "uri" else self.value

    def to_json(self) -> dict[str, str]:
        data = {"type": self.kind, "value": self.value}
        if self.lang:
            data["xml:lang"] = self.lang
        elif self.datatype:
            data["datatype"] = self.datatype
        return data


@dataclass(frozen=True)
class ResultSet:
    """The answer to a SELECT (rows) or an ASK (boolean) query."""

    variables: tuple[str, ...]
    rows: tuple[dict[str, Term], ...]
    boolean: bool | None = None

    def column(self, name: str) -> list[str | None]:
        return [row[name].value if name in row else None for row in self.rows]


def to_json(result: ResultSet) -> str:
    """W3C SPARQL 1.1 Query Results JSON."""
    if result.boolean is not None:
        return json.dumps({"head": {}, "boolean": result.boolean}, ensure_ascii=False, indent=2)
    return json.dumps(
        {
            "head": {"vars": list(result.variables)},
            "results": {"bindings": [{k: v.to_json() for k, v in row.items()} for row in result.rows]},
        },
        ensure_ascii=False,
        indent=2,
    )


def _csv_value(term: Term) -> str:
    """A blank node is written ``_:label`` (the format's own rule), so it cannot pass for a literal."""
    return f"_:{term.value}" if term.kind == "bnode" else term.value


def to_csv(result: ResultSet) -> str:
    """SPARQL 1.1 Query Results CSV: plain values, IRIs in full, blank nodes as ``_:label``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if result.boolean is not None:
        writer.writerow(["boolean"])
        writer.writerow(["true" if result.boolean else "false"])
        return buffer.getvalue()
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_value(row[v]) if v in row else "" for v in result.variables])
    return buffer.getvalue()


def _cells(result: ResultSet) -> list[list[str]]:
    return [[" ".join(row[v].display().split()) if v in row else "" for v in result.variables] for row in result.rows]


def to_markdown(result: ResultSet) -> str:
    if result.boolean is not None:
        return str(result.boolean).lower() + "\n"

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("|", "\\|")

    lines = ["| " + " | ".join(result.variables) + " |", "|" + "|".join(" --- " for _ in result.variables) + "|"]
    lines += ["| " + " | ".join(esc(c) for c in cells) + " |" for cells in _cells(result)]
    return "\n".join(lines) + "\n"


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: East Asian wide and full-width characters count two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap by display width; words wider than ``width`` (and CJK runs) break by character."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if display_width(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
            line = ""
        while display_width(word) > width:
            cut = 0
            while cut < len(word) and display_width(word[: cut + 1]) <= width:
                cut += 1
            lines.append(word[: max(cut, 1)])
            word = word[max(cut, 1) :]
        line = word
    if line:
        lines.append(line)
    return lines or [""]


def _allocate(natural: list[int], budget: int, floor: int = 10) -> list[int]:
    """Column widths that sum to at most ``budget``.

    Short columns (dates, numbers, roles) keep their width; every other column gets a floor, and what
    is left is shared in proportion to how much more each column's content needs.
    """
    widths = list(natural)
    if sum(natural) <= budget:
        return widths
    short = [i for i, n in enumerate(natural) if n <= 12]
    if sum(natural[i] for i in short) > budget // 2:
        short = []
    pending = [i for i in range(len(natural)) if i not in short]
    remaining = budget - sum(natural[i] for i in short)
    while pending:
        least = min(floor, max(4, remaining // len(pending)))
        spare = max(0, remaining - least * len(pending))
        need = sum(natural[i] - least for i in pending if natural[i] > least)
        shares = {i: least + (spare * max(0, natural[i] - least) // need if need else 0) for i in pending}
        fits = [i for i in pending if natural[i] <= shares[i]]
        if not fits:
            for i in pending:
                widths[i] = shares[i]
            break
        for i in fits:
            remaining -= natural[i]
        pending = [i for i in pending if i not in fits]
    return widths


def to_table(result: ResultSet, width: int | None = None) -> str:
    """A plain-text table that fits ``width`` columns (default: the terminal, at least 80); long cells wrap."""
    if result.boolean is not None:
        return str(result.boolean).lower() + "\n"
    width = width or max(80, shutil.get_terminal_size((80, 24)).columns)
    headers = list(result.variables)
    rows = _cells(result)
    natural = [max([display_width(h), *(display_width(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    widths = _allocate(natural, width - 2 * (len(headers) - 1))

    def pad(text: str, width: int) -> str:
        return text + " " * (width - display_width(text))

    def lines_of(cells: list[str]) -> list[str]:
        wrapped = [_wrap(c, w) for c, w in zip(cells, widths, strict=True)]
        height = max(len(w) for w in wrapped)
        return [
            "  ".join(pad(w[k] if k < len(w) else "", widths[i]) for i, w in enumerate(wrapped)).rstrip() for k in range(height)
        ]

    out = lines_of(headers)
    out.append("  ".join("-" * w for w in widths))
    for r in rows:
        out += lines_of(r)
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def render(result: ResultSet, fmt: str) -> str:
    return {"table": to_table, "csv": to_csv, "json": lambda r: to_json(r) + "\n", "markdown": to_markdown}[fmt](result)
