"""rncp-graph: the open knowledge graph of French professional certifications.

In a notebook::

    import rncp_graph
    result = rncp_graph.build(["data/fiches"])     # parse, map and load into Oxigraph
    result.store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    g = result.graph()                              # an rdflib.Dataset view (union of sources)

``build``, ``Build`` and ``GraphStore`` are imported on first use: ``import rncp_graph`` (and
so every ``rncp-graph`` command, ``--help`` included) does not pay for the loaders, SHACL and
analysis modules that ``build`` needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .__about__ import __version__

if TYPE_CHECKING:
    from .pipeline.build import Build, build
    from .store import GraphStore

__all__ = ["Build", "GraphStore", "__version__", "build"]

#: public name → the module that defines it, imported when the name is first asked for
_LAZY = {"Build": "pipeline.build", "build": "pipeline.build", "GraphStore": "store"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value
