"""``rncp-graph queries | query | sparql | check | serve | push``: thin wrappers over the library.

Exit codes beyond the common ones: ``check`` exits 1 when a check returns rows; ``query``,
``sparql``, ``check`` and ``push`` exit 5 when a remote endpoint fails (timeout, HTTP
error, an answer that is not SPARQL JSON, refused connection) — never 0 with no rows. A
local query that reaches SERVICE, LOAD or FROM, or passes its ``--deadline``, exits 2.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from ..deadline import DEFAULT_TIMEOUT_S, TIMEOUT_ENV
from ..queries import FORMATTERS, Page, discover, get, render, run_saved, run_text
from ..queries.checks import report_lines, run_checks
from ..queries.errors import EndpointError
from ..queries.params import bind, parse_assignments
from ..queries.readme import write_readme
from ..queries.targets import DEFAULT_HELP, open_target
from . import EXIT_VIOLATIONS, main

EXIT_ENDPOINT = 5
F = TypeVar("F", bound=Callable[..., Any])


def target_options(function: F) -> F:
    """The options that say where a query runs (shared by query, sparql and check)."""
    graph_help = f"Graph file (.nt/.ttl) or store folder {DEFAULT_HELP}."
    options = [
        click.option("--graph", type=click.Path(exists=True, path_type=Path), help=graph_help),
        click.option("--endpoint", help="A SPARQL endpoint URL instead of a local graph."),
        click.option("--default-graph", help="With --endpoint: the graph IRI to query (default-graph-uri)."),
        click.option(
            "--timeout", type=float, default=30.0, show_default=True, help="Endpoint: seconds per socket read."
        ),
        click.option(
            "--deadline",
            type=float,
            help=f"Seconds per query, on the local graph or the endpoint "
            f"[default: ${TIMEOUT_ENV}, else {DEFAULT_TIMEOUT_S:g}].",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def page_options(function: F) -> F:
    """``--limit`` and ``--offset`` (shared by query and sparql): they become ``page``."""
    limit = click.option(
        "--limit", type=click.IntRange(min=0), help="At most N rows, in the query's order (LIMIT on the whole query)."
    )
    offset = click.option(
        "--offset", type=click.IntRange(min=0), default=0, show_default=True, help="Skip the first N rows (OFFSET)."
    )

    @functools.wraps(function)
    def wrapper(*args: Any, limit: int | None, offset: int, **kwargs: Any) -> Any:
        page = Page(limit=limit, offset=offset) if limit is not None or offset else None
        return function(*args, page=page, **kwargs)

    return limit(offset(wrapper))  # type: ignore[return-value]


def endpoint_exit(function: F) -> F:
    """Turn an endpoint or push failure into exit code 5 with the error on stderr."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except EndpointError as exc:
            _endpoint_failed(exc)

    return wrapper  # type: ignore[return-value]


def _endpoint_failed(exc: Exception) -> NoReturn:
    click.echo(f"error: {exc}", err=True)
    sys.exit(EXIT_ENDPOINT)


def _target(
    graph: Path | None, endpoint: str | None, default_graph: str | None, timeout: float, deadline: float | None
) -> Any:
    return open_target(graph=graph, endpoint=endpoint, default_graph=default_graph, timeout=timeout, deadline=deadline)


@main.command("queries")
@click.option("--tag", help="Only the queries with this tag.")
@click.option("--write-readme", "readme", is_flag=True, help="Regenerate queries/README.md from the query headers.")
def queries_command(tag: str | None, readme: bool) -> None:
    """List the saved queries (name, parameters, summary).

    \b
    Examples:
      rncp-graph queries                                # every saved query
      rncp-graph queries --tag rome                     # those about ROME codes
    """
    if readme:
        click.echo(f"wrote {write_readme()}")
        return
    for query in discover().values():
        if tag is None or tag in query.tags:
            params = " ".join(f"{p.name}{'?' if p.optional else ''}:{p.type}" for p in query.params)
            click.echo(f"{query.name:<40} {params:<28} {query.summary}")


@main.command("query")
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="A parameter (repeatable).")
@click.option("--format", "fmt", type=click.Choice(list(FORMATTERS)), default="table", show_default=True)
@page_options
@target_options
@endpoint_exit
def query_command(name: str, params: tuple[str, ...], fmt: str, page: Page | None, **where: Any) -> None:
    """Run the saved query NAME on the local graph or on --endpoint.

    Without --graph or --endpoint: out/store when `rncp-graph build --store out/store` made it
    (opened in milliseconds), else out/rncp.nt (parsed again on every call).
    --limit N --offset M return rows M+1 to M+N of the answer, in the query's order.

    \b
    Examples:
      rncp-graph query certifications-sharing-rome -p rome=K1403
      rncp-graph query certifications-sharing-rome -p rome=K1403 --graph out/rncp.nt --format csv
      rncp-graph query certifications-expiring-before -p before=2027-01-01 --limit 20 --offset 20
    """
    query = get(name)
    values = parse_assignments(params)
    bind(query.params, values, query=query.name)  # refuse bad parameters before opening the graph
    result = run_saved(query, values, target=_target(**where), page=page)
    click.echo(render(result, fmt), nl=False)


@main.command("sparql")
@click.argument("query")
@click.option("--format", "fmt", type=click.Choice(list(FORMATTERS)), default="table", show_default=True)
@page_options
@target_options
@endpoint_exit
def sparql_command(query: str, fmt: str, page: Page | None, **where: Any) -> None:
    """Run an ad-hoc read-only SELECT: QUERY is a .rq file or the query text itself.

    The project's prefixes (rncp:, skos:, dcterms:...) are declared for you. SERVICE,
    FROM / FROM NAMED, updates and \\u escapes of quotes or brackets are refused; the query
    stops after --deadline seconds (exit 2). CSV cells that a spreadsheet would run as a
    formula (=, +, -, @) are written after a '.

    \b
    Examples:
      rncp-graph sparql 'SELECT (COUNT(?c) AS ?n) WHERE { ?c a rncp:Certification }'
      rncp-graph sparql queries/certifications-sharing-rome.rq --limit 5   # a file (its parameters unbound)
      rncp-graph sparql 'SELECT ?c ?t WHERE { ?c rncp:title ?t }' --graph out/rncp.nt --format json
    """
    path = Path(query)
    text = path.read_text(encoding="utf-8") if path.suffix == ".rq" and path.is_file() else query
    click.echo(render(run_text(text, target=_target(**where), page=page), fmt), nl=False)


@main.command("check")
@click.argument("graph", type=click.Path(exists=True, path_type=Path), required=False)
@click.option("--endpoint", help="Check a SPARQL endpoint instead of a local graph.")
@click.option("--default-graph", help="With --endpoint: the graph IRI to check.")
@endpoint_exit
def check_command(graph: Path | None, endpoint: str | None, default_graph: str | None) -> None:
    """Run every queries/checks/*-violation.rq; exit 1 if any returns rows (listed).

    GRAPH is an .nt / .ttl file or a store folder [default: out/store if it is a store, else out/rncp.nt].

    \b
    Examples:
      rncp-graph check                                  # the graph of the last build
      rncp-graph check out/rncp.nt
    """
    outcomes = run_checks(_target(graph, endpoint, default_graph, 30.0, 300.0))
    for line in report_lines(outcomes):
        click.echo(line)
    failed = [o.name for o in outcomes if not o.passed]
    click.echo(f"{len(outcomes) - len(failed)}/{len(outcomes)} checks passed")
    if failed:
        sys.exit(EXIT_VIOLATIONS)


@main.command("serve")
@click.option("--graph", type=click.Path(exists=True, path_type=Path), default=Path("out/rncp.nt"), show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Bind address (keep loopback unless proxied).")
@click.option("--port", type=int, default=7878, show_default=True)
@click.option("--read-only/--read-write", default=True, show_default=True, help="serve-read-only or serve.")
@click.option(
    "--location", type=click.Path(path_type=Path), help="Keep the Oxigraph database here (default: temporary)."
)
@click.option(
    "--timeout-s",
    type=int,
    default=30,
    show_default=True,
    help="The server's SPARQL query timeout (Oxigraph 0.5.13 checks it only while a query reads the store: "
    "a cross product or an aggregate over it is not stopped; see README, Safe by default).",
)
@click.option(
    "--cors", is_flag=True, help="Answer cross-origin requests from any origin (Access-Control-Allow-Origin: *)."
)
def serve_command(
    *, graph: Path, host: str, port: int, read_only: bool, location: Path | None, timeout_s: int, cors: bool
) -> None:
    """Serve GRAPH over the SPARQL protocol with the Oxigraph server (pip install 'rncp-graph[serve]').

    \b
    Examples:
      rncp-graph serve                                  # out/rncp.nt at http://127.0.0.1:7878/query
      rncp-graph serve --graph out/rncp.nt --port 7879 --cors   # for a web page on another origin
    """
    from ..serve import serve  # only here: the server and its HTTP modules

    code = serve(
        graph, host=host, port=port, read_only=read_only, timeout_s=timeout_s, location=location, cors=cors,
        on_ready=lambda s: click.echo(f"SPARQL endpoint: {s.query_url}  (Ctrl-C to stop)"),
    )  # fmt: skip
    sys.exit(code)


@main.command("push")
@click.option("--endpoint", required=True, help="The store's base URL.")
@click.option(
    "--layout",
    type=click.Choice(["oxigraph", "virtuoso"]),
    default="oxigraph",
    show_default=True,
    help="The store's URLs under --endpoint: oxigraph /query /update /store; virtuoso /sparql /sparql-graph-crud.",
)
@click.option("--query-url", help="SPARQL query URL, instead of the layout's.")
@click.option("--update-url", help="SPARQL update URL, instead of the layout's.")
@click.option("--store-url", help="Graph Store Protocol URL, instead of the layout's.")
@click.option("--graph", "graph_iri", required=True, help="IRI of the live named graph.")
@click.option("--source", type=click.Path(exists=True, path_type=Path), default=Path("out/rncp.nt"), show_default=True)
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds per socket operation.")
@click.option(
    "--chunk-lines", type=click.IntRange(min=1), default=100_000, show_default=True, help="Triples per upload request."
)
@endpoint_exit
def push_command(
    endpoint: str, layout: str, query_url: str | None, update_url: str | None, store_url: str | None,
    graph_iri: str, source: Path, timeout: float, chunk_lines: int,
) -> None:  # fmt: skip
    """PUT SOURCE to a staging graph, verify its count, then move it to the live graph.

    \b
    Examples:
      rncp-graph push --endpoint http://127.0.0.1:7878 --graph https://example.org/rncp
      rncp-graph push --endpoint http://127.0.0.1:8890 --layout virtuoso --graph https://example.org/rncp
    """
    import dataclasses

    from ..push import PushError, StoreEndpoints, push  # only here: the HTTP client

    urls = StoreEndpoints.layout(layout, endpoint)
    given = {"query": query_url, "update": update_url, "store": store_url}
    if any(given.values()):  # another store: find its graphs by their triples (StoreEndpoints.lists_graphs)
        urls = dataclasses.replace(urls, lists_graphs=False, **{key: url for key, url in given.items() if url})
    try:
        report = push(
            source, endpoint=endpoint, graph=graph_iri, endpoints=urls, timeout=timeout, chunk_lines=chunk_lines
        )
    except PushError as exc:
        _endpoint_failed(exc)
    click.echo(f"pushed {report.triples:,} triples to {report.live} (previous version kept in {report.previous})")
