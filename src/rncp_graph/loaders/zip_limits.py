"""Zip exports read within bounds: a zip bomb is refused before it is decompressed.

A member is checked on its header before anything is read (:func:`check_member_size`: an
absolute size given by the loader, and :data:`MAX_RATIO`), then read through a stream that
counts what it decompresses (:func:`open_member`): a header can lie.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any

from ..errors import StructuralError
from .export_common import member_name

#: a zip member that unpacks to more than this many times its compressed size is refused: real
#: and generated exports compress far less (benchmarks/README.md), a zip bomb ~1,000× (deflate's
#: ceiling is 1,032)
MAX_RATIO = 100


def check_member_size(info: zipfile.ZipInfo, path: Path, limit: int) -> None:
    """Refuse a zip member, before reading it, larger than ``limit`` bytes or than :data:`MAX_RATIO`
    times its compressed size, as its header says (:func:`open_member` holds it to that while reading)."""
    label = f"{path.name}/{member_name(info)}"
    if info.file_size > limit:
        raise StructuralError(
            f"zip member too large: {info.file_size:,} bytes, over the limit of {limit:,} (a zip bomb?)", file=label
        )
    if info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise StructuralError(
            f"zip member unpacks to {info.file_size:,} bytes from {info.compress_size:,}: over {MAX_RATIO}× "
            "its compressed size, which no real export reaches (a zip bomb?)",
            file=label,
        )


def open_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, limit: int) -> IO[bytes]:
    """The member's bytes as a stream that stops at ``limit`` bytes and at the size its header
    declares, counting what it decompresses (a header can lie), and turns a damaged member
    (bad CRC, truncated data) into a :class:`StructuralError` naming it."""
    check_member_size(info, path, limit)
    label = f"{path.name}/{member_name(info)}"
    counted = CountingReader(archive.open(info), limit=min(limit, info.file_size), label=label)
    return io.BufferedReader(counted, 1 << 20)


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, limit: int) -> bytes:
    """The whole member, read through :func:`open_member`."""
    with open_member(archive, info, path, limit) as stream:
        return stream.read()


class CountingReader(io.RawIOBase):
    """A zip member stream that refuses to give more than ``limit`` bytes."""

    def __init__(self, raw: IO[bytes], *, limit: int, label: str) -> None:
        super().__init__()
        self._raw, self._limit, self._label, self._count = raw, limit, label, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._raw.read(min(len(buffer), self._limit + 1 - self._count))
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise StructuralError(f"damaged zip member: {exc}", file=self._label) from None
        self._count += len(data)
        if self._count > self._limit:
            raise StructuralError(
                f"zip member gives more than {self._limit:,} bytes, the size allowed for it (a zip bomb?)",
                file=self._label,
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()
