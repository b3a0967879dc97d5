"""Cross-check the curated 2022 responsibility lists and co-issuers against the seed text itself."""

from __future__ import annotations

import pytest
from helpers import OPINIONS_SEED as OPINIONS
from helpers import SEEDS, Run, agency_set, column_set, seed_names_to_ids, seed_responsibility_lists

from graph_builder.layout import default_sources
from graph_builder.sources.load import load_sources
from graph_builder.sources.names import normalise_name

pytestmark = pytest.mark.skipif(not OPINIONS.exists(), reason=f"seed texts not found at {SEEDS} (set POLKG_SEEDS)")


def test_every_provision_list_matches_the_text(run: Run) -> None:
    lists = seed_responsibility_lists()
    assert sorted(int(n) for n in lists) == list(range(4, 32))
    for number, expected in lists.items():
        got = column_set(run("provision-agencies", doc="opinions-2022", provision=number), "agency")
        assert got == agency_set(*expected), f"provision ({number})"


def test_signature_block_matches_issuers(run: Run) -> None:
    text = OPINIONS.read_text(encoding="utf-8")
    block = text.split("to ensure that all measures are promptly and effectively implemented.")[1].split("July 18, 2022")[0]
    expected = seed_names_to_ids(block)
    assert len(expected) == 27
    assert column_set(run("document-issuers", doc="opinions-2022"), "agency") == agency_set(*expected)


def test_every_alias_is_spelt_as_in_some_seed() -> None:
    texts = sorted(SEEDS.glob("*.txt"))
    assert OPINIONS in texts and len(texts) >= 5, f"the seed texts in {SEEDS}"
    seeds = normalise_name(" ".join(p.read_text(encoding="utf-8") for p in texts))
    corpus = load_sources(default_sources())
    aliases = [(a.id, alias) for a in corpus.agencies.agencies for alias in a.aliases]
    assert aliases
    for agency_id, alias in aliases:
        assert normalise_name(alias) in seeds, f"{agency_id}: alias {alias!r} is not spelt like that in any seed text"
