"""Load a curated sources folder: find its files, parse them (in parallel, cached), model each, then check them together."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from graph_builder._parallel import chunked_map, collector_paused
from graph_builder.errors import Problem, SourceError
from graph_builder.sources import model
from graph_builder.sources.check import Checker
from graph_builder.sources.corpus import Corpus, Loaded
from graph_builder.sources.files import READER_VERSION, REGISTRY_NAMES, combine, read_digests, source_paths
from graph_builder.sources.yamlio import dotted, load_data

REGISTRY_FILES: dict[str, type[BaseModel]] = dict(
    zip(
        REGISTRY_NAMES,
        (
            model.Vocabularies,
            model.AgencyRegistry,
            model.SectorRegistry,
            model.ThemeRegistry,
            model.ZoneRegistry,
            model.FrameworkRegistry,
        ),
        strict=True,
    )
)

M = TypeVar("M", bound=BaseModel)

_FIX_BY_TYPE = {
    "missing": "add this field",
    "extra_forbidden": "remove it, or correct the spelling of the key",
    "string_pattern_mismatch": "use a kebab-case id such as 'mofcom' or 'pilot-free-trade-zones'",
    "literal_error": "use one of the values listed",
    "list_type": "write a list, e.g. [a, b]",
    "string_type": "write text",
    "int_parsing": "write a whole number",
    "too_short": "add at least one entry",
}


class ParsedCache(Protocol):
    """Where parsed YAML is kept between builds, by the digest of the bytes it was parsed from (``store.cache.Cache``)."""

    def parsed_many(self, keys: Iterable[str]) -> dict[str, Any]: ...

    def put_parsed(self, items: dict[str, Any]) -> None: ...


def _problems_from_validation(path: Path, loaded: Loaded, exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        # pydantic appends validator names for union members; keep the data path only
        loc = tuple(p for p in loc if not (isinstance(p, str) and p.startswith("function-")))
        message = err["msg"]
        fix = _FIX_BY_TYPE.get(err["type"], "")
        if err["type"] == "extra_forbidden" and err.get("input") is None and isinstance(loc[-1], str) and " " in loc[-1]:
            message = f"'{loc[-1]}' was read as a key"
            fix = "a comma inside an unquoted value in {...} splits it: put the value in double quotes"
        if err["type"] == "value_error" and "is not a date" in message:
            fix = "write the date in the digits 0-9 as YYYY-MM-DD, YYYY-MM or YYYY, e.g. 2023-11-16"
        if err["type"] == "literal_error":
            message = f"{message}, got {err.get('input')!r}"
        problems.append(Problem(path, loaded.at(*loc), dotted(loc), message, fix))
    return problems


def _validate(path: Path, cls: type[M], data: Any) -> tuple[M, Loaded]:
    loaded = Loaded(path, None)  # the lines are read again only to report a problem
    if not isinstance(data, dict):
        raise SourceError([Problem(path, 1, "", "expected a mapping at the top of the file", "see sources/README.md")])
    try:
        return cls.model_validate(data), loaded
    except ValidationError as exc:
        raise SourceError(_problems_from_validation(path, loaded, exc)) from None


_PARALLEL_FROM = 256  # fewer files to parse than this are not worth starting worker processes
_PARSE_CHUNK = 64


def _parse_chunk(paths: list[Path]) -> list[Any | SourceError]:
    """The data of each file, or the SourceError its YAML raised (run in a worker process)."""
    found: list[Any | SourceError] = []
    for path in paths:
        try:
            found.append(load_data(path))
        except SourceError as exc:
            found.append(exc)
    return found


def parse_files(paths: list[Path], digests: dict[Path, str], cache: ParsedCache | None, workers: int | None) -> dict[Path, Any]:
    """The YAML data of every file in ``paths`` (from ``cache`` when its bytes were parsed before); SourceError on bad YAML.

    Files not in the cache are parsed by ``workers`` processes when there are many.
    """
    # the key of a file's parsed data: its bytes and the rules they were read by
    keys = {path: f"{READER_VERSION}:{digests[path]}" for path in paths}
    cached = cache.parsed_many(keys.values()) if cache is not None else {}
    data: dict[Path, Any] = {path: cached[keys[path]] for path in paths if keys[path] in cached}
    todo = [path for path in paths if path not in data]
    results = list(chunked_map(_parse_chunk, todo, _PARSE_CHUNK, workers, _PARALLEL_FROM))
    problems = []
    for path, result in zip(todo, results, strict=True):
        if isinstance(result, SourceError):
            problems.extend(result.problems)
        else:
            data[path] = result
    if problems:
        raise SourceError(problems)
    if cache is not None:
        cache.put_parsed({keys[path]: data[path] for path in todo})
    return data


def load_sources(root: Path, cache: ParsedCache | None = None, workers: int | None = None) -> Corpus:
    """Parse and check every file under ``root``; raise SourceError listing every problem found.

    With a ``cache``, the YAML of a file whose bytes were parsed before is not parsed again;
    ``workers`` processes (default: CPUs) parse the others when there are many.
    """
    with collector_paused():
        return _load_sources(Path(root), cache, workers)


def _load_sources(root: Path, cache: ParsedCache | None, workers: int | None) -> Corpus:
    if not root.is_dir():
        raise SourceError(
            [Problem(root, None, "", "sources folder not found", "give --sources a folder with registry/ and documents/")]
        )
    found = source_paths(root)  # the one place that decides which files are read
    problems: list[Problem] = list(found.problems)
    digests, unreadable = read_digests(found.paths)
    problems += unreadable
    registry_paths = {name: root / "registry" / name for name in REGISTRY_FILES}
    doc_paths = [path for path in found.documents if path in digests]
    docs = root / "documents"
    if not found.documents and not any(p.file in (docs, *((p.file.parent,) if p.file else ())) for p in problems):
        problems.append(Problem(docs, None, "", "no document files (*.yaml or *.yml) found", "add at least one document file"))
    try:
        data = parse_files([p for p in found.registry.values() if p in digests] + doc_paths, digests, cache, workers)
    except SourceError as exc:
        raise SourceError(problems + exc.problems, tuple(found.skipped)) from None
    parsed: dict[str, tuple[BaseModel, Loaded]] = {}
    for name, cls in REGISTRY_FILES.items():
        if registry_paths[name] in data:
            try:
                parsed[name] = _validate(registry_paths[name], cls, data[registry_paths[name]])
            except SourceError as exc:
                problems.extend(exc.problems)
    doc_files: list[tuple[model.DocumentFile, Loaded]] = []
    for path in doc_paths:
        try:
            doc_files.append(_validate(path, model.DocumentFile, data[path]))
        except SourceError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SourceError(problems, tuple(found.skipped))

    def reg(name: str) -> Any:
        return parsed[name][0]

    corpus = Corpus(
        root=root,
        vocab=reg("vocabularies.yaml"),
        agencies=reg("agencies.yaml"),
        sectors=reg("sectors.yaml"),
        themes=reg("themes.yaml"),
        zones=reg("zones.yaml"),
        frameworks=reg("frameworks.yaml"),
        files=[(loaded.path, doc_file) for doc_file, loaded in doc_files],
    )
    checker = Checker(corpus, {name: loaded for name, (_, loaded) in parsed.items()}, [loaded for _, loaded in doc_files])
    problems = checker.run()
    if problems:
        raise SourceError(problems, tuple(found.skipped))
    corpus.fingerprint = combine(root, digests)
    corpus.digests = digests
    corpus.skipped = found.skipped
    return corpus
