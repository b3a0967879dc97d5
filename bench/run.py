"""Benchmark polkg at scale: synthetic corpora of N documents, build, rebuild, stored queries, views.

    python bench/run.py                       # N = 100, 1,000, 10,000; table on stdout, figures in bench/results.json
    python bench/run.py --sizes 100 --runs 5  # the smoke run the tests do
    python bench/run.py --virtuoso            # also push the largest N into a private Virtuoso and time the queries there

For each N it measures the full build (phases, triples per second, peak memory of the build process
and of its largest worker), the rebuild after one source file changes (and checks the output equals
a build from nothing), every stored query on the embedded store with typical parameters (median and
max of up to --runs runs, fewer once --query-seconds have gone by), the whole-corpus listing of each
query whose parameters are optional, the same typical query once on a plain in-memory rdflib Graph
(each stopped at its own limit, so the ratio is exact or a stated lower bound), and the views (the
largest one's generation time). Once, on the curated graph, it times
``polkg query run documents --format json`` as a whole process. Ratios N=1,000 -> 10,000 close the report.
With ``--virtuoso`` (Debian's virtuoso-opensource installed), the largest N is pushed once into a private
Virtuoso (tests/virtuoso_server.py) and every stored query is timed there through ``--endpoint``'s engine,
beside the embedded store's median.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


# ------------------------------------------------------------------ workers (run in child processes)
def build_worker(sources: str, out: str) -> None:
    """Build in this process and print the result and peak memory as JSON (the parent times nothing itself)."""
    from graph_builder.store.build import build

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
    """Load graph.nt into a plain rdflib Graph, then run each planned query in a forked child with its own time limit.

    The graph is loaded once; each query runs in a fork (the graph shared copy-on-write) that is killed
    when it passes its limit, so one slow query cannot use up the time of the others. One JSON line each.
    """
    import gc
    import select
    import signal

    from rdflib import Graph

    from graph_builder.prefixes import PREFIXES

    started = time.perf_counter()
    graph = Graph()
    graph.parse(Path(out) / "graph.nt", format="nt")
    print(json.dumps({"load": time.perf_counter() - started, "triples": len(graph)}), flush=True)
    gc.freeze()  # forks then share the loaded graph instead of copying it on the first collection
    for item in json.loads(Path(plan_file).read_text(encoding="utf-8")):
        read_end, write_end = os.pipe()
        t = time.perf_counter()
        pid = os.fork()
        if pid == 0:  # the child: run the query, report, leave without cleanup
            os.close(read_end)
            try:
                rows = len(list(graph.query(item["sparql"], initNs=PREFIXES)))
                answer = {"id": item["id"], "seconds": time.perf_counter() - t, "rows": rows}
            except Exception as exc:  # rdflib cannot run some valid queries (GROUP_CONCAT over an unbound value)
                answer = {"id": item["id"], "error": f"{type(exc).__name__}: {exc}"}
            os.write(write_end, json.dumps(answer).encode("utf-8"))
            os._exit(0)
        os.close(write_end)
        ready, _, _ = select.select([read_end], [], [], item["limit"])
        if ready:
            with os.fdopen(read_end, "rb") as pipe:
                print(pipe.read().decode("utf-8"), flush=True)
        else:
            os.kill(pid, signal.SIGKILL)
            os.close(read_end)
            print(json.dumps({"id": item["id"], "limit": item["limit"]}), flush=True)
        os.waitpid(pid, 0)


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
    from graph_builder.query.embedded import EmbeddedEngine

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
    from graph_builder.query.results import Term

    return Term("uri", value)


def bound(query: Any, params: dict[str, str], engine: Any, optional: bool = True) -> Any:
    """Resolve ``query``'s parameters to typical values (a secondary source where it needs one).

    With ``optional`` False only the required ones are given: the whole-corpus listing a query
    such as ``responsibilities`` gives without ``doc``.
    """
    from graph_builder.errors import UsageError
    from graph_builder.query.params import resolve

    values = {p.name: params[p.name] for p in query.params if p.required or optional}
    try:
        return resolve(query, values, engine)
    except UsageError:
        return resolve(query, {**values, "doc": params["doc-secondary"]}, engine)


def timed(engine: Any, sparql: str, bindings: Any, runs: int, seconds: float) -> dict[str, Any]:
    """One warm-up, then up to ``runs`` timed runs, stopping early (after three) once ``seconds`` have gone by."""
    engine.select(sparql, bindings)
    times: list[float] = []
    rows = 0
    while len(times) < runs and (len(times) < 3 or sum(times) < seconds):
        t = time.perf_counter()
        rows = len(engine.select(sparql, bindings).rows)
        times.append(time.perf_counter() - t)
    return {"median": statistics.median(times), "max": max(times), "runs": len(times), "rows": rows}


def time_queries(out: Path, params: dict[str, str], runs: int, seconds: float) -> list[dict[str, Any]]:
    """Every stored query on the embedded store with typical parameters; queries whose parameters are
    all optional are timed a second time as the whole-corpus listing (``listing``)."""
    from graph_builder.query.binding import bind_values
    from graph_builder.query.catalogue import load_catalogue
    from graph_builder.query.embedded import EmbeddedEngine

    engine = EmbeddedEngine(out / "store")
    results = []
    for query_id, query in sorted(load_catalogue().items()):
        bindings = bound(query, params, engine)
        entry = {"id": query_id, **timed(engine, query.sparql, bindings, runs, seconds)}
        entry["params"] = {name: term.value for name, term in bindings.items()}
        entry["sparql"] = bind_values(query.sparql, bindings)
        if query.params and not any(p.required for p in query.params):
            entry["listing"] = timed(engine, query.sparql, bound(query, params, engine, optional=False), runs, seconds)
        results.append(entry)
    return results


RDFLIB_MIN_SECONDS = 2.0


def rdflib_limit(median: float, factor: float, cap: float) -> float:
    """How long plain rdflib may take on a query: long enough to show the ``factor`` ratio, at least 2 s, at most ``cap``."""
    return min(cap, max(RDFLIB_MIN_SECONDS, factor * median))


def time_rdflib(out: Path, queries: list[dict[str, Any]], factor: float, cap: float) -> dict[str, Any]:
    """The same queries on plain rdflib in a child process, each stopped at its own limit (see ``rdflib_limit``)."""
    plan = [{"id": q["id"], "sparql": q["sparql"], "limit": rdflib_limit(q["median"], factor, cap)} for q in queries]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(plan, handle)
    try:
        done = subprocess.run(
            [sys.executable, str(Path(__file__)), "--rdflib-worker", str(out), handle.name],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        os.unlink(handle.name)
    if done.returncode != 0:
        raise SystemExit(f"the plain rdflib run failed:\n{done.stderr}")
    found: dict[str, Any] = {"load": None, "queries": {}, "errors": {}, "limits": {}}
    for line in done.stdout.splitlines():
        item = json.loads(line)
        if "load" in item:
            found["load"] = item["load"]
        elif "error" in item:
            found["errors"][item["id"]] = item["error"]
        elif "limit" in item:
            found["limits"][item["id"]] = item["limit"]
        else:
            found["queries"][item["id"]] = item["seconds"]
    return found


def time_views(out: Path, site: Path) -> dict[str, Any]:
    from graph_builder.query.embedded import EmbeddedEngine
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
    from graph_builder.store.build import store_triples

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


def bench_size(
    n: int,
    work: Path,
    runs: int,
    query_seconds: float,
    verify: bool,
    rdflib_factor: float,
    rdflib_cap: float,
    rebuild_runs: int = 5,
    virtuoso: bool = False,
) -> dict[str, Any]:
    from graph_builder.synth import write_corpus

    sources, out = work / f"sources-{n}", work / f"out-{n}"
    t = time.perf_counter()
    write_corpus(sources, n)
    record: dict[str, Any] = {"documents": n, "synth_seconds": time.perf_counter() - t}
    record["build"] = run_json(["--build-worker", str(sources), str(out)])
    record["build"]["triples_per_second"] = record["build"]["triples"] / record["build"]["total"]
    # the median of several rebuilds, each after its own edit: one rebuild's time varies by a second here
    rebuilds = []
    for _ in range(rebuild_runs):
        changed = touch_one_file(sources)
        rebuilds.append(run_json(["--build-worker", str(sources), str(out)]))
    record["rebuild"] = {
        **rebuilds[-1],
        "total": statistics.median(r["total"] for r in rebuilds),
        "runs": [r["total"] for r in rebuilds],
        "changed": changed.name,
    }
    if verify:
        fresh = work / f"fresh-{n}"
        run_json(["--build-worker", str(sources), str(fresh)])
        record["rebuild"]["identical_to_full_build"] = same_output(out, fresh)
        shutil.rmtree(fresh)
    params = typical_params(out)
    record["params"] = params
    queries = time_queries(out, params, runs, query_seconds)
    rdf = time_rdflib(out, queries, rdflib_factor, rdflib_cap)
    record["rdflib_load_seconds"] = rdf["load"]
    for q in queries:
        plain = rdf["queries"].get(q["id"])
        q["rdflib"] = plain
        q["rdflib_error"] = rdf["errors"].get(q["id"])
        q["rdflib_stopped_at"] = rdf["limits"].get(q["id"])
        q["ratio"] = plain / q["median"] if plain is not None and q["median"] > 0 else None
        if q["rdflib_stopped_at"] is not None:  # rdflib took longer than its limit: the ratio is at least this
            q["ratio_at_least"] = q["rdflib_stopped_at"] / q["median"]
        del q["sparql"]
    record["queries"] = queries
    record["views"] = time_views(out, work / f"site-{n}")
    if virtuoso:
        record["virtuoso"] = time_virtuoso(out, work, params, runs, query_seconds)
    return record


VIRTUOSO_GRAPH = "https://example.org/polkg-bench"


def time_virtuoso(out: Path, work: Path, params: dict[str, str], runs: int, seconds: float) -> dict[str, Any]:
    """Push the build at ``out`` once into a private Virtuoso, then time every stored query there (same
    typical parameters, the same engine `--endpoint ... --graph ...` uses)."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    import virtuoso_server

    from graph_builder.publish.push import push_build
    from graph_builder.query.catalogue import load_catalogue
    from graph_builder.query.embedded import EmbeddedEngine
    from graph_builder.query.remote import RemoteEngine

    embedded = EmbeddedEngine(out / "store")
    credentials = {"POLKG_ENDPOINT_USER": "dba", "POLKG_ENDPOINT_PASSWORD": "dba"}
    saved = {name: os.environ.get(name) for name in (*credentials, "POLKG_ENDPOINT_TOKEN")}
    os.environ.update(credentials)
    os.environ.pop("POLKG_ENDPOINT_TOKEN", None)
    try:
        with virtuoso_server.running(work / "virtuoso", query_seconds=300) as base:
            t = time.perf_counter()
            # push_build counts the triples in the store afterwards: a push that lost part of the graph ends the run
            pushed = push_build(base + "/sparql-graph-crud-auth", base + "/sparql", VIRTUOSO_GRAPH, timeout=1800, out=out)
            record: dict[str, Any] = {"push_seconds": time.perf_counter() - t, "push": pushed, "queries": {}}
            remote = RemoteEngine(base + "/sparql", timeout=300, graph=VIRTUOSO_GRAPH)
            for query_id, query in sorted(load_catalogue().items()):
                bindings = bound(query, params, embedded)
                try:
                    record["queries"][query_id] = timed(remote, query.sparql, bindings, runs, seconds)
                except Exception as exc:  # a store's own failure is a figure too
                    record["queries"][query_id] = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
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
            f"{r['rebuild']['total']:.2f}s median of {len(r['rebuild']['runs'])} "
            f"({r['rebuild']['files_checked']} of {r['rebuild']['files']} checked)"
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
    limit = results["rdflib_limit"]
    lines.append("")
    lines.append(
        "Stored queries on the embedded store, typical parameters (every parameter given): median / max ms (runs); "
        "plain rdflib on the same query once, and rdflib ÷ median. rdflib is stopped at its limit "
        f"({limit['factor']:.0f} × the median, {limit['min']:.0f} s to {limit['cap']:.0f} s), which still shows "
        "the ratio as a lower bound (>×N)."
    )
    lines.append("")
    lines += ["| query | " + " | ".join(f"N = {r['documents']:,}" for r in sizes) + " |", "|---" * (len(sizes) + 1) + "|"]
    ids = [q["id"] for q in sizes[0]["queries"]]
    for query_id in ids:
        cells = []
        for r in sizes:
            q = next(q for q in r["queries"] if q["id"] == query_id)
            if q["ratio"] is not None:
                versus = f"rdflib {fmt(q['rdflib'])} ×{q['ratio']:.0f}"
            elif q.get("ratio_at_least") is not None:
                versus = f"rdflib >{q['rdflib_stopped_at']:.0f}s >×{q['ratio_at_least']:.0f}"
            else:
                versus = "rdflib fails"
            cells.append(f"{q['median'] * 1000:.1f} / {q['max'] * 1000:.1f} ms ({q['runs']}); {versus}")
        label = query_id if q.get("params") else f"{query_id} (whole corpus)"
        row(label, cells)
    listed = [q["id"] for q in sizes[0]["queries"] if "listing" in q]
    if listed:
        lines.append("")
        lines.append("Whole-corpus listings: the same queries with their optional parameter left out (median / max ms, rows)")
        lines.append("")
        lines += ["| query | " + " | ".join(f"N = {r['documents']:,}" for r in sizes) + " |", "|---" * (len(sizes) + 1) + "|"]
        for query_id in listed:
            cells = []
            for r in sizes:
                q = next(q for q in r["queries"] if q["id"] == query_id)["listing"]
                cells.append(f"{q['median'] * 1000:.1f} / {q['max'] * 1000:.1f} ms; {q['rows']:,} rows")
            row(query_id, cells)
    for r in sizes:
        if "virtuoso" not in r:
            continue
        v = r["virtuoso"]
        lines += [
            "",
            f"Virtuoso 7 at N = {r['documents']:,} ({r['build']['triples']:,} triples pushed once in "
            f"{v['push_seconds']:.1f}s, Digest auth, count verified: {v.get('push', '')}): median ms of each stored "
            "query through the endpoint, beside the embedded store's; rows that differ are marked",
            "",
            "| query | embedded | Virtuoso | Virtuoso ÷ embedded | rows |",
            "|---|---|---|---|---|",
        ]
        for q in r["queries"]:
            there = v["queries"].get(q["id"], {})
            if "median" not in there:
                lines.append(f"| {q['id']} | {q['median'] * 1000:.1f} | fails: {there.get('error', '?')} | — | {q['rows']:,} |")
                continue
            ratio = there["median"] / q["median"] if q["median"] > 0 else float("inf")
            rows = f"{q['rows']:,}" if there["rows"] == q["rows"] else f"{q['rows']:,} vs {there['rows']:,}"
            lines.append(f"| {q['id']} | {q['median'] * 1000:.1f} | {there['median'] * 1000:.1f} | ×{ratio:.1f} | {rows} |")
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
        listings = {q["id"]: q["listing"]["median"] for q in small["queries"] if "listing" in q}
        listing_growth = {q["id"]: q["listing"]["median"] / listings[q["id"]] for q in large["queries"] if "listing" in q}
        results["growth_1k_to_10k"] = {**growth, "queries": query_growth, "listings": listing_growth}
        worst = max(query_growth, key=lambda k: query_growth[k])
        lines.append(
            f"Growth N = 1,000 -> 10,000: triples ×{growth['triples']:.1f}, full build ×{growth['build']:.1f}; "
            f"query medians ×{min(query_growth.values()):.1f} to ×{query_growth[worst]:.1f} (worst: {worst})"
        )
        over = ", ".join(f"{k} ×{v:.1f}" for k, v in sorted(query_growth.items(), key=lambda kv: -kv[1]) if v > 10)
        lines.append(f"Queries growing more than 10-fold: {over or 'none'}")
        if listing_growth:
            lines.append("Whole-corpus listings: " + ", ".join(f"{k} ×{v:.1f}" for k, v in sorted(listing_growth.items())))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000], help="corpus sizes (documents)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per stored query (at most)")
    parser.add_argument(
        "--query-seconds", type=float, default=3.0, help="stop a query's runs after this long (it still gets three)"
    )
    parser.add_argument(
        "--rdflib-factor", type=float, default=20.0, help="plain rdflib may take this many times the embedded median"
    )
    parser.add_argument("--rdflib-cap", type=float, default=30.0, help="but never more than this many seconds a query")
    parser.add_argument("--rebuilds", type=int, default=5, help="rebuilds after a one-file edit (the median is reported)")
    parser.add_argument(
        "--virtuoso", action="store_true", help="push the largest N into a private Virtuoso and time the stored queries there"
    )
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
            "query_seconds": args.query_seconds,
            "rdflib_limit": {"factor": args.rdflib_factor, "min": RDFLIB_MIN_SECONDS, "cap": args.rdflib_cap},
            "query_process": query_process_seconds(5, work),
            "sizes": [],
        }
        for n in args.sizes:
            print(f"N = {n:,} ...", file=sys.stderr, flush=True)
            results["sizes"].append(
                bench_size(
                    n,
                    work,
                    args.runs,
                    args.query_seconds,
                    not args.no_verify,
                    args.rdflib_factor,
                    args.rdflib_cap,
                    args.rebuilds,
                    virtuoso=args.virtuoso and n == max(args.sizes),
                )
            )
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
