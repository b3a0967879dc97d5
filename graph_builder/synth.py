"""Write a synthetic corpus of curated sources, shaped like the real ones, for benchmarks and scale tests."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from graph_builder.sources.files import REGISTRY_NAMES


@dataclass(frozen=True)
class Shape:
    """How a synthetic corpus is composed.

    Most documents a team curates are short (notices, press answers, secondary reports); one in
    ``policy_every`` is a full policy document with ``provisions`` numbered measures, each naming
    ``agencies_per_provision`` responsible agencies. The defaults give about 100 triples per
    document, so 10,000 documents make about a million triples.
    """

    agencies: int = 300
    reorganisations: int = 24
    sectors: int = 40
    themes: int = 30
    zones: int = 80
    frameworks: int = 16
    first_year: int = 2000
    last_year: int = 2026
    policy_every: int = 20
    provisions: tuple[int, int] = (10, 40)
    agencies_per_provision: tuple[int, int] = (1, 10)
    statement_share: float = 0.25
    links_per_provision: float = 0.35


POLICY_TYPES = ("opinions", "circular", "plan", "measures", "notice")
STATEMENT_TYPES = ("press-conference", "announcement")
SECONDARY_TYPES = ("law-firm-summary", "analysis-article")
RELATIONS = ("continues", "expands", "refines", "implements", "replaces")

_WORDS = (
    "digital trade",
    "cultural exports",
    "service outsourcing",
    "tourism services",
    "education services",
    "health services",
    "financial services",
    "logistics",
    "intellectual property",
    "design services",
    "audiovisual works",
    "publishing",
    "games",
    "animation",
    "performing arts",
    "exhibitions",
    "data flows",
    "payment settlement",
    "export credit",
    "insurance cover",
    "talent visas",
    "customs clearance",
    "statistics",
    "standards",
    "bonded zones",
    "trade fairs",
    "overseas branches",
    "brand building",
)
_VERBS = ("Support", "Expand", "Facilitate", "Improve", "Promote", "Strengthen", "Pilot", "Streamline", "Encourage")
_KINDS = (
    "state-council-ministry",
    "state-council-administration",
    "national-administration",
    "state-council-institution",
    "party-organ",
    "policy-bank",
    "trade-association",
    "local-government",
)


class _Writer:
    def __init__(self, documents: int, seed: int, shape: Shape):
        self.n = documents
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
        self.shape = shape
        self.agency_ids = [f"agency-{i:03d}" for i in range(shape.agencies)]
        self.sector_ids = [f"sector-{i:02d}" for i in range(shape.sectors)]
        self.theme_ids = [f"theme-{i:02d}" for i in range(shape.themes)]
        self.zone_ids = [f"zone-{i:02d}" for i in range(shape.zones)]
        self.framework_ids = [f"framework-{i:02d}" for i in range(shape.frameworks)]
        # agencies are skewed: a few (like MOFCOM, MOF) are named far more often than the rest
        self.agency_weights = [1.0 / (1 + i) ** 0.8 for i in range(shape.agencies)]
        self.dissolved: dict[str, dt.date] = {}
        self.successor: dict[str, str] = {}
        self.created: dict[str, dt.date] = {}

    # ------------------------------------------------------------ helpers
    def phrase(self) -> str:
        return f"{self.rng.choice(_VERBS)} {self.rng.choice(_WORDS)}"

    def pick(self, ids: list[str], k: int) -> list[str]:
        return sorted(self.rng.sample(ids, k))

    def agencies_at(self, when: dt.date, k: int) -> list[str]:
        """``k`` distinct agencies in existence on ``when`` (a dissolved one is replaced by its successor)."""
        chosen: list[str] = []
        while len(chosen) < k:
            (agency,) = self.rng.choices(self.agency_ids, weights=self.agency_weights)
            while agency in self.dissolved and self.dissolved[agency] <= when:
                agency = self.successor[agency]
            if agency not in chosen and self.created.get(agency, when) <= when:
                chosen.append(agency)
        return chosen

    def skewed(self, low: int, high: int) -> int:
        """A whole number in [low, high], small values likelier (as in real responsibility lists)."""
        return min(high, low + int(self.rng.expovariate(1 / max(1.0, (high - low) / 4))))

    # ------------------------------------------------------------ registries
    def registry(self) -> dict[str, Any]:
        s = self.shape
        vocab = {
            "schemes": [
                _scheme("document-types", "Document types", [*POLICY_TYPES, *STATEMENT_TYPES, *SECONDARY_TYPES]),
                _scheme("source-kinds", "Source kinds", ["official-transcript", "unofficial-translation", "analysis-article"]),
                _scheme("agency-kinds", "Agency kinds", list(_KINDS)),
                _scheme("zone-types", "Zone types", ["pilot-region", "demonstration-zone", "pilot-free-trade-zone"]),
                _scheme("framework-kinds", "Framework kinds", ["free-trade-agreement", "initiative", "multilateral"]),
            ]
        }
        agencies = []
        for i, agency_id in enumerate(self.agency_ids):
            entry: dict[str, Any] = {
                "id": agency_id,
                "acronym": f"SA{i:03d}",
                "name": {"en": f"Synthetic Agency {i:03d} for {_WORDS[i % len(_WORDS)]}", "zh": f"合成机构{i:03d}"},
                "kind": _KINDS[i % (len(_KINDS) - 1)] if i else "state-council-ministry",
            }
            # a few collective actors ("local people's governments"), never reorganised or a parent body
            if i % 25 == 24 and 100 <= i < s.agencies - 4 * s.reorganisations:
                entry["kind"] = "local-government"
            if i % 3 == 0:
                entry["aliases"] = [f"Agency No. {i}"]
            if i % 17 == 5 and i > 20:
                entry["part_of"] = self.agency_ids[i % 20]
            if entry["kind"] == "local-government":
                entry["group"] = True
            agencies.append(entry)
        reorganisations = []
        # the last agencies are successors created by reorganisations: originals are dissolved on that date
        successors = self.agency_ids[-s.reorganisations :]
        for j, new in enumerate(successors):
            old = self.agency_ids[-s.reorganisations - 1 - j * 3]
            year = s.first_year + 3 + (j * (s.last_year - s.first_year - 4)) // max(1, s.reorganisations)
            date = dt.date(year, 1 + j % 12, 1 + j % 28)
            self.dissolved[old] = date
            self.successor[old] = new
            self.created[new] = date
            reorganisations.append(
                {
                    "id": f"reorganisation-{j:02d}",
                    "label": f"{old} reorganised into {new}",
                    "date": date.isoformat(),
                    "original": [old],
                    "resulting": [new],
                    "basis": "curator-knowledge",
                }
            )
        sectors = {
            "ebops": [{"code": f"S{'ABCDEFGHIJKL'[i % 12]}{i}", "label": f"EBOPS item {i}"} for i in range(24)],
            "sectors": [
                {
                    "id": sector_id,
                    "label": f"Sector {i}: {_WORDS[i % len(_WORDS)]}",
                    "definition": f"Synthetic service sector {i}.",
                    **({"broader": self.sector_ids[i % 8]} if i >= 8 else {}),
                    "ebops": {"exact": [f"S{'ABCDEFGHIJKL'[i % 12]}{i % 24}"]},
                }
                for i, sector_id in enumerate(self.sector_ids)
            ],
        }
        themes = {
            "themes": [
                {"id": t, "label": f"Theme {i}: {_WORDS[-1 - i % len(_WORDS)]}", "definition": f"Synthetic policy theme {i}."}
                for i, t in enumerate(self.theme_ids)
            ]
        }
        provinces = [f"province-{i:02d}" for i in range(20)]
        zones = {
            "places": [{"id": p, "label": f"Province {i}", "kind": "province"} for i, p in enumerate(provinces)],
            "zones": [
                {
                    "id": z,
                    "label": f"Synthetic zone {i}",
                    "type": ("pilot-region", "demonstration-zone", "pilot-free-trade-zone")[i % 3],
                    "province": provinces[i % len(provinces)],
                    "established": f"{s.first_year + i % (s.last_year - s.first_year)}",
                }
                for i, z in enumerate(self.zone_ids)
            ],
        }
        frameworks = {
            "frameworks": [
                {
                    "id": f,
                    "acronym": f"FW{i}",
                    "label": f"Synthetic framework {i}",
                    "kind": ("free-trade-agreement", "initiative", "multilateral")[i % 3],
                    "definition": f"Synthetic trade framework {i}.",
                }
                for i, f in enumerate(self.framework_ids)
            ]
        }
        return {
            "vocabularies.yaml": vocab,
            "agencies.yaml": {"agencies": agencies, "reorganisations": reorganisations},
            "sectors.yaml": sectors,
            "themes.yaml": themes,
            "zones.yaml": zones,
            "frameworks.yaml": frameworks,
        }

    # ------------------------------------------------------------ documents
    def documents(self) -> Iterator[tuple[str, dict[str, Any]]]:
        s = self.shape
        first, last = dt.date(s.first_year, 1, 1), dt.date(s.last_year, 12, 31)
        span = (last - first).days
        policies: list[tuple[str, list[str]]] = []  # (document id, provision numbers), in date order
        for i in range(self.n):
            date = first + dt.timedelta(days=(span * i) // max(1, self.n - 1) if self.n > 1 else 0)
            doc_id = f"doc-{i:05d}"
            if i % s.policy_every == 0 or not policies:
                data = self.policy(doc_id, i, date, policies)
                policies.append((doc_id, [p["number"] for p in data["documents"][0]["provisions"]]))
            elif self.rng.random() < s.statement_share / (1 - 1 / s.policy_every):
                data = self.statement(doc_id, date, policies)
            else:
                data = self.secondary(doc_id, date, policies)
            yield f"{doc_id}.yaml", data

    def policy(self, doc_id: str, i: int, date: dt.date, earlier: list[tuple[str, list[str]]]) -> dict[str, Any]:
        s = self.shape
        rng = self.rng
        doc_type = POLICY_TYPES[i % len(POLICY_TYPES)]
        issuers = self.agencies_at(date, 1 + self.skewed(0, 12))
        n_chapters = rng.randint(2, 6)
        chapters = [{"number": _roman(c + 1), "label": f"{self.phrase()}"} for c in range(n_chapters)]
        provisions = []
        for k in range(rng.randint(*s.provisions)):
            prov: dict[str, Any] = {
                "number": str(k + 1),
                "chapter": chapters[min(n_chapters - 1, k * n_chapters // max(1, s.provisions[1]))]["number"],
                "label": self.phrase(),
                "summary": f"{self.phrase()} through {rng.choice(_WORDS)}; measure {k + 1} of {doc_id}.",
                "agencies": self.agencies_at(date, self.skewed(*s.agencies_per_provision)),
                "themes": self.pick(self.theme_ids, rng.randint(1, 2)),
            }
            if rng.random() < 0.15:
                prov["agencies_open"] = True
            if rng.random() < 0.5:
                prov["sectors"] = self.pick(self.sector_ids, 1)
            if rng.random() < 0.2:
                prov["zones"] = self.pick(self.zone_ids, 1)
            if rng.random() < 0.1:
                prov["frameworks"] = self.pick(self.framework_ids, 1)
            provisions.append(prov)
        evolution = []
        if earlier:
            # link to recent policies mostly, so lineage forms chains several documents long
            for prov in provisions:
                if rng.random() >= s.links_per_provision:
                    continue
                target_doc, numbers = earlier[max(0, len(earlier) - 1 - int(rng.expovariate(1 / 6)))]
                evolution.append(
                    {
                        "later": f"{doc_id}/{prov['number']}",
                        "earlier": f"{target_doc}/{rng.choice(numbers)}",
                        "relation": rng.choice(RELATIONS),
                        "rationale": f"Carries {rng.choice(_WORDS)} forward from the earlier measure.",
                        "locator": f"provision ({prov['number']})",
                    }
                )
        document = {
            "id": doc_id,
            "class": "policy",
            "type": doc_type,
            "title": {"en": f"Synthetic {doc_type} {i} on {rng.choice(_WORDS)}", "zh": f"合成文件{i}"},
            "number": f"Synth [{date.year}] No. {i}",
            "date": date.isoformat(),
            "issuers": {
                "lead": issuers[0],
                "co": sorted(issuers[1:]),
                "count": len(issuers),
                "locator": "signature block",
            },
            "chapters": chapters,
            "provisions": provisions,
        }
        if len(earlier) > 1 and rng.random() < 0.3:
            document["based_on"] = [earlier[-1][0]]
        return {
            "source": {
                "id": f"{doc_id}-text",
                "title": f"Official text of {doc_id}",
                "kind": "official-transcript",
                "file": f"{doc_id}.txt",
                "reports": [doc_id],
            },
            "documents": [document],
            "evolution": evolution,
        }

    def statement(self, doc_id: str, date: dt.date, policies: list[tuple[str, list[str]]]) -> dict[str, Any]:
        rng = self.rng
        speaker = self.agencies_at(date, 1)[0]
        about_doc, numbers = policies[-1]
        provisions = [
            {
                "number": f"A{k + 1}",
                "numbering": "assigned",
                "label": self.phrase(),
                "summary": f"Announces work on {rng.choice(_WORDS)}.",
                "mentions": self.agencies_at(date, rng.randint(1, 2)),
                "themes": self.pick(self.theme_ids, 1),
                "locator": f"answer {k + 1}",
            }
            for k in range(rng.randint(1, 3))
        ]
        evolution = [
            {
                "later": f"{doc_id}/{provisions[0]['number']}",
                "earlier": f"{about_doc}/{rng.choice(numbers)}",
                "relation": "implements",
                "rationale": "Announces how the earlier measure is carried out.",
                "locator": "answer 1",
            }
        ]
        return {
            "source": {"document": doc_id, "kind": "official-transcript", "file": f"{doc_id}.txt", "publisher": speaker},
            "documents": [
                {
                    "id": doc_id,
                    "class": "statement",
                    "type": rng.choice(STATEMENT_TYPES),
                    "title": f"Press answers {doc_id}",
                    "date": date.isoformat(),
                    "cites": [about_doc],
                    "provisions": provisions,
                }
            ],
            "evolution": evolution,
        }

    def secondary(self, doc_id: str, date: dt.date, policies: list[tuple[str, list[str]]]) -> dict[str, Any]:
        rng = self.rng
        about_doc, numbers = policies[max(0, len(policies) - 1 - int(rng.expovariate(1 / 3)))]
        return {
            "source": {"document": doc_id, "kind": "analysis-article", "file": f"{doc_id}.html", "reports": [about_doc]},
            "documents": [
                {
                    "id": doc_id,
                    "class": "secondary",
                    "type": rng.choice(SECONDARY_TYPES),
                    "title": f"Analysis {doc_id} of {about_doc}",
                    "date": date.isoformat(),
                    "cites": [about_doc],
                }
            ],
            "claims": [
                {
                    "id": f"{doc_id}-claim-{k + 1}",
                    "kind": "assessment",
                    "label": f"Assessment of {rng.choice(_WORDS)}",
                    "summary": f"The article judges that {rng.choice(_WORDS)} will grow.",
                    "about": {"documents": [about_doc], "provisions": [f"{about_doc}/{rng.choice(numbers)}"]},
                    "locator": f"paragraph {k + 1}",
                }
                for k in range(rng.randint(1, 2))
            ],
        }


def _scheme(scheme_id: str, label: str, concept_ids: list[str]) -> dict[str, Any]:
    return {
        "id": scheme_id,
        "label": label,
        "definition": f"{label} used by the synthetic corpus.",
        "concepts": [{"id": c, "label": c.replace("-", " ").capitalize(), "definition": f"Synthetic {c}."} for c in concept_ids],
    }


def _roman(n: int) -> str:
    return ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")[n - 1]


def _dump(path: Path, data: dict[str, Any]) -> None:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    path.write_text(yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=200), encoding="utf-8")


def write_corpus(out: Path, documents: int, seed: int = 1, shape: Shape | None = None) -> int:
    """Write a sources folder of ``documents`` synthetic documents to ``out`` (replaced whole); return files written.

    The same ``documents``, ``seed`` and ``shape`` always give byte-identical files.
    """
    from graph_builder import _fs
    from graph_builder.errors import UsageError

    if documents < 1:
        raise UsageError("--documents must be at least 1")
    out = Path(out)
    if not _fs.is_ours(out, f"registry/{REGISTRY_NAMES[0]}"):
        raise UsageError(f"{out} exists and is not a sources folder; choose another --out")
    writer = _Writer(documents, seed, shape or Shape())
    tmp = _fs.temp_dir(out)
    try:
        (tmp / "registry").mkdir()
        (tmp / "documents").mkdir()
        registry = writer.registry()
        docs = list(writer.documents())
        for name, data in registry.items():
            _dump(tmp / "registry" / name, data)
        for name, data in docs:
            _dump(tmp / "documents" / name, data)
        _fs.replace_dir(tmp, out, f"registry/{REGISTRY_NAMES[0]}")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return len(registry) + len(docs)
