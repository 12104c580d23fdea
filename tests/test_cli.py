"""The CLI as a user runs it: a real process, real exit codes, real pipes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.constants import FICHES_DIR

CLI = [sys.executable, "-m", "rncp_graph"]


def test_build_then_info_through_a_closed_pipe(tmp_path: Path) -> None:
    out = tmp_path / "out"
    built = subprocess.run(
        [*CLI, "-q", "build", str(FICHES_DIR), "--out", str(out)], check=False, capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    assert built.stdout == ""  # -q: no summary
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["fiches"] == {"input": 5, "loaded": 5, "quarantined": 0, "distinct": 5}
    # the reader is gone before the first line is written, as with `| head -0`
    with subprocess.Popen([*CLI, "info", str(out / "rncp.nt")], stdout=subprocess.PIPE, stderr=subprocess.PIPE) as p:
        assert p.stdout is not None and p.stderr is not None
        p.stdout.close()
        stderr = p.stderr.read()
        rc = p.wait()
    assert rc == 0, stderr
    assert b"Traceback" not in stderr and b"BrokenPipe" not in stderr


def test_missing_path_is_bad_input_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = subprocess.run(
        [*CLI, "build", str(tmp_path / "nowhere"), "--out", str(out)], check=False, capture_output=True, text=True
    )
    assert run.returncode == 2
    assert "nowhere" in run.stderr and "no such file or folder" in run.stderr
    assert not out.exists()


def test_a_dropped_field_exits_4_and_is_counted(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    page = next(FICHES_DIR.glob("000_*.txt")).read_text(encoding="utf-8")
    (src / "a.txt").write_text(page.replace("Niveau 6", "Niveau 9", 1), encoding="utf-8")
    run = subprocess.run(
        [*CLI, "build", str(src), "--out", str(tmp_path / "out"), "--no-validate"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 4, run.stdout + run.stderr
    assert "1 errors" in run.stdout and "dropped: 1 field" in run.stdout
    problems = [json.loads(x) for x in (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    level = [p for p in problems if p["field"] == "level"]
    assert level == [
        {
            "action": "dropped-field",
            "fiche": "RNCP34808",
            "field": "level",
            "file": "a.txt",
            "line": 4,
            "message": "not a qualification level 1–8",
            "rule": "invalid-level",
            "severity": "error",
            "value": "Niveau 9",
        }
    ]


def test_violations_and_a_dropped_field_exit_6_and_the_summary_tells_both(tmp_path: Path) -> None:
    # as the 2021 register: SIRETs failing their check digit (SHACL violations) and values dropped
    src = tmp_path / "src"
    src.mkdir()
    page = next(FICHES_DIR.glob("000_*.txt")).read_text(encoding="utf-8")
    (src / "a.txt").write_text(
        page.replace("Niveau 6", "Niveau 9", 1).replace("33196441100036", "33196441100037"), encoding="utf-8"
    )
    run = subprocess.run(
        [*CLI, "build", str(src), "--out", str(tmp_path / "out")], check=False, capture_output=True, text=True
    )
    assert run.returncode == 6, run.stdout + run.stderr
    assert "validation: does NOT conform" in run.stdout and "dropped: 1 field" in run.stdout
    outcome = run.stdout.rstrip().splitlines()[-1]
    assert outcome.startswith("outcome: ") and outcome.endswith(" — exit 6")
    assert "SHACL violations" in outcome and "1 errors (0 fiches quarantined, 1 fields dropped" in outcome
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["validation"]["violations"] >= 1 and manifest["dropped"] == {"dropped-field": 1}
    (src / "a.txt").write_text(page.replace("33196441100036", "33196441100037"), encoding="utf-8")
    only_violations = subprocess.run([*CLI, "-q", "build", str(src), "--out", str(tmp_path / "out2")], check=False)
    assert only_violations.returncode == 1


def test_an_unreadable_graph_file_is_bad_input(tmp_path: Path) -> None:
    broken = tmp_path / "g.nt"
    broken.write_text("garbage <\n", encoding="utf-8")
    for command in (["info"], ["validate", "--no-cache"], ["check"]):
        run = subprocess.run([*CLI, *command, str(broken)], check=False, capture_output=True, text=True)
        assert run.returncode == 2, (command, run.stderr)
        assert "g.nt" in run.stderr and "line 1" in run.stderr and "Traceback" not in run.stderr
    empty = tmp_path / "e.nt"
    empty.write_bytes(b"")
    run = subprocess.run([*CLI, "validate", "--no-cache", str(empty)], check=False, capture_output=True, text=True)
    assert run.returncode == 2 and "holds no triples" in run.stderr


def test_an_export_without_fiches_aborts(tmp_path: Path) -> None:
    xml = tmp_path / "empty.xml"
    xml.write_text('<?xml version="1.0"?>\n<FICHES><VERSION_FLUX>4.1</VERSION_FLUX></FICHES>\n', encoding="utf-8")
    out = tmp_path / "out"
    run = subprocess.run([*CLI, "build", str(xml), "--out", str(out)], check=False, capture_output=True, text=True)
    assert run.returncode == 2 and "no fiche in this xml source" in run.stderr
    assert not out.exists()


def test_every_command_is_in_the_table_of_lazily_loaded_commands() -> None:
    """``cli.COMMANDS`` names each command's module (imported when the command is asked for):
    every module's commands are in it, with the right module, and nothing else is."""
    import importlib
    import pkgutil

    from rncp_graph import cli

    for module in pkgutil.iter_modules(cli.__path__):
        importlib.import_module(f"rncp_graph.cli.{module.name}")
    assert set(cli.main.commands) == set(cli.COMMANDS)
    for name, command in cli.main.commands.items():
        if command.callback is not None:  # the groups vocab, link and export have none of their own
            assert command.callback.__module__ == f"rncp_graph.cli.{cli.COMMANDS[name]}", name


def test_a_build_ends_with_its_exit_code_and_every_line_of_its_summary(tmp_path: Path) -> None:
    """``build`` with the graph in memory ends the process without freeing it (``cli.run``): the
    exit code, the whole summary through a pipe and the outputs are those of a normal exit."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.txt").write_bytes((FICHES_DIR / "003_5ca7f7331b8d7c91.txt").read_bytes())
    (src / "nonumber.txt").write_text("L'essentiel\nNiveau 5\nCompétences attestées :\nFaire quelque chose\n")
    run = subprocess.run(
        [*CLI, "-v", "build", str(src), "--out", str(tmp_path / "out")], check=False, capture_output=True, text=True
    )
    assert run.returncode == 4, run.stderr  # built, with a quarantined fiche
    assert run.stdout.startswith("fiches: 2 read, 1 loaded, 1 quarantined")
    *_, last_written, coverage, outcome = run.stdout.rstrip().splitlines()  # the last lines too
    assert last_written.startswith("wrote ttl: ")
    assert coverage.startswith(
        "coverage: page 32 sections read, 2 ignored (referential ×1, territories ×1), 1 heading "
    )
    assert outcome == "outcome: 1 errors (1 fiches quarantined; see errors.jsonl) — exit 4"
    assert "INFO rncp_graph.pipeline.stages: write: " in run.stderr  # the log, flushed
    assert json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["fiches"]["quarantined"] == 1


def test_a_build_into_a_store_exits_normally_and_leaves_it_usable(tmp_path: Path) -> None:
    store = tmp_path / "store"
    built = subprocess.run([*CLI, "-q", "build", str(FICHES_DIR), "--store", str(store)], check=False)
    assert built.returncode == 0
    info = subprocess.run([*CLI, "info", str(store)], check=False, capture_output=True, text=True)
    assert info.returncode == 0, info.stderr
    assert "1,902 triples" in info.stdout


def test_help_and_readme_list_every_exit_code() -> None:
    run = subprocess.run([*CLI, "--help"], check=False, capture_output=True, text=True)
    assert run.returncode == 0
    text = " ".join(run.stdout.split())
    for code in (
        "0 success",
        "1 SHACL violations",
        "2 bad input",
        "3 internal error",
        "4 built",
        "5 a remote",
        "6 both",
    ):
        assert code in text, code
    readme = " ".join((Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8").split())
    for code in range(7):
        assert f"`{code}` " in readme, code


def test_an_update_with_violations_and_a_dropped_field_exits_6(tmp_path: Path) -> None:
    store = tmp_path / "store"
    built = subprocess.run([*CLI, "-q", "build", str(FICHES_DIR), "--store", str(store)], check=False)
    assert built.returncode == 0
    page = next(FICHES_DIR.glob("000_*.txt"))
    changed = tmp_path / page.name
    text = page.read_text(encoding="utf-8")
    changed.write_text(text.replace("Niveau 6", "Niveau 9", 1).replace("33196441100036", "33196441100037"), "utf-8")
    run = subprocess.run(
        [*CLI, "update", "--store", str(store), str(changed)], check=False, capture_output=True, text=True
    )
    assert run.returncode == 6, run.stdout + run.stderr
    assert "invalid-level" in run.stdout and "Violation" in run.stdout
