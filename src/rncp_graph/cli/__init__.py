"""The command-line interface: a thin click group; each command calls one library function.

Exit codes (the same for every command, documented in ``--help`` and the README):

====  =====================================================================
0     success (the graph conforms; warnings allowed)
1     SHACL violations (the graph was built and written, it does not conform)
2     bad input: a damaged source (nothing written), bad shapes, bad query or parameter; an
      output the system refuses (disk full, file too large, read-only folder: what was there is kept)
3     internal error (a bug: please report it)
4     built, but some fiches or fields were quarantined (see ``errors.jsonl``)
5     a remote endpoint failed (``query``/``sparql``/``check --endpoint``, ``push``)
6     both 1 and 4: SHACL violations, and fiches quarantined or values dropped
====  =====================================================================
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import logging
import os
import sys
from typing import Any, NoReturn

import click

from ..__about__ import __version__
from ..errors import RNCPGraphError
from ..processes import exit_on_sigterm

EXIT_OK, EXIT_VIOLATIONS, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_QUARANTINED = 0, 1, 2, 3, 4
#: SHACL violations and losses at once (1 and 4 would each hide the other)
EXIT_VIOLATIONS_AND_QUARANTINED = 6

EPILOG = """\b
Exit codes: 0 success · 1 SHACL violations · 2 bad input or unwritable output (nothing written) ·
3 internal error · 4 built with quarantined fiches or dropped fields (see errors.jsonl) ·
5 a remote endpoint failed (query, sparql, check --endpoint, push) · 6 both 1 and 4.
"""


def outcome_code(*, conforms: bool, complete: bool) -> int:
    """The exit code of a command that built or changed a graph: 0, 1 (violations), 4 (fiches
    quarantined or values dropped) or 6 (both)."""
    return {
        (True, True): EXIT_OK,
        (False, True): EXIT_VIOLATIONS,
        (True, False): EXIT_QUARANTINED,
        (False, False): EXIT_VIOLATIONS_AND_QUARANTINED,
    }[(conforms, complete)]


#: command → the module of this package that defines it, imported when the command is asked
#: for: ``rncp-graph query`` imports neither the build pipeline nor networkx and scipy (``analyze``)
COMMANDS = {
    "analyze": "analyze_cmd",
    "build": "build_cmd",
    "info": "info_cmd",
    "diff": "diff_cmd",
    "vocab": "link_cmd",
    "link": "link_cmd",
    "export": "link_cmd",
    "publish": "publish_cmd",
    "queries": "query_cmd",
    "query": "query_cmd",
    "sparql": "query_cmd",
    "check": "query_cmd",
    "serve": "query_cmd",
    "push": "query_cmd",
    "update": "update_cmd",
    "validate": "validate_cmd",
}

#: command → the first sentence of its help, for ``rncp-graph --help``, which so imports no
#: command module (a test checks each against the command's own docstring)
SHORT_HELP = {
    "analyze": "Analyse a built graph: KIND is rome, nsf, formacode or competency (certifications sharing those "
    "codes), lineage (versions and current version) or equivalence (what held blocks lead to through "
    "correspondences).",
    "build": "Build the graph from fiche sources and write it to OUT.",
    "check": "Run every queries/checks/*-violation.rq; exit 1 if any returns rows (listed).",
    "diff": "Compare two exports (XML or CSV, file, zip or folder) fiche by fiche.",
    "export": "Exports to other models (Europass ELM).",
    "info": "Counts per class of a built graph (an .nt / .ttl file, an on-disk store folder, or an output folder "
    "of build: its rncp.nt).",
    "link": "Links to external vocabularies (ESCO).",
    "publish": "Build the graph from SOURCES and write a release folder a portal can take as is.",
    "push": "PUT SOURCE to a staging graph, verify its count, then move it to the live graph.",
    "queries": "List the saved queries (name, parameters, summary).",
    "query": "Run the saved query NAME on the local graph or on --endpoint.",
    "serve": "Serve GRAPH over the SPARQL protocol with the Oxigraph server (pip install 'rncp-graph[serve]').",
    "sparql": "Run an ad-hoc read-only SELECT: QUERY is a .rq file or the query text itself.",
    "update": "Put the fiches of PATH into a built store in place of those of the same number, then revalidate the "
    "nodes the change can reach, without reading the other sources again.",
    "validate": "Validate GRAPH (an .nt / .ttl file, a store folder or an output folder of build: its rncp.nt; "
    "default out/rncp.nt) or build SOURCES first, with the SHACL shapes of shapes/.",
    "vocab": "Reference code lists as SKOS (ROME 4.0, NSF).",
}


#: set by :func:`run` (the console script), None when :func:`main` is called from Python; a
#: command whose process holds nothing to close but the standard streams (a graph in memory,
#: its outputs written) puts its big objects here: :func:`run` then ends the process without
#: freeing them object by object (seconds for a national-size graph and its canonical lines;
#: measured in benchmarks/README.md, Behind the code)
_kept: list[object] | None = None


def allow_quick_exit(keep: object) -> None:
    """In the console script, end the process with ``os._exit`` once this command has returned;
    ``keep`` (the command's big objects) stays referenced until then: freed when the command
    returns, it would cost the time saved. Called from Python, :func:`main` is not affected."""
    if _kept is not None:
        _kept.append(keep)


def run() -> None:
    """The ``rncp-graph`` console script: :func:`main`, the standard exit — or, when the command
    allowed it (:func:`allow_quick_exit`), the same exit code, streams and logs flushed, through
    ``os._exit``. :func:`main` itself never does that: called from Python (a test, a notebook)
    it returns or raises ``SystemExit`` as usual."""
    global _kept  # noqa: PLW0603 - one command per process
    _kept = []
    exit_on_sigterm()  # SIGTERM unwinds: workers and servers stopped, temporary folders removed
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:  # click's standalone mode always ends with SystemExit
        code = EXIT_OK
    if not _kept:
        _kept = None  # main() called later in this process (run() from Python) keeps nothing
        sys.exit(code)
    if not isinstance(code, int):  # sys.exit("message"): printed, exit status 1, as Python does
        if code is not None:
            print(code, file=sys.stderr)
        code = EXIT_OK if code is None else 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a reader that left (`| head`): nothing more to say
            stream.flush()
    os._exit(code)


class Group(click.Group):
    """Maps the project's errors to exit codes, in this one place; loads commands when asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(COMMANDS))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, from :data:`SHORT_HELP`: no command module imported."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, click.Command(name, help=SHORT_HELP[name]).get_short_help_str(limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(f"{__name__}.{COMMANDS[cmd_name]}")  # registers it on ``main``
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RNCPGraphError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:  # `rncp-graph query … | head`: the reader left, which is not an error
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not fail again
            sys.exit(EXIT_OK)
        except OSError as exc:
            if exc.errno not in REFUSED_BY_THE_SYSTEM:
                _internal_error()
            where = f": {exc.filename}" if exc.filename else ""
            click.echo(f"error: {exc.strerror}{where}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        except Exception:
            _internal_error()


#: errors of the disk or the file system (full, quota, file too large, read-only, no permission)
#: that no code of this project raised on purpose: still the operator's to fix, exit 2, no traceback
REFUSED_BY_THE_SYSTEM = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR}
)


def _internal_error() -> NoReturn:
    logging.getLogger("rncp_graph").exception("internal error")
    sys.exit(EXIT_INTERNAL)


@click.group(cls=Group, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rncp-graph")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors: no summary, no progress bars.")
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool) -> None:
    """rncp-graph — build, check and query the knowledge graph of French certifications.

    \b
    Start with:
      rncp-graph build                 # the sample fiches in data/fiches → out/
      rncp-graph info out/rncp.nt      # what the graph holds
    """
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.ensure_object(dict)
    ctx.obj["progress"] = not quiet and sys.stderr.isatty()
    ctx.obj["quiet"] = quiet


__all__ = ["COMMANDS", "SHORT_HELP", "main"]
