"""rncp-graph: the open knowledge graph of French professional certifications.

In a notebook::

    import rncp_graph
    result = rncp_graph.build(["data/fiches"])     # parse, map and load into Oxigraph
    result.store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    g = result.graph()                              # an rdflib.Dataset view (union of sources)
"""

from __future__ import annotations

from .__about__ import __version__
from .build import Build, build
from .store import GraphStore

__all__ = ["Build", "GraphStore", "__version__", "build"]
