"""Where each entity's page lives in the site: one rule for the pages, the links between them and `polkg serve`."""

from __future__ import annotations

from dataclasses import dataclass

# The site records, in PAGES_MANIFEST, the page of every IRI it wrote one for, so `polkg serve` can answer
# the graph's own resource paths (/id/...) without parsing IRIs.
PAGES_MANIFEST = "pages.json"
FOLDERS = {"document": "doc", "agency": "agency", "theme": "theme", "sector": "sector", "zone": "zone", "framework": "framework"}


@dataclass(frozen=True)
class PageRef:
    """An entity's page: the file relative to the site root, and the anchor of its section (or "")."""

    file: str
    anchor: str = ""

    @property
    def href(self) -> str:
        return self.file + (f"#{self.anchor}" if self.anchor else "")

    def from_depth(self, depth: int) -> str:
        """The href as written on a page ``depth`` folders below the site root."""
        return "../" * depth + self.href


def page(kind: str, entity_id: str) -> PageRef:
    """The page of the entity of ``kind`` (a key of FOLDERS) whose dcterms:identifier is ``entity_id``."""
    return PageRef(f"{FOLDERS[kind]}/{entity_id}.html")


def provision_anchor(number: str) -> str:
    """The anchor of a provision's section on its document's page, e.g. ``p-25`` or ``p-X``."""
    return "p-" + number.replace(".", "-")


def provision_page(doc_id: str, number: str) -> PageRef:
    """A provision is a section of its document's page, so the site stays one page per document."""
    return PageRef(page("document", doc_id).file, provision_anchor(number))
