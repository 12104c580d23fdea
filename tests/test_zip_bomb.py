"""A zip export that unpacks to far more than a real one is refused at once (issue 19, item 5).

Bounded by the compression ratio and by an absolute size, both read from the member's header
before anything is decompressed, and held while decompressing (a header can lie). The bombs
here are small (20 MB of spaces, 20 KB zipped) and the limits lowered where a test needs it, so
each test takes well under a second.
"""

from __future__ import annotations

import struct
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from rncp_graph import build
from rncp_graph.cli import main
from rncp_graph.errors import StructuralError
from rncp_graph.loaders import csv_export, xml_export, zip_limits
from rncp_graph.loaders.csv_export import read_csv_export
from rncp_graph.loaders.xml_export import read_xml
from rncp_graph.pipeline import xml_parallel

from .test_csv_loader import FIXTURE, XML_FIXTURE

MEMBER = "export-fiches-rncp-v4-1-2025-03-14.xml"
SPACES = 20 << 20


def bomb(path: Path, name: str = MEMBER, size: int = SPACES) -> Path:
    """A valid export wrapped around ``size`` spaces, deflated (ratio ~1,000)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            name, b'<?xml version="1.0"?><FICHES><VERSION_FLUX>4.1</VERSION_FLUX>' + b" " * size + b"</FICHES>"
        )
    return path


def lie_about_size(path: Path, declared: int) -> Path:
    """Rewrite the member's uncompressed size in its local header and in the central directory."""
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, 22, declared)  # local file header: uncompressed size
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, declared)  # central directory entry: uncompressed size
    path.write_bytes(bytes(data))
    return path


def refused(path: Path, match: str) -> StructuralError:
    started = time.monotonic()
    with pytest.raises(StructuralError, match=match) as error:
        read_csv_export(path) if "CSV" in path.name else read_xml(path)
    assert time.monotonic() - started < 1.0
    return error.value


def test_a_bomb_is_refused_by_its_ratio_before_reading(tmp_path: Path) -> None:
    error = refused(bomb(tmp_path / "export-2025-03-14.zip"), r"over 100× its compressed size")
    assert error.file == f"export-2025-03-14.zip/{MEMBER}"
    assert "20,971," in error.message  # the declared size, in the message


def test_a_member_over_the_size_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "export-2025-03-14.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.write(XML_FIXTURE, MEMBER)
    monkeypatch.setattr(xml_export, "MAX_MEMBER_SIZE", 10_000)
    error = refused(archive, r"zip member too large: [\d,]+ bytes, over the limit of 10,000")
    assert error.file == f"export-2025-03-14.zip/{MEMBER}"


def test_a_lying_header_is_caught_while_decompressing(tmp_path: Path) -> None:
    """The header says 2,000 bytes (ratio 0.1): the member passes the checks, then gives no more
    than the 2,000 bytes it declared and fails its CRC: a clear error, not 20 MB."""
    archive = lie_about_size(bomb(tmp_path / "export-2025-03-14.zip"), 2_000)
    assert zipfile.ZipFile(archive).infolist()[0].file_size == 2_000
    error = refused(archive, r"damaged zip member: Bad CRC-32")
    assert error.file == f"export-2025-03-14.zip/{MEMBER}"


def test_the_count_holds_whatever_the_decompressor_gives(tmp_path: Path) -> None:
    """The stream stops at its limit even if zipfile gave more than the header declared (CPython's
    zipfile stops at the declared size itself: the count does not rely on it)."""
    archive = bomb(tmp_path / "export-2025-03-14.zip", size=200_000)
    with zipfile.ZipFile(archive) as handle, handle.open(handle.infolist()[0]) as raw:
        stream = zip_limits.CountingReader(raw, limit=100_000, label="export.zip/member.xml")
        with pytest.raises(StructuralError, match="more than 100,000 bytes") as error:
            while stream.read(1 << 16):
                pass
    assert error.value.file == "export.zip/member.xml"


def test_the_parallel_reader_refuses_it_too_and_leaves_no_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = lie_about_size(bomb(tmp_path / "export-2025-03-14.zip"), 2_000)
    monkeypatch.setattr(xml_parallel, "MIN_BYTES", 1)
    with pytest.raises(StructuralError, match="damaged zip member"):
        build([archive], jobs=2)
    assert not list(Path(tempfile.gettempdir()).glob("rncp-graph-*/*.xml"))


def test_a_csv_export_with_a_bomb_member_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "export-CSV-2025-03-14.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as handle:
        for table in sorted(FIXTURE.iterdir()):
            handle.write(table, table.name)
        handle.writestr("export_fiches_CSV_Rome_2025_03_14 copy.csv", b" " * SPACES)
    error = refused(archive, r"over 100× its compressed size")
    assert error.file == "export-CSV-2025-03-14.zip/export_fiches_CSV_Rome_2025_03_14 copy.csv"
    monkeypatch.setattr(csv_export, "MAX_MEMBER_SIZE", 1_000)
    refused(archive, r"zip member too large")


def test_build_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    started = time.monotonic()
    result = CliRunner().invoke(main, ["build", str(bomb(tmp_path / "export-2025-03-14.zip")), "--out", str(out)])
    assert time.monotonic() - started < 2.0
    assert result.exit_code == 2, result.output
    assert f"export-2025-03-14.zip/{MEMBER}" in result.stderr and "zip bomb" in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_real_ratios_pass(shared_data: Path) -> None:
    """The published sample zip (ratios 1.2–5.3) reads as before."""
    result = read_csv_export(shared_data / "rncp-csv-official-sample" / "export-fiches-csv-2024-02-22.sample.zip")
    assert len(result.fiches) == 9
