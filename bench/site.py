"""The whole site at scale: synthetic corpora of N documents, built, then every view and entity page written.

    python bench/site.py [--sizes 1000 10000] [--runs 3] [--json FILE] [--work DIR]

For each N it builds the corpus once, writes the site --runs times (each in a fresh process), and prints the
median time to write it with the range, how much of the median run fetching the stored queries took and the
views' own time (summed over the workers that write them side by side), the peak memory of the site's
process and of its largest worker, the number of files and their total size, and the largest page. The
targets at N = 10,000: a site in 60 s or less, no entity page over 1 MB.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any


def _write_site(store: Path, site: Path) -> dict[str, float]:
    """Write the site from ``store`` (in a fresh process of its own, so its peak memory is the site's alone)."""
    import resource

    from graph_builder.query.embedded import EmbeddedEngine
    from graph_builder.views import generate

    started = time.perf_counter()
    result = generate(EmbeddedEngine(store), site, "embedded store")
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "fetch_seconds": result.fetch_seconds,
        "views_seconds": sum(v.seconds for v in result.views),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def bench_size(n: int, work: Path, runs: int) -> dict[str, Any]:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from graph_builder import build
    from graph_builder.synth import write_corpus

    sources, out, site = work / f"sources-{n}", work / f"out-{n}", work / f"site-{n}"
    write_corpus(sources, n)
    built = build(sources, out)
    timings = []
    for _ in range(runs):
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            timings.append(pool.submit(_write_site, out / "store", site).result())
    timings.sort(key=lambda t: t["seconds"])
    timing = {**timings[len(timings) // 2], "runs": [t["seconds"] for t in timings]}
    files = [p for p in site.rglob("*") if p.is_file()]
    pages = [p for p in files if p.parent != site and p.suffix == ".html"]
    views = [p for p in files if p.parent == site and p.suffix == ".html" and p.name not in ("index.html", "ontology.html")]
    largest = max(pages, key=lambda p: p.stat().st_size)
    return {
        "documents": n,
        "triples": built.triples,
        **timing,
        "files": len(files),
        "entity_pages": len(pages),
        "total_mb": sum(p.stat().st_size for p in files) / 1e6,
        "largest_page": largest.relative_to(site).as_posix(),
        "largest_page_kb": largest.stat().st_size / 1e3,
        "largest_view_kb": max(p.stat().st_size for p in views) / 1e3,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="site writes per size; the median is shown (default 3)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temporary one, removed)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="polkg-site-"))
    try:
        rows = [bench_size(n, work, args.runs) for n in args.sizes]
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(
        "| N | triples | site written: median (range; fetch / views of the median run) | peak memory: site / largest worker "
        "| files | entity pages | total | largest entity page | largest view |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['documents']:,} | {r['triples']:,} "
            f"| {r['seconds']:.1f} s ({min(r['runs']):.1f}–{max(r['runs']):.1f}; "
            f"{r['fetch_seconds']:.1f} / {r['views_seconds']:.1f}) "
            f"| {r['peak_mb']:.0f} / {r['worker_peak_mb']:.0f} MB "
            f"| {r['files']:,} | {r['entity_pages']:,} | {r['total_mb']:.1f} MB "
            f"| {r['largest_page']} {r['largest_page_kb']:.0f} kB "
            f"| {r['largest_view_kb']:.0f} kB |"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
