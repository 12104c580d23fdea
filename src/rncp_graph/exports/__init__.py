"""Exports of a built graph. One table, :data:`EXPORTERS`, feeds both the code and the CLI;
every export starts from the graph's canonical lines (:class:`.canonical.CanonicalLines`)."""

from __future__ import annotations

from .canonical import CanonicalLines, canonical_bytes, canonical_lines
from .rdf import EXPORTERS, export, write_ntriples, write_turtle

__all__ = [
    "EXPORTERS",
    "CanonicalLines",
    "canonical_bytes",
    "canonical_lines",
    "export",
    "write_ntriples",
    "write_turtle",
]
