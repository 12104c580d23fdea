"""``python -m rncp_graph`` runs the command-line interface."""

from .cli import run

run()
