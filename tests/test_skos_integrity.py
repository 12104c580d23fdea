"""skosify's SKOS integrity checks on every scheme we publish: the fixed schemes of
``ontology/schemes``, the ROME and NSF vocabularies (``rncp-graph vocab``) and their union with
the sample fiches' graph.

The checks are skosify's own functions (``skosify.check``), run the way ``skosify`` runs them:
after its inferences (``skos:related`` made symmetric, ``skos:narrower`` from ``skos:broader``),
on a copy, nothing fixed. They report through the ``logging`` root logger; each warning is one
problem. Conditions (numbers of the SKOS reference's integrity conditions):

* ``cycles``: ``skos:broader`` cycles;
* ``S27``: two concepts joined by both ``skos:related`` and ``skos:broaderTransitive``;
* ``S14``: more than one ``skos:prefLabel`` per language. skosify 2.3.0's default policy
  ``all`` is rejected by its own code ("Unknown preflabel-policy: all") before anything is
  checked, so the policy ``shortest`` is used on the copy: it warns once per concept;
* ``S13``: one label as two of ``prefLabel``, ``altLabel``, ``hiddenLabel``.

``hierarchical_redundancy`` (a ``skos:broader`` implied by another path) is not an integrity
condition — SKOS allows it, skosify only warns — and is not asserted: ROME 4.0 codes have both
their parent fiche and their field as ``skos:broader`` (A1102 → A1101 → A11 and A1102 → A11).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import rdflib

from rncp_graph import build
from rncp_graph.linking import iris_vocab, run

from .constants import FICHES_DIR, ROOT, SHARED_DATA
from .test_linking_support import LINKING, fixture_store, shared

skosify_check = pytest.importorskip("skosify.check")
skosify_infer = pytest.importorskip("skosify.infer")

SCHEMES = sorted((ROOT / "ontology" / "schemes").glob("*.ttl"))


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _warnings() -> Iterator[list[str]]:
    root, handler = logging.getLogger(), _Collect()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    try:
        yield handler.messages
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


CHECKS: dict[str, Callable[[rdflib.Graph], object]] = {
    "cycles": lambda g: skosify_check.hierarchy_cycles(g, fix=False),
    "S27": lambda g: skosify_check.disjoint_relations(g, fix=False),
    "S14": lambda g: skosify_check.preflabel_uniqueness(g, policy="shortest"),
    "S13": lambda g: skosify_check.label_overlap(g, fix=False),
}


def skosify_problems(graph: rdflib.Graph) -> dict[str, list[str]]:
    """What skosify's checks report on a copy of ``graph``, by condition."""
    copy = rdflib.Graph()
    for triple in graph:
        copy.add(triple)
    skosify_infer.skos_related(copy)
    skosify_infer.skos_hierarchical(copy, True)
    problems = {}
    for name, check in CHECKS.items():
        with _warnings() as messages:
            check(copy)
        problems[name] = messages
    return problems


def assert_clean(graph: rdflib.Graph) -> None:
    problems = skosify_problems(graph)
    assert {k: v[:3] for k, v in problems.items() if v} == {}


@pytest.mark.parametrize("path", SCHEMES, ids=lambda p: p.name)
def test_fixed_schemes_pass_skosify(path: Path) -> None:
    assert_clean(rdflib.Graph().parse(path))


def test_all_fixed_schemes_together_pass_skosify() -> None:
    graph = rdflib.Graph()
    for path in SCHEMES:
        graph.parse(path)
    assert_clean(graph)


def test_the_checks_find_what_they_look_for() -> None:
    """Each condition, broken on purpose, is reported (the harness cannot pass by missing everything)."""
    ex, skos = rdflib.Namespace("http://example.org/"), rdflib.namespace.SKOS
    graph = rdflib.Graph()
    for concept in (ex.a, ex.b):
        graph.add((concept, rdflib.RDF.type, skos.Concept))
    graph.add((ex.a, skos.broader, ex.b))
    graph.add((ex.b, skos.broader, ex.a))  # cycle
    graph.add((ex.c, skos.broader, ex.d))
    graph.add((ex.c, skos.related, ex.d))  # S27
    graph.add((ex.e, skos.prefLabel, rdflib.Literal("un", lang="fr")))
    graph.add((ex.e, skos.prefLabel, rdflib.Literal("deux", lang="fr")))  # S14
    graph.add((ex.f, skos.prefLabel, rdflib.Literal("trois", lang="fr")))
    graph.add((ex.f, skos.altLabel, rdflib.Literal("trois", lang="fr")))  # S13
    problems = skosify_problems(graph)
    assert {k for k, v in problems.items() if v} == {"cycles", "S27", "S14", "S13"}


def test_rome_fixture_mobility_to_a_parent_is_not_related() -> None:
    """The hand-made release has M1502 → M1501 mobility with M1501 its parent fiche (S27 before the fix)."""
    result = run.rome_vocabulary(LINKING / "rome", store=(store := fixture_store()))
    assert result.triples > 0
    graph = rdflib.Graph()
    for quad in store.iter_quads(iris_vocab.vocab_graph("rome")):
        graph.parse(data=f"{quad.subject} {quad.predicate} {quad.object} .", format="nt")
    assert_clean(graph)


def test_fiche_labels_become_alt_labels_beside_the_official_ones() -> None:
    """The fixture's fiche graph labels M1502 "Gestion de la paie" (the ROME v3 label); ROME v999's
    official label is "Gestionnaire de paie": the official one is the prefLabel, the fiche's an altLabel."""
    store = fixture_store()
    result = run.rome_vocabulary(LINKING / "rome", store=store)
    assert result.relabelled == 2  # M1502 and N1101; A12 is not a concept of the release
    rows = store.select(
        "SELECT ?p ?l WHERE { <https://w3id.org/rncp-graph/id/rome/M1502> ?p ?l "
        "FILTER(?p IN (skos:prefLabel, skos:altLabel)) }"
    )
    labels = {(r["p"].value, r["l"].value) for r in rows if r["p"] is not None and r["l"] is not None}
    skos = "http://www.w3.org/2004/02/skos/core#"
    assert (skos + "prefLabel", "Gestionnaire de paie") in labels
    assert (skos + "altLabel", "Gestion de la paie") in labels
    assert (skos + "prefLabel", "Gestion de la paie") not in labels
    assert run.rome_vocabulary(LINKING / "rome", store=store).relabelled == 0  # a rerun finds nothing to do
    assert_clean(store.to_rdflib_graph())


# -- the real referentials (../shared/data) ----------------------------------------------------
@pytest.fixture(scope="module")
def sample_union() -> rdflib.Graph:
    """The sample fiches' graph with the ROME v460 and NSF vocabularies loaded into its store."""
    store = build([FICHES_DIR]).store
    run.rome_vocabulary(shared(SHARED_DATA / "rome-v460"), store=store)
    run.nsf_vocabulary(shared(SHARED_DATA / "nsf"), store=store)
    return store.to_rdflib_graph()


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize("name", ["rome-v460", "nsf"])
def test_published_vocabularies_pass_skosify(name: str, tmp_path: Path) -> None:
    builder = run.rome_vocabulary if name == "rome-v460" else run.nsf_vocabulary
    out = tmp_path / f"{name}.ttl"
    builder(shared(SHARED_DATA / name), out=out)
    assert_clean(rdflib.Graph().parse(out))


@pytest.mark.shared
@pytest.mark.slow
def test_samples_with_the_vocabularies_pass_skosify(sample_union: rdflib.Graph) -> None:
    """Before: 8 ROME codes (and 5 NSF codes) of the samples had two French prefLabels in the union."""
    assert_clean(sample_union)
