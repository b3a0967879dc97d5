"""Scale features: the synthetic corpus, incremental rebuilds that equal a full build, and the benchmark smoke run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph_builder.cli import main
from graph_builder.sources.files import file_digests
from graph_builder.sources.load import load_sources
from graph_builder.store.build import build, store_triples
from graph_builder.synth import write_corpus

ROOT = Path(__file__).resolve().parents[1]


def test_synth_is_deterministic_and_builds(tmp_path: Path, runner: CliRunner) -> None:
    first = runner.invoke(main, ["synth", "--documents", "60", "--out", str(tmp_path / "a"), "--seed", "3"])
    assert first.exit_code == 0, first.output
    runner.invoke(main, ["synth", "--documents", "60", "--out", str(tmp_path / "b"), "--seed", "3"])
    write_corpus(tmp_path / "c", 60, seed=4)
    digests = [[d for _, d in file_digests(tmp_path / name)] for name in ("a", "b", "c")]
    assert len(digests[0]) == 66, "six registry files and sixty documents"
    assert digests[0] == digests[1] and digests[0] != digests[2]

    corpus = load_sources(tmp_path / "a")
    docs = [doc for _, doc in corpus.documents()]
    assert {d.class_ for d in docs} == {"policy", "statement", "secondary"}
    policies = [d for d in docs if d.class_ == "policy"]
    assert all(10 <= len(d.provisions) <= 40 for d in policies)
    assert all(1 <= len(p.agencies) <= 10 for d in policies for p in d.provisions)
    assert len(corpus.agencies.agencies) == 300 and corpus.agencies.reorganisations
    links = [link for _, f in corpus.files for link in f.evolution]
    assert links, "evolution links join provisions across documents"
    result = runner.invoke(main, ["build", "--sources", str(tmp_path / "a"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output


def test_synth_refuses_a_folder_that_is_not_sources(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine", encoding="utf-8")
    result = runner.invoke(main, ["synth", "--documents", "5", "--out", str(tmp_path / "notes")])
    assert result.exit_code == 2 and "not a sources folder" in result.output
    assert (tmp_path / "notes" / "keep.txt").read_text(encoding="utf-8") == "mine"


def _outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in ("graph.nt", "graph.ttl")}


def test_rebuild_checks_only_the_changed_file_and_equals_a_full_build(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    write_corpus(sources, 80)
    first = build(sources, tmp_path / "out", workers=2)
    assert first.files == 81 and first.files_reused == 0

    target = sorted((sources / "documents").glob("*.yaml"))[40]
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("title: ", "title: Revised ", 1), encoding="utf-8")
    again = build(sources, tmp_path / "out")
    assert again.files_reused == again.files - 1, "only the edited file is emitted and checked again"

    fresh = build(sources, tmp_path / "fresh")
    assert fresh.files_reused == 0
    assert _outputs(tmp_path / "out") == _outputs(tmp_path / "fresh")
    assert store_triples(tmp_path / "out") == store_triples(tmp_path / "fresh")
    assert again.triples == fresh.triples
    assert b"Revised" in (tmp_path / "out" / "graph.nt").read_bytes()

    # a removed file's triples leave the store too (a secondary report: nothing refers to it)
    unreferenced = [
        f for f in sorted((sources / "documents").glob("*.yaml")) if "class: secondary" in f.read_text(encoding="utf-8")
    ]
    unreferenced[-1].unlink()
    dropped = build(sources, tmp_path / "out")
    build(sources, tmp_path / "fresh2")
    assert dropped.files == 80, _store_difference(tmp_path / "out", tmp_path / "fresh2")
    only_old, only_new = _store_difference(tmp_path / "out", tmp_path / "fresh2")
    assert not only_old and not only_new, (sorted(only_old)[:5], sorted(only_new)[:5])
    assert _outputs(tmp_path / "out") == _outputs(tmp_path / "fresh2")


def test_a_rebuild_copies_unchanged_units_from_the_last_build_unless_its_files_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unchanged units are copied by byte range from the previous graph.nt/graph.ttl, not read from the cache;
    when those files are not as that build wrote them, every unit comes from the cache instead."""
    from collections.abc import Iterable

    from graph_builder.store.cache import Cache, UnitEntry

    read: list[str] = []
    units = Cache.units

    def recording(self: Cache, keys: Iterable[str], keep: bool = True) -> dict[str, UnitEntry]:
        wanted = list(keys)
        if keep:  # (the store update reads the edited unit's old graph with keep=False)
            read.extend(wanted)
        return units(self, wanted, keep)

    monkeypatch.setattr(Cache, "units", recording)
    sources = tmp_path / "sources"
    write_corpus(sources, 30)
    build(sources, tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["spans"]) == 31 and manifest["nt_bytes"] == (tmp_path / "out" / "graph.nt").stat().st_size

    target = sorted((sources / "documents").glob("*.yaml"))[10]
    target.write_text(target.read_text(encoding="utf-8").replace("title: ", "title: Revised ", 1), encoding="utf-8")
    build(sources, tmp_path / "out")
    assert read == [], "the 30 unchanged units were copied from the last build's files"
    build(sources, tmp_path / "fresh")
    assert _outputs(tmp_path / "out") == _outputs(tmp_path / "fresh")

    target.write_text(target.read_text(encoding="utf-8").replace("title: Revised ", "title: ", 1), encoding="utf-8")
    with open(tmp_path / "out" / "graph.ttl", "ab") as ttl:
        ttl.write(b"# edited by hand\n")
    build(sources, tmp_path / "out")
    assert len(read) == 30, "graph.ttl changed since that build: the unchanged units were read from the cache"
    build(sources, tmp_path / "fresh")
    assert _outputs(tmp_path / "out") == _outputs(tmp_path / "fresh")


def test_a_cached_file_is_checked_again_when_what_it_links_to_changes(tmp_path: Path, sources_copy: Path) -> None:
    """The SHACL check of a file depends on the classes of the nodes it links to in other files."""
    build(sources_copy, tmp_path / "out")
    # the 2022 Opinions: the 2025 and 2026 files link to its provisions (since the lineage review no file
    # links to the 2025 Circular's, so editing that one no longer shows the dependency)
    opinions = sources_copy / "documents" / "opinions-2022.yaml"
    opinions.write_text(opinions.read_text(encoding="utf-8").replace("class: policy", "class: statement", 1), encoding="utf-8")
    result = build(sources_copy, tmp_path / "out")
    assert result.files - result.files_reused >= 3, "the edited file and the two files that link to its provisions"


def test_worker_processes_give_the_same_build(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    write_corpus(sources, 150)  # enough files to start worker processes
    serial = build(sources, tmp_path / "one", workers=1)
    parallel = build(sources, tmp_path / "two", workers=2)
    assert serial.triples == parallel.triples
    assert _outputs(tmp_path / "one") == _outputs(tmp_path / "two")


def test_shacl_sparql_constraints_run_over_the_store(tmp_path: Path) -> None:
    """The cross-file constraints (here: an evolution link joining two measures of one document) still fail a build."""
    import pyoxigraph

    from graph_builder.errors import ShapeError
    from graph_builder.graph.shapes import check_sparql_constraints

    build(ROOT / "tests" / "fixtures" / "valid" / "minimal", tmp_path / "out")
    store = pyoxigraph.Store()
    store.bulk_load(path=str(tmp_path / "out" / "graph.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    check_sparql_constraints(store)  # the valid build passes
    pk = "https://w3id.org/polkg/ontology#"
    link = pyoxigraph.NamedNode("https://w3id.org/polkg/id/doc/late-circular/provision/X/evolution/early-opinions-2")
    store.remove(
        pyoxigraph.Quad(
            link,
            pyoxigraph.NamedNode(pk + "earlier"),
            pyoxigraph.NamedNode("https://w3id.org/polkg/id/doc/early-opinions/provision/2"),
        )
    )
    store.add(
        pyoxigraph.Quad(
            link,
            pyoxigraph.NamedNode(pk + "earlier"),
            pyoxigraph.NamedNode("https://w3id.org/polkg/id/doc/late-circular/provision/X"),
        )
    )
    with pytest.raises(ShapeError, match="joins two measures of the same document"):
        check_sparql_constraints(store)


def test_benchmark_smoke_run(tmp_path: Path) -> None:
    """bench/run.py at N = 100: every stored query timed on both engines, the rebuild equal to a full build."""
    figures = tmp_path / "bench.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--sizes",
            "100",
            "--runs",
            "2",
            "--rebuilds",
            "2",
            "--json",
            str(figures),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "| triples |" in done.stdout and "polkg query run documents" in done.stdout
    results = json.loads(figures.read_text(encoding="utf-8"))
    (size,) = results["sizes"]
    assert size["build"]["triples"] > 10_000
    assert size["rebuild"]["files_checked"] == 1 and size["rebuild"]["identical_to_full_build"] is True
    assert len(size["rebuild"]["runs"]) == 2 and min(size["rebuild"]["runs"]) <= size["rebuild"]["total"]
    from graph_builder.query.catalogue import load_catalogue

    assert {q["id"] for q in size["queries"]} == set(load_catalogue())
    rows = {q["id"]: q["rows"] for q in size["queries"]}
    assert rows["documents"] == 100 and rows["responsibilities"] > 0 and rows["evolution-links"] > 0
    assert any(q["ratio"] for q in size["queries"]), "plain rdflib ran in the same run"
    for q in size["queries"]:  # every query has an rdflib figure: exact, a lower bound, or the error it gave
        assert q["ratio"] is not None or q.get("ratio_at_least") is not None or q["rdflib_error"], q["id"]
    by_id = {q["id"]: q for q in size["queries"]}
    assert by_id["responsibilities"]["params"] and by_id["responsibilities"]["listing"]["rows"] > rows["responsibilities"]
    assert "listing" not in by_id["agency-timeline"], "a query with a required parameter has no whole-corpus listing"
    assert results["query_process"]["median"] > 0


def _store_difference(a: Path, b: Path) -> tuple[set[str], set[str]]:
    x, y = set(store_triples(a)[0]), set(store_triples(b)[0])
    return x - y, y - x
