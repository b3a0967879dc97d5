"""Typed models of the curated source files: the schema every YAML file must follow."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Id = Annotated[str, Field(pattern=ID_PATTERN, description="kebab-case id")]
Number = Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9.]+$")]
Text = Annotated[str, Field(min_length=1)]

# ASCII digits only: in Python a bare \d also matches other scripts' digits, which are no valid xsd:date
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$", re.ASCII)


class Model(BaseModel):
    """Base: unknown keys are errors (a misspelt key must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, frozen=True)


class PartialDate(Model):
    """A date of year, month or day precision, as written in the sources."""

    text: str
    precision: Literal["year", "month", "day"]

    @property
    def earliest(self) -> dt.date:
        """The first day the date can denote (for ordering)."""
        parts = [int(p) for p in self.text.split("-")]
        return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        # NFKC: full-width digits and hyphens (typed with Chinese input methods) become ASCII
        text = unicodedata.normalize("NFKC", str(value)).strip()
        match = _DATE.match(text)
        if not match:
            raise ValueError(f"'{text}' is not a date; expected YYYY-MM-DD, YYYY-MM or YYYY in the digits 0-9")
        year, month, day = match.groups()
        try:
            dt.date(int(year), int(month or 1), int(day or 1))
        except ValueError as exc:
            raise ValueError(f"'{text}' is not a real date ({exc})") from None
        precision: Literal["year", "month", "day"] = "day" if day else "month" if month else "year"
        return cls(text=text, precision=precision)


def _date(value: object) -> PartialDate | None:
    if value is None or isinstance(value, PartialDate):
        return value
    return PartialDate.parse(value)


class Label(Model):
    """A bilingual label: English required, Chinese where known."""

    en: Text
    zh: str | None = None


def _label(value: object) -> object:
    return {"en": value} if isinstance(value, str) else value


# --------------------------------------------------------------------------- registries
class Concept(Model):
    id: Id
    label: Label
    definition: Text

    coerce_label = field_validator("label", mode="before")(_label)


class Scheme(Model):
    id: Id
    label: Text
    definition: Text
    concepts: list[Concept] = Field(min_length=1)


class Vocabularies(Model):
    schemes: list[Scheme]


class Attestation(Model):
    source: Id
    locator: Text


Basis = Literal["stated", "curator-inference", "curator-knowledge"]


class KindChange(Model):
    """A change of an agency's kind (e.g. moved under the State Council by a reform), from ``date`` on."""

    date: PartialDate
    kind: Id
    basis: Basis = "stated"
    note: Text

    coerce_date = field_validator("date", mode="before")(_date)


class Agency(Model):
    id: Id
    name: Label
    acronym: str | None = None
    aliases: list[Text] = Field(default_factory=list)
    kind: Id  # the kind before any of ``kind_changes``
    kind_changes: list[KindChange] = Field(default_factory=list)
    part_of: Id | None = None
    group: bool = False
    note: str | None = None


class Reorganisation(Model):
    id: Id
    label: Text
    date: PartialDate
    original: list[Id] = Field(min_length=1)
    resulting: list[Id] = Field(min_length=1)
    basis: Basis = "stated"
    note: str | None = None
    evidence: list[Attestation] = Field(default_factory=list)

    coerce_date = field_validator("date", mode="before")(_date)


class AgencyRegistry(Model):
    agencies: list[Agency]
    reorganisations: list[Reorganisation] = Field(default_factory=list)


class EbopsItem(Model):
    code: Annotated[str, Field(pattern=r"^S[A-L][0-9]*$")]
    label: Text


class EbopsMatch(Model):
    exact: list[str] = Field(default_factory=list)
    close: list[str] = Field(default_factory=list)


class Sector(Concept):
    broader: Id | None = None
    ebops: EbopsMatch = EbopsMatch()


class SectorRegistry(Model):
    ebops: list[EbopsItem]
    sectors: list[Sector]


class Theme(Concept):
    aliases: list[Text] = Field(default_factory=list)  # acronyms and other names people type, e.g. "IP"


class ThemeRegistry(Model):
    themes: list[Theme]


class Framework(Concept):
    acronym: str | None = None
    kind: Id


class FrameworkRegistry(Model):
    frameworks: list[Framework]


class Place(Model):
    id: Id
    label: Label
    kind: Literal["municipality", "province", "city", "region"]
    province: Id | None = None

    coerce_label = field_validator("label", mode="before")(_label)


class Zone(Model):
    id: Id
    label: Label
    type: Id
    city: Id | None = None
    province: Id | None = None
    part_of: Id | None = None
    members: int | None = Field(default=None, ge=1)
    established: PartialDate | None = None

    coerce_label = field_validator("label", mode="before")(_label)
    coerce_date = field_validator("established", mode="before")(_date)


class ZoneRegistry(Model):
    places: list[Place]
    zones: list[Zone]


# --------------------------------------------------------------------------- documents
class SourceInfo(Model):
    """The text the facts of one file were curated from."""

    id: Id | None = None
    document: Id | None = None
    title: str | None = None
    kind: Id
    file: Text
    publisher: Id | None = None
    date: PartialDate | None = None
    reports: list[Id] = Field(default_factory=list)

    coerce_date = field_validator("date", mode="before")(_date)

    @property
    def key(self) -> str:
        return self.document or self.id or ""


class Issuers(Model):
    lead: Id
    co: list[Id] = Field(default_factory=list)
    count: int | None = Field(default=None, ge=1)
    locator: Text


class AgencyRef(Model):
    agency: Id
    locator: Text


class Chapter(Model):
    number: Number
    label: Text


class Provision(Model):
    number: Number
    numbering: Literal["printed", "assigned"] = "printed"
    chapter: Number | None = None
    label: Text
    summary: Text
    agencies: list[Id] = Field(default_factory=list)
    agencies_open: bool = False
    sectors: list[Id] = Field(default_factory=list)
    themes: list[Id] = Field(default_factory=list)
    zones: list[Id] = Field(default_factory=list)
    frameworks: list[Id] = Field(default_factory=list)
    mentions: list[Id] = Field(default_factory=list)
    target_year: int | None = Field(default=None, ge=1949, le=2100)
    locator: str | None = None

    @property
    def where(self) -> str:
        return self.locator or (f"provision ({self.number})" if self.number.isdigit() else f"measure {self.number}")


class FieldBasis(Model):
    """A document field that no source text states: where it comes from instead (e.g. the curators' knowledge)."""

    field: Literal["title", "number_alt", "based_on", "cites", "date"]
    basis: Literal["curator-inference", "curator-knowledge"]
    note: Text


class Document(Model):
    id: Id
    class_: Literal["policy", "statement", "secondary"] = Field(alias="class")
    type: Id
    title: Label
    number: str | None = None
    number_alt: list[Text] = Field(default_factory=list)
    date: PartialDate | None = None
    published: PartialDate | None = None
    issuers: Issuers | None = None
    approved_by: AgencyRef | None = None
    drafted_by: AgencyRef | None = None
    based_on: list[Id] = Field(default_factory=list)
    cites: list[Id] = Field(default_factory=list)
    coverage: str | None = None
    basis: list[FieldBasis] = Field(default_factory=list)
    chapters: list[Chapter] = Field(default_factory=list)
    provisions: list[Provision] = Field(default_factory=list)

    coerce_label = field_validator("title", mode="before")(_label)
    coerce_date = field_validator("date", "published", mode="before")(_date)


class Highlight(Model):
    number: int = Field(ge=1)
    label: Text
    locator: Text


class CaseGroup(Model):
    number: int = Field(ge=1)
    count: int | None = Field(default=None, ge=1)
    highlights: list[Highlight] = Field(default_factory=list)
    locator: Text


class CaseItem(Model):
    id: Id
    group: int
    highlight: int | None = Field(default=None, ge=1)
    label: Text
    summary: Text
    city: Id | None = None
    zone: Id | None = None
    themes: list[Id] = Field(default_factory=list)
    sectors: list[Id] = Field(default_factory=list)
    frameworks: list[Id] = Field(default_factory=list)
    locator: Text


class Cases(Model):
    programme: Id
    total: int | None = Field(default=None, ge=1)
    groups: list[CaseGroup] = Field(default_factory=list)
    items: list[CaseItem] = Field(default_factory=list)


class About(Model):
    documents: list[Id] = Field(default_factory=list)
    provisions: list[str] = Field(default_factory=list)
    themes: list[Id] = Field(default_factory=list)
    zones: list[Id] = Field(default_factory=list)
    frameworks: list[Id] = Field(default_factory=list)
    agencies: list[Id] = Field(default_factory=list)
    sectors: list[Id] = Field(default_factory=list)


class Claim(Model):
    id: Id
    kind: Literal["figure", "assessment", "expectation", "reported-content"]
    label: Text
    summary: Text
    value: float | None = None
    unit: str | None = None
    metric: str | None = None
    about: About = About()
    locator: Text


class EvolutionLink(Model):
    later: Annotated[str, Field(pattern=r"^[a-z0-9-]+/[A-Za-z0-9.]+$")]
    earlier: Annotated[str, Field(pattern=r"^[a-z0-9-]+/[A-Za-z0-9.]+$")]
    relation: Literal["continues", "expands", "refines", "implements", "replaces"]
    rationale: Text
    locator: Text


class NewMeasure(Model):
    """A finding of the lineage review: a measure with no earlier counterpart in the corpus, and why."""

    measure: Annotated[str, Field(pattern=r"^[a-z0-9-]+/[A-Za-z0-9.]+$")]
    rationale: Text
    locator: Text


class DocumentFile(Model):
    """One file under documents/: a source text and what was curated from it."""

    source: SourceInfo
    documents: list[Document] = Field(default_factory=list)
    cases: Cases | None = None
    claims: list[Claim] = Field(default_factory=list)
    evolution: list[EvolutionLink] = Field(default_factory=list)
    new: list[NewMeasure] = Field(default_factory=list)
