"""The write step: graph.nt and graph.ttl, each unit's part from this build or copied by byte range from the last build."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from graph_builder.graph.units import Span, UnitEntry, UnitsResult, turtle_body, turtle_header
from graph_builder.layout import NTRIPLES, TURTLE


@dataclass(frozen=True)
class Written:
    """What ``write_graph_files`` wrote: each unit's span (by unit name), the total lines, the files' sizes."""

    spans: dict[str, Span]
    lines: int
    nt_bytes: int
    ttl_bytes: int

    def manifest(self) -> dict[str, object]:
        """The manifest fields the next build reads back with ``previous_parts``."""
        return {
            "spans": {name: span.to_json() for name, span in self.spans.items()},
            "nt_bytes": self.nt_bytes,
            "ttl_bytes": self.ttl_bytes,
        }


def previous_parts(out: Path, manifest: dict[str, object] | None) -> dict[str, tuple[str, Span]]:
    """Unit name -> (key, span) in the previous build's files; empty unless both files have the recorded sizes."""
    if not manifest:
        return {}
    keys, spans = manifest.get("units"), manifest.get("spans")
    if not isinstance(keys, dict) or not isinstance(spans, dict):
        return {}
    try:
        if (out / NTRIPLES).stat().st_size != manifest.get("nt_bytes") or (out / TURTLE).stat().st_size != manifest.get(
            "ttl_bytes"
        ):
            return {}
    except OSError:
        return {}
    parts = {}
    for name, key in keys.items():
        span = spans.get(name)
        if isinstance(key, str) and isinstance(span, list) and len(span) == 5 and all(isinstance(v, int) for v in span):
            parts[name] = (key, Span(*span))
    return parts


def _copy(src: int, dst: BinaryIO, offset: int, length: int) -> None:
    """Append ``length`` bytes of file descriptor ``src`` from ``offset`` to ``dst`` (in the kernel where it can)."""
    done = 0
    try:
        while done < length:
            copied = os.copy_file_range(src, dst.fileno(), length - done, offset + done)
            if copied == 0:
                break
            done += copied
    except (OSError, AttributeError):  # no copy_file_range here (other OS, some file systems): copy through memory
        pass
    while done < length:
        chunk = os.pread(src, min(16 << 20, length - done), offset + done)
        if not chunk:
            raise OSError(f"the previous build's file ended {length - done} bytes early")
        dst.write(chunk)
        done += len(chunk)


@dataclass(frozen=True)
class _Part:
    """One unit's part of an output file: its bytes, or a range of the previous build's file."""

    data: bytes | None
    offset: int
    length: int


def _write(path: Path, head: bytes, parts: list[_Part], previous: Path | None) -> list[int]:
    """Write ``head`` then ``parts`` to ``path`` (unbuffered, so copies and writes interleave); each part's new offset."""
    offsets = []
    with open(path, "wb", buffering=0) as dst:
        dst.write(head)
        position = len(head)
        source = os.open(previous, os.O_RDONLY) if previous is not None else -1
        try:
            pending: tuple[int, int] | None = None  # a run of adjacent ranges of the previous file, copied as one
            for part in parts:
                offsets.append(position)
                if part.data is None:
                    if pending is not None and pending[0] + pending[1] == part.offset:
                        pending = (pending[0], pending[1] + part.length)
                    else:
                        if pending is not None:
                            _copy(source, dst, *pending)
                        pending = (part.offset, part.length)
                else:
                    if pending is not None:
                        _copy(source, dst, *pending)
                        pending = None
                    dst.write(part.data)
                position += part.length
            if pending is not None:
                _copy(source, dst, *pending)
        finally:
            if source >= 0:
                os.close(source)
    if path.stat().st_size != position:
        raise OSError(f"{path} has {path.stat().st_size} bytes, expected {position}")
    return offsets


def ontology_turtle(ontology_nt: bytes) -> bytes:
    """The ontology as Turtle without its prefix block (graph.ttl opens with one sorted block)."""
    import pyoxigraph

    from graph_builder.prefixes import PREFIXES

    turtle = pyoxigraph.serialize(
        pyoxigraph.parse(ontology_nt, format=pyoxigraph.RdfFormat.N_TRIPLES),
        format=pyoxigraph.RdfFormat.TURTLE,
        prefixes=PREFIXES,
    )
    return turtle_body(turtle or b"")


def write_graph_files(tmp: Path, out: Path, ontology_nt: bytes, units: UnitsResult) -> Written:
    """Write tmp/graph.nt (ontology, then each unit's sorted N-Triples) and tmp/graph.ttl (one prefix block,
    the ontology, each unit's Turtle body), units in build order.

    A unit with its entry (emitted in this build, or read from the cache) is written from it; a unit
    given as a ``Span`` is copied from that range of the previous build's files in ``out``.
    """
    nt_parts: list[_Part] = []
    ttl_parts: list[_Part] = []
    lines: list[int] = []
    for result in units.entries:
        if isinstance(result, UnitEntry):
            nt_parts.append(_Part(result.ntriples, 0, len(result.ntriples)))
            ttl_parts.append(_Part(result.turtle, 0, len(result.turtle)))
            lines.append(result.ntriples.count(b"\n"))
        else:
            nt_parts.append(_Part(None, result.nt_offset, result.nt_length))
            ttl_parts.append(_Part(None, result.ttl_offset, result.ttl_length))
            lines.append(result.lines)
    copies = any(part.data is None for part in nt_parts)
    nt_offsets = _write(tmp / NTRIPLES, ontology_nt, nt_parts, out / NTRIPLES if copies else None)
    ttl_head = turtle_header() + ontology_turtle(ontology_nt)
    ttl_offsets = _write(tmp / TURTLE, ttl_head, ttl_parts, out / TURTLE if copies else None)
    spans = {
        unit.name: Span(nt_offset, nt.length, ttl_offset, ttl.length, count)
        for unit, nt_offset, nt, ttl_offset, ttl, count in zip(
            units.units, nt_offsets, nt_parts, ttl_offsets, ttl_parts, lines, strict=True
        )
    }
    nt_bytes, ttl_bytes = (tmp / NTRIPLES).stat().st_size, (tmp / TURTLE).stat().st_size
    return Written(spans, ontology_nt.count(b"\n") + sum(lines), nt_bytes, ttl_bytes)


def unit_ntriples(nt_file: Path, spans: list[Span], batch_bytes: int) -> Iterator[bytes]:
    """The N-Triples of the units at ``spans`` of ``nt_file``, in batches of about ``batch_bytes``, never splitting a unit."""
    fd = os.open(nt_file, os.O_RDONLY)
    try:
        start, size = None, 0
        for span in spans:
            if start is not None and (start + size != span.nt_offset or size >= batch_bytes):
                yield os.pread(fd, size, start)
                start, size = None, 0
            if start is None:
                start = span.nt_offset
            size += span.nt_length
        if start is not None and size:
            yield os.pread(fd, size, start)
    finally:
        os.close(fd)
