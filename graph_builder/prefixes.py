"""Prefix table shared by the builder, the query runner and the formatters (no heavy imports)."""

from __future__ import annotations

import re

BASE = "https://w3id.org/polkg/"

PREFIXES: dict[str, str] = {
    "pk": BASE + "ontology#",
    "doc": BASE + "id/doc/",
    "agency": BASE + "id/agency/",
    "zone": BASE + "id/zone/",
    "place": BASE + "id/place/",
    "framework": BASE + "id/framework/",
    "concept": BASE + "id/concept/",
    "case": BASE + "id/case/",
    "claim": BASE + "id/claim/",
    "ebops": BASE + "id/ebops2010/",
    "id": BASE + "id/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "time": "http://www.w3.org/2006/time#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sh": "http://www.w3.org/ns/shacl#",
}


def compact(iri: str) -> str:
    """Return ``prefix:local`` for an IRI under a known namespace (longest match), else ``<iri>``."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    if best:
        return f"{best}:{iri[len(PREFIXES[best]) :]}"
    return f"<{iri}>"


def with_prefixes(sparql: str) -> str:
    """Declare polkg's usual prefixes the query uses but does not declare (the embedded store predeclares them)."""
    declared = {m.lower() for m in re.findall(r"PREFIX\s+([A-Za-z][\w-]*)?\s*:", sparql, flags=re.IGNORECASE)}
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items() if p.lower() not in declared and f"{p}:" in sparql]
    return "\n".join([*lines, sparql]) if lines else sparql
