"""Query results in one neutral form, and their output formats: table, csv, json, markdown."""

from __future__ import annotations

import csv
import io
import json
import re
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


# CJK ideographs, radicals, punctuation and kana
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f]")
_CAMEL = re.compile(r"[a-z0-9](?=[A-Z])")
PROSE_MIN = 12  # columns a prose column gets at least in a table; below that a result is shown as records
PROSE_LINES = 4  # lines a prose cell may take in a table before it is shortened with "…"
ELLIPSIS = "…"


def is_prose(term: Term) -> bool:
    """Whether a cell holds text that may wrap (a language-tagged literal, or plain text with spaces or in
    Chinese without digits); IRIs, dates, numbers, booleans, ids and codes (商服贸发〔2022〕102号) never break."""
    if term.kind != "literal" or term.datatype is not None:
        return False
    if term.lang:
        return True
    value = term.value.strip()
    return any(ch.isspace() for ch in value) or (_CJK.search(value) is not None and not any(ch.isdigit() for ch in value))


def _pieces(word: str) -> list[str]:
    """Where a prose word may break: after its hyphens, and between CJK characters."""
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and _CJK.match(char):
            pieces.append(current)
            current = ""
        current += char
        if char == "-" or _CJK.match(char):
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return pieces


def _cut(text: str, width: int) -> tuple[str, str]:
    """``text`` split where its display width reaches ``width`` (at least one character in the first part)."""
    cut = 1
    while cut < len(text) and display_width(text[: cut + 1]) <= width:
        cut += 1
    return text[:cut], text[cut:]


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap by display width; a word wider than ``width`` breaks after a hyphen, between CJK
    characters, and only as a last resort inside a run of letters."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        for piece_index, piece in enumerate(_pieces(word)):
            joiner = " " if piece_index == 0 and line else ""
            if display_width(line + joiner + piece) <= width:
                line += joiner + piece
                continue
            if line:
                lines.append(line)
            line = piece
            while display_width(line) > width:
                head, line = _cut(line, width)
                lines.append(head)
    if line:
        lines.append(line)
    return lines or [""]


def _shorten(lines: list[str], width: int, most: int) -> tuple[list[str], bool]:
    """At most ``most`` lines, the last ending in "…" when text was left out."""
    if len(lines) <= most:
        return lines, False
    kept = lines[:most]
    last = kept[-1]
    while last and display_width(last + ELLIPSIS) > width:
        last = last[:-1]
    kept[-1] = last.rstrip() + ELLIPSIS
    return kept, True


def _header_parts(name: str) -> list[str]:
    """A column name broken at its camelCase joins (``relatedNumber`` -> related, Number), never inside a part."""
    return _CAMEL.sub(lambda m: m.group(0) + " ", name).split()


def _wrap_header(name: str, width: int) -> list[str]:
    lines: list[str] = []
    for part in _header_parts(name):
        if lines and display_width(lines[-1] + part) <= width:
            lines[-1] += part
        else:
            lines.append(part)
    return lines


@dataclass(frozen=True)
class _Column:
    name: str
    prose: bool
    natural: int  # display width of its widest cell on one line, header included
    least: int  # narrowest it may be: its widest unbreakable cell, its header's longest part

    @property
    def header(self) -> int:
        return display_width(self.name)


def _columns(result: ResultSet, cells: list[list[str]]) -> list[_Column]:
    columns = []
    for i, name in enumerate(result.variables):
        terms = [row[name] for row in result.rows if name in row]
        prose = any(is_prose(t) for t in terms)
        atoms = [display_width(cells[r][i]) for r, row in enumerate(result.rows) if name in row and not is_prose(row[name])]
        natural = max([display_width(name), *(display_width(c[i]) for c in cells)])
        least = max([*(display_width(p) for p in _header_parts(name)), *atoms, min(natural, PROSE_MIN) if prose else 0])
        columns.append(_Column(name, prose, natural, least))
    return columns


def _allocate(columns: list[_Column], budget: int) -> list[int] | None:
    """Column widths within ``budget``: unbreakable columns as wide as their widest cell, prose columns
    sharing the rest (each up to what it needs), then whole headers where room is left; None when even
    the narrowest widths do not fit."""
    widths = [c.least for c in columns]
    spare = budget - sum(widths)
    if spare < 0:
        return None
    pending = [i for i, c in enumerate(columns) if c.prose and c.natural > widths[i]]
    while pending and spare > 0:
        share = max(1, spare // len(pending))
        for i in list(pending):
            grant = min(share, columns[i].natural - widths[i], spare)
            widths[i] += grant
            spare -= grant
            if widths[i] >= columns[i].natural:
                pending.remove(i)
            if spare == 0:
                break
    for i, column in enumerate(columns):  # then headers whole, where room is left
        grant = min(max(0, column.header - widths[i]), spare)
        widths[i] += grant
        spare -= grant
    return widths


def terminal_width() -> int:
    """The terminal's width in columns ($COLUMNS first, as ``shutil`` reads it); 80 when it is not known."""
    return shutil.get_terminal_size((80, 24)).columns or 80


def _footer(rows: int, shortened: bool) -> list[str]:
    lines = []
    if shortened:
        lines.append(f"({ELLIPSIS} marks text shortened to fit; --format csv, json or markdown shows it whole)")
    lines.append(f"({rows} row{'s' if rows != 1 else ''})")
    return lines


def to_table(result: ResultSet, width: int | None = None) -> str:
    """A plain-text table that fits ``width`` columns (default: the terminal's, 80 when unknown).

    Ids, IRIs, dates, numbers and codes are never broken; prose wraps at word breaks and, past
    ``PROSE_LINES`` lines, is shortened with "…". When the unbreakable columns leave prose no room, each
    row is shown as a record instead: one line per column, its name then its value.
    """
    if result.boolean is not None:
        return str(result.boolean).lower() + "\n"
    width = width or terminal_width()
    rows = _cells(result)
    columns = _columns(result, rows)
    widths = _allocate(columns, width - 2 * (len(columns) - 1))
    if widths is None:
        return _records(result, rows, width)

    def pad(text: str, width: int) -> str:
        return text + " " * (width - display_width(text))

    shortened = False

    def lines_of(wrapped: list[list[str]]) -> list[str]:
        height = max(len(w) for w in wrapped)
        return [
            "  ".join(pad(w[k] if k < len(w) else "", widths[i]) for i, w in enumerate(wrapped)).rstrip() for k in range(height)
        ]

    out = lines_of([_wrap_header(c.name, w) for c, w in zip(columns, widths, strict=True)])
    out.append("  ".join("-" * w for w in widths))
    for cells in rows:
        wrapped = []
        for column, cell, cell_width in zip(columns, cells, widths, strict=True):
            if column.prose and display_width(cell) > cell_width:
                lines, cut = _shorten(_wrap(cell, cell_width), cell_width, PROSE_LINES)
                shortened = shortened or cut
                wrapped.append(lines)
            else:
                wrapped.append([cell])
        out += lines_of(wrapped)
    out += _footer(len(rows), shortened)
    return "\n".join(out) + "\n"


def _records(result: ResultSet, rows: list[list[str]], width: int) -> str:
    """Each row as a record (``name  value`` lines under a numbered rule), for results too wide for a table."""
    names = list(result.variables)
    label = max((display_width(n) for n in names), default=0)
    room = max(PROSE_MIN, width - label - 2)
    out: list[str] = []
    for number, (row, cells) in enumerate(zip(result.rows, rows, strict=True), 1):
        rule = f"-- {number} "
        out.append(rule + "-" * max(0, min(width, label + 2 + room) - len(rule)))
        for name, cell in zip(names, cells, strict=True):
            prose = name in row and is_prose(row[name])
            lines = _wrap(cell, room) if prose and display_width(cell) > room else [cell]
            out.append(f"{name}{' ' * (label - display_width(name))}  {lines[0]}".rstrip())
            out += [" " * (label + 2) + line for line in lines[1:]]
    out += _footer(len(rows), False)
    return "\n".join(out) + "\n"


def render(result: ResultSet, fmt: str) -> str:
    return {"table": to_table, "csv": to_csv, "json": lambda r: to_json(r) + "\n", "markdown": to_markdown}[fmt](result)
