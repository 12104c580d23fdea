"""``rncp_graph.pipeline.update`` and ``rncp-graph update``: changed fiches into a built store, and their revalidation.

Every kind of change is checked three ways against what a build gives: the merged view equals
the build of the export with the changed fiche; the whole store's results before and after
differ only on the nodes the update revalidated; and the update's report is the whole store's
report on those nodes.
"""

from __future__ import annotations

import gc
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from rncp_graph import iris
from rncp_graph.changes import PendingStore
from rncp_graph.cli import main
from rncp_graph.errors import StructuralError
from rncp_graph.exports.canonical import canonical_lines
from rncp_graph.info import open_graph
from rncp_graph.namespaces import RNCP
from rncp_graph.pipeline import update as update_module
from rncp_graph.pipeline.build import build
from rncp_graph.pipeline.stages import source_sha256
from rncp_graph.pipeline.update import Update, update
from rncp_graph.store import GraphStore
from rncp_graph.validate import Report, validate, validate_nodes

from .test_generator import generate_xml

FICHE = re.compile(r"    <FICHE>\n.*?\n    </FICHE>\n", re.S)
PROVENANCE = f"<{iris.SOURCE_GRAPH_PREFIX}"


class Export:
    """A generated export cut into its fiches, to write variants of it."""

    def __init__(self, text: str) -> None:
        self.fiches = FICHE.findall(text)
        self.head = text[: text.index(self.fiches[0])]
        self.tail = text[text.rindex(self.fiches[-1]) + len(self.fiches[-1]) :]

    def write(self, path: Path, fiches: list[str]) -> Path:
        path.write_text(self.head + "".join(fiches) + self.tail, encoding="utf-8")
        return path

    def number(self, i: int) -> str:
        found = re.search(r"<NUMERO_FICHE>(.*?)</NUMERO_FICHE>", self.fiches[i])
        assert found is not None
        return found.group(1)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Export:
    path = tmp_path_factory.mktemp("export") / "export-fiches-2026-01-01.xml"
    generate_xml.write(40, path, seed=5)
    return Export(path.read_text(encoding="utf-8"))


def _sub(pattern: str, replacement: str, count: int = 1) -> Callable[[Export, int], str]:
    def edit(export: Export, i: int) -> str:
        changed, n = re.subn(pattern, replacement, export.fiches[i], count=count, flags=re.S)
        assert n, f"{pattern!r} not in fiche {i}"
        return changed

    return edit


def _shared_competency(export: Export, i: int) -> str:
    """A competency of another fiche added to the first block: a shared competency appears."""
    other = re.search(r"<LISTE_COMPETENCES>(.*?)      ", export.fiches[i + 7])
    assert other is not None
    return export.fiches[i].replace("<LISTE_COMPETENCES>", f"<LISTE_COMPETENCES>{other.group(1)}      ", 1)


def _certifier_of_another(export: Export, i: int) -> str:
    """The certifiers replaced by those of another fiche (same SIRETs and names)."""
    theirs = re.search(r"<CERTIFICATEURS>.*?</CERTIFICATEURS>", export.fiches[i + 1], re.S)
    assert theirs is not None
    return re.sub(r"<CERTIFICATEURS>.*?</CERTIFICATEURS>", lambda _: theirs.group(0), export.fiches[i], flags=re.S)


def _wrong_siret_key(export: Export, i: int) -> str:
    """The first certifier's SIRET with a wrong check digit: a new organisation, a violation."""
    return re.sub(
        r"(<SIRET_CERTIFICATEUR>\d{13})(\d)",
        lambda m: m.group(1) + str((int(m.group(2)) + 1) % 10),
        export.fiches[i],
        count=1,
    )


#: a code other fiches cite with another label
ROME_D1904_RELABELLED = "<CODES_ROME><ROME><CODE>D1904</CODE><LIBELLE>Autre libellé</LIBELLE></ROME></CODES_ROME>"
#: change → (fiche index, how its XML is edited); fiche 4 is replaced by 5 (both say so),
#: fiche 6 has a correspondence to a block of fiche 9 (see benchmarks/generate_xml.py)
CHANGES: dict[str, tuple[int, Callable[[Export, int], str]]] = {
    "title": (10, _sub(r"<INTITULE>", "<INTITULE>Modifié : ")),
    "block removed": (6, _sub(r"<BLOC_COMPETENCES>(?:(?!<BLOC_COMPETENCES>).)*?</BLOC_COMPETENCES></BLOCS", "</BLOCS")),
    "rome codes": (11, _sub(r"<CODES_ROME>.*?</CODES_ROME>", ROME_D1904_RELABELLED)),
    "lineage dropped": (5, _sub(r"<ANCIENNES_CERTIFICATIONS>.*?</ANCIENNES_CERTIFICATIONS>", "")),
    "inactive": (19, _sub(r"<ACTIF>Oui</ACTIF>(\s*<DATE_DE_PUBLICATION>)", r"<ACTIF>Non</ACTIF>\1")),
    "no blocks": (13, _sub(r"<BLOCS_COMPETENCES>.*?</BLOCS_COMPETENCES>", "")),
    "shared competency": (14, _shared_competency),
    "certifiers": (15, _certifier_of_another),
    "wrong siret key": (16, _wrong_siret_key),
    "correspondence target gone": (9, _sub(r"<BLOCS_COMPETENCES>.*?</BLOCS_COMPETENCES>", "")),
}


#: changes of the graph that change no result (a new title; certifiers another fiche names, valid)
QUIET = {"title", "certifiers"}


def _view(store: GraphStore) -> list[str]:
    """The merged view without the source graphs' provenance."""
    return [line for line in canonical_lines(store) if not line.startswith(PROVENANCE)]


def _identities(results: list) -> set[tuple[object, ...]]:  # type: ignore[type-arg]
    return {(*r.identity(), r.fiches) for r in results}


@pytest.fixture(scope="module")
def built(export: Export, tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Report]:
    """The whole export built (its quads) and validated once: each change starts from a copy."""
    store = build([export.write(tmp_path_factory.mktemp("built") / "export.xml", export.fiches)], validate=False).store
    return ox.serialize(store.quads_for_pattern(None, None, None, None), format=ox.RdfFormat.N_QUADS), validate(store)


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_an_update_gives_the_graph_and_the_results_of_a_build(
    export: Export, built: tuple[bytes, Report], tmp_path: Path, change: str
) -> None:
    i, edit = CHANGES[change]
    fiche = edit(export, i)
    expected = [*export.fiches[:i], fiche, *export.fiches[i + 1 :]]
    result, changed = _check_update(export, tmp_path, export.fiches, [fiche], expected, start=built)
    assert [(c.number, c.kind) for c in result.changes] == [(export.number(i), "replaced")]
    assert changed or change in QUIET, f"the change {change!r} changes no result: the test shows nothing"


def test_a_new_fiche_is_added_and_what_pointed_to_it_is_revalidated(export: Export, tmp_path: Path) -> None:
    """Fiche 9 is the target of a correspondence of fiche 6: once it is loaded, that
    correspondence no longer points outside the graph (a result gone from a node the new fiche
    does not state anything about)."""
    base = [f for n, f in enumerate(export.fiches) if n != 9]
    result, changed = _check_update(export, tmp_path, base, [export.fiches[9]], export.fiches)
    correspondences = {focus for focus, *_ in changed if "/correspondence/" in str(focus)}
    assert correspondences and not any(export.number(9) in str(c).split("/correspondence/")[0] for c in correspondences)
    assert [(c.number, c.kind, c.graphs) for c in result.changes] == [(export.number(9), "added", ())]
    graph = ox.NamedNode(result.sources[0].graph)
    supersedes = ox.NamedNode("https://w3id.org/rncp-graph/ontology#supersedes")
    assert not list(result.store.quads_for_pattern(graph, supersedes, None, None))


def _check_update(
    export: Export,
    tmp_path: Path,
    base: list[str],
    delta: list[str],
    expected: list[str],
    *,
    start: tuple[bytes, Report] | None = None,
) -> tuple[Update, set[tuple[object, ...]]]:
    """Update a store built from ``base`` with ``delta``; check it against a build of ``expected``.

    Also returned: the results that differ between the whole validations before and after.
    ``start``: the quads and the validation of the store built from ``base``, when known.
    """
    if start is None:
        store = build([export.write(tmp_path / "export.xml", base)], validate=False).store
        before = validate(store)
    else:
        store, before = GraphStore(), start[1]
        store.load(start[0], ox.RdfFormat.N_QUADS)
    result = update(store, [export.write(tmp_path / "delta.xml", delta)])
    rebuilt = build([export.write(tmp_path / "rebuilt.xml", expected)], validate=False)
    assert _view(store) == _view(rebuilt.store)
    after = validate(store)
    affected = {f"<{node}>" for node in result.affected}
    changed = _identities(before.results) ^ _identities(after.results)
    assert {focus for focus, *_ in changed} <= affected
    assert result.report is not None
    assert _identities(result.report.results) == {x for x in _identities(after.results) if x[0] in affected}
    return result, changed


def test_a_second_update_of_a_fiche_takes_it_out_of_the_first_update_whose_graph_goes(
    export: Export, tmp_path: Path
) -> None:
    first_graph_of = build([export.write(tmp_path / "export.xml", export.fiches)], validate=False)
    store = first_graph_of.store
    export_graph = first_graph_of.sources[0].graph
    first = update(store, [export.write(tmp_path / "one.xml", [CHANGES["title"][1](export, 10)])], validate=False)
    second = update(store, [export.write(tmp_path / "two.xml", [export.fiches[10]])], validate=False)
    assert first.changes[0].graphs == (export_graph,)
    assert second.changes[0].graphs == (first.sources[0].graph,)
    assert second.dropped_graphs == [first.sources[0].graph]
    assert first.sources[0].graph not in store.graphs()
    assert _view(store) == _view(build([tmp_path / "export.xml"], validate=False).store)  # back to the original
    supersedes = ox.NamedNode("https://w3id.org/rncp-graph/ontology#supersedes")
    named = {
        q.object.value for q in store.quads_for_pattern(ox.NamedNode(second.sources[0].graph), supersedes, None, None)
    }
    assert named == {first.sources[0].graph}


def test_the_same_file_twice_changes_nothing(export: Export, tmp_path: Path) -> None:
    store = build([export.write(tmp_path / "export.xml", export.fiches)], validate=False).store
    delta = export.write(tmp_path / "delta.xml", [CHANGES["title"][1](export, 10)])
    update(store, [delta], validate=False)
    lines = canonical_lines(store)
    again = update(store, [delta])
    assert again.skipped == {"delta.xml": "already in the store, same content"}
    assert not again.changes and not again.affected
    assert canonical_lines(store) == lines


def test_a_damaged_file_changes_nothing(export: Export, tmp_path: Path) -> None:
    store = build([export.write(tmp_path / "export.xml", export.fiches)], validate=False).store
    lines = canonical_lines(store)
    good = export.write(tmp_path / "a.xml", [CHANGES["title"][1](export, 10)])
    damaged = tmp_path / "b.xml"
    damaged.write_text(export.head + export.fiches[11][:-40], encoding="utf-8")  # truncated in the middle
    with pytest.raises(StructuralError) as caught:
        update(store, [good, damaged])
    assert "b.xml" in str(caught.value.file)
    assert canonical_lines(store) == lines


def test_the_known_difference_a_name_only_the_old_version_gave_stays_until_the_next_build(
    export: Export, tmp_path: Path
) -> None:
    """An organisation another fiche of the graph still links to keeps the legal name only the
    old version of the changed fiche gave it (documented in rncp_graph.update)."""
    first = re.search(r"<SIRET_CERTIFICATEUR>(\d+)</SIRET_CERTIFICATEUR><NOM_CERTIFICATEUR>(.*?)<", export.fiches[20])
    assert first is not None
    siret, name = first.groups()
    # fiche 19 names fiche 20's certifiers, one of them under another name
    other = _certifier_of_another(export, 19).replace(f">{name}<", ">AUTRE NOM<")
    fiches = [*export.fiches[:19], other, *export.fiches[20:]]
    store = build([export.write(tmp_path / "export.xml", fiches)], validate=False).store
    renamed = fiches[20].replace(f">{name}<", ">NOUVEAU NOM<")  # then fiche 20 renames it
    update(store, [export.write(tmp_path / "delta.xml", [renamed])], validate=False)
    rebuilt = build([export.write(tmp_path / "rebuilt.xml", [*fiches[:20], renamed, *fiches[21:]])], validate=False)
    legal_name = "<https://w3id.org/rncp-graph/ontology#legalName>"
    assert set(_view(store)) - set(_view(rebuilt.store)) == {
        f'<{iris.organisation(siret, name)}> {legal_name} "{name}" .'
    }
    assert set(_view(rebuilt.store)) <= set(_view(store))


@pytest.mark.slow
def test_validate_nodes_gives_the_whole_store_results_on_every_node(export: Export, tmp_path: Path) -> None:
    """Every node of a generated store (40 fiches with lineage, correspondences, shared
    competencies, organisations, codes): the one-node queries give the whole-store results."""
    store = build([export.write(tmp_path / "export.xml", export.fiches)], validate=False).store
    whole = validate(store)
    nodes = {q.subject for q in store.quads_for_pattern(None, None, None, None) if isinstance(q.subject, ox.NamedNode)}
    nodes |= {q.object for q in store.quads_for_pattern(None, None, None, None) if isinstance(q.object, ox.NamedNode)}
    focused = validate_nodes(store, nodes)
    assert len(whole.results) > 100
    assert _identities(focused.results) == _identities(whole.results)
    assert focused.totals == whole.totals


def test_the_cli_updates_an_on_disk_store_and_prints_the_report(export: Export, tmp_path: Path) -> None:
    original = export.write(tmp_path / "export.xml", export.fiches)
    runner = CliRunner()
    built = runner.invoke(
        main,
        ["build", str(original), "--store", str(tmp_path / "store"), "--out", str(tmp_path / "out"), "--no-validate"],
    )
    assert built.exit_code == 0, built.output
    delta = export.write(tmp_path / "delta.xml", [CHANGES["lineage dropped"][1](export, 5)])
    done = runner.invoke(main, ["update", "--store", str(tmp_path / "store"), str(delta), "--as-of", "2026-01-01"])
    assert done.exit_code == 0, done.output
    assert f"{export.number(5)} replaced: out of 1 graph(s)" in done.output
    assert "revalidated" in done.output and "conforms" in done.output
    # the predecessor now names a successor that does not name it back: a warning listed
    assert export.number(4) in done.output
    again = runner.invoke(main, ["update", "--store", str(tmp_path / "store"), str(delta)])
    assert again.exit_code == 0 and "already in the store" in again.output
    missing = runner.invoke(main, ["update", "--store", str(tmp_path / "nowhere"), str(delta)])
    assert missing.exit_code == 2
    damaged = tmp_path / "damaged.xml"
    damaged.write_text(export.head + export.fiches[3][:-30], encoding="utf-8")
    bad = runner.invoke(main, ["update", "--store", str(tmp_path / "store"), str(damaged)])
    assert bad.exit_code == 2 and "damaged.xml" in bad.output


def test_a_file_applied_again_after_a_later_update_takes_its_fiches_back(export: Export, tmp_path: Path) -> None:
    store = build([export.write(tmp_path / "export.xml", export.fiches)], validate=False).store
    retitled = CHANGES["title"][1](export, 10)
    first = export.write(tmp_path / "a.xml", [retitled, export.fiches[11]])
    update(store, [first], validate=False)
    update(store, [export.write(tmp_path / "b.xml", [export.fiches[10]])], validate=False)  # fiche 10 back
    again = update(store, [first], validate=False)
    assert not again.skipped
    assert [(c.number, c.graphs) for c in again.changes] == [
        (export.number(10), (iris.source_graph(source_sha256(tmp_path / "b.xml")),)),
        (export.number(11), ()),
    ]
    expected = [*export.fiches[:10], retitled, *export.fiches[11:]]
    assert _view(store) == _view(build([export.write(tmp_path / "expected.xml", expected)], validate=False).store)


def test_one_fiche_in_two_files_of_one_update_is_refused_and_nothing_changes(export: Export, tmp_path: Path) -> None:
    store = build([export.write(tmp_path / "export.xml", export.fiches)], validate=False).store
    lines = canonical_lines(store)
    a = export.write(tmp_path / "a.xml", [CHANGES["title"][1](export, 10)])
    b = export.write(tmp_path / "b.xml", [export.fiches[12], export.fiches[10]])
    with pytest.raises(StructuralError, match=f"fiche {export.number(10)} is in two files"):
        update(store, [a, b])
    assert canonical_lines(store) == lines


@pytest.mark.parametrize("stop_after", [0, 1, 40, 150, 250])
def test_an_interrupted_update_changes_nothing_and_runs_again(
    export: Export, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop_after: int
) -> None:
    """Stopped after any of the quads it takes out, the update has written nothing; run again, it completes."""
    store = build([export.write(tmp_path / "export.xml", export.fiches)], validate=False).store
    before = canonical_lines(store)
    fiche = CHANGES["block removed"][1](export, 6)
    delta = export.write(tmp_path / "delta.xml", [fiche])
    removed = 0
    remove = PendingStore.remove_quads

    def interrupted(self: PendingStore, quads: list[ox.Quad]) -> None:
        nonlocal removed
        for quad in quads:
            if removed == stop_after:
                raise KeyboardInterrupt
            remove(self, [quad])
            removed += 1

    monkeypatch.setattr(PendingStore, "remove_quads", interrupted)
    with pytest.raises(KeyboardInterrupt):
        update(store, [delta], validate=False)
    assert canonical_lines(store) == before
    monkeypatch.setattr(PendingStore, "remove_quads", remove)
    update(store, [delta], validate=False)
    expected = [*export.fiches[:6], fiche, *export.fiches[7:]]
    assert _view(store) == _view(build([export.write(tmp_path / "expected.xml", expected)], validate=False).store)


def _wal_bytes(store: Path) -> int:
    """Bytes in the store's write-ahead logs (RocksDB ``*.log``): they grow when it is written."""
    return sum(p.stat().st_size for p in store.glob("*.log") if p.exists())


def _kill_at_first_write(command: list[str], store: Path) -> int:
    """Run ``command``; SIGKILL it as soon as it writes to ``store`` (its WAL grows past the lowest
    size it had: opening the store first shrinks it). Its exit status."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lowest = _wal_bytes(store)
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        size = _wal_bytes(store)
        if size > lowest:
            process.kill()
            break
        lowest = min(lowest, size)
        time.sleep(0.001)
    return process.wait(timeout=30)


def _certifications(lines: list[str]) -> int:
    return sum(1 for line in lines if line.endswith(f"<{RNCP.Certification}> ."))


@pytest.mark.slow
def test_an_update_killed_while_it_writes_leaves_the_store_entirely_old_or_entirely_new(
    export: Export, tmp_path: Path
) -> None:
    """``kill -9`` at the update's first write: the store reopens as it was (or, had the one
    transaction been written, as the whole update leaves it) — never with fiches missing."""
    python = [sys.executable, "-m", "rncp_graph", "-q"]
    original, store = export.write(tmp_path / "export.xml", export.fiches), tmp_path / "store"
    built = subprocess.run(
        [*python, "build", str(original), "--store", str(store), "--out", str(tmp_path / "out"), "--no-validate"],
        capture_output=True, check=False, timeout=120,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    changed = ["title", "block removed", "rome codes", "no blocks", "lineage dropped", "inactive"]
    delta = export.write(tmp_path / "delta.xml", [CHANGES[c][1](export, CHANGES[c][0]) for c in changed])
    old = canonical_lines(open_graph(store))
    shutil.copytree(store, tmp_path / "whole")
    update(GraphStore(tmp_path / "whole"), [delta], validate=False)
    new = canonical_lines(open_graph(tmp_path / "whole"))
    status = _kill_at_first_write([*python, "update", "--no-validate", "--store", str(store), str(delta)], store)
    assert status == -signal.SIGKILL, "the update ended before it could be killed"
    after = canonical_lines(open_graph(store))
    provenance = f"<{iris.source_graph(source_sha256(delta))}> "
    assert after in (old, new), f"{_certifications(after)} certifications, {_certifications(old)} before"
    assert _certifications(after) == _certifications(old) == 40
    assert any(line.startswith(provenance) for line in after) == (after == new)
    again = subprocess.run([*python, "update", "--no-validate", "--store", str(store), str(delta)], check=False)
    assert again.returncode == 0 and canonical_lines(open_graph(store)) == new


def test_the_fiches_of_a_result_on_a_broader_concept_follow_a_changed_link_below_it(
    export: Export, tmp_path: Path
) -> None:
    """NSF 273 has two labels (a warning on it); fiches 2 and 3 cite 273p, narrower than 273.
    When fiche 2 no longer cites 273p, the warning on 273 belongs to one fiche fewer."""

    def nsf(i: int, codes: list[tuple[str, str]]) -> str:
        cited = "".join(f"<NSF><CODE>{c}</CODE><LIBELLE>{label}</LIBELLE></NSF>" for c, label in codes)
        return re.sub(r"<CODES_NSF>.*?</CODES_NSF>", f"<CODES_NSF>{cited}</CODES_NSF>", export.fiches[i], flags=re.S)

    fiches = list(export.fiches)
    fiches[1] = nsf(1, [("273", "Autre libellé")])
    fiches[2] = nsf(2, [("273p", "Libellé 273p")])
    fiches[3] = nsf(3, [("273p", "Libellé 273p")])
    _, changed = _check_update(
        export, tmp_path, fiches, [export.fiches[2]], [*fiches[:2], export.fiches[2], *fiches[3:]]
    )
    assert f"<{iris.nsf('273')}>" in {focus for focus, *_ in changed}


def test_an_update_of_too_many_of_the_store_fiches_is_refused_build_advised(
    export: Export, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``max_share`` of the store's fiches (and ``FEW``), a build is faster: exit 2, nothing changed."""
    monkeypatch.setattr(update_module, "FEW", 5)
    original = export.write(tmp_path / "export.xml", export.fiches)
    store = tmp_path / "store"
    runner = CliRunner()
    built = runner.invoke(
        main, ["build", str(original), "--store", str(store), "--out", str(tmp_path / "out"), "--no-validate"]
    )
    assert built.exit_code == 0, built.output
    edit = _sub(r"<INTITULE>", "<INTITULE>Modifié : ")
    delta = export.write(tmp_path / "delta.xml", [edit(export, i) for i in range(6)])  # 6 of 40: 15 %
    before = canonical_lines(open_graph(store))
    refused = runner.invoke(main, ["update", "--no-validate", "--store", str(store), str(delta)])
    assert refused.exit_code == 2
    assert "6 fiches to update, 15% of the 40 in the store" in refused.output and "rncp-graph build" in refused.output
    assert canonical_lines(open_graph(store)) == before
    del refused  # its traceback holds the store open (one process here, where the CLI has its own)
    gc.collect()
    allowed = runner.invoke(main, ["update", "--no-validate", "--max-share", "0.2", "--store", str(store), str(delta)])
    assert allowed.exit_code == 0, allowed.output
    assert canonical_lines(open_graph(store)) != before
