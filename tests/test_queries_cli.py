"""``rncp-graph queries | query | sparql | check``: what a user types, and the exit codes."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from rncp_graph import Build
from rncp_graph.cli import main
from rncp_graph.exports.canonical import canonical_lines
from rncp_graph.queries import catalogue, discover, readme
from rncp_graph.serve import free_port
from rncp_graph.terms import lines_to_bytes

from .constants import K1403_FICHES, ROOT
from .test_queries_support import inline_store


@pytest.fixture(scope="module")
def sample_nt(sample_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("graph") / "rncp.nt"
    path.write_bytes(lines_to_bytes(canonical_lines(sample_build.store)))
    return path


@pytest.fixture(scope="module")
def bad_nt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bad") / "bad.nt"
    path.write_bytes(lines_to_bytes(canonical_lines(inline_store("bad"))))
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_queries_lists_every_saved_query() -> None:
    code, out, _ = invoke("queries")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert sorted(names) == sorted(discover())
    code, out, _ = invoke("queries", "--tag", "lineage")
    assert {line.split()[0] for line in out.splitlines()} == {
        "lineage-chain",
        "lineage-links",
        "lineage-self-reference-violation",
    }


def test_write_readme_regenerates_the_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "queries"
    shutil.copytree(ROOT / "queries", copy)
    (copy / "README.md").write_text("stale\n", encoding="utf-8")
    monkeypatch.setattr(catalogue, "queries_root", lambda: copy)
    monkeypatch.setattr(readme, "queries_root", lambda: copy)
    code, out, _ = invoke("queries", "--write-readme")
    assert code == 0 and "README.md" in out
    assert (copy / "README.md").read_text(encoding="utf-8") == (ROOT / "queries" / "README.md").read_text(
        encoding="utf-8"
    )


def test_query_table_csv_json_tsv(sample_nt: Path) -> None:
    base = ["query", "certifications-sharing-rome", "--param", "rome=K1403", "--graph", str(sample_nt)]
    code, out, _ = invoke(*base)
    assert code == 0 and "(4 rows)" in out
    code, out, _ = invoke(*base, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sorted(r["fiche"] for r in rows) == K1403_FICHES
    code, out, _ = invoke(*base, "--format", "json")
    assert len(json.loads(out)["results"]["bindings"]) == 4
    code, out, _ = invoke(*base, "--format", "tsv")
    assert out.splitlines()[0].startswith("?rome\t?fiche")


def test_query_on_a_store_folder(sample_build: Build, tmp_path: Path) -> None:
    from rncp_graph import build

    build([ROOT / "data" / "fiches"], store_path=tmp_path / "store")
    code, out, _ = invoke("query", "status-counts", "--graph", str(tmp_path / "store"), "--format", "csv")
    assert code == 0
    assert list(csv.reader(io.StringIO(out))) == [["status", "certifications"], ["inactive", "1"], ["unknown", "4"]]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "certifications-sharing-rome", "--param", 'rome=x" || true || "'], "ROME code"),
        (["query", "certifications-sharing-rome"], "missing required parameter"),
        (["query", "certifications-sharing-rome", "--param", "rome"], "NAME=VALUE"),
        (["query", "no-such-query"], "no saved query"),
        (["sparql", "SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"], "SERVICE"),
        (["sparql", "DELETE WHERE { ?s ?p ?o }"], "updates"),
        (["sparql", "SELECT ?s FROM <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }"], "FROM"),
    ],
)
def test_bad_input_exits_2(args: list[str], message: str, sample_nt: Path) -> None:
    code, _, err = invoke(*args, "--graph", str(sample_nt))
    assert code == 2
    assert message in err


def test_no_graph_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke("query", "status-counts")
    assert code == 2 and "rncp-graph build" in err


def test_sparql_text_and_file(sample_nt: Path, tmp_path: Path) -> None:
    text = "SELECT ?n WHERE { ?c a rncp:Certification ; rncp:ficheNumber ?n } ORDER BY ?n"
    code, out, _ = invoke("sparql", text, "--graph", str(sample_nt), "--format", "csv")
    assert code == 0 and out.split() == ["n", "RNCP34808", "RNCP36459", "RNCP41120", "RNCP41818", "RNCP4525"]
    path = tmp_path / "ask.rq"
    path.write_text(text, encoding="utf-8")
    code, out2, _ = invoke("sparql", str(path), "--graph", str(sample_nt), "--format", "csv")
    assert (code, out2) == (0, out)


def test_check_passes_on_the_samples_and_fails_on_bad_data(sample_nt: Path, bad_nt: Path) -> None:
    code, out, _ = invoke("check", str(sample_nt))
    assert code == 0, out
    assert "14/14 checks passed" in out
    code, out, _ = invoke("check", str(bad_nt))
    assert code == 1
    assert "FAIL  duplicate-fiche-number-violation: 1 row(s)" in out
    assert "number=RNCP16, node=rncpid:certification/RNCP15, otherNode=rncpid:certification/RNCP16" in out
    assert "0/14 checks passed" in out


def test_check_refuses_an_unsafe_check_file(sample_nt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "queries"
    shutil.copytree(ROOT / "queries", copy)
    (copy / "checks" / "leak-violation.rq").write_text(
        "#+ summary: s\n#+ description: d\n#+ params: []\n#+ tags: [check]\n"
        "SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(catalogue, "queries_root", lambda: copy)
    code, _, err = invoke("check", str(sample_nt))
    assert code == 2 and "SERVICE" in err


def test_a_failing_endpoint_exits_5_not_0() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"  # nothing listens there
    code, out, err = invoke("query", "status-counts", "--endpoint", url, "--timeout", "1", "--deadline", "3")
    assert code == 5
    assert url in err and "status-counts" in err
    assert out == ""
