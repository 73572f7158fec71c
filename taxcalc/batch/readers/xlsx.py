"""Excel workbooks (.xlsx): one sheet -- the first, or the one named -- as text columns.

Read with fastexcel (calamine, in Rust: a sheet of 100,000 rows of 22 columns in about 2.5 s). The first row
is the header, its cells as text. Cells become text as a CSV cell would hold them:

* numbers in the known numeric columns (amounts, rates, counts, years) as Excel shows them, to
  15 significant digits (``999999999.99``, not the binary ``999999999.990000009...``; ``2024``,
  not ``2024.0``); in other columns as calamine writes them;
* true/false cells as ``true``/``false`` (in a numeric column that is the row's error, as in JSON
  Lines: a flag is not a number);
* dates and times as ISO text (``2024-01-02 00:00:00``): in a numeric column, the row's error;
* a formula cell as the value the workbook saved with it (a workbook saved without values gives
  an empty cell); an error value (``#DIV/0!``) as empty;
* merged cells: the value in the top-left cell, the others empty; empty rows are skipped as in CSV.

A file that is not a workbook (not a zip, a damaged one), a sheet whose XML would unpack past
:data:`MAX_SHEET_BYTES` (a zip bomb, or more than a sheet of batch rows needs), a workbook
without sheets, a sheet without a header row, and a sheet name that is not there are one
:class:`~taxcalc.batch.errors.BatchFileError` each, before any row is read.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from ...scenario import FIELDS, field_kind
from ..errors import BatchFileError
from . import check_header, printable

if TYPE_CHECKING:
    import fastexcel

MAX_SHEET_BYTES = 512 << 20    # the unpacked XML of the sheet read: about 8 million cells
MAX_RATIO = 400                # unpacked / packed size of the sheet past which it is a zip bomb
CHUNK_ROWS = 200_000           # rows a chunk (the whole sheet is in memory once loaded)
NUMERIC = ("money", "rate", "days", "count", "year", "choice_int")


def sheet_names(path: str) -> list[str]:
    """The sheets of a workbook, in order (a BatchFileError when it is not one)."""
    return _open(path).sheet_names


def _open(path: str) -> fastexcel.ExcelReader:
    try:
        import fastexcel
    except ImportError:                          # a dependency: only a broken install lacks it
        raise BatchFileError(f"{path}: reading .xlsx needs fastexcel (pip install fastexcel)") from None
    if not os.path.isfile(path):                 # /dev/zero filled the memory: a workbook is read whole
        raise BatchFileError(f"{path}: not a regular file (a device or a pipe?); a workbook is read from a file")
    if not zipfile.is_zipfile(path):
        raise BatchFileError(f"{path}: not an Excel workbook (.xlsx is a zip file; this is not one); save it "
                             "as .xlsx, or as CSV")
    try:
        return fastexcel.read_excel(path)
    except Exception as exc:
        first = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise BatchFileError(f"{path}: not a readable Excel workbook ({first})") from None


def _check_size(path: str, index: int) -> None:
    """Refuse a sheet whose XML unpacks past MAX_SHEET_BYTES, or by more than MAX_RATIO."""
    try:
        with zipfile.ZipFile(path) as z:
            sheets = sorted((i for i in z.infolist() if i.filename.startswith("xl/worksheets/sheet")
                             and i.filename.endswith(".xml")), key=lambda i: _sheet_number(i.filename))
            total = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BatchFileError(f"{path}: not a readable Excel workbook ({exc})") from None
    info = sheets[index] if index < len(sheets) else None
    size = info.file_size if info is not None else total
    packed = info.compress_size if info is not None else 1
    if size > MAX_SHEET_BYTES or (size > (16 << 20) and size > MAX_RATIO * max(packed, 1)):
        raise BatchFileError(f"{path}: the sheet unpacks to {size / 2**20:,.0f} MB (packed {packed / 2**20:,.1f} MB); "
                             f"a batch sheet is read whole and may unpack to at most {MAX_SHEET_BYTES >> 20} MB -- "
                             "save large batches as CSV or Parquet")


def _sheet_number(name: str) -> int:
    digits = "".join(ch for ch in name.rsplit("/", 1)[-1] if ch.isdigit())
    return int(digits) if digits else 0


class XlsxReader:
    """One sheet of a workbook, as chunks of text columns (the whole sheet is loaded at once)."""

    def __init__(self, path: str, sheet: str | None = None):
        self.path = path
        book = _open(path)
        names = book.sheet_names
        if not names:
            raise BatchFileError(f"{path}: the workbook has no sheet; expected a sheet with a header row "
                                 "(id, tax_year, wages, ...)")
        if sheet is None:
            index = 0
        elif sheet in names:
            index = names.index(sheet)
        else:
            shown = ", ".join(repr(n) for n in names[:20])
            raise BatchFileError(f"{path}: no sheet named {sheet!r}; the workbook has {shown}")
        self.sheet = names[index]
        _check_size(path, index)
        try:
            text = book.load_sheet(index, header_row=None, dtypes="string").to_polars()
            numbers = book.load_sheet(index, header_row=None, dtypes="float").to_polars()
        except Exception as exc:
            first = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
            raise BatchFileError(f"{path}: cannot read the sheet {self.sheet!r} ({first})") from None
        if text.height == 0 or text.width == 0:
            raise BatchFileError(f"{path}: the sheet {self.sheet!r} is empty; expected a header row with the batch "
                                 "columns (at least tax_year) and then one row per scenario")
        header = [("" if v is None else str(v)).strip() for v in text.row(0)]
        while header and header[-1] == "" and text[:, len(header) - 1].drop_nulls().len() <= 1:
            header.pop()                          # trailing columns without a name or a value
        if not header:
            raise BatchFileError(f"{path}: the sheet {self.sheet!r} has no header row; expected the batch columns "
                                 "(at least tax_year) in its first row")
        check_header(path, header, f" in the first row of the sheet {printable(self.sheet)!r}")
        self.columns = header
        self._frame = self._cells(text.slice(1), numbers.slice(1), header)
        self.total_rows = self._frame.height
        self.total_bytes = 0
        self.bytes_read = 0

    @staticmethod
    def _cells(text: pl.DataFrame, numbers: pl.DataFrame, header: list[str]) -> pl.DataFrame:
        """The sheet's rows as text columns named by the header (see the module's rules)."""
        out = []
        for k, name in enumerate(header):
            s = text[:, k].cast(pl.String)
            if name in FIELDS and field_kind(name) in NUMERIC:
                s = _excel_numbers(s, numbers[:, k])
            out.append(s.alias(f"#{k}"))
        frame = pl.DataFrame(out)
        frame.columns = header                   # names may repeat only if check_header let them (it does not)
        return frame

    def __iter__(self) -> Iterator[pl.DataFrame]:
        for start in range(0, self._frame.height, CHUNK_ROWS):
            yield self._frame.slice(start, CHUNK_ROWS)

    def close(self) -> None:
        self._frame = pl.DataFrame()


def _excel_numbers(text: pl.Series, numbers: pl.Series) -> pl.Series:
    """Number cells as Excel shows them (15 significant digits); other cells (text, flags, dates)
    as their text. A cell is a number when calamine's float reading has a value and its text
    reading is not a flag: a text cell that reads as a number gets the same treatment."""
    values = numbers.cast(pl.Float64).to_numpy()
    texts = text.to_list()
    for i in np.flatnonzero(~np.isnan(values)).tolist():
        t = texts[i]
        if t is None or t.strip().lower() in ("true", "false"):
            continue
        texts[i] = format(values[i], ".15g")
    return pl.Series(text.name, texts, dtype=pl.String)
