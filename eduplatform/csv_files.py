"""Formula-safe CSV, written in chunks: every download of the site (records, the audit log, the concern
log) goes through :func:`csv_chunks`, so no layer writes its own.

It lives in the core so that a feature (the concern log) may stream a CSV without importing the
oversight layer; :mod:`eduplatform.reports.exports` re-exports these names for its callers.

* UTF-8 with a byte order mark and CRLF line ends (Excel in UK schools opens it right) unless ``bom=False``.
* **Formula-safe**: any text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  gets a leading ``'`` (OWASP "CSV injection"), so ``=HYPERLINK(...)`` typed as a name stays text.
* A download that fails half-way ends with :data:`ERROR_MARKER` on its own line, so a partial file
  never looks complete.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

#: The last line of a download that failed part-way (documented in README.md).
ERROR_MARKER = "#ERROR: this export stopped before the end and is incomplete. Download it again."
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A cell as written: text that a spreadsheet would run as a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_chunks(columns: list[str], rows: Iterable[list[Any]], *, bom: bool = True) -> Iterator[str]:
    """The CSV text in chunks of a few hundred rows: header first, every cell formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write("\ufeff")
    writer.writerow(columns)
    yield _drain(buffer)
    starts = _FORMULA_START
    for written, row in enumerate(rows, start=1):
        # neutralise() inline: half a million rows x 36 cells make the call itself the cost.
        writer.writerow([("'" + cell) if cell.__class__ is str and cell.startswith(starts) else cell for cell in row])
        if written % 500 == 0:
            yield _drain(buffer)
    rest = _drain(buffer)
    if rest:
        yield rest


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
