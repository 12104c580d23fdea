"""The gallery of ``docs/analytics.md``: pictures of a whole register, made by one command::

    python -m rncp_graph.analysis.gallery --graph out/rncp.nt --out docs/img

Writes ``rome-domain-by-nsf-domain``, ``level-by-rome-domain``, ``rome-communities`` and
``lineage-family`` (PNG by default) and prints what each shows.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np

from ..store import GraphStore
from .incidence import certification_attributes, code_labels, extract_incidence
from .lineage import chains, lineage_graph
from .maps import community_map, family_picture, heatmap
from .profiles import ROME_DOMAINS, crosstab, domain_counts
from .run import Options, analyze

log = logging.getLogger(__name__)

#: NSF domains the graph may leave without a label
NSF_DOMAINS = {"10": "Formations générales"}
#: a family drawn by :func:`lineage_family` has at most this many versions (readable labels)
FAMILY_MAX = 14


def rome_domain(code: str) -> str:
    """``K1403`` → ``K``."""
    return code[:1]


def nsf_domain(code: str) -> str:
    """``312p`` → ``31`` (the NSF "domaine" of a speciality)."""
    return code[:2]


def domain_by_domain(store: GraphStore, out: Path, fmt: str) -> Path:
    """ROME domain × NSF domain: how many certifications combine the two."""
    rome, nsf = extract_incidence(store, "rome"), extract_incidence(store, "nsf")
    rome_domains, rome_matrix = domain_counts(rome, {c: rome_domain(c) for c in rome.cols})
    nsf_domains, nsf_matrix = domain_counts(nsf, {c: nsf_domain(c) for c in nsf.cols})
    counts = crosstab((rome.rows, rome_domains, rome_matrix), (nsf.rows, nsf_domains, nsf_matrix))
    labels = code_labels(store, "nsf")
    both = len(set(rome.rows) & set(nsf.rows))
    path = out / f"rome-domain-by-nsf-domain.{fmt}"
    heatmap(
        counts,
        [f"{d} {_short(ROME_DOMAINS.get(d, d), 34)}" for d in rome_domains],
        [f"{d} {_short(labels.get(d, NSF_DOMAINS.get(d, d)), 28)}" for d in nsf_domains],
        path,
        title=f"Certifications by ROME domain (rows) and NSF domain (columns)\n"
        f"all {both:,} certifications with both kinds of code",
        caption="cell: certifications with at least one ROME code of the row's domain and one NSF code of the "
        "column's\n"
        "(a certification with several codes counts in several cells); colour: log scale",
        fmt=fmt,
    )
    return path


def level_by_domain(store: GraphStore, out: Path, fmt: str) -> Path:
    """Level × ROME domain: at what level each field of work is certified."""
    rome = extract_incidence(store, "rome")
    domains, matrix = domain_counts(rome, {c: rome_domain(c) for c in rome.cols})
    attributes = certification_attributes(store)
    levels = [attributes.get(n, {}).get("level") for n in rome.rows]
    known = sorted({lv for lv in levels if isinstance(lv, int)})
    counts = np.zeros((len(known), len(domains)), dtype=np.int64)
    for row, level in enumerate(levels):
        if isinstance(level, int):
            start, end = matrix.indptr[row], matrix.indptr[row + 1]
            counts[known.index(level), matrix.indices[start:end]] += 1
    with_level = sum(1 for lv in levels if isinstance(lv, int))
    path = out / f"level-by-rome-domain.{fmt}"
    heatmap(
        counts,
        [f"level {lv}" for lv in known],
        [f"{d} {_short(ROME_DOMAINS.get(d, d), 30)}" for d in domains],
        path,
        title=f"Certifications by level and ROME domain\n{with_level:,} of the {len(rome.rows):,} certifications "
        "with ROME codes state a level",
        caption="cell: certifications of that level with at least one ROME code of that domain; colour: log scale",
        fmt=fmt,
    )
    return path


def communities(store: GraphStore, out: Path, fmt: str) -> Path:
    """The ROME network's communities, labelled by their dominant codes."""
    result = analyze(store, "rome", Options())
    path = out / f"rome-communities.{fmt}"
    community_map(result.graphs["rome-network"], result.tables["communities"].rows, path, facet="rome", fmt=fmt)
    return path


def lineage_family(store: GraphStore, out: Path, fmt: str) -> Path:
    """The largest family that merges or splits (more versions than its longest chain), small
    enough to label; ties: the longest chain, then the first member."""
    graph = lineage_graph(store)
    found = [c for c in chains(graph) if c.size <= FAMILY_MAX and c.size > c.length + 1] or chains(graph)[:1]
    family = min(found, key=lambda c: (-c.size, -c.length, c.members))
    path = out / f"lineage-family.{fmt}"
    family_picture(graph, family.members.split(), path, fmt=fmt)
    return path


def write_gallery(store: GraphStore, out: Path, fmt: str = "png") -> list[Path]:
    """Every picture of the gallery into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    return [make(store, out, fmt) for make in (domain_by_domain, level_by_domain, communities, lineage_family)]


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    from ..info import open_graph

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--graph", type=Path, default=Path("out/rncp.nt"))
    parser.add_argument("--out", type=Path, default=Path("docs/img"))
    parser.add_argument("--format", choices=("png", "svg"), default="png")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    for path in write_gallery(open_graph(args.graph), args.out, args.format):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
