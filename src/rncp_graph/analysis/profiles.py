"""What groups of certifications are made of: the dominant ROME / NSF codes and levels of each
community, and the aggregate counts the national-scale pictures show (ROME domain × NSF
domain, level × ROME domain).

Everything is a sparse product: a group × certification indicator matrix times a
certification × code incidence (:mod:`.incidence`), so a profile of 16,000 certifications
in 500 communities is one multiplication.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp

from .incidence import Incidence

#: codes named per group in :class:`CommunityRow`
TOP_CODES = 3
#: members named per group (highest degree first)
TOP_MEMBERS = 5

#: ROME "grands domaines" (the first letter of a code), for graphs whose domain concepts lack a label
ROME_DOMAINS: dict[str, str] = {
    "A": "Agriculture, pêche, espaces verts, animaux",
    "B": "Arts et façonnage d'ouvrages d'art",
    "C": "Banque, assurance, immobilier",
    "D": "Commerce, vente, grande distribution",
    "E": "Communication, média, multimédia",
    "F": "Construction, bâtiment, travaux publics",
    "G": "Hôtellerie-restauration, tourisme, loisirs",
    "H": "Industrie",
    "I": "Installation et maintenance",
    "J": "Santé",
    "K": "Services à la personne et à la collectivité",
    "L": "Spectacle",
    "M": "Support à l'entreprise",
    "N": "Transport et logistique",
}


@dataclass(frozen=True)
class CommunityRow:
    """One community of a certification network and what it is made of.

    ``top_rome`` / ``top_nsf``: the most frequent codes among its members, each with how many
    members hold it (``K1403 (412)``); ``top_rome_label``: the label of the first one.
    """

    community: int
    size: int
    top_rome: str
    top_rome_label: str
    top_nsf: str
    top_nsf_label: str
    levels: str
    members: str


def indicator(groups: Sequence[Sequence[str]], rows: Sequence[str]) -> sp.csr_matrix:
    """Group × row 0/1 matrix: entry (g, r) is 1 when ``rows[r]`` is a member of ``groups[g]``."""
    position = {name: k for k, name in enumerate(rows)}
    pairs = [(g, position[m]) for g, members in enumerate(groups) for m in members if m in position]
    gi = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
    ri = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
    return sp.csr_matrix((np.ones(len(pairs), dtype=np.int32), (gi, ri)), shape=(len(groups), len(rows)))


def top_codes(counts: sp.csr_matrix, cols: Sequence[str], top: int = TOP_CODES) -> list[list[tuple[str, int]]]:
    """For each row of ``counts`` (group × code), its ``top`` codes with their counts (ties by code)."""
    found = []
    for g in range(counts.shape[0]):
        start, end = counts.indptr[g], counts.indptr[g + 1]
        pairs = sorted(
            zip(counts.data[start:end].tolist(), counts.indices[start:end].tolist(), strict=True),
            key=lambda p: (-p[0], cols[p[1]]),
        )
        found.append([(cols[j], int(n)) for n, j in pairs[:top]])
    return found


def community_table(
    graph: nx.Graph, rome: Incidence, nsf: Incidence, labels: dict[str, dict[str, str]]
) -> list[CommunityRow]:
    """One :class:`CommunityRow` per community of an annotated network (attribute ``community``).

    :param labels: ``{"rome": code → label, "nsf": code → label}``.
    """
    members: dict[int, list[str]] = {}
    for node, data in graph.nodes(data=True):
        if isinstance(data.get("community"), int):
            members.setdefault(data["community"], []).append(node)
    groups = [sorted(members[c], key=lambda n: (-graph.degree(n), n)) for c in sorted(members)]
    tops = {
        name: top_codes((indicator(groups, inc.rows) @ inc.matrix).tocsr(), inc.cols)
        for name, inc in (("rome", rome), ("nsf", nsf))
    }
    rows = []
    for index, group in zip(sorted(members), groups, strict=True):
        rome_top, nsf_top = tops["rome"][index], tops["nsf"][index]
        rows.append(
            CommunityRow(
                community=index,
                size=len(group),
                top_rome=_codes(rome_top),
                top_rome_label=labels["rome"].get(rome_top[0][0], "") if rome_top else "",
                top_nsf=_codes(nsf_top),
                top_nsf_label=labels["nsf"].get(nsf_top[0][0], "") if nsf_top else "",
                levels=_levels(graph, group),
                members=" ".join(group[:TOP_MEMBERS]),
            )
        )
    return rows


def _codes(top: list[tuple[str, int]]) -> str:
    return " · ".join(f"{code} ({n})" for code, n in top)


def _levels(graph: nx.Graph, group: list[str]) -> str:
    counts: dict[int, int] = {}
    for node in group:
        level = graph.nodes[node].get("level")
        if isinstance(level, int):
            counts[level] = counts.get(level, 0) + 1
    return " ".join(f"{level}:{n}" for level, n in sorted(counts.items()))


def domain_counts(inc: Incidence, domain_of: dict[str, str]) -> tuple[list[str], sp.csr_matrix]:
    """Certification × domain 0/1 matrix: the domains (``domain_of[code]``) of each certification's codes."""
    domains = sorted({domain_of[c] for c in inc.cols if c in domain_of})
    position = {d: k for k, d in enumerate(domains)}
    cols = [(j, position[domain_of[c]]) for j, c in enumerate(inc.cols) if c in domain_of]
    gather = sp.csr_matrix(
        (np.ones(len(cols), dtype=np.int32), ([j for j, _ in cols], [d for _, d in cols])),
        shape=(len(inc.cols), len(domains)),
    )
    by_domain = (inc.matrix @ gather).tocsr()
    by_domain.data[:] = 1
    return domains, by_domain


def crosstab(
    left: tuple[list[str], list[str], sp.csr_matrix], right: tuple[list[str], list[str], sp.csr_matrix]
) -> np.ndarray:
    """Certifications counted in each (left domain, right domain) cell; each side is
    (certification numbers, domain names, certification × domain 0/1 matrix)."""
    rows = sorted(set(left[0]) & set(right[0]))
    pick_left = _rows(left[0], rows) @ left[2]
    pick_right = _rows(right[0], rows) @ right[2]
    return np.asarray((pick_left.T @ pick_right).todense())


def _rows(names: list[str], wanted: list[str]) -> sp.csr_matrix:
    position = {n: k for k, n in enumerate(names)}
    cols = np.array([position[w] for w in wanted], dtype=np.int64)
    data = np.ones(len(wanted), dtype=np.int32)
    return sp.csr_matrix((data, (np.arange(len(wanted)), cols)), shape=(len(wanted), len(names)))
