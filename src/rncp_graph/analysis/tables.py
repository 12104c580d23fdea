"""Result tables: rows (dataclasses) with their columns, as text, pandas DataFrames, CSV or Parquet.

pandas (the ``notebook`` extra) and pyarrow are optional: they are imported only when a
DataFrame or a Parquet file is asked for, and a missing one is named in the error.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ..errors import QueryError
from ..exports.atomic import write_bytes
from .outputs import as_records, write_table


@dataclass
class Table:
    """Rows (dataclasses) with their column names (known even when there is no row)."""

    columns: list[str]
    rows: list[Any]

    @classmethod
    def of(cls, row_type: type, rows: Iterable[Any]) -> Table:
        return cls([f.name for f in fields(row_type)], list(rows))

    def lines(self, columns: list[str] | None = None, *, limit: int = 10, width: int = 40) -> list[str]:
        """The first ``limit`` rows as aligned text (cells cut at ``width`` characters)."""
        names = columns or self.columns
        cells = [[_cell(getattr(r, c), width) for c in names] for r in self.rows[:limit]]
        widths = [max([len(n), *(len(row[i]) for row in cells)]) for i, n in enumerate(names)]
        return ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in [names, *cells]]

    def to_frame(self) -> Any:
        """A pandas DataFrame with :attr:`columns` (also when there is no row).

        :raises ImportError: pandas is not installed (``pip install rncp-graph[notebook]``).
        """
        pandas = _optional("pandas", "DataFrames need pandas (pip install 'rncp-graph[notebook]')")
        return pandas.DataFrame.from_records(as_records(self.rows), columns=self.columns)


def _cell(value: Any, width: int) -> str:
    text = "" if value is None else (f"{value:.4g}" if isinstance(value, float) else str(value))
    return text if len(text) <= width else text[: width - 1] + "…"


def _optional(module: str, why: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(why) from exc


def _write_csv(table: Table, path: Path) -> None:
    write_table(table.rows, path, columns=table.columns)


def _write_parquet(table: Table, path: Path) -> None:
    buffer = io.BytesIO()
    table.to_frame().to_parquet(buffer, index=False)
    write_bytes(path, buffer.getvalue())


#: table format → (suffix, writer(table, path))
TABLE_FORMATS: dict[str, tuple[str, Callable[[Table, Path], None]]] = {
    "csv": (".csv", _write_csv),
    "parquet": (".parquet", _write_parquet),
}
#: table format → the optional modules it needs
NEEDS: dict[str, tuple[str, ...]] = {"csv": (), "parquet": ("pandas", "pyarrow")}


def check_table_format(fmt: str) -> None:
    """Raise :class:`QueryError` when ``fmt`` is unknown or its optional modules are missing,
    before any work is done."""
    if fmt not in TABLE_FORMATS:
        raise QueryError(f"unknown table format; choose one of {', '.join(TABLE_FORMATS)}", value=fmt)
    missing = [m for m in NEEDS[fmt] if importlib.util.find_spec(m) is None]
    if missing:
        raise QueryError(
            f"{fmt} tables need {' and '.join(missing)}, not installed here (pip install {' '.join(missing)}); "
            "use --tables csv",
            value=fmt,
        )


def write_table_as(table: Table, path_stem: Path, fmt: str) -> Path:
    """Write ``table`` as ``path_stem`` + the format's suffix; return the path."""
    suffix, writer = TABLE_FORMATS[fmt]
    path = path_stem.with_name(path_stem.name + suffix)
    writer(table, path)
    return path
