"""Graph analytics with networkx: similarity networks, lineage, VAE / equivalence paths.

In a notebook::

    import rncp_graph
    from rncp_graph import analysis

    store = rncp_graph.build(["data/fiches"]).store
    g = analysis.similarity_network(store, "rome", min_shared=1)   # networkx.Graph
    analysis.annotate(g)                                            # component, community, degree
    analysis.centrality_table(g, top=10)                            # list of CentralityRow
    lin = analysis.lineage_graph(store)                             # networkx.DiGraph, old → new
    analysis.current_versions(lin, "RNCP4525")                      # ["RNCP37519"]
    analysis.equivalence_report(store, ["RNCP2514"]).reachable      # ranked list of Reachable

Modules: :mod:`.incidence` (one SPARQL SELECT → scipy sparse matrix), :mod:`.backbone`
(which pairs of a projection become edges: top-k, disparity backbone, all), :mod:`.similarity`
(sparse products → reduced networkx graphs), :mod:`.profiles` (communities' dominant codes,
aggregate counts), :mod:`.maps` and :mod:`.gallery` (pictures of a whole register),
:mod:`.tables` (DataFrames, CSV, Parquet), :mod:`.network` (components, communities,
centrality, ranked tables), :mod:`.lineage`, :mod:`.correspondences` and
:mod:`.equivalence`, :mod:`.outputs` and :mod:`.picture` (GraphML, GEXF, CSV, PNG/SVG),
:mod:`.run` (what ``rncp-graph analyze`` runs). Semantics: ``docs/analytics.md``.
"""

from __future__ import annotations

from .backbone import Reduction
from .equivalence import Holdings, equivalence_report, paths_graph
from .incidence import FACETS, Incidence, Scope, extract_incidence
from .lineage import chains, current_versions, lineage_cycles, lineage_graph, lineage_report, lineage_table
from .network import annotate, centrality_table, code_table, communities, components
from .outputs import WRITERS, as_records, to_frame, write_gexf, write_graph, write_graphml
from .profiles import CommunityRow, community_table
from .run import KINDS, Analysis, Options, analyze, write_analysis
from .similarity import TooManyEdges, code_network, pairs_of, rome_code_network, similarity_network

__all__ = [
    "FACETS",
    "KINDS",
    "WRITERS",
    "Analysis",
    "CommunityRow",
    "Holdings",
    "Incidence",
    "Options",
    "Reduction",
    "Scope",
    "TooManyEdges",
    "analyze",
    "annotate",
    "as_records",
    "centrality_table",
    "chains",
    "code_network",
    "code_table",
    "communities",
    "community_table",
    "components",
    "current_versions",
    "equivalence_report",
    "extract_incidence",
    "lineage_cycles",
    "lineage_graph",
    "lineage_report",
    "lineage_table",
    "pairs_of",
    "paths_graph",
    "rome_code_network",
    "similarity_network",
    "to_frame",
    "write_analysis",
    "write_gexf",
    "write_graph",
    "write_graphml",
]
