"""The examples of every command's ``--help``: each one names a command and options that exist,
with values click accepts, and input files the repository (or ``../shared/data``) holds.

They are parsed by click as the command line would be, from a folder laid out as the
repository's root (``data/``, ``tests/``, ``../shared``) after ``rncp-graph build --store
store/``: ``out/rncp.nt`` and ``store/`` are there. They are not run here (a build, a release
and the ESCO linking would take a minute); each was run once by hand from the repository root.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import shlex
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from rncp_graph import cli

from .constants import ROOT, SHARED_DATA

#: commands whose module another branch rewrites (cli/query_cmd.py, cli/info_cmd.py): their
#: examples come with it; a command leaves this set once its --help has examples
#: what ends the command in an example's shell line
SHELL_OPERATORS = {">", ">>", "|", "&&", ";"}


def leaf_commands() -> Iterator[tuple[str, click.Command]]:
    """Every command that runs something (``vocab rome``, not ``vocab``), with its full name."""
    for module in pkgutil.iter_modules(cli.__path__):
        importlib.import_module(f"rncp_graph.cli.{module.name}")

    def walk(group: click.Group, prefix: str) -> Iterator[tuple[str, click.Command]]:
        for name, command in sorted(group.commands.items()):
            if isinstance(command, click.Group):
                yield from walk(command, f"{prefix}{name} ")
            else:
                yield f"{prefix}{name}", command

    yield from walk(cli.main, "")


def examples(name: str, command: click.Command) -> list[str]:
    """The ``rncp-graph …`` lines under ``Example:`` / ``Examples …:`` in the command's --help."""
    text = command.get_help(click.Context(command, info_name=f"rncp-graph {name}"))
    found, inside = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("Example"):
            inside = True
        elif inside and stripped.startswith("rncp-graph "):
            found.append(stripped)
        else:
            inside = False
    return found


ALL_EXAMPLES = [line for name, command in leaf_commands() for line in examples(name, command)]


def test_every_command_has_examples() -> None:
    missing = {name for name, command in leaf_commands() if not examples(name, command)}
    assert missing == set(), missing
    assert len(ALL_EXAMPLES) >= 20


@pytest.fixture(scope="module")
def repository_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder that looks like the repository root after ``rncp-graph build --store store/``."""
    base = tmp_path_factory.mktemp("examples")
    root = base / "repo"
    root.mkdir()
    for name in ("data", "tests"):
        (root / name).symlink_to(ROOT / name)
    if SHARED_DATA.is_dir():
        (base / "shared").symlink_to(SHARED_DATA.parent)
    (root / "out").mkdir()
    (root / "out" / "rncp.nt").write_bytes(b"")
    (root / "store").mkdir()
    before = Path.cwd()
    os.chdir(root)
    try:
        yield root
    finally:
        os.chdir(before)


def command_of(words: list[str]) -> tuple[click.Command, list[str], click.Context]:
    """The command an example runs, its arguments, and the context of its group."""
    assert words[0] == "rncp-graph"
    group: click.Command = cli.main
    ctx = click.Context(cli.main, info_name="rncp-graph")
    rest = words[1:]
    while isinstance(group, click.Group):
        found = group.get_command(ctx, rest[0])
        assert found is not None, f"no command {rest[0]!r}"
        ctx = click.Context(found, info_name=rest[0], parent=ctx)
        group, rest = found, rest[1:]
    return group, rest, ctx.parent or ctx


@pytest.mark.parametrize("line", ALL_EXAMPLES, ids=ALL_EXAMPLES)
def test_an_example_of_help_parses_and_its_inputs_exist(line: str, repository_root: Path) -> None:
    if "../shared/" in line and not SHARED_DATA.is_dir():
        pytest.skip(f"real third-party data not available at {SHARED_DATA}")
    words = shlex.split(line, comments=True)
    words = words[: next((i for i, w in enumerate(words) if w in SHELL_OPERATORS), len(words))]
    command, args, parent = command_of(words)  # update's examples start with a build
    called = " ".join(words[1 : len(words) - len(args)])
    ctx = command.make_context(called, args, parent=parent)  # unknown options, bad values, missing files fail here
    for param in command.params:
        if isinstance(param, click.Argument) and param.name == "paths":  # sources: files, folders or globs
            for path in ctx.params["paths"]:
                assert next(repository_root.glob(path), None), f"{path} is not in the repository"
