"""Readers: a batch file as chunks of **text** columns, exactly as written.

Every reader has ``columns`` (the header, checked by :func:`check_header` before any row is
read), iterates over polars frames of ``pl.String`` columns with those names, and reports how far
it got for a progress display: ``bytes_read`` of ``total_bytes``, or ``total_rows`` when it knows
the row count (Parquet). ``close()`` releases the file. A file that cannot be read as a batch file
is a :class:`~taxcalc.batch.errors.BatchFileError` with one line naming the file and what was
expected -- at the header or at the chunk where the problem lies.

The format comes from the extension (:func:`file_format`); ``-`` is CSV on standard input.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from ...figures import NAMES as FIGURE_NAMES
from ...scenario import FIELDS
from ...validate import normalize_word
from ..errors import BatchFileError

if TYPE_CHECKING:
    import polars as pl

KNOWN = tuple(FIELDS)         # the batch columns

HEADER_LIMIT = 1 << 20        # a header line longer than this is not a batch file
MAX_COLUMNS = 1000            # more columns than this (the batch has about 60) is not a batch file

#: extensions by format, in and out
EXTENSIONS = {"csv": (".csv", ".txt", ".csv.tmp"), "jsonl": (".jsonl", ".ndjson"), "parquet": (".parquet", ".pq"),
              "xlsx": (".xlsx",)}


class Reader(Protocol):
    """What every reader has (Parquet and .xlsx readers also know ``total_rows``)."""

    path: str
    columns: list[str]
    total_bytes: int
    bytes_read: int

    def __iter__(self) -> Iterator[pl.DataFrame]: ...

    def close(self) -> None: ...


def file_format(path: str) -> str:
    """``csv``, ``jsonl``, ``parquet`` or ``xlsx`` from the extension (``-`` is CSV on stdin/stdout)."""
    if path == "-":
        return "csv"
    name = path.lower()
    for fmt, extensions in EXTENSIONS.items():
        if name.endswith(extensions):
            return fmt
    hint = " (an old .xls workbook: save it as .xlsx)" if name.endswith(".xls") else ""
    raise BatchFileError(f"{path}: unknown file type{hint}; use .csv, .jsonl (or .ndjson), .parquet, .xlsx, or - for "
                         "CSV on standard input/output")


def printable(text: str) -> str:
    """``text`` for a one-line message: control characters (a newline in a column name) escaped."""
    return text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def check_header(path: str, names: list[str], looks_like: str = "") -> None:
    """At most MAX_COLUMNS columns, known columns, tax_year present, no duplicates: else a message
    naming the expected header."""
    if len(names) > MAX_COLUMNS:
        raise BatchFileError(f"{path}: {len(names):,} columns; a batch file has at most {MAX_COLUMNS:,} (the "
                             f"{len(KNOWN)} batch columns and any others passed through)")
    seen = set()
    for n in names:
        if n in seen:
            raise BatchFileError(f"{path}: column {n!r} appears twice in the header")
        if "\x00" in n:                         # Arrow (Parquet output) cannot name a column so
            raise BatchFileError(f"{path}: column {n!r} holds a NUL character; expected a header such as "
                                 "id,tax_year,wages")
        seen.add(n)
    for n in names:                             # WAGES, " wages", Tax-Year: not passed through as unknown
        word = normalize_word("".join(ch for ch in n if unicodedata.category(ch) != "Cf"))     # a BOM, a zero-width space
        if n not in KNOWN and word in KNOWN and word != "id":      # an ID column changes no figure: kept
            raise BatchFileError(f"{path}: column '{printable(n)}' is written differently from the batch column "
                                 f"{word}; name it {word} (lower case, with _) so that it is read")
    results = [n for n in names if n in FIGURE_NAMES]
    if results:                                  # the output would hold two columns of that name
        shown = ", ".join(results[:5]) + (f" and {len(results) - 5:,} more" if len(results) > 5 else "")
        raise BatchFileError(f"{path}: {shown}: result {'columns' if len(results) > 1 else 'column'} of taxcalc "
                             f"batch, computed for each row; remove or rename {'them' if len(results) > 1 else 'it'} "
                             "(a batch output is not an input: give the file it was computed from)")
    if not seen & set(KNOWN):
        shown = ",".join(names)[:120]
        raise BatchFileError(
            f"{path}: no known column in the header ({shown!r}){looks_like}; expected comma-separated columns "
            f"such as id,tax_year,residency,identity,zone,wages,bonus (tax_year is required; "
            f"see docs/batch.md for all {len(KNOWN)})")
    if "tax_year" not in seen:
        raise BatchFileError(f"{path}: the required column tax_year is missing from the header "
                             f"(columns found: {printable(', '.join(names)[:200])})")


def open_reader(path: str, sheet: str | None = None) -> Reader:
    """The reader for ``path`` by its extension; ``sheet``: a workbook's sheet by name (.xlsx only)."""
    import os

    fmt = file_format(path)
    if path != "-" and not os.path.exists(path):
        raise BatchFileError(f"{path}: no such file")
    if path != "-" and os.path.isdir(path):
        raise BatchFileError(f"{path}: is a directory; expected a .csv, .jsonl, .parquet or .xlsx file")
    if path != "-" and not os.path.isfile(path):    # a named pipe is read more than once (or blocks); a device never ends
        raise BatchFileError(f"{path}: not a regular file (a device or a pipe?); give a file, or - to read CSV "
                             "from standard input")
    if sheet is not None and fmt != "xlsx":
        raise BatchFileError(f"{path}: --sheet names a sheet of an .xlsx workbook; this is a {fmt} file")
    if fmt == "xlsx":
        from .xlsx import XlsxReader

        return XlsxReader(path, sheet)
    if fmt == "csv":
        from .csvfile import CsvReader

        return CsvReader(path)
    if fmt == "jsonl":
        from .jsonl import JsonlReader

        return JsonlReader(path)
    from .parquet import ParquetReader

    return ParquetReader(path)
