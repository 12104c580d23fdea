"""The exit codes the commands use are the ones the README and ``rncp-graph --help`` list."""

from __future__ import annotations

import importlib
import pkgutil
import re

from click.testing import CliRunner

from rncp_graph import cli
from rncp_graph.cli import main

from .constants import ROOT


def used_codes() -> dict[str, int]:
    """Every ``EXIT_*`` constant of the CLI's modules, by name."""
    codes: dict[str, int] = {}
    for module in pkgutil.iter_modules(cli.__path__):
        loaded = importlib.import_module(f"{cli.__name__}.{module.name}")
        codes.update({k: v for k, v in vars(loaded).items() if k.startswith("EXIT_") and isinstance(v, int)})
    codes.update({k: v for k, v in vars(cli).items() if k.startswith("EXIT_") and isinstance(v, int)})
    return codes


def test_the_readme_and_the_help_list_every_exit_code_used() -> None:
    used = set(used_codes().values())
    assert {0, 1, 2, 3, 4, 5} <= used  # 5: an endpoint or a push failed (query_cmd)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paragraph = readme[readme.index("Exit codes of every command:") :].split("\n\n")[0]
    assert {int(c) for c in re.findall(r"`(\d)`", paragraph)} == used
    epilog = CliRunner().invoke(main, ["--help"]).output
    listed = epilog[epilog.index("Exit codes:") :]
    assert {int(c) for c in re.findall(r"(?:^|[:·])\s*(\d) ", listed, flags=re.MULTILINE)} == used
    table = re.findall(r"^(\d)\s{3,}", cli.__doc__ or "", flags=re.MULTILINE)
    assert {int(c) for c in table} == used
