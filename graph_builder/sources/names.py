"""Normalise names and numbers so that what people type matches what the sources spell."""

from __future__ import annotations

import unicodedata


def normalise_name(text: str) -> str:
    """Case-, width-, apostrophe- and space-insensitive form of a name, for matching what people type."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("&", " and ")
    return " ".join(text.replace(",", " ").split())
