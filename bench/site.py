"""The whole site at scale: synthetic corpora of N documents, built, then every view and entity page written.

    python bench/site.py [--sizes 1000 10000] [--json FILE] [--work DIR]

For each N it prints the time to write the site (and how much of it fetching the stored queries took),
the number of files and their total size, and the largest page; the targets at N = 10,000 are a site
in 60 s or less and no entity page over 1 MB.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any


def bench_size(n: int, work: Path) -> dict[str, Any]:
    from graph_builder import build
    from graph_builder.query.embedded import EmbeddedEngine
    from graph_builder.synth import write_corpus
    from graph_builder.views import generate

    sources, out, site = work / f"sources-{n}", work / f"out-{n}", work / f"site-{n}"
    write_corpus(sources, n)
    built = build(sources, out)
    started = time.perf_counter()
    result = generate(EmbeddedEngine(out / "store"), site, "embedded store")
    seconds = time.perf_counter() - started
    files = [p for p in site.rglob("*") if p.is_file()]
    pages = [p for p in files if p.parent != site and p.suffix == ".html"]
    largest = max(pages, key=lambda p: p.stat().st_size)
    return {
        "documents": n,
        "triples": built.triples,
        "seconds": seconds,
        "fetch_seconds": result.fetch_seconds,
        "views_seconds": sum(v.seconds for v in result.views),
        "files": len(files),
        "entity_pages": len(pages),
        "total_mb": sum(p.stat().st_size for p in files) / 1e6,
        "largest_page": largest.relative_to(site).as_posix(),
        "largest_page_kb": largest.stat().st_size / 1e3,
        "largest_view_kb": max(v.bytes for v in result.views) / 1e3,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temporary one, removed)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="polkg-site-"))
    try:
        rows = [bench_size(n, work) for n in args.sizes]
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print("| N | triples | site written (fetch / views) | files | entity pages | total | largest entity page | largest view |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['documents']:,} | {r['triples']:,} "
            f"| {r['seconds']:.1f} s ({r['fetch_seconds']:.1f} / {r['views_seconds']:.1f}) "
            f"| {r['files']:,} | {r['entity_pages']:,} | {r['total_mb']:.1f} MB "
            f"| {r['largest_page']} {r['largest_page_kb']:.0f} kB "
            f"| {r['largest_view_kb']:.0f} kB |"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
