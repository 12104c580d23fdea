"""The real 2021 register (official CSV layout, 17,369 fiches) built end to end: what the
graph holds of its codes, what is reported, and the exit status (skipped without ``../shared``)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from rncp_graph import Build, build, iris, queries
from rncp_graph.cli.build_cmd import build_outcome, outcome_line

pytestmark = [pytest.mark.shared, pytest.mark.slow]

FICHES = 17369


@pytest.fixture(scope="module")
def register(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, Path]:
    out = tmp_path_factory.mktemp("register-2021")
    return build([shared_data / "rncp-2021-official-csv-layout"], out=out), out


def _fiches(result: Build, sparql: str) -> set[str]:
    return {str(row["n"]) for row in queries.run_text(sparql, target=result.store).records()}


def test_a_query_for_nsf_33_finds_fiches_coded_33_and_332p(register: tuple[Build, Path]) -> None:
    result, _ = register
    under_33 = _fiches(
        result,
        f"SELECT DISTINCT ?n WHERE {{ ?c rncp:ficheNumber ?n ; rncp:nsfCode/skos:broader* <{iris.nsf('33')}> }}",
    )
    coded_33 = {"RNCP17370", "RNCP20044", "RNCP7623"}  # "33 : Services aux personnes" in the CSV
    assert coded_33 <= under_33
    assert {"RNCP10102", "RNCP10251"} <= under_33  # coded 332p
    assert "RNCP27475" not in under_33  # coded 3, the general domain above 33
    saved = queries.run("certifications-by-level-and-nsf", {"nsf": "33"}, target=result.store).records()
    assert {r["fiche"] for r in saved if r["code"] == "33"} == coded_33
    assert {"RNCP10102", "RNCP10251"} <= {r["fiche"] for r in saved if r["code"] == "332p"}
    assert {r["fiche"] for r in saved} == under_33


def test_a_query_for_rome_k_finds_fiches_coded_k_k12_and_k1201(register: tuple[Build, Path]) -> None:
    result, _ = register
    codes = {
        str(row["code"])
        for row in queries.run_text(
            f"SELECT DISTINCT ?code WHERE {{ ?c rncp:romeCode ?r . ?r skos:broader* <{iris.rome('K')}> ;"
            " skos:notation ?code }",
            target=result.store,
        ).records()
    }
    assert {"K", "K12", "K1201", "K25"} <= codes
    assert all(code.startswith("K") for code in codes)
    assert not [code for code in codes if code.endswith("00")]  # K2500 is the field K25
    # the saved query takes a code of any level: the fiches citing the domain K itself
    saved = queries.run("certifications-sharing-rome", {"rome": "K"}, target=result.store).records()
    assert {"RNCP31417", "RNCP31427", "RNCP31433"} <= {r["fiche"] for r in saved}


def test_no_code_dropped_and_each_remaining_error_a_defect_of_the_source(register: tuple[Build, Path]) -> None:
    result, out = register
    problems = [json.loads(x) for x in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    errors = [p for p in problems if p["severity"] == "error"]
    # one block code given twice with two labels: which one is right, the source does not say
    assert Counter(p["rule"] for p in errors) == {"duplicate-block": 1}
    assert len({p["fiche"] for p in errors}) / FICHES < 0.005
    doubled = sorted((p["fiche"], p["value"]) for p in problems if p["rule"] == "block-code-doubled-prefix")
    assert doubled == [
        *(("RNCP35035", f"RNCP35035BCRNCP35035BC0{i}") for i in range(1, 5)),
        *(("RNCP35045", f"RNCP35045BCRNCP35045BC0{i}") for i in range(1, 5)),
    ]
    # ROME fields padded to five characters ("M1500";"Ressources humaines"): read as the field M15
    padded = [p for p in problems if p["rule"] == "rome-field-padded"]
    assert len(padded) == 49 and {"M1500", "N4200", "H1300"} <= {p["value"] for p in padded}
    blocks = _fiches(
        result,
        f"SELECT ?n WHERE {{ <{iris.certification('RNCP35035')}> rncp:hasBlock/rncp:blockCode ?n }}",
    )
    assert blocks == {f"RNCP35035BC0{i}" for i in range(1, 5)}


def test_the_exit_status_and_the_summary_tell_violations_and_losses_together(register: tuple[Build, Path]) -> None:
    result, _ = register
    assert result.validation is not None and result.validation["violations"] == 2  # two SIRET check digits
    assert build_outcome(result) == 6
    assert outcome_line(result) == (
        "outcome: 2 SHACL violations (see the validation line) and 1 errors "
        "(0 fiches quarantined, 733 rows dropped; see errors.jsonl) — exit 6"
    )
