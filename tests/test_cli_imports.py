"""What the command line imports: ``--help`` and the query commands do not pay for the build
pipeline, SHACL, the analysis or rdflib's SPARQL engine (issue 21: ≤ 0.3 s for ``--help``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest

from rncp_graph import cli

#: modules no command of this list needs, each tens to hundreds of milliseconds to import
HEAVY = ("rdflib.plugins.sparql", "pyshacl", "networkx", "matplotlib", "scipy", "pandas", "lxml")


QUAD = "ox.Quad(ox.NamedNode('http://x/s'), ox.NamedNode('http://x/p'), ox.Literal('o'))"


def loaded_after(code: str, *, cwd: Path | None = None) -> set[str]:
    """The heavy modules a fresh interpreter holds after running ``code``."""
    probe = f"{code}\nimport sys\nprint('HEAVY:', *(m for m in {HEAVY!r} if m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=cwd)
    return set(run.stdout.rsplit("HEAVY:", 1)[1].split())


def cli_call(*args: str) -> str:
    return f"from rncp_graph.cli import main\ntry:\n    main({list(args)!r})\nexcept SystemExit:\n    pass"


def test_importing_the_command_line_loads_no_heavy_module() -> None:
    assert loaded_after("import rncp_graph.cli") == set()
    assert loaded_after("import rncp_graph") == set()


@pytest.mark.parametrize("args", [("--help",), ("query", "--help"), ("info", "--help"), ("sparql", "--help")])
def test_help_and_the_query_commands_load_no_heavy_module(args: tuple[str, ...]) -> None:
    assert loaded_after(cli_call(*args)) == set()


def test_a_saved_query_on_a_store_loads_no_heavy_module_once_its_verdicts_are_kept(tmp_path: Path) -> None:
    """The second call finds every saved query's verdict in the cache: nothing is parsed, so
    rdflib's SPARQL parser is not even imported."""
    store = tmp_path / "store"
    subprocess.run(
        [sys.executable, "-c", f"import pyoxigraph as ox; s = ox.Store({str(store)!r}); s.add({QUAD}); s.flush()"],
        check=True,
    )
    call = cli_call("query", "certifications-sharing-rome", "-p", "rome=K1403", "--graph", str(store))
    loaded_after(cli_call("queries"))  # checks the saved queries and keeps the verdicts
    assert loaded_after(call) == set()
    assert loaded_after(cli_call("queries")) == set()
    assert loaded_after(cli_call("info", str(store))) == set()


def test_an_adhoc_select_on_a_store_is_not_parsed(tmp_path: Path) -> None:
    """``sparql`` with a plain SELECT (no SERVICE, LOAD, FROM, escape) on Oxigraph: the allow-list's
    verdict is known without rdflib's parser; one holding FROM is parsed (and refused)."""
    store = tmp_path / "store"
    subprocess.run(
        [sys.executable, "-c", f"import pyoxigraph as ox; s = ox.Store({str(store)!r}); s.add({QUAD}); s.flush()"],
        check=True,
    )
    plain = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert loaded_after(cli_call("sparql", plain, "--graph", str(store))) == set()
    parsed = "SELECT (COUNT(*) AS ?n) FROM <http://x/g> WHERE { ?s ?p ?o }"
    assert loaded_after(cli_call("sparql", parsed, "--graph", str(store))) == {"rdflib.plugins.sparql"}


def test_the_short_help_of_every_command_is_its_own() -> None:
    """``--help`` lists the commands from ``cli.SHORT_HELP`` without importing them: each entry is
    the first sentence of the command's docstring."""
    ctx = click.Context(cli.main)
    assert set(cli.SHORT_HELP) == set(cli.COMMANDS)
    for name in cli.COMMANDS:
        command = cli.main.get_command(ctx, name)
        assert command is not None
        assert cli.SHORT_HELP[name] == command.get_short_help_str(limit=10_000), name


def test_the_choices_written_out_for_help_are_the_librarys() -> None:
    from rncp_graph.cli import choices
    from rncp_graph.pipeline.build import DEFAULT_SOURCES
    from rncp_graph.validate import STRATEGIES
    from rncp_graph.validate.report import FORMATS, Severity

    assert tuple(STRATEGIES) == choices.STRATEGIES
    assert choices.DEFAULT_SOURCES == DEFAULT_SOURCES
    assert tuple(FORMATS) == choices.REPORT_FORMATS
    assert tuple(s.name.lower() for s in sorted(Severity, reverse=True)) == choices.SEVERITIES


def test_the_other_choices_and_defaults_written_out_for_help_are_the_librarys() -> None:
    from rncp_graph.analysis.network import COMMUNITY_METHODS
    from rncp_graph.analysis.outputs import WRITERS
    from rncp_graph.analysis.run import KINDS
    from rncp_graph.cli import choices
    from rncp_graph.exports.publish import DEFAULT_OUT
    from rncp_graph.pipeline.update import FEW, MAX_SHARE

    assert tuple(KINDS) == choices.ANALYSIS_KINDS
    assert set(WRITERS) == set(choices.ANALYSIS_FORMATS)
    assert tuple(COMMUNITY_METHODS) == choices.COMMUNITY_METHODS
    assert (DEFAULT_OUT, MAX_SHARE, FEW) == (choices.RELEASE_FOLDER, choices.MAX_SHARE, choices.FEW)


@pytest.mark.parametrize("command", ["build", "validate", "update", "analyze", "vocab", "link", "export", "publish"])
def test_the_help_of_the_pipeline_commands_loads_no_heavy_module(command: str) -> None:
    assert loaded_after(cli_call(command, "--help")) == set()
