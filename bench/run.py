"""Benchmark polkg at scale: synthetic corpora of N documents, build, rebuild, stored queries, views.

    python bench/run.py                       # N = 100, 1,000, 10,000; table on stdout, figures in bench/results.json
    python bench/run.py --sizes 100 --runs 5  # the smoke run the tests do

For each N it measures the full build (phases, triples per second, peak memory of the build process
and of its largest worker), the rebuild after one source file changes (and checks the output equals
a build from nothing), every stored query on the embedded store (median and max of --runs runs,
typical parameters) and the same query once on a plain in-memory rdflib Graph (the ratio), and the
views (the largest one's generation time). Once, on the curated graph, it times
``polkg query run documents --format json`` as a whole process. Ratios N=1,000 -> 10,000 close the report.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


# ------------------------------------------------------------------ workers (run in child processes)
def build_worker(sources: str, out: str) -> None:
    """Build in this process and print the result and peak memory as JSON (the parent times nothing itself)."""
    from graph_builder.build import build

    started = time.perf_counter()
    result = build(Path(sources), Path(out))
    total = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": result.seconds,
                "total": total,
                "triples": result.triples,
                "files": result.files,
                "files_checked": result.files - result.files_reused,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "worker_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            }
        )
    )


def rdflib_worker(out: str, plan_file: str) -> None:
    """Load graph.nt into a plain rdflib Graph, then run each planned query once, printing a JSON line each."""
    from rdflib import Graph

    from graph_builder.prefixes import PREFIXES

    started = time.perf_counter()
    graph = Graph()
    graph.parse(Path(out) / "graph.nt", format="nt")
    print(json.dumps({"load": time.perf_counter() - started, "triples": len(graph)}), flush=True)
    for item in json.loads(Path(plan_file).read_text(encoding="utf-8")):
        t = time.perf_counter()
        try:
            rows = list(graph.query(item["sparql"], initNs=PREFIXES))
        except Exception as exc:  # rdflib cannot run some valid queries (GROUP_CONCAT over unbound values)
            print(json.dumps({"id": item["id"], "error": f"{type(exc).__name__}: {exc}"}), flush=True)
            continue
        print(json.dumps({"id": item["id"], "seconds": time.perf_counter() - t, "rows": len(rows)}), flush=True)


# ------------------------------------------------------------------ measurements
def run_json(args: list[str], timeout: float | None = None) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(Path(__file__)), *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"bench step failed ({' '.join(args)}):\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def typical_params(out: Path) -> dict[str, str]:
    """Values a user would pass on this corpus: a mid-corpus policy document and its predecessor, a busy agency."""
    from graph_builder.engine import EmbeddedEngine

    engine = EmbeddedEngine(out / "store")
    rows = engine.select(
        "SELECT ?id WHERE { ?d a pk:PolicyDocument ; dcterms:identifier ?id ; pk:sortDate ?date } ORDER BY ?date ?id"
    ).rows
    ids = [r["id"].value for r in rows]
    later = ids[len(ids) // 2]
    earlier = ids[max(0, len(ids) // 2 - 1)]
    others = engine.select(
        "SELECT ?id WHERE { ?d a ?class ; dcterms:identifier ?id } ORDER BY ?id",
        {"class": _iri("https://w3id.org/polkg/ontology#SecondarySource")},
    ).rows
    secondary = others[len(others) // 2]["id"].value if others else later
    return {
        "doc": later,
        "doc-secondary": secondary,
        "to": later,
        "from": earlier,
        "provision": "5",
        "agency": "agency-001",
        "theme": "theme-03",
    }


def _iri(value: str) -> Any:
    from graph_builder.results import Term

    return Term("uri", value)


def bound(query: Any, params: dict[str, str], engine: Any) -> Any:
    """Resolve the required parameters of ``query`` to typical values (a secondary source where it needs one)."""
    from graph_builder.errors import UsageError
    from graph_builder.params import resolve

    values = {p.name: params[p.name] for p in query.params if p.required}
    try:
        return resolve(query, values, engine)
    except UsageError:
        return resolve(query, {**values, "doc": params["doc-secondary"]}, engine)


def time_queries(out: Path, params: dict[str, str], runs: int) -> list[dict[str, Any]]:
    """Every stored query on the embedded store: bind once, then time ``runs`` runs after one warm-up."""
    from graph_builder.binding import bind_values
    from graph_builder.catalogue import load_catalogue
    from graph_builder.engine import EmbeddedEngine

    engine = EmbeddedEngine(out / "store")
    results = []
    for query_id, query in sorted(load_catalogue().items()):
        bindings = bound(query, params, engine)
        engine.select(query.sparql, bindings)
        times = []
        rows = 0
        for _ in range(runs):
            t = time.perf_counter()
            rows = len(engine.select(query.sparql, bindings).rows)
            times.append(time.perf_counter() - t)
        results.append(
            {
                "id": query_id,
                "median": statistics.median(times),
                "max": max(times),
                "rows": rows,
                "sparql": bind_values(query.sparql, bindings),
            }
        )
    return results


def time_rdflib(out: Path, queries: list[dict[str, Any]], budget: float) -> dict[str, Any]:
    """The same queries on plain rdflib in a child process; queries not done within ``budget`` seconds are cut off."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as plan:
        json.dump([{"id": q["id"], "sparql": q["sparql"]} for q in queries], plan)
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__)), "--rdflib-worker", str(out), plan.name], stdout=subprocess.PIPE, text=True
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert child.stdout is not None
        for line in child.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + budget
    found: dict[str, Any] = {"load": None, "queries": {}, "cut_off_after": None}
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            child.kill()
            found["cut_off_after"] = budget
            break
        if line is None:
            break
        item = json.loads(line)
        if "load" in item:
            found["load"] = item["load"]
        elif "error" in item:
            found.setdefault("errors", {})[item["id"]] = item["error"]
        else:
            found["queries"][item["id"]] = item["seconds"]
    child.wait()
    os.unlink(plan.name)
    return found


def time_views(out: Path, site: Path) -> dict[str, Any]:
    from graph_builder.engine import EmbeddedEngine
    from graph_builder.views import generate

    t = time.perf_counter()
    result = generate(EmbeddedEngine(out / "store"), site, "embedded store")
    total = time.perf_counter() - t
    largest = max(result.views, key=lambda v: v.bytes)
    return {
        "total": total,
        "fetch": result.fetch_seconds,
        "largest": largest.id,
        "largest_seconds": largest.seconds,
        "largest_nodes": largest.nodes,
        "largest_links": largest.edges,
        "largest_kib": largest.bytes / 1024,
    }


def touch_one_file(sources: Path) -> Path:
    """Change one document file the way a curator would: reword one provision's summary."""
    files = sorted((sources / "documents").glob("*.yaml"))
    assert files, f"no document files in {sources}"
    policies = [f for f in files if "class: policy" in f.read_text(encoding="utf-8")]
    target = policies[len(policies) // 2]
    text = target.read_text(encoding="utf-8")
    marker, amended = "; measure 1 of", "; measure 1 (as amended) of"
    if amended in text:  # a second edit of the same corpus undoes the first
        marker, amended = amended, marker
    assert marker in text, f"{target} has no provision 1 summary"
    target.write_text(text.replace(marker, amended, 1), encoding="utf-8")
    return target


def same_output(a: Path, b: Path) -> bool:
    """Builds ``a`` and ``b`` wrote the same graph.nt and graph.ttl bytes and the same store."""
    from graph_builder.build import store_triples

    files_equal = all((a / name).read_bytes() == (b / name).read_bytes() for name in ("graph.nt", "graph.ttl"))
    return files_equal and store_triples(a) == store_triples(b)


def query_process_seconds(runs: int, work: Path) -> dict[str, float]:
    """``polkg query run documents --format json`` as a whole process on the curated graph (built first)."""
    polkg = shutil.which("polkg") or str(Path(sys.executable).parent / "polkg")
    env = {**os.environ, "POLKG_OUT": str(work / "curated-out")}
    subprocess.run([polkg, "build"], env=env, check=True, capture_output=True)
    subprocess.run([polkg, "query", "run", "documents", "--format", "json"], env=env, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([polkg, "query", "run", "documents", "--format", "json"], env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - t)
    return {"median": statistics.median(times), "max": max(times), "runs": runs}


def bench_size(n: int, work: Path, runs: int, verify: bool, rdflib_budget: float) -> dict[str, Any]:
    from graph_builder.synth import write_corpus

    sources, out = work / f"sources-{n}", work / f"out-{n}"
    t = time.perf_counter()
    write_corpus(sources, n)
    record: dict[str, Any] = {"documents": n, "synth_seconds": time.perf_counter() - t}
    record["build"] = run_json(["--build-worker", str(sources), str(out)])
    record["build"]["triples_per_second"] = record["build"]["triples"] / record["build"]["total"]
    changed = touch_one_file(sources)
    record["rebuild"] = run_json(["--build-worker", str(sources), str(out)])
    record["rebuild"]["changed"] = changed.name
    if verify:
        fresh = work / f"fresh-{n}"
        run_json(["--build-worker", str(sources), str(fresh)])
        record["rebuild"]["identical_to_full_build"] = same_output(out, fresh)
        shutil.rmtree(fresh)
    params = typical_params(out)
    record["params"] = params
    queries = time_queries(out, params, runs)
    rdf = time_rdflib(out, queries, rdflib_budget)
    record["rdflib_load_seconds"] = rdf["load"]
    record["rdflib_cut_off_after"] = rdf["cut_off_after"]
    for q in queries:
        plain = rdf["queries"].get(q["id"])
        q["rdflib"] = plain
        q["rdflib_error"] = rdf.get("errors", {}).get(q["id"])
        q["ratio"] = plain / q["median"] if plain is not None and q["median"] > 0 else None
        del q["sparql"]
    record["queries"] = queries
    record["views"] = time_views(out, work / f"site-{n}")
    return record


# ------------------------------------------------------------------ report
def fmt(value: float | None, unit: str = "s", digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}{unit}"


def report(results: dict[str, Any]) -> str:
    lines = []
    sizes = results["sizes"]
    head = "| | " + " | ".join(f"N = {r['documents']:,}" for r in sizes) + " |"
    lines += [head, "|---" * (len(sizes) + 1) + "|"]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    row("triples", [f"{r['build']['triples']:,}" for r in sizes])

    def phases(r: dict[str, Any]) -> str:
        seconds = r["build"]["seconds"]
        return " / ".join(f"{seconds[k]:.1f}" for k in ("load", "validate", "write", "store"))

    row("full build (load / validate / write / store)", [f"{r['build']['total']:.1f}s ({phases(r)})" for r in sizes])
    row("triples per second", [f"{r['build']['triples_per_second']:,.0f}" for r in sizes])
    row(
        "peak memory: build / largest worker",
        [f"{r['build']['peak_rss_mb']:.0f} / {r['build']['worker_peak_rss_mb']:.0f} MB" for r in sizes],
    )
    row(
        "rebuild after one file changes",
        [
            f"{r['rebuild']['total']:.2f}s ({r['rebuild']['files_checked']} of {r['rebuild']['files']} checked)"
            + (
                ""
                if r["rebuild"].get("identical_to_full_build") is None
                else (", identical" if r["rebuild"]["identical_to_full_build"] else ", DIFFERS")
            )
            for r in sizes
        ],
    )
    row(
        "largest view (generation)",
        [f"{r['views']['largest']} {r['views']['largest_seconds']:.2f}s (all views {r['views']['total']:.1f}s)" for r in sizes],
    )
    row("plain rdflib: load graph.nt", [fmt(r["rdflib_load_seconds"], "s", 1) for r in sizes])
    lines.append("")
    lines.append("Stored queries, embedded store: median / max of the runs; plain rdflib (one run) and rdflib ÷ median")
    lines.append("")
    lines += ["| query | " + " | ".join(f"N = {r['documents']:,}" for r in sizes) + " |", "|---" * (len(sizes) + 1) + "|"]
    ids = [q["id"] for q in sizes[0]["queries"]]
    for query_id in ids:
        cells = []
        for r in sizes:
            q = next(q for q in r["queries"] if q["id"] == query_id)
            ratio = f"×{q['ratio']:.0f}" if q["ratio"] is not None else "fails" if q.get("rdflib_error") else "cut off"
            cells.append(f"{q['median'] * 1000:.1f} / {q['max'] * 1000:.1f} ms; rdflib {fmt(q['rdflib'])} {ratio}")
        row(query_id, cells)
    lines.append("")
    qp = results["query_process"]
    lines.append(
        f"`polkg query run documents --format json` on the curated graph, whole process: "
        f"median {qp['median']:.3f}s, max {qp['max']:.3f}s ({qp['runs']} runs)"
    )
    by_n = {r["documents"]: r for r in sizes}
    if 1000 in by_n and 10000 in by_n:
        small, large = by_n[1000], by_n[10000]
        growth = {
            "build": large["build"]["total"] / small["build"]["total"],
            "triples": large["build"]["triples"] / small["build"]["triples"],
        }
        medians = {q["id"]: q["median"] for q in small["queries"]}
        query_growth = {q["id"]: q["median"] / medians[q["id"]] for q in large["queries"]}
        results["growth_1k_to_10k"] = {**growth, "queries": query_growth}
        lines.append(
            f"Growth N = 1,000 -> 10,000: triples ×{growth['triples']:.1f}, full build ×{growth['build']:.1f}; "
            f"query medians ×{min(query_growth.values()):.1f} to ×{max(query_growth.values()):.1f} "
            f"(worst: {max(query_growth, key=lambda k: query_growth[k])})"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000], help="corpus sizes (documents)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per stored query")
    parser.add_argument("--rdflib-budget", type=float, default=240.0, help="seconds allowed for plain rdflib per size")
    parser.add_argument("--no-verify", action="store_true", help="skip the from-nothing build that checks the rebuild")
    parser.add_argument("--json", type=Path, default=HERE / "results.json", help="where to write the figures")
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temporary one, removed)")
    parser.add_argument("--build-worker", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--rdflib-worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_worker:
        return build_worker(*args.build_worker)
    if args.rdflib_worker:
        return rdflib_worker(*args.rdflib_worker)

    work = args.work or Path(tempfile.mkdtemp(prefix="polkg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        results: dict[str, Any] = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
            "runs": args.runs,
            "query_process": query_process_seconds(5, work),
            "sizes": [],
        }
        for n in args.sizes:
            print(f"N = {n:,} ...", file=sys.stderr, flush=True)
            results["sizes"].append(bench_size(n, work, args.runs, not args.no_verify, args.rdflib_budget))
        table = report(results)
        results["bench_seconds"] = time.perf_counter() - started
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(table)
        print(f"\n(bench took {results['bench_seconds']:.0f}s; figures in {args.json})")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
