"""``diff_exports`` and ``rncp-graph diff``: what changed between two exports."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from rncp_graph.cli import main
from rncp_graph.model import Block, Code, Fiche, Status
from rncp_graph.pipeline.diff import ExportDiff, FicheChange, describe, diff_exports, diff_fiches, render_text

from .test_csv_loader import XML_FIXTURE, copy_fixture, table_file, write_table


def fiche(
    number: str, *, status: Status = Status.ACTIVE, rome: tuple[str, ...] = (), blocks: dict[str, str] | None = None
) -> Fiche:
    f = Fiche(number=number, source="test", status=status)
    f.rome = [Code(c) for c in rome]
    f.blocks = [Block(code, title) for code, title in (blocks or {}).items()]
    return f


def test_diff_fiches_pure() -> None:
    old = [
        fiche("RNCP509", rome=("I1203",), blocks={"RNCP509BC01": "A", "RNCP509BC02": "B"}),
        fiche("RNCP1197"),
        fiche("RS5000", rome=("M1805",)),
    ]
    new = [
        fiche(
            "RNCP509", status=Status.INACTIVE, rome=("I1203", "M1607"), blocks={"RNCP509BC01": "A2", "RNCP509BC03": "C"}
        ),
        fiche("RS5000", rome=("M1805",)),
        fiche("RNCP40000"),
    ]
    result = diff_fiches(old, new)
    assert (result.old_fiches, result.new_fiches, result.unchanged) == (3, 3, 1)
    assert result.appeared == ["RNCP40000"]
    assert result.disappeared == ["RNCP1197"]
    assert result.changed == [
        FicheChange(
            "RNCP509",
            status=("active", "inactive"),
            rome_added=("M1607",),
            blocks_added=("RNCP509BC03",),
            blocks_removed=("RNCP509BC02",),
            blocks_retitled=("RNCP509BC01",),
        )
    ]
    assert (
        describe(result.changed[0])
        == "status active → inactive; ROME +M1607; blocks +RNCP509BC03 −RNCP509BC02 ~RNCP509BC01"
    )


def test_numbers_sorted_numerically() -> None:
    result = diff_fiches([], [fiche(n) for n in ("RS12", "RNCP1000", "RNCP999", "RNCP35340")])
    assert result.appeared == ["RNCP999", "RNCP1000", "RNCP35340", "RS12"]


def test_identical_exports_differ_in_nothing() -> None:
    result = diff_exports([XML_FIXTURE], [XML_FIXTURE])
    assert result.as_dict() == {
        "old_fiches": 3,
        "new_fiches": 3,
        "unchanged": 3,
        "appeared": [],
        "disappeared": [],
        "changed": [],
    }


def changed_csv_export(tmp_path: Path) -> Path:
    """The hand-made CSV export one week later: RS90002 inactive, RNCP90003 gone, RNCP90004 new,
    RNCP90001 with another ROME code and a block retitled, another block added."""
    folder = copy_fixture(tmp_path, "new")
    standard = table_file(folder, "Standard").read_bytes().decode("utf-8").split("\r\n")
    rs = standard[2].replace('"Non";"ACTIVE"', '"Non";"INACTIVE"')
    new = standard[1].replace("RNCP90001", "RNCP90004").replace("900001", "900004")
    table_file(folder, "Standard").write_bytes("\r\n".join([standard[0], standard[1], rs, new, ""]).encode("utf-8"))
    write_table(folder, "Rome", [["RNCP90001", "N1301", "Chaîne logistique"], ["RNCP90001", "N1303", "Exploitation"]])
    write_table(
        folder,
        "Blocs_De_Compétences",
        [
            ["RNCP90001", "RNCP90001BC01", "Organiser et piloter les flux logistiques"],
            ["RNCP90001", "RNCP90001BC02", "Encadrer une équipe d’entrepôt"],
            ["RNCP90001", "RNCP90001BC03", "Manager la sécurité"],
        ],
    )
    for table in ("Ancienne_Nouvelle_Certification", "VoixdAccès", "Nsf", "Certificateurs"):
        path = table_file(folder, table)
        path.write_bytes(b"\r\n".join(line for line in path.read_bytes().split(b"\r\n") if b"RNCP90003" not in line))
    return folder


def test_diff_of_two_csv_exports(tmp_path: Path) -> None:
    old = copy_fixture(tmp_path, "old")
    result = diff_exports([old], [changed_csv_export(tmp_path)])
    assert result.appeared == ["RNCP90004"]
    assert result.disappeared == ["RNCP90003"]
    assert [c.number for c in result.changed] == ["RNCP90001", "RS90002"]
    rncp, rs = result.changed
    assert (rncp.rome_added, rncp.rome_removed) == (("N1303",), ("N1302",))
    assert (rncp.blocks_added, rncp.blocks_retitled, rncp.blocks_removed) == (
        ("RNCP90001BC03",),
        ("RNCP90001BC01",),
        (),
    )
    assert rncp.status is None
    assert rs == FicheChange("RS90002", status=("active", "inactive"))
    assert result.unchanged == 0


def test_diff_xml_against_csv_of_the_same_register() -> None:
    """The XML fixture and the CSV fixture describe the same three fiches (with the differences
    merge.conflicts reports): the diff shows the title and the ROME codes."""
    old = Path(__file__).parent / "resources" / "csv" / "export-2025-03-14"
    result = diff_exports([old], [XML_FIXTURE])
    assert result.appeared == result.disappeared == []
    changes = {c.number: c for c in result.changed}
    assert set(changes) == {"RNCP90001", "RNCP90003"}
    assert changes["RNCP90001"].title is not None
    assert (changes["RNCP90001"].rome_added, changes["RNCP90001"].rome_removed) == (("N1303",), ("N1302",))
    assert changes["RNCP90003"].rome_removed == ("H1102",)


def test_cli_diff_text_and_json(tmp_path: Path) -> None:
    old, new = copy_fixture(tmp_path, "old"), changed_csv_export(tmp_path)
    runner = CliRunner()
    text = runner.invoke(main, ["diff", str(old), str(new)])
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert lines[:4] == [
        "old: 3 fiches · new: 3 fiches · unchanged: 0",
        "appeared (1): RNCP90004",
        "disappeared (1): RNCP90003",
        "changed (2):",
    ]
    assert lines[5] == "  RS90002  status active → inactive"
    as_json = runner.invoke(main, ["diff", str(old), str(new), "--format", "json"])
    assert as_json.exit_code == 0
    data = json.loads(as_json.output)
    assert data["appeared"] == ["RNCP90004"]
    assert data["changed"][1] == {"number": "RS90002", "status": ["active", "inactive"]}


def test_cli_diff_damaged_export_is_bad_input(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.xml"
    damaged.write_text("<FICHES><FICHE>", encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", str(XML_FIXTURE), str(damaged)])
    assert result.exit_code == 2
    assert "not well-formed" in result.output


def test_render_text_of_an_empty_diff() -> None:
    assert render_text(ExportDiff(0, 0)).splitlines() == [
        "old: 0 fiches · new: 0 fiches · unchanged: 0",
        "appeared (0):",
        "disappeared (0):",
        "changed (0):",
    ]
