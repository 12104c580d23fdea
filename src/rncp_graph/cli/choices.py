"""The choices and defaults the command options show, written out here so that a command's
``--help`` does not import the library modules that own them (the build pipeline, SHACL);
``tests/test_cli_imports.py`` checks each against the library's own value."""

from __future__ import annotations

from pathlib import Path

#: :data:`rncp_graph.validate.STRATEGIES`
STRATEGIES = ("per-fiche", "whole", "sparql")
#: :data:`rncp_graph.pipeline.build.DEFAULT_SOURCES`
DEFAULT_SOURCES = ("data/fiches",)
#: :data:`rncp_graph.validate.report.FORMATS`
REPORT_FORMATS = ("text", "ttl", "json")
#: :class:`rncp_graph.validate.report.Severity`, most severe first
SEVERITIES = ("violation", "warning", "info")
#: :data:`rncp_graph.analysis.run.KINDS`
ANALYSIS_KINDS = ("rome", "nsf", "formacode", "competency", "lineage", "equivalence")
#: :data:`rncp_graph.analysis.outputs.WRITERS`
ANALYSIS_FORMATS = ("graphml", "gexf", "csv", "png", "svg")
#: :data:`rncp_graph.analysis.backbone.RULES` (the first is the default)
REDUCTIONS = ("top-k", "disparity", "all")
#: :data:`rncp_graph.analysis.similarity.MAX_EDGES`
MAX_EDGES = 500_000
#: :data:`rncp_graph.analysis.tables.TABLE_FORMATS`
TABLE_FORMATS = ("csv", "parquet")
#: :data:`rncp_graph.analysis.network.COMMUNITY_METHODS`
COMMUNITY_METHODS = ("louvain", "greedy")
#: :data:`rncp_graph.exports.publish.DEFAULT_OUT`
RELEASE_FOLDER = Path("out/release")
#: :data:`rncp_graph.pipeline.update.MAX_SHARE` and :data:`rncp_graph.pipeline.update.FEW`
MAX_SHARE = 0.1
FEW = 50
