"""Render an evolution brief as one self-contained, printable HTML file, linking to the site's pages when asked."""

# Like the site's pages it loads nothing: no script, inline styles only, under a Content-Security-Policy that
# forbids every request; every label reaches the HTML through Jinja autoescaping.

from __future__ import annotations

from graph_builder import __version__
from graph_builder.analytics.brief import Brief
from graph_builder.graph.iris import agency_id
from graph_builder.views import paths
from graph_builder.views.page import environment


class _Links:
    """hrefs into the views site at ``site`` (a URL or a path as the brief's reader will open it), or none."""

    def __init__(self, site: str | None):
        self.site = site.rstrip("/") + "/" if site else ""

    def doc(self, doc_id: str) -> str:
        return self.site + paths.page("document", doc_id).href if self.site else ""

    def provision(self, provision_id: str) -> str:
        doc_id, _, number = provision_id.partition("/")
        return self.site + paths.provision_page(doc_id, number).href if self.site else ""

    def agency(self, iri: str) -> str:
        found = agency_id(iri)
        return self.site + paths.page("agency", found).href if self.site and found else ""


def to_html(brief: Brief, site: str | None = None) -> str:
    """The brief as HTML; with ``site``, documents, provisions and agencies link to their pages there."""
    template = environment().get_template("brief.html.j2")
    return str(template.render(brief=brief, links=_Links(site), version=__version__))
