"""The `polkg` command line: thin click commands, each calling one library function.

Exit codes: see ``EXIT_CODES`` (shown by ``--help``).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from graph_builder import __version__
from graph_builder.errors import PolkgError, SourceError
from graph_builder.query.results import FORMATS

if TYPE_CHECKING:
    from graph_builder.query.engine import Engine

F = TypeVar("F", bound=Callable[..., Any])


def _exit_codes() -> str:
    """The exit-code table for ``--help`` (``\\b`` keeps click from rewrapping it)."""
    from graph_builder.errors import exit_code_table

    return "\b\nExit codes:\n" + "\n".join(f"  {code}  {meaning}" for code, meaning in exit_code_table())


EXIT_CODES = _exit_codes()


def _reported(func: F) -> F:
    """Turn polkg errors into a clear message on stderr and their exit code, without a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except PolkgError as exc:
            if isinstance(exc, SourceError):
                _note_skipped(exc.skipped)
            from graph_builder.query.remote import scrub

            for line in exc.report():
                click.echo(scrub(line), err=True)  # no credential value in any message, whatever the server echoed
            if isinstance(exc, SourceError):
                validating = click.get_current_context().info_name == "validate"
                click.echo("nothing was written" if validating else "nothing was written; the build is unchanged", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def _note_skipped(skipped: tuple[Path, ...]) -> None:
    """One short line on stderr naming the hidden entries of the sources folder that were not read."""
    if not skipped:
        return
    names = [f"{path.parent.name}/{path.name}" for path in skipped]
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    entries = "entry" if len(names) == 1 else "entries"
    click.echo(f"note: skipped {len(names)} hidden {entries} (names starting with '.'): {shown}", err=True)


def _graph_options(func: F) -> F:
    """--sources, --out, --endpoint, --graph and --timeout, shared by every command that reads the graph."""
    return _build_options(_endpoint_options(func))


def _endpoint_options(func: F) -> F:
    """--endpoint, --graph, --timeout and --max-answer-mb: read a remote SPARQL endpoint instead of the embedded store."""
    from graph_builder.query.remote import DEFAULT_MAX_ANSWER_MB, DEFAULT_TIMEOUT

    func = click.option(
        "--max-answer-mb",
        type=click.FloatRange(min=0, min_open=True),
        default=DEFAULT_MAX_ANSWER_MB,
        show_default=True,
        envvar="POLKG_MAX_ANSWER_MB",
        help="With --endpoint: refuse an answer larger than this many MB (10^6 bytes; exit 7) (POLKG_MAX_ANSWER_MB).",
    )(func)
    func = click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        envvar="POLKG_TIMEOUT",
        help="With --endpoint: seconds for each whole request, answer included (exit 5 past it); for polkg sparql on the "
        "embedded store, its time limit (exit 3) (POLKG_TIMEOUT).",
    )(func)
    func = click.option(
        "--graph",
        "graph_iri",
        default=None,
        envvar="POLKG_GRAPH",
        help="With --endpoint: query this named graph as the default graph (POLKG_GRAPH).",
    )(func)
    func = click.option(
        "--endpoint",
        default=None,
        envvar="POLKG_ENDPOINT",
        help="Query this SPARQL 1.1 endpoint (an http:// or https:// URL) instead of the embedded store (POLKG_ENDPOINT). "
        "Credentials only from POLKG_ENDPOINT_USER/POLKG_ENDPOINT_PASSWORD or POLKG_ENDPOINT_TOKEN; redirects are "
        "followed to the same origin only.",
    )(func)
    return func


def _build_options(func: F) -> F:
    """--sources and --out for commands that use the build itself (push, serve)."""
    func = click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Build folder to use, built on demand.  [default: $POLKG_OUT or ./polkg-out]",
    )(func)
    return _sources_option(func)


SOURCES_HELP = (
    "Curated sources folder (registry/ and documents/).  [default: $POLKG_SOURCES, else the folder the build "
    "was made from, else ./sources if it is a curated folder, else the sources bundled with polkg]"
)


def _sources_option(func: F) -> F:
    return click.option(
        "--sources",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        default=None,
        help=SOURCES_HELP,
    )(func)


def _format_option(func: F) -> F:
    """--format for commands that print query results (json is W3C SPARQL 1.1 Query Results JSON)."""
    from graph_builder.query.results import FORMATS

    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="Output format; json is W3C SPARQL 1.1 Query Results JSON, csv the SPARQL CSV results format.",
    )(func)


def _engine(
    sources: Path | None,
    out: Path | None,
    endpoint: str | None = None,
    graph_iri: str | None = None,
    timeout: float = 30.0,
    max_answer_mb: float | None = None,
) -> Engine:
    """The remote endpoint if one is given, else the embedded store of the build (built on demand)."""
    from graph_builder.query.open import open_engine

    return open_engine(sources, out, endpoint, graph_iri, timeout, echo=_note, max_answer_mb=max_answer_mb)


def _note(message: str) -> None:
    """A line for the person at the terminal (stderr, so results on stdout stay clean)."""
    click.echo(message, err=True)


def _write_output(text: str | bytes, output: Path | None) -> None:
    """Print to stdout, or write ``output`` atomically (a temporary file renamed into place)."""
    from graph_builder import _fs

    data = text.encode("utf-8") if isinstance(text, str) else text
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        _fs.write_file(output, data)
    except OSError as exc:
        raise _fs.output_error(exc, str(output)) from None


@click.group(epilog=EXIT_CODES)
@click.version_option(__version__, prog_name="polkg")
def main() -> None:
    """Knowledge graph of China's trade-in-services and foreign-cultural-trade policy.

    Build the graph from curated sources, then ask it questions with stored SPARQL queries.
    """


@main.command(epilog=EXIT_CODES)
@_sources_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write graph.ttl, graph.nt and the query store to.  [default: $POLKG_OUT or ./polkg-out]",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that emit and SHACL-check changed source files.  [default: number of CPUs]",
)
@_reported
def build(sources: Path | None, out: Path | None, workers: int | None) -> None:
    """Check the sources, validate the graph (SHACL) and write it with a query store.

    Source files unchanged since the last build into the same folder are not checked again, and
    the result is the same as a build from nothing. The output folder is replaced whole only when
    everything succeeded; two builds into one folder run one after the other.
    """
    from graph_builder.store.build import build as run_build

    result = run_build(sources, out, workers, echo=_note)
    if result.replaced is not None:
        _note(f"note: {result.out} was built from {result.replaced}; it is now built from {result.sources}")
    _note_skipped(result.skipped)
    timing = ", ".join(f"{step} {secs:.2f}s" for step, secs in result.seconds.items())
    click.echo(f"sources: {result.sources}")
    click.echo(
        f"built {result.triples} triples into {result.out} "
        f"({result.files - result.files_reused} of {result.files} source units checked; {timing})"
    )


@main.command(epilog=EXIT_CODES)
@click.option("--documents", type=click.IntRange(min=1), required=True, help="How many documents to write.")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Sources folder to write (replaced whole)."
)
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed: the same seed gives the same files.")
@_reported
def synth(documents: int, out: Path, seed: int) -> None:
    """Write a synthetic sources folder shaped like the curated one, for benchmarks and scale tests.

    Documents of several types over 2000-2026; one in twenty is a policy document with 10-40
    provisions naming 1-10 responsible agencies, the rest are statements and secondary reports.
    A registry of 300 agencies (aliases, reorganisations), zones, sectors, themes and frameworks;
    evolution links chain provisions across documents. 10,000 documents give about 1.1 million
    triples. Build it with `polkg build --sources OUT`.
    """
    from graph_builder.synth import write_corpus

    files = write_corpus(out, documents, seed)
    click.echo(f"wrote {files} source files ({documents} documents, seed {seed}) to {out}")


@main.command(epilog=EXIT_CODES)
@_sources_option
@_reported
def validate(sources: Path | None) -> None:
    """Check the sources and validate the graph they give, writing nothing."""
    from graph_builder.graph.validate import validate_sources

    result = validate_sources(sources)
    _note_skipped(result.skipped)
    click.echo(f"sources are valid: {result.triples} triples conform to the shapes")


@main.group()
def query() -> None:
    """List, show and run the stored SPARQL queries."""


@query.command("list")
@click.option("--tag", default=None, help="Only queries with this tag.")
@_reported
def query_list(tag: str | None) -> None:
    """List the stored queries with their parameters."""
    from graph_builder.query.catalogue import load_catalogue

    for q in load_catalogue().values():
        if tag and tag not in q.tags:
            continue
        params = " ".join(f"{p.name}=<{p.type}>" if p.required else f"[{p.name}=<{p.type}>]" for p in q.params)
        click.echo(f"{q.id:<24} {params}")
        click.echo(f"    {q.summary}")
        if q.params and all(p.example for p in q.params):
            example = " ".join(
                f"-p {p.name}={p.example!r}" if " " in (p.example or "") else f"-p {p.name}={p.example}" for p in q.params
            )
            click.echo(f"    e.g. polkg query run {q.id} {example}")


@query.command("show")
@click.argument("query_id")
@_reported
def query_show(query_id: str) -> None:
    """Print a stored query: its header and SPARQL."""
    from graph_builder.query.catalogue import get_query

    click.echo(get_query(query_id).sparql, nl=False)


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    from graph_builder.errors import UsageError

    parsed: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param expects NAME=VALUE, got {item!r}")
        name = name.strip()
        if name in parsed:
            # a query binds one value per parameter: keeping either one would answer a question not asked
            raise UsageError(f"--param {name} is given twice ({parsed[name]!r} and {value.strip()!r}); give {name} once")
        parsed[name] = value.strip()
    return parsed


@query.command("run", epilog=EXIT_CODES)
@click.argument("query_id")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter value, as a person would type it (repeatable).",
)
@_format_option
@click.option(
    "--lang",
    type=click.Choice(("en", "zh")),
    default="en",
    show_default=True,
    help="Language of names, titles and labels: zh shows the Chinese text where the graph has it (the same "
    "property of the same resource), English otherwise.",
)
@_graph_options
@_reported
def query_run(
    query_id: str,
    params: tuple[str, ...],
    fmt: str,
    lang: str,
    sources: Path | None,
    out: Path | None,
    endpoint: str | None,
    graph_iri: str | None,
    timeout: float,
    max_answer_mb: float,
) -> None:
    """Run the stored query QUERY_ID (builds the graph first if needed).

    \b
    Examples:
      polkg query run provision-agencies -p doc=opinions-2022 -p provision=25
      polkg query run agency-timeline -p agency=NFRA --lang zh
    """
    from graph_builder.query.catalogue import get_query
    from graph_builder.query.results import render
    from graph_builder.query.run import run_stored

    stored = get_query(query_id)
    values = _parse_params(params)
    engine = _engine(sources, out, endpoint, graph_iri, timeout, max_answer_mb)
    click.echo(render(run_stored(stored, values, engine, lang), fmt), nl=False)


class _ExportFormats(click.Choice[str]):
    """``fixed`` choices, then the registered export formats (only the RDF ones with ``rdf``), read when used."""

    def __init__(self, fixed: tuple[str, ...] = (), rdf: bool | None = None) -> None:
        self.rdf = rdf
        super().__init__(fixed)

    @property
    def choices(self) -> tuple[str, ...]:
        from graph_builder.publish import formats

        return (*self.fixed, *formats.names(self.rdf))

    @choices.setter
    def choices(self, fixed: tuple[str, ...]) -> None:
        self.fixed = fixed


@main.command(epilog=EXIT_CODES)
@click.argument("query_or_file")
@click.option(
    "--format",
    "fmt",
    type=_ExportFormats(("auto", *FORMATS), rdf=True),
    default="auto",
    show_default=True,
    help="auto: table for SELECT and ASK, turtle for CONSTRUCT and DESCRIBE. SELECT/ASK: table, csv (SPARQL CSV), "
    "json (SPARQL 1.1 Query Results JSON), markdown; CONSTRUCT/DESCRIBE: turtle, n-triples, json-ld.",
)
@_graph_options
@_reported
def sparql(
    query_or_file: str,
    fmt: str,
    sources: Path | None,
    out: Path | None,
    endpoint: str | None,
    graph_iri: str | None,
    timeout: float,
    max_answer_mb: float,
) -> None:
    """Run your own read-only SPARQL query: QUERY_OR_FILE is the query text, a file, or - for stdin.

    SELECT and ASK print a table (or csv, json, markdown); CONSTRUCT and DESCRIBE write RDF (turtle,
    n-triples, json-ld). Updates (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE ...) are refused.
    The prefixes pk, eli, org, prov, skos, dcterms, doc, agency, zone and others are predeclared.
    On the embedded store the query stops after --timeout seconds; SERVICE and queries over polkg's
    size and nesting limits are refused (exit 3).

    \b
    Examples:
      polkg sparql 'SELECT ?a ?name WHERE { ?a a pk:Agency ; skos:prefLabel ?name }' --format csv
      polkg sparql 'DESCRIBE agency:nfra' --format n-triples
      polkg sparql my-query.rq
    """
    from graph_builder.publish import formats
    from graph_builder.query.adhoc import sparql_request
    from graph_builder.query.results import render

    request = sparql_request(query_or_file, fmt, formats.names(rdf=True))
    answer = request.run(_engine(sources, out, endpoint, graph_iri, timeout, max_answer_mb), timeout)
    if isinstance(answer, bytes):
        from graph_builder.publish.export import serialise_ntriples

        rdf = serialise_ntriples(answer, request.fmt)
        _write_output(rdf if rdf.endswith(b"\n") or not rdf else rdf + b"\n", None)
        return
    click.echo(render(answer, request.fmt), nl=False)


@main.command(epilog=EXIT_CODES)
@click.option(
    "--format",
    "fmt",
    type=_ExportFormats(),
    default="turtle",
    show_default=True,
    help="graphml gives resources as nodes and resource-to-resource triples as edges.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (atomically).  [default: stdout]",
)
@_graph_options
@_reported
def export(
    fmt: str,
    output: Path | None,
    sources: Path | None,
    out: Path | None,
    endpoint: str | None,
    graph_iri: str | None,
    timeout: float,
    max_answer_mb: float,
) -> None:
    """Export the whole graph (data and ontology), from the build or, with --endpoint, from a store."""
    from graph_builder.publish.export import export_graph

    _write_output(export_graph(fmt, sources, out, endpoint, graph_iri, timeout, echo=_note, max_answer_mb=max_answer_mb), output)


@main.command(epilog=EXIT_CODES)
@click.option("--store", required=True, help="Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store for Oxigraph.")
@click.option(
    "--graph",
    "graph_iri",
    default=None,
    help="Named graph to replace (an absolute IRI).  [default: the default graph; Virtuoso has none, so give --graph]",
)
@click.option(
    "--endpoint",
    default=None,
    envvar="POLKG_ENDPOINT",
    help="Query endpoint used to verify the push, e.g. http://127.0.0.1:7878/query (POLKG_ENDPOINT).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=120.0,
    show_default=True,
    help="Seconds for the whole push (exit 5 past it).",
)
@click.option(
    "--chunk-triples",
    type=click.IntRange(min=0),
    default=None,
    help="At most this many triples a request: the first chunk replaces the graph (PUT), the others are added "
    "(POST); 0 sends the whole graph in one PUT.  [default: 100000 for Virtuoso's Graph Store endpoints, 0 for others]",
)
@_build_options
@_reported
def push(
    store: str,
    graph_iri: str | None,
    endpoint: str | None,
    timeout: float,
    chunk_triples: int | None,
    sources: Path | None,
    out: Path | None,
) -> None:
    """Replace a graph in a triple store with the built graph, then verify its triple count.

    The graph goes in one PUT, or in chunks (see --chunk-triples), which Virtuoso needs to keep a large
    graph whole. Credentials come only from POLKG_ENDPOINT_USER/POLKG_ENDPOINT_PASSWORD or POLKG_ENDPOINT_TOKEN.
    """
    from graph_builder.publish.push import push_build

    report = push_build(store, endpoint, graph_iri, timeout, sources, out, chunk_triples)
    click.echo(report)


def _origin(endpoint: str | None, graph_iri: str | None, store: Path | None) -> str:
    """Where view data was read from, as a page may say it (credentials never included)."""
    if endpoint:
        from graph_builder.query.remote import redact

        return f"SPARQL endpoint {redact(endpoint)}" + (f", graph <{graph_iri}>" if graph_iri else "")
    return "the embedded store" + (f" of {store.parent}" if store else "")


class _ViewsCommand(click.Command):
    """`polkg views`, whose help names the registered views (looked up when the help is shown, not at import)."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        import inspect

        from graph_builder.views import views as registered

        text = inspect.cleandoc(self.help or "").replace("{views}", ", ".join(spec.name for spec in registered()))
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(text)


@main.command(cls=_ViewsCommand, epilog=EXIT_CODES)
@click.option(
    "--site",
    "site",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the site to (replaced whole).  [default: $POLKG_VIEWS or ./polkg-views]",
)
@click.option(
    "--out",
    "old_site",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    hidden=True,
    help="Deprecated: the site folder; use --site (--out names the build folder on the other commands).",
)
@click.option(
    "--max-nodes",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Most nodes per view; beyond this a view keeps the most connected and says what it left out.",
)
@click.option(
    "--build",
    "build_out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Build folder to read, built on demand.  [default: $POLKG_OUT or ./polkg-out]",
)
@_endpoint_options
@_sources_option
@_reported
def views(
    site: Path | None,
    old_site: Path | None,
    max_nodes: int,
    build_out: Path | None,
    endpoint: str | None,
    graph_iri: str | None,
    timeout: float,
    max_answer_mb: float,
    sources: Path | None,
) -> None:
    """Write the interactive views: an index.html and one offline page per view.

    \b
    Views: {views}.
    Open index.html from disk (no network needed) or run 'polkg serve'.
    """
    from graph_builder.views import default_site, generate

    if old_site is not None:
        if site is not None:
            from graph_builder.errors import UsageError

            raise UsageError("give the site folder once, with --site (views --out is its deprecated name)")
        _note(
            "warning: 'polkg views --out DIR' is deprecated and will name the build folder, as on every other command; "
            "use --site DIR for the site (and --build DIR for the build)"
        )
        site = old_site
    engine = _engine(sources, build_out, endpoint, graph_iri, timeout, max_answer_mb)
    store = getattr(engine, "store_path", None)
    result = generate(engine, site or default_site(), _origin(endpoint, graph_iri, store), max_nodes)
    for v in result.views:
        click.echo(f"  {v.file:<24} {v.shown:<44} {v.bytes / 1024:>7.0f} KiB  {v.seconds:.2f}s")
    click.echo(f"wrote {len(result.views)} views and the ontology's page to {result.out} (open {result.out / 'index.html'})")


@main.command(epilog=EXIT_CODES)
@click.option("--doc", "docs", multiple=True, help="Only this document (id, official number or title fragment; repeatable).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "markdown", "csv", "json"]),
    default="table",
    show_default=True,
    help="table/markdown: figures, communities and changes; csv: per-agency figures; json: everything.",
)
@_graph_options
@_reported
def analyze(
    docs: tuple[str, ...],
    fmt: str,
    sources: Path | None,
    out: Path | None,
    endpoint: str | None,
    graph_iri: str | None,
    timeout: float,
    max_answer_mb: float,
) -> None:
    """Coordination analytics per document: degree, weighted degree, betweenness, communities, and the
    change from one policy document to the next (joined, left, continued, reorganised; links gained and lost).

    Two agencies are linked when they are jointly responsible for a provision (weight: how many). A document
    naming no responsible agency per provision links its co-issuers instead (basis: co-issuance); a change
    involving one compares issuers against issuers only and says why, with the coverage notes.
    With two --doc, the change between exactly those two documents.
    """
    from graph_builder.analytics.data import fetch
    from graph_builder.analytics.networks import analyse
    from graph_builder.analytics.report import report
    from graph_builder.query.params import resolve_value

    engine = _engine(sources, out, endpoint, graph_iri, timeout, max_answer_mb)
    selected = {resolve_value("document", value, engine, "doc").value for value in docs} if docs else None
    pair = (min(selected), max(selected)) if selected and len(selected) == 2 else None  # analyse puts them in date order
    click.echo(report(analyse(fetch(engine), pair), fmt, selected), nl=False)


def _brief_options(func: F) -> F:
    """--format, -o and --site for the evolution brief."""
    func = click.option(
        "--site",
        default=None,
        help="With --format html: link documents, provisions and agencies to the views site at this address "
        "(a URL, or a path as the reader of the brief will open it, e.g. ../polkg-views).",
    )(func)
    func = click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="File to write (atomically).  [default: stdout]",
    )(func)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["markdown", "html", "json"]),
        default="markdown",
        show_default=True,
        help="markdown pastes into an email or a word processor; html is one offline, printable file; json is "
        "everything, for other tools (its JSON Schema ships with polkg: graph_builder/analytics/brief.schema.json).",
    )(func)


def _brief(
    values: tuple[str, ...],
    fmt: str,
    output: Path | None,
    site: str | None,
    sources: Path | None,
    out: Path | None,
    endpoint: str | None,
    graph_iri: str | None,
    timeout: float,
    max_answer_mb: float,
) -> None:
    from graph_builder.analytics.brief import build_brief, render_brief

    brief = build_brief(_engine(sources, out, endpoint, graph_iri, timeout, max_answer_mb), values)
    if fmt == "html":
        from graph_builder.views.brief import to_html

        text = to_html(brief, site)
    else:
        text = render_brief(brief, fmt)
    _write_output(text, output)


@main.command(epilog=EXIT_CODES)
@click.argument("earlier")
@click.argument("later")
@_brief_options
@_graph_options
@_reported
def compare(
    earlier: str,
    later: str,
    fmt: str,
    output: Path | None,
    site: str | None,
    sources: Path | None,
    out: Path | None,
    endpoint: str | None,
    graph_iri: str | None,
    timeout: float,
    max_answer_mb: float,
) -> None:
    """The evolution brief from EARLIER to LATER (each an id, official number or title fragment).

    \b
    1. the documents, their issuers, what the available source is and does not cover;
    2. each measure of LATER: which provisions of EARLIER it continues, expands, refines, implements or
       replaces (with the curators' rationale), or why it is new, or that it is not yet reviewed;
    3. provisions of EARLIER not carried forward, and whether the available source could show them;
    4. agencies joined, left, continued and reorganised, issuers against issuers and responsible
       bodies against responsible bodies only;
    5. emphasis by theme, sector, zone and framework;
    6. who is responsible now, through reorganisations.
    Every statement names its source, locator and stored query.

    \b
    Example:
      polkg compare opinions-2022 circular-2025 -o brief.md
    """
    _brief((earlier, later), fmt, output, site, sources, out, endpoint, graph_iri, timeout, max_answer_mb)


@main.command(epilog=EXIT_CODES)
@click.argument("documents", nargs=-1, required=True)
@_brief_options
@_graph_options
@_reported
def report(
    documents: tuple[str, ...],
    fmt: str,
    output: Path | None,
    site: str | None,
    sources: Path | None,
    out: Path | None,
    endpoint: str | None,
    graph_iri: str | None,
    timeout: float,
    max_answer_mb: float,
) -> None:
    """The evolution brief along a chain of DOCUMENTS, given in date order (at least two).

    The same sections as `polkg compare`, for each document against the next. Documents out of date
    order are refused (exit 2) with the order to give them in.

    \b
    Example:
      polkg report opinions-2022 circular-2025 plan-2026 --format html -o brief.html --site polkg-views
    """
    _brief(documents, fmt, output, site, sources, out, endpoint, graph_iri, timeout, max_answer_mb)


@main.command(epilog=EXIT_CODES)
@click.option("--sparql", "sparql_endpoint", is_flag=True, help="Serve a read-only SPARQL 1.1 endpoint over the graph instead.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port to listen on.  [default: 8000 for the site, 8001 with --sparql; 7878 is left to an Oxigraph server]",
)
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="With --sparql: address to bind (the site is loopback only)."
)
@click.option(
    "--timeout", type=click.FloatRange(min=1), default=30.0, show_default=True, help="With --sparql: query time limit in seconds."
)
@click.option(
    "--site",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Views folder to serve, written first if missing.  [default: $POLKG_VIEWS or ./polkg-views]",
)
@_build_options
@_reported
def serve(
    sparql_endpoint: bool, port: int | None, host: str, timeout: float, site: Path | None, sources: Path | None, out: Path | None
) -> None:
    """Serve the views site on 127.0.0.1 until interrupted, or with --sparql a read-only SPARQL endpoint (Oxigraph).

    The site server also answers the graph's own resource paths (/id/...): a browser is sent to the
    resource's page (303), an RDF client (Accept: text/turtle, application/n-triples,
    application/ld+json) gets its description. The endpoint refuses updates, SERVICE and queries over
    polkg's limits (400, with the reason), and answers a query past --timeout with 503. Both follow
    the build in --out: a rebuild there is picked up.
    """
    if sparql_endpoint:
        from graph_builder.publish.serve import serve_sparql

        serve_sparql(host, port or 8001, timeout, sources, out, echo=click.echo)
        return
    from graph_builder.publish.serve import serve_site

    if host not in ("127.0.0.1", "localhost"):
        from graph_builder.errors import UsageError

        raise UsageError("the views site is served on 127.0.0.1 only; --host applies to --sparql")
    serve_site(port or 8000, site, sources, out, echo=click.echo)


if __name__ == "__main__":  # pragma: no cover
    main()
