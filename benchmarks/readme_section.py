"""One generated section of ``benchmarks/README.md``, kept between two HTML comment markers
(``<!-- name:start -->`` … ``<!-- name:end -->``) so that a benchmark rewrites its own table
and leaves the rest of the page untouched. Used by ``bench_queries.py`` and ``bench_cli.py``."""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def replace_section(name: str, title: str, body: str, readme: Path = README) -> None:
    """Write ``## title`` and ``body`` between the ``name`` markers of ``readme`` (appended, with
    its markers, when the page has none yet)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n## {title}\n\n{body}{end}\n"
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) + 1 :]
    else:
        text = text.rstrip("\n") + "\n\n" + block
    readme.write_text(text, encoding="utf-8")
