"""Load YAML while remembering the line of every mapping key and sequence item.

The loader reads a scalar exactly as written. Plain scalars are strings, except ``true`` and ``false``
(any case), which are booleans, and ``null``, ``~`` and nothing, which are null: YAML 1.1's implicit
numbers, dates and yes/no/on/off booleans (``010`` read as 8, ``1.10`` as 1.1, ``12:30`` as 750, ``no``
as False) are not applied; the models turn "27" into a number where a field is a number. It refuses
what would change a file's meaning silently or make reading it unbounded: a key given twice in one
mapping, aliases (``*name``, which also make a few hundred bytes expand to gigabytes), explicit
tags (``!!int``, ``!!binary``, ``!foo``), merge keys (``<<``) and scalars longer than ``MAX_SCALAR_CHARS``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from graph_builder.errors import Problem, SourceError
from graph_builder.sources.files import read_source

MAX_SCALAR_CHARS = 100_000  # longer than any label, summary or note needs; a value this long is a mistake

_ALLOWED_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map", "null", "bool"))


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


def _walk(root: Node, lines: LineMap) -> None:
    """Record the line of every node under ``root`` (iteratively: nesting may be as deep as libyaml allows)."""
    stack: list[tuple[Node, tuple[Any, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        lines.add(path, node.start_mark.line + 1)
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                key = _key(key_node)
                lines.add((*path, key), key_node.start_mark.line + 1)
                stack.append((value_node, (*path, key)))
        elif isinstance(node, SequenceNode):
            stack.extend((item, (*path, index)) for index, item in enumerate(node.value))


def _key(node: Node) -> Any:
    """A mapping key as the line map knows it: a scalar key's text (other keys are refused when loading)."""
    return node.value if isinstance(node, ScalarNode) else "?"


def dotted(path: tuple[Any, ...]) -> str:
    """A location path as problems name a field: ``("documents", 0, "title")`` -> ``documents[0].title``."""
    return ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[")


def _path_of(root: Node, target: Node) -> tuple[Any, ...] | None:
    """The location path of ``target`` (a node, or a mapping's key node) under ``root``; each node is visited once."""
    seen: set[int] = set()
    stack: list[tuple[Node, tuple[Any, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if key_node is target:
                    return (*path, _key(key_node))
                stack.append((value_node, (*path, _key(key_node))))
        elif isinstance(node, SequenceNode):
            stack.extend((item, (*path, index)) for index, item in enumerate(node.value))
    return None


_ALIAS = "alias"


class Refused(yaml.MarkedYAMLError):
    """YAML the sources do not allow (an alias, a duplicate key, a tag, a huge scalar): where, what, and the fix."""

    def __init__(self, node: Node, message: str, fix: str, key_of: Node | None = None):
        super().__init__(None, None, message, node.start_mark)
        self.node = node
        self.message = message
        self.fix = fix
        self.key_of = key_of  # for a duplicate key: the key node (its path names the field)


_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it: much faster


class _DateAsStringLoader(_BaseLoader):  # type: ignore[misc]
    """Safe loader that reads scalars as written (see the module's docstring) and refuses aliases and duplicate keys."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        # every node of a tree without aliases is constructed once: a second time is an alias
        if node in self.constructed_objects or node in self.recursive_objects:
            raise Refused(node, _ALIAS, "write the value out in full where it is needed, without & and *")
        if node.tag not in _ALLOWED_TAGS:
            raise Refused(
                node,
                f"the YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed",
                'remove the tag; quote the value if it should be text, e.g. "010"',
            )
        return super().construct_object(node, deep)

    def construct_scalar(self, node: Node) -> Any:
        if isinstance(node, ScalarNode) and len(node.value) > MAX_SCALAR_CHARS:
            raise Refused(
                node,
                f"a value of {len(node.value):,} characters; values may be at most {MAX_SCALAR_CHARS:,} characters",
                "shorten it: labels and summaries are a line or two in your own words",
            )
        return super().construct_scalar(node)

    def construct_yaml_bool(self, node: Node) -> bool:
        value = self.construct_scalar(node)
        if not isinstance(value, str) or value.lower() not in ("true", "false"):
            raise Refused(node, f"{value!r} is not a boolean", "write true or false")
        return value.lower() == "true"

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, MappingNode):
            raise ConstructorError(None, None, f"expected a mapping node, but found {type(node).__name__}", node.start_mark)
        mapping: dict[Any, Any] = {}
        lines: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise Refused(key_node, "a key that is a list or mapping", "keys are plain words such as 'title'") from None
            if key in lines:
                raise Refused(
                    key_node,
                    f"the key '{key}' is given twice in this mapping (first on line {lines[key]}); "
                    "YAML would keep the last value silently",
                    "remove one of them, or merge their values",
                    key_of=key_node,
                )
            lines[key] = key_node.start_mark.line + 1
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


_DateAsStringLoader.add_constructor("tag:yaml.org,2002:bool", _DateAsStringLoader.construct_yaml_bool)
_DateAsStringLoader.yaml_implicit_resolvers = {}
_DateAsStringLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$"), list("tTfF")
)
_DateAsStringLoader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


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


def _read(path: Path) -> tuple[str, bytes]:
    data = read_source(path)
    return decode(path, data), data


def _yaml_error(path: Path, exc: yaml.YAMLError, root: Node | None, data: bytes) -> SourceError:
    if isinstance(exc, Refused):
        line = exc.node.start_mark.line + 1
        field = ""
        if root is not None:
            located = _path_of(root, exc.key_of or exc.node)
            field = dotted(located) if located else ""
        message = exc.message
        if message is _ALIAS:  # the node is the anchored one: the alias's own line is in the events
            line, name, anchor_line = _first_alias(data)
            message = f"an alias (*{name}) repeats the value anchored on line {anchor_line}; "
            message += "the sources use no anchors or aliases"
            field = ""
        return SourceError([Problem(path, line, field, message, exc.fix)])
    if isinstance(exc, yaml.reader.ReaderError):
        position = exc.position if _BaseLoader is not yaml.SafeLoader else len(data.decode("utf-8")[: exc.position].encode())
        line = data.count(b"\n", 0, position) + 1
        return SourceError(
            [Problem(path, line, "", f"invalid YAML: {exc.reason} (character {exc.character:#x})", "remove the character")]
        )
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    return SourceError([Problem(path, line, "", f"invalid YAML: {problem}", "check indentation, colons and quoting")])


def _first_alias(data: bytes) -> tuple[int | None, str, int | None]:
    """The line and anchor name of the first alias in ``data``, and the line of its anchor (events only: bounded)."""
    anchors: dict[str, int] = {}
    try:
        for event in yaml.parse(data.decode("utf-8"), Loader=_BaseLoader):
            anchor = getattr(event, "anchor", None)
            line = event.start_mark.line + 1 if event.start_mark is not None else None
            if isinstance(event, yaml.AliasEvent):
                return line, str(anchor), anchors.get(str(anchor))
            if anchor is not None and line is not None:
                anchors.setdefault(anchor, line)
    except yaml.YAMLError:
        pass
    return None, "name", None


def _load(path: Path, with_lines: bool) -> tuple[Any, LineMap | None]:
    text, data = _read(path)
    loader = _DateAsStringLoader(text)
    node: Node | None = None
    try:
        # one parse: compose the node tree (it has the lines), then build the data from it
        node = loader.get_single_node()
        result = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc, node, data) from None
    finally:
        loader.dispose()
    if not with_lines:
        return result, None
    lines = LineMap()
    if node is not None:
        _walk(node, lines)
    return result, lines


def load_data(path: Path) -> Any:
    """Parse ``path`` into plain data (no line map: see ``load_yaml``). YAML syntax errors become a SourceError."""
    return _load(path, with_lines=False)[0]


def load_yaml(path: Path) -> tuple[Any, LineMap]:
    """Parse ``path``; return the data and a line map. YAML syntax errors become a SourceError."""
    data, lines = _load(path, with_lines=True)
    assert lines is not None
    return data, lines
