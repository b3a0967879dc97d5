"""Read the stored queries: one .rq file each, a `#+` YAML header, the file name as the query id."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph_builder.errors import QueryFileError, UsageError
from graph_builder.layout import queries_dir
from graph_builder.query import param_types

_HEADER_LINE = re.compile(r"^#\+ ?(.*)$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # a registered parameter type (query.param_types)
    description: str = ""
    required: bool = True
    default: str | None = None
    example: str | None = None


@dataclass(frozen=True)
class StoredQuery:
    id: str
    path: Path
    summary: str
    description: str
    params: tuple[Param, ...]
    tags: tuple[str, ...]
    sparql: str
    extra: dict[str, Any] = field(default_factory=dict)
    order: tuple[str, ...] = ()  # document parameters whose dates may not decrease in this order
    booleans: tuple[str, ...] = ()  # result columns that are xsd:boolean (some stores send them as 1/0)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def parse_query_file(path: Path) -> StoredQuery:
    """Parse one .rq file; raise QueryFileError naming the file and what is wrong."""
    import yaml

    text = path.read_text(encoding="utf-8")
    header_lines = []
    for line in text.splitlines():
        match = _HEADER_LINE.match(line)
        if match:
            header_lines.append(match.group(1))
        elif line.strip() and not line.startswith("#"):
            break
    try:
        meta = yaml.safe_load("\n".join(header_lines)) or {}
    except yaml.YAMLError as exc:
        raise QueryFileError(f"{path}: the #+ header is not valid YAML: {exc}") from None
    if not isinstance(meta, dict) or not meta.get("summary"):
        raise QueryFileError(f"{path}: the #+ header needs at least 'summary'")
    params = []
    for raw in meta.get("params") or []:
        if not isinstance(raw, dict) or "name" not in raw or raw.get("type") not in param_types.names():
            raise QueryFileError(f"{path}: each param needs a name and a type from {', '.join(param_types.names())}: {raw!r}")
        if not re.search(r"\?" + re.escape(raw["name"]) + r"\b", text):
            raise QueryFileError(f"{path}: param '{raw['name']}' has no ?{raw['name']} variable in the query")
        default = raw.get("default")
        params.append(
            Param(
                name=raw["name"],
                type=raw["type"],
                description=str(raw.get("description", "")),
                required=bool(raw.get("required", default is None)),
                default=None if default is None else str(default),
                example=None if raw.get("example") is None else str(raw["example"]),
            )
        )
    if params:
        from graph_builder.query.binding import BindingError, bind_values
        from graph_builder.query.results import Term

        try:
            bind_values(text, {p.name: Term("literal", "") for p in params})
        except BindingError as exc:
            raise QueryFileError(f"{path}: {exc}") from None
    order = meta.get("order") or []
    documents = {p.name for p in params if p.type == "document"}
    if order and (not isinstance(order, list) or len(order) < 2 or not all(isinstance(n, str) and n in documents for n in order)):
        raise QueryFileError(f"{path}: 'order' lists two or more of its document parameters, earliest first: {order!r}")
    booleans = meta.get("booleans") or []
    if not isinstance(booleans, list) or not all(
        isinstance(n, str) and re.search(rf"[?$]{re.escape(n)}\b", text) for n in booleans
    ):
        raise QueryFileError(f"{path}: 'booleans' lists result variables of the query: {booleans!r}")
    known = {"summary", "description", "params", "tags", "order", "booleans"}
    return StoredQuery(
        id=path.stem,
        path=path,
        summary=str(meta["summary"]).strip(),
        description=str(meta.get("description", "")).strip(),
        params=tuple(params),
        tags=tuple(str(t) for t in meta.get("tags") or ()),
        sparql=text,
        extra={k: v for k, v in meta.items() if k not in known},
        order=tuple(order),
        booleans=tuple(booleans),
    )


def load_catalogue(directory: Path | None = None) -> dict[str, StoredQuery]:
    """Every stored query in ``directory`` (default: the bundled queries/), by id."""
    directory = directory or queries_dir()
    queries = {}
    for path in sorted(directory.glob("*.rq")):
        query = parse_query_file(path)
        queries[query.id] = query
    return queries


def get_query(query_id: str, directory: Path | None = None) -> StoredQuery:
    catalogue = load_catalogue(directory)
    if query_id not in catalogue:
        close = [q for q in catalogue if query_id in q or q in query_id]
        hint = f"; did you mean {', '.join(close)}?" if close else "; 'polkg query list' shows them all"
        raise UsageError(f"no stored query '{query_id}'{hint}")
    return catalogue[query_id]
