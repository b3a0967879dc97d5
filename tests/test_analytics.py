"""Coordination analytics: the 2022 figures against values worked out by hand from the seed text's own lists."""

from __future__ import annotations

import csv as csv_module
import io
import json
from itertools import combinations

import pytest
from helpers import OPINIONS_SEED, agency_set, seed_responsibility_lists

from graph_builder.analytics.data import fetch
from graph_builder.analytics.networks import CO_ISSUANCE, ISSUERS, JOINT, Analysis, analyse
from graph_builder.cli import main
from graph_builder.query.embedded import EmbeddedEngine

OPINIONS = "https://w3id.org/polkg/id/doc/opinions-2022"
CIRCULAR = "https://w3id.org/polkg/id/doc/circular-2025"
needs_seed = pytest.mark.skipif(not OPINIONS_SEED.exists(), reason="seed texts not found (set POLKG_SEEDS)")


@pytest.fixture(scope="module")
def analysis(engine: EmbeddedEngine) -> Analysis:
    return analyse(fetch(engine))


def _iri(agency_id: str) -> str:
    (iri,) = agency_set(agency_id)
    return iri


def test_networks_measured_side_by_side_are_those_measured_one_by_one(
    engine: EmbeddedEngine, analysis: Analysis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large corpus has its networks measured in forked workers: the same statistics, communities and changes."""
    from graph_builder.analytics import networks

    monkeypatch.setattr(networks, "PARALLEL_FROM", 0)
    forked = analyse(fetch(engine))

    def measures(a: Analysis) -> list[tuple[object, ...]]:
        return [(n.doc, n.basis, n.stats, n.communities, n.coverage) for n in (a.combined, *a.networks)]

    assert measures(forked) == measures(analysis) and len(analysis.networks) > 3
    assert forked.changes == analysis.changes and analysis.changes


@needs_seed
def test_2022_degrees_match_the_seed_lists_counted_by_hand(analysis: Analysis) -> None:
    lists = seed_responsibility_lists()
    assert len(lists) == 28
    partners: dict[str, set[str]] = {}
    weighted: dict[str, int] = {}
    for members in lists.values():
        for a in members:
            partners.setdefault(a, set()).update(members - {a})
            weighted[a] = weighted.get(a, 0) + len(members) - 1
    network = analysis.network(OPINIONS)
    assert network.basis == JOINT
    assert {_iri(a) for a in partners} == set(network.graph)  # every 2022 issuer is also named responsible somewhere
    for agency_id in partners:
        stat = network.stat(_iri(agency_id))
        assert stat.degree == len(partners[agency_id]), agency_id
        assert stat.weighted_degree == weighted[agency_id], agency_id
    pairs = {frozenset(p) for members in lists.values() for p in combinations(sorted(members), 2)}
    assert network.graph.number_of_edges() == len(pairs)


@needs_seed
def test_2022_betweenness_worked_by_hand(analysis: Analysis) -> None:
    lists = seed_responsibility_lists()
    network = analysis.network(OPINIONS)
    n = network.graph.number_of_nodes()
    # An agency named in a single list has only that list's members as neighbours, and they are all linked to
    # each other, so no shortest path needs to pass through it: betweenness 0.
    once = [a for a in {a for m in lists.values() for a in m} if sum(a in m for m in lists.values()) == 1]
    assert once
    for agency_id in once:
        assert network.stat(_iri(agency_id)).betweenness == 0, agency_id
    # CBIRC, CSRC, CEXIM and Sinosure appear only in (25), whose one other member is the PBOC. Every shortest
    # path from those four to the n-5 agencies outside (25) runs through the PBOC, and no other pair needs it:
    # 4 * (n - 5) pairs out of (n-1)(n-2)/2.
    finance = {"cbirc", "csrc", "exim-bank", "sinosure"}
    assert lists["25"] == finance | {"pboc"}
    assert all(not (finance & members) for number, members in lists.items() if number != "25")
    expected = 4 * (n - 5) / ((n - 1) * (n - 2) / 2)
    assert network.stat(_iri("pboc")).betweenness == pytest.approx(expected, abs=1e-6)
    assert max(network.stats, key=lambda s: s.betweenness).agency == _iri("pboc")


def test_2022_communities_partition_the_agencies(analysis: Analysis) -> None:
    network = analysis.network(OPINIONS)
    members = [a for group in network.communities for a in group]
    assert sorted(members) == sorted(network.graph)
    finance = agency_set("cbirc", "csrc", "exim-bank", "sinosure", "pboc")
    assert len({s.community for s in network.stats if s.agency in finance}) == 1  # the (25) group stays together
    assert len(network.communities) > 1


def test_change_from_2022_to_2025_follows_cbirc_to_nfra(analysis: Analysis) -> None:
    change = next(c for c in analysis.changes if c.earlier == OPINIONS)
    assert change.later == CIRCULAR  # the press-conference answer is not a policy document
    assert [(s.original, s.resulting, s.date) for s in change.successions] == [(_iri("cbirc"), _iri("nfra"), "2023-05-18")]
    assert set(change.continued) == agency_set("mofcom", "cac", "cnipa", "gac", "mof", "pboc", "safe", "sta")
    assert change.joined == ()
    # the 2025 summary names no responsible body per measure: issuers are compared with issuers (27 in 2022),
    # so the bodies named only as responsible in 2022 (Export-Import Bank, Sinosure, local governments) are not
    # said to leave, and links (joint responsibility against co-issuance) are not compared
    assert analysis.network(CIRCULAR).basis == CO_ISSUANCE and not change.comparable and change.basis == ISSUERS
    assert len(change.left) == 27 - 8 - 1
    assert not agency_set("exim-bank", "sinosure") & set(change.left)
    assert _iri("cbirc") not in change.left and _iri("nfra") not in change.joined
    assert "names no responsible body" in change.note and "measures II-VI are not covered" in change.note
    assert change.edges_kept == change.edges_lost == change.edges_gained == ()


def test_change_from_2025_to_2026_is_not_a_departure_of_issuers(analysis: Analysis) -> None:
    """The 2026 article names only the lead ministry: the 2025 co-issuers are not shown to have left."""
    change = next(c for c in analysis.changes if c.earlier == CIRCULAR)
    assert change.left == () and len(change.not_shown) == 8
    assert set(change.continued) == agency_set("mofcom")
    assert "names only its lead issuer" in change.note


def test_analyze_two_documents_compares_exactly_those(runner, built) -> None:
    result = runner.invoke(
        main, ["analyze", "--out", str(built.out), "--doc", "opinions-2022", "--doc", "plan-2026", "--format", "markdown"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("## Change:") == 1 and "## Change: 2022 Opinions -> 2026 Plan" in result.output
    assert "coverage of the available source: Known only through the analysis article" in result.output


def test_2025_circular_links_its_nine_co_issuers(analysis: Analysis) -> None:
    network = analysis.network(CIRCULAR)
    assert network.graph.number_of_nodes() == 9
    assert network.graph.number_of_edges() == 9 * 8 // 2
    assert {s.weighted_degree for s in network.stats} == {8}


def test_analyze_cli_formats(runner, built) -> None:
    out = str(built.out)
    csv = runner.invoke(main, ["analyze", "--out", out, "--doc", "opinions-2022", "--format", "csv"])
    assert csv.exit_code == 0, csv.output
    lines = csv.output.strip().splitlines()
    assert lines[0].split(",") == ["doc", "agency", "label", "degree", "weightedDegree", "betweenness", "community"]
    assert len(lines) == 1 + 30
    data = json.loads(runner.invoke(main, ["analyze", "--out", out, "--format", "json"]).output)
    assert [d["doc"] for d in data["documents"]][:2] == ["https://w3id.org/polkg/id/doc/pilot-programme-2020", OPINIONS]
    assert any(c["successions"] for c in data["changes"])
    table = runner.invoke(main, ["analyze", "--out", out, "--doc", "circular-2025", "--format", "markdown"])
    assert table.exit_code == 0
    assert "## 2025 Circular" in table.output and "continued through reorganisation: CBIRC -> NFRA" in table.output


def test_analyze_unknown_document_exits_2(runner, built) -> None:
    result = runner.invoke(main, ["analyze", "--out", str(built.out), "--doc", "no-such-paper"])
    assert result.exit_code == 2
    assert "no such document" in result.output and "'polkg query run documents' lists them all" in result.output
    assert "Traceback" not in result.output


def test_analyze_csv_and_json_carry_full_agency_names(runner, built, run) -> None:
    """Tables may shorten a name to fit; csv and json are read by programs, so they carry the registry's names."""
    names = {row["agency"].value: row["name"].value for row in run("agencies").rows}
    out = str(built.out)
    result = runner.invoke(main, ["analyze", "--out", out, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv_module.DictReader(io.StringIO(result.output)))
    assert rows and all(r["label"] == names[r["agency"]] for r in rows), "each row carries its own agency's name"
    assert any(len(r["label"]) > 24 for r in rows), "the names that tables shorten are there"
    data = json.loads(runner.invoke(main, ["analyze", "--out", out, "--format", "json"]).output)
    stats = [s for d in data["documents"] for s in d["stats"]]
    assert stats and all(s["label"] == names[s["agency"]] for s in stats)
