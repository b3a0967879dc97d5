"""Load YAML while remembering the line of every mapping key and sequence item."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, SequenceNode

from graph_builder.errors import Problem, SourceError
from graph_builder.fingerprint import read_source


class LineMap:
    """Maps a location path such as ``("documents", 0, "provisions", 3, "agencies")`` to a line."""

    def __init__(self) -> None:
        self._lines: dict[tuple[Any, ...], int] = {}

    def add(self, path: tuple[Any, ...], line: int) -> None:
        self._lines.setdefault(path, line)

    def line(self, path: tuple[Any, ...]) -> int | None:
        """The line of ``path`` or of its closest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return self._lines.get((), None)


def _walk(node: yaml.Node, path: tuple[Any, ...], lines: LineMap) -> None:
    lines.add(path, node.start_mark.line + 1)
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines.add((*path, key), key_node.start_mark.line + 1)
            _walk(value_node, (*path, key), lines)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it: ~10x faster


class _DateAsStringLoader(_BaseLoader):  # type: ignore[misc]
    """Safe loader that leaves dates as strings so the model checks them with a clear message."""


_DateAsStringLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def decode(path: Path, data: bytes) -> str:
    """``data`` as UTF-8 text; SourceError naming the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise SourceError(
                [Problem(path, 1, "", "the file is UTF-16 text; source files are UTF-8", "save it with the encoding UTF-8")]
            ) from None
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceError(
            [
                Problem(
                    path,
                    line,
                    "",
                    f"is not UTF-8 text: byte 0x{data[exc.start]:02x} at column {column} is not valid UTF-8",
                    "save the file with the encoding UTF-8; it may have been saved as GBK or Latin-1",
                )
            ]
        ) from None


def _read(path: Path) -> str:
    return decode(path, read_source(path))


def _syntax_error(path: Path, exc: yaml.YAMLError) -> SourceError:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    return SourceError([Problem(path, line, "", f"invalid YAML: {problem}", "check indentation, colons and quoting")])


def load_data(path: Path) -> Any:
    """Parse ``path`` into plain data (no line map: see ``load_yaml``). YAML syntax errors become a SourceError."""
    loader = _DateAsStringLoader(_read(path))
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise _syntax_error(path, exc) from None
    finally:
        loader.dispose()


def load_yaml(path: Path) -> tuple[Any, LineMap]:
    """Parse ``path``; return the data and a line map. YAML syntax errors become a SourceError."""
    lines = LineMap()
    loader = _DateAsStringLoader(_read(path))
    try:
        # one parse: compose the node tree (it has the lines), then build the data from it
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise _syntax_error(path, exc) from None
    finally:
        loader.dispose()
    if node is not None:
        _walk(node, (), lines)
    return data, lines
