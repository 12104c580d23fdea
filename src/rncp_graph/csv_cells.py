"""CSV cells a spreadsheet will not run: OWASP's defence against CSV (formula) injection.

A spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and a
leading tab or carriage return can hide one), so a fiche title such as
``=HYPERLINK("http://…","x")`` would become a live link, or worse, in whoever opens the file.
Following the OWASP "CSV Injection" guidance, such a text cell is written with a ``'``
before it: spreadsheets show the text, and the ``'`` tells a reader it was neutralised.

Numbers stay numbers: a cell that is a plain decimal number (``-3``, ``+2.5``, ``-1e-3``) is
written as it is. A spreadsheet reads it as a number, never as a formula, and prefixing it
would turn every negative figure of a table into text. Anything else after the sign
(``-3+A1``, ``-cmd|…``) is not a plain number and is neutralised.
"""

from __future__ import annotations

import re
from typing import Any

#: the first characters that make a spreadsheet read a formula (OWASP), tab and CR included
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """``value``, or for a text a spreadsheet would run as a formula, that text after a ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value
