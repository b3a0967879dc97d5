"""The interactive views: one offline pyvis page per registered view, and the site that lists them."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graph_builder.views.registry import ViewSpec, register, views
    from graph_builder.views.site import SITE_MANIFEST, default_site, generate, iframe, write_site

__all__ = ["SITE_MANIFEST", "ViewSpec", "default_site", "generate", "iframe", "register", "views", "write_site"]

# Where each public name lives. They are imported on first use, so that importing the registry (for the
# CLI's help, say) does not import networkx, pyvis or jinja.
_HOMES = {
    "ViewSpec": "registry",
    "register": "registry",
    "views": "registry",
    "SITE_MANIFEST": "site",
    "default_site": "site",
    "generate": "site",
    "iframe": "site",
    "write_site": "site",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
