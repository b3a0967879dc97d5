"""Cross-check the curated 2022 responsibility lists and co-issuers against the seed text itself."""

from __future__ import annotations

import re

import pytest
from conftest import SEEDS, Run, agency_set, column_set

from graph_builder.names import normalise_name
from graph_builder.resources import default_sources
from graph_builder.sources import load_sources

OPINIONS = SEEDS / "002_1fb6f873d9b9dbd3.txt"
pytestmark = pytest.mark.skipif(not OPINIONS.exists(), reason=f"seed texts not found at {SEEDS} (set POLKG_SEEDS)")


def _alias_index() -> list[tuple[str, str]]:
    corpus = load_sources(default_sources())
    index = []
    for agency in corpus.agencies.agencies:
        for name in [agency.name.en, *agency.aliases]:
            index.append((normalise_name(name), agency.id))
    return sorted(index, key=lambda kv: -len(kv[0]))  # longest names first


def _names_to_ids(text: str, index: list[tuple[str, str]]) -> set[str]:
    text = normalise_name(text)
    found = set()
    for name, agency_id in index:
        if re.search(r"(?<![a-z])" + re.escape(name) + r"(?![a-z])", text):
            found.add(agency_id)
            text = text.replace(name, " ")
    return found


def test_every_provision_list_matches_the_text(run: Run) -> None:
    text = OPINIONS.read_text(encoding="utf-8")
    index = _alias_index()
    lists = dict(re.findall(r"^\((\d+)\) .*\(([^()]*(?:responsible)[^()]*)\)\s*$", text, flags=re.MULTILINE))
    assert sorted(int(n) for n in lists) == list(range(4, 32))
    for number, names in lists.items():
        expected = _names_to_ids(names.split(" are responsible")[0], index)
        got = column_set(run("provision-agencies", doc="opinions-2022", provision=number), "agency")
        assert got == agency_set(*expected), f"provision ({number})"


def test_signature_block_matches_issuers(run: Run) -> None:
    text = OPINIONS.read_text(encoding="utf-8")
    block = text.split("to ensure that all measures are promptly and effectively implemented.")[1].split("July 18, 2022")[0]
    expected = _names_to_ids(block, _alias_index())
    assert len(expected) == 27
    assert column_set(run("document-issuers", doc="opinions-2022"), "agency") == agency_set(*expected)


def test_every_alias_is_spelt_as_in_some_seed() -> None:
    seeds = normalise_name(" ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))))
    corpus = load_sources(default_sources())
    aliases = [(a.id, alias) for a in corpus.agencies.agencies for alias in a.aliases]
    assert aliases
    for agency_id, alias in aliases:
        assert normalise_name(alias) in seeds, f"{agency_id}: alias {alias!r} is not spelt like that in any seed text"
