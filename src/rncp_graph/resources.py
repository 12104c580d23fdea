"""Where the project's own files are: ontology, schemes, shapes, saved queries.

In a source checkout (``pip install -e .``) they sit at the top of the repository; in an
installed wheel they are under ``<prefix>/share/rncp-graph``.
"""

from __future__ import annotations

import sys
from pathlib import Path

_CANDIDATES = (Path(__file__).resolve().parents[2], Path(sys.prefix) / "share" / "rncp-graph")


def project_dir(name: str) -> Path:
    """The folder ``name`` (``ontology``, ``shapes``, ``queries``) of the project."""
    for base in _CANDIDATES:
        if (base / name).is_dir():
            return base / name
    raise FileNotFoundError(f"cannot find the project's {name}/ folder (looked in {', '.join(map(str, _CANDIDATES))})")


def scheme_files() -> list[Path]:
    return sorted((project_dir("ontology") / "schemes").glob("*.ttl"))


def ontology_file() -> Path:
    return project_dir("ontology") / "rncp.ttl"
