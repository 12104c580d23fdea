"""Codes absent from a code list loaded in the store (``vocab rome|nsf --store``) are reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rncp_graph import build
from rncp_graph.linking.run import nsf_vocabulary, rome_vocabulary
from rncp_graph.pipeline.update import update
from rncp_graph.store import GraphStore

from .constants import FICHES_DIR, RESOURCES, SHARED_DATA

LINKING = RESOURCES / "linking"
ROME_V460 = SHARED_DATA / "rome-v460"
NSF_D311_4 = SHARED_DATA / "nsf"


def _page(folder: Path, name: str = "a.txt") -> Path:
    """Sample page 000 citing ROME M1502 (in the test referential) and A9999 (in no ROME), NSF
    332 and 332p (in the test nomenclature: group 332, letter p) and 330, 999 (not in it)."""
    folder.mkdir(exist_ok=True)
    page = next(FICHES_DIR.glob("000_*.txt")).read_text(encoding="utf-8")
    page = page.replace("- K1201 - Action sociale", "- M1502 - Gestionnaire de paie").replace(
        "- K1207 - Intervention socioéducative", "- A9999 - Code absent du ROME"
    )
    page = page.replace("- J1502 - Coordination de services médicaux ou paramédicaux\n", "")
    page = page.replace("- K1203 - Encadrement technique en insertion professionnelle\n", "")
    page = page.replace("330 : Spécialites plurivalentes", "332p : Direction\n330 : Spécialites plurivalentes")
    page = page.replace("330 : Spécialites plurivalentes des services aux personnes", "330 : Services\n999 : Rien")
    (folder / name).write_text(page, encoding="utf-8")
    return folder / name


def _store_with_lists(path: Path, rome: Path = LINKING / "rome", nsf: Path = LINKING / "nsf") -> None:
    store = GraphStore(path)
    rome_vocabulary(rome, store=store)
    nsf_vocabulary(nsf, store=store)
    store.flush()  # the store is closed when its last reference goes, on return


def _unknown(problems: list[object]) -> list[tuple[str, ...]]:
    return sorted(
        (p.rule, p.file, p.fiche, p.field, p.value, p.severity, p.action)  # type: ignore[attr-defined]
        for p in problems
        if p.rule.startswith("unknown-")  # type: ignore[attr-defined]
    )


def test_codes_absent_from_the_lists_loaded_in_the_store_are_reported_and_kept(tmp_path: Path) -> None:
    _store_with_lists(tmp_path / "store")
    result = build([_page(tmp_path / "src")], store_path=tmp_path / "store", out=tmp_path / "out")
    assert _unknown(result.problems) == [
        ("unknown-nsf", "a.txt", "RNCP34808", "NSF", "330", "warning", "kept"),
        ("unknown-nsf", "a.txt", "RNCP34808", "NSF", "999", "warning", "kept"),
        ("unknown-rome", "a.txt", "RNCP34808", "ROME", "A9999", "warning", "kept"),
    ]
    lines = [json.loads(x) for x in (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    (rome,) = [x for x in lines if x["rule"] == "unknown-rome"]
    assert "A9999 is not in the ROME referential loaded in this store" in rome["message"]
    assert result.complete  # warnings: the codes are kept
    # the referential's polyhierarchy (M1502 under its field M15 and its ROME 4.0 parent M1501) conforms
    assert result.validation is not None and result.validation["violations"] == 0, result.validation
    cited = result.store.select("SELECT DISTINCT ?n WHERE { ?c rncp:romeCode/skos:notation ?n } ORDER BY ?n")
    assert [r["n"].value for r in cited] == ["A9999", "M1502"]  # type: ignore[union-attr]


def test_an_update_reports_them_too(tmp_path: Path) -> None:
    _store_with_lists(tmp_path / "store")
    build([FICHES_DIR], store_path=tmp_path / "store", validate=False)  # closed on return
    store = GraphStore(tmp_path / "store")
    changed = update(store, [_page(tmp_path / "src", "000_changed.txt")], validate=False)
    assert [(p[0], p[1], p[4]) for p in _unknown(changed.problems)] == [
        ("unknown-nsf", "000_changed.txt", "330"),
        ("unknown-nsf", "000_changed.txt", "999"),
        ("unknown-rome", "000_changed.txt", "A9999"),
    ]


def test_without_a_loaded_list_nothing_is_checked(tmp_path: Path) -> None:
    result = build([_page(tmp_path / "src")])
    assert _unknown(result.problems) == []


@pytest.mark.slow
@pytest.mark.shared
def test_real_referentials_against_a_fiche(tmp_path: Path, shared_data: Path) -> None:
    """ROME 4.0 v460 and the nomenclature of D311-4: M1502 and A9999 against the real lists;
    NSF 330 and 332p are in D311-4, 999 is not."""
    _store_with_lists(tmp_path / "store", ROME_V460, NSF_D311_4)
    result = build([_page(tmp_path / "src")], store_path=tmp_path / "store")
    assert [(p[0], p[4]) for p in _unknown(result.problems)] == [("unknown-nsf", "999"), ("unknown-rome", "A9999")]
