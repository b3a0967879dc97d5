"""The list of views: each view's module registers its name, title, one-line description and builder here."""

# A view is a function from the records of ``analytics.data`` (stored-query results, over the embedded store
# or a remote endpoint) and their ``analytics.networks`` analysis to a ``page.Page``: a network (networkx
# supplies the positions, sizes and groupings) or, with ``page.table`` set, a sortable table. Adding a view:
# a module that ends with ``VIEW = register(...)``, and its name in MODULES. Importing this module imports no
# view (nor networkx, pyvis or jinja): ``views()`` does.

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from graph_builder.analytics.data import ViewData
    from graph_builder.analytics.networks import Analysis
    from graph_builder.views.page import Page

    Builder = Callable[[ViewData, Analysis, int], Page]  # (data, analysis, max_nodes) -> the page

# The view modules, in the order the index lists them (relative names are inside this package).
MODULES: tuple[str, ...] = (
    ".coordination",
    ".agency_provisions",
    ".lineage",
    ".issuance",
    ".zones",
    ".agency_matrix",
    ".theme_matrix",
)


@dataclass(frozen=True)
class ViewSpec:
    """One view: its name (the page is ``<name>.html``), title, one-line description and builder."""

    name: str
    title: str
    description: str
    build: Builder

    @property
    def file(self) -> str:
        return f"{self.name}.html"


_registered: dict[str, ViewSpec] = {}  # by the module that registered it


def register(name: str, title: str, description: str, build: Builder) -> ViewSpec:
    """Record the view built by ``build`` under its module's name (called once, at the end of that module)."""
    spec = ViewSpec(name, title, description, build)
    taken = next((module for module, other in _registered.items() if other.name == name), None)
    if taken not in (None, build.__module__):
        raise ValueError(f"view name {name!r} is already registered by {taken}")
    _registered[build.__module__] = spec
    return spec


def views() -> tuple[ViewSpec, ...]:
    """Every view, in the order of MODULES, each module imported (so registered) on first use."""
    found = []
    for name in MODULES:
        module = importlib.import_module(name, __package__).__name__
        if module not in _registered:
            raise LookupError(f"{module} registers no view: it must end with VIEW = register(...)")
        found.append(_registered[module])
    return tuple(found)
