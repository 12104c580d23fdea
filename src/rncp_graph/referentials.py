"""Codes the fiches cite that a code list loaded in the store does not hold.

``rncp-graph vocab rome FOLDER --store S`` and ``rncp-graph vocab nsf FOLDER --store S`` load
the ROME 4.0 referential and the NSF nomenclature into the named graphs ``graph/vocab/rome``
and ``graph/vocab/nsf`` of the store ``S``. Once a list is there, every build or update into
``S`` checks the codes its fiches cite against it (:func:`unknown_codes`): each code the list
lacks is one ``warning`` in ``errors.jsonl`` naming the file, the fiche, the field and the
code (rules ``unknown-rome``, ``unknown-nsf``).

The code is **kept** (``action: kept``), its concept and its place in the tree too: a
register cites the codes of its own date, and a referential is one release. The 2021 register
cites ROME v3 codes that ROME 4.0 v460 no longer has (``H1``, ``K1402``...); they are the
register's facts, not errors to drop. The warning says which codes a query joining the
referential will not find. Without a loaded list nothing is checked (a build held in memory,
a store never given a vocabulary); Formacode has no list here, and is never checked.

A ROME code is known when the ROME graph holds it: a fiche code of the release, or one of the
domains and fields above them (``K``, ``K12``). An NSF code is known when the nomenclature
holds it (``3``, ``33``, ``332``), or when it is a group of it followed by one of its letters
(``332p``): D311-4 defines the letters, not a list of specialities.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from . import iris
from .linking.iris_vocab import vocab_graph
from .model import Problem, ProblemAction, ProblemSeverity
from .namespaces import RNCP
from .store import GraphStore

log = logging.getLogger(__name__)

_NOTATIONS = "SELECT DISTINCT ?n ?g ?cls WHERE { GRAPH ?g { ?c a ?cls ; skos:notation ?n } }"
_LETTERS = "SELECT DISTINCT ?n ?g ?letters WHERE { GRAPH ?g { ?c skos:inScheme ?letters ; skos:notation ?n } }"
# (a substituted variable is bound only if projected: see GraphStore.query)
_CITED = (
    "SELECT DISTINCT ?number ?code ?g ?cites WHERE {"
    " GRAPH ?g { ?c rncp:ficheNumber ?number ; ?cites ?concept } ?concept skos:notation ?code }"
    " ORDER BY ?number ?code"
)


@dataclass(frozen=True)
class CodeList:
    """One code list a store may hold: where, what it calls its codes, how a fiche cites them."""

    name: str  # the vocab graph's name and the rule's suffix: ``rome`` → ``unknown-rome``
    field: str  # the field named in the problem (as the loaders' ``invalid-*`` problems do)
    cls: str  # the class of the list's code concepts
    cites: str  # the predicate from a certification to a code
    known: Callable[..., bool]  # (code, *, notations, letters): does the loaded list hold the code?
    title: str


def _rome_known(code: str, *, notations: frozenset[str], letters: frozenset[str]) -> bool:
    return code in notations


def _nsf_known(code: str, *, notations: frozenset[str], letters: frozenset[str]) -> bool:
    return code in notations or (len(code) == 4 and code[:3] in notations and code[3] in letters)


#: the code lists checked, by name of their vocabulary graph
CODE_LISTS = (
    CodeList("rome", "ROME", str(RNCP.RomeCode), str(RNCP.romeCode), _rome_known, "the ROME referential"),
    CodeList("nsf", "NSF", str(RNCP.NsfCode), str(RNCP.nsfCode), _nsf_known, "the NSF nomenclature"),
)


def unknown_codes(store: GraphStore, sources: Iterable[tuple[str, str]]) -> list[Problem]:
    """One warning per (fiche, code) the code lists loaded in ``store`` do not hold.

    :param sources: ``(graph, file)`` of each source graph to check (the file is named in the problems).
    """
    graphs = set(store.graphs())
    problems: list[Problem] = []
    for code_list in CODE_LISTS:
        graph = vocab_graph(code_list.name)
        if graph not in graphs:
            continue
        known = _known(store, code_list, graph)
        for source_graph, file in sources:
            problems += _check(store, code_list, source_graph, file, known)
    if problems:
        log.warning("%d codes cited by fiches are not in the code lists loaded in the store", len(problems))
    return problems


def _known(store: GraphStore, code_list: CodeList, graph: str) -> Callable[[str], bool]:
    """Whether the list loaded in ``graph`` holds a code (from the notations of its codes, and
    of the NSF letters)."""
    vocab = ox.NamedNode(graph)
    rows = store.select(_NOTATIONS, {"g": vocab, "cls": ox.NamedNode(code_list.cls)})
    letters = store.select(_LETTERS, {"g": vocab, "letters": ox.NamedNode(iris.scheme("nsf-letter"))})
    return functools.partial(code_list.known, notations=frozenset(_values(rows)), letters=frozenset(_values(letters)))


def _values(rows: Sequence[Mapping[str, object]]) -> list[str]:
    return [str(getattr(row["n"], "value", "")) for row in rows]


def _check(
    store: GraphStore,
    code_list: CodeList,
    graph: str,
    file: str,
    known: Callable[[str], bool],
) -> list[Problem]:
    rows = store.select(_CITED, {"g": ox.NamedNode(graph), "cites": ox.NamedNode(code_list.cites)})
    problems = []
    for row in rows:
        number, code = (str(getattr(row[k], "value", "")) for k in ("number", "code"))
        if known(code):
            continue
        message = (
            f"{code_list.field} code {code} is not in {code_list.title} loaded in this store "
            f"(graph {vocab_graph(code_list.name)}); kept as the fiche cites it"
        )
        problems.append(
            Problem(
                file=file,
                rule=f"unknown-{code_list.name}",
                message=message,
                fiche=number,
                field=code_list.field,
                value=code,
                severity=ProblemSeverity.WARNING,
                action=ProblemAction.KEPT,
            )
        )
    return problems
