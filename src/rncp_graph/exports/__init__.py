"""Exports of a built graph. One table, :data:`EXPORTERS`, feeds both the code and the CLI."""

from __future__ import annotations

from .rdf import EXPORTERS, export, write_ntriples, write_turtle

__all__ = ["EXPORTERS", "export", "write_ntriples", "write_turtle"]
