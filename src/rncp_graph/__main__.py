"""``python -m rncp_graph`` runs the command-line interface."""

from .cli import main

main()
