"""Views at scale: build every view over a synthetic corpus and load the largest in headless Chromium.

    python bench/views.py [--provisions 5000] [--agencies 5000] [--max-nodes 1000] [--runs 3] [--json FILE]

The synthetic records have the shape of the stored-query results the views read (documents, provisions,
responsibilities, issuances, evolution links, reorganisations, zone and framework mentions), so this measures
the views themselves, not the store. Prints a table of generation time, page size and browser load time
(median of --runs), and writes the same figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from graph_builder.analytics.data import (
    AgencyDocument,
    AgencyInfo,
    Document,
    Evolution,
    Issuance,
    Mention,
    Provision,
    Reorganisation,
    Responsibility,
    ThemeDocument,
    ViewData,
)
from graph_builder.analytics.networks import analyse
from graph_builder.views import write_site

ID = "https://example.org/synthetic/"
KINDS = ("State Council ministry or commission", "State Council administration", "Party organ", "Policy bank", "Local government")
RELATIONS = ("continues", "expands", "refines", "implements", "replaces")


def synthetic(provisions: int, agencies: int, per_document: int = 25, seed: int = 1) -> ViewData:
    """A deterministic corpus: documents 2000-2026, per_document provisions each, 1-10 responsible agencies each."""
    rng = random.Random(seed)  # noqa: S311 - a repeatable corpus, not secrets
    n_docs = max(1, provisions // per_document)
    agency_ids = [f"{ID}agency/a{i:05d}" for i in range(agencies)]
    weights = [1.0 / (i + 1) ** 0.8 for i in range(agencies)]  # a few agencies do much of the work, as in life
    infos = tuple(
        AgencyInfo(a, f"A{i:05d}", f"Agency {i:05d}", "", KINDS[i % len(KINDS)], "", "", f"agency-{i:05d}")
        for i, a in enumerate(agency_ids)
    )
    documents, provs, resp, issues, links, mentions = [], [], [], [], [], []
    for d in range(n_docs):
        year = 2000 + d * 27 // n_docs
        date = f"{year}-{1 + d % 12:02d}-{1 + d % 28:02d}"
        doc = f"{ID}doc/d{d:05d}"
        documents.append(Document(doc, f"Synthetic document {d}", date, ("Opinions", "Circular", "Plan")[d % 3], "", "official"))
        issuers = rng.sample(agency_ids[:400], k=rng.randint(1, 9))
        for k, agency in enumerate(issuers):
            issues.append(
                Issuance(
                    doc, date, agency, f"Agency {agency[-5:]}", "", KINDS[0], "lead" if k == 0 else "co-issuer", "s", "signature"
                )
            )
        for p in range(per_document):
            iri = f"{doc}/provision/{p + 1}"
            pid = f"d{d:05d}/{p + 1}"
            provs.append(
                Provision(
                    doc,
                    date,
                    iri,
                    pid,
                    str(p + 1),
                    str(p + 1),
                    f"Measure {p + 1} of document {d}",
                    "Measure",
                    "Theme",
                    "s",
                    f"({p + 1})",
                )
            )
            for agency in set(rng.choices(agency_ids, weights=weights, k=rng.randint(1, 10))):
                resp.append(
                    Responsibility(
                        doc,
                        date,
                        iri,
                        str(p + 1),
                        f"Measure {p + 1}",
                        agency,
                        f"Agency {agency[-5:]}",
                        "",
                        KINDS[0],
                        "s",
                        f"({p + 1})",
                    )
                )
            if d and rng.random() < 0.5:
                earlier = rng.randrange(0, d * per_document)
                e = provs[earlier]
                if e.doc_date < date:
                    links.append(
                        Evolution(pid, date, rng.choice(RELATIONS), e.provision_id, e.doc_date, "synthetic", "s", f"({p + 1})")
                    )
            if rng.random() < 0.1:
                target = f"{ID}zone/z{rng.randrange(100):03d}"
                mentions.append(
                    Mention(
                        doc, date, iri, f"Measure {p + 1}", "provision", target, f"Zone {target[-3:]}", "zone", "s", f"({p + 1})"
                    )
                )
    reorgs = tuple(
        Reorganisation("2015-01-01", agency_ids[i], f"Agency {i}", agency_ids[i + 1], f"Agency {i + 1}", "merged", "synthetic")
        for i in range(0, min(100, agencies - 1), 2)
    )
    return ViewData(
        tuple(documents),
        tuple(resp),
        tuple(issues),
        tuple(provs),
        tuple(links),
        reorgs,
        tuple(mentions),
        infos,
        _agency_documents(issues, resp),
        _theme_documents(provs),
    )


def _agency_documents(issues: list[Issuance], resp: list[Responsibility]) -> tuple[AgencyDocument, ...]:
    """What the agency-documents query gives over these records: role and responsibilities per agency and document."""
    roles = {(i.agency, i.doc): i.role for i in issues}
    counts: dict[tuple[str, str], set[str]] = {}
    dates = {i.doc: i.doc_date for i in issues} | {r.doc: r.doc_date for r in resp}
    for r in resp:
        counts.setdefault((r.agency, r.doc), set()).add(r.provision)
    return tuple(
        AgencyDocument(a, a.rsplit("/", 1)[-1], f"Agency {a[-5:]}", d, d.rsplit("/", 1)[-1], dates[d], roles.get((a, d), ""),
                       str(len(counts.get((a, d), ()))))
        for a, d in sorted(set(roles) | set(counts))
    )  # fmt: skip


def _theme_documents(provs: list[Provision]) -> tuple[ThemeDocument, ...]:
    counts: dict[tuple[str, str, str], int] = {}
    for p in provs:
        for theme in p.theme_list:
            key = (theme, p.doc, p.doc_date)
            counts[key] = counts.get(key, 0) + 1
    return tuple(
        ThemeDocument(f"{ID}theme/{t}", t.lower(), t, d, d.rsplit("/", 1)[-1], date, str(n))
        for (t, d, date), n in sorted(counts.items())
    )


def load_times(page: Path, runs: int) -> tuple[list[float], int, str]:
    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
    times = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            tab = context.new_page()
            started = time.perf_counter()
            tab.goto(page.resolve().as_uri())
            tab.wait_for_selector("body[data-ready='1']", state="attached", timeout=120_000)
            times.append(time.perf_counter() - started)
            shown = len(tab.evaluate("window.polkg.visibleNodes()"))
            note = tab.locator("#notes li").first.text_content() or ""
            context.close()
        browser.close()
    return times, shown, note


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provisions", type=int, default=5000)
    parser.add_argument("--agencies", type=int, default=5000)
    parser.add_argument("--max-nodes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    data = synthetic(args.provisions, args.agencies)
    synth_s = time.perf_counter() - started
    started = time.perf_counter()
    analysis = analyse(data)
    analyse_s = time.perf_counter() - started
    print(
        f"synthetic: {len(data.documents):,} documents, {len(data.provisions):,} provisions, {len(data.agencies):,} agencies, "
        f"{len(data.responsibilities):,} responsibilities, {len(data.evolutions):,} links ({synth_s:.1f}s); "
        f"analytics {analyse_s:.1f}s over {analysis.combined.graph.number_of_nodes():,} agencies / "
        f"{analysis.combined.graph.number_of_edges():,} links"
    )
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        site = write_site(data, Path(tmp) / "site", "synthetic corpus", args.max_nodes)
        total_s = time.perf_counter() - started
        rows = []
        print(f"{'view':<20} {'nodes':>6} {'links':>7} {'KiB':>7} {'build s':>8} {'load s (median)':>16}")
        for view in site.views:
            times, shown, note = load_times(site.out / view.file, args.runs)
            load = statistics.median(times)
            rows.append(
                {
                    **{k: v for k, v in view.__dict__.items() if k in ("id", "nodes", "edges", "bytes", "seconds")},
                    "load_s": load,
                    "shown": shown,
                    "note": note,
                }
            )
            print(f"{view.id:<20} {view.nodes:>6} {view.edges:>7} {view.bytes / 1024:>7.0f} {view.seconds:>8.2f} {load:>16.2f}")
        print(f"all views written in {total_s:.1f}s (analytics included)")
        for row in rows:
            if row["note"].startswith("Showing"):
                print(f"  {row['id']}: {row['note']}")
    figures = {
        "provisions": args.provisions,
        "agencies": args.agencies,
        "max_nodes": args.max_nodes,
        "analyse_s": analyse_s,
        "write_site_s": total_s,
        "views": rows,
    }
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
