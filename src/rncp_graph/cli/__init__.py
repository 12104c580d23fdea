"""The command-line interface: a thin click group; each command calls one library function.

Exit codes (the same for every command, documented in ``--help`` and the README):

====  =====================================================================
0     success (the graph conforms; warnings allowed)
1     SHACL violations (the graph was built and written, it does not conform)
2     bad input: a damaged source (nothing written), bad shapes, bad query or parameter
3     internal error (a bug: please report it)
4     built, but some fiches or fields were quarantined (see ``errors.jsonl``)
====  =====================================================================
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import click

from ..__about__ import __version__
from ..errors import RNCPGraphError

EXIT_OK, EXIT_VIOLATIONS, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_QUARANTINED = 0, 1, 2, 3, 4

EPILOG = """\b
Exit codes: 0 success · 1 SHACL violations · 2 bad input (nothing written) ·
3 internal error · 4 built with quarantined fiches or dropped fields (see errors.jsonl).
"""


class Group(click.Group):
    """Maps the project's errors to exit codes, in this one place."""

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
        except Exception:
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


# Commands register themselves on ``main`` when their module is imported: one line each.
from . import (  # noqa: E402
    analyze_cmd,  # noqa: F401
    build_cmd,  # noqa: F401
    diff_cmd,  # noqa: F401
    link_cmd,  # noqa: F401
    publish_cmd,  # noqa: F401
    query_cmd,  # noqa: F401
    update_cmd,  # noqa: F401
    validate_cmd,  # noqa: F401
)

__all__ = ["main"]
