"""Excel output (.xlsx), written with XlsxWriter row by row (its constant-memory mode: a row is on
disk once the next one starts), under a temporary name renamed into place like every output.

* the header row in bold, frozen (it stays in view when scrolling), with filters;
* the figures as numbers in their unit's format: CNY and HK$ amounts with 2 decimals
  (``#,##0.00``), whole-dollar figures (HK tax, Macao tax) with none (``#,##0``), ratios as
  percentages (``0.00%``, the stored ratio kept to its 6 digits), exchange rates with 6 decimals,
  years as whole numbers, flags as TRUE/FALSE, labels as text;
* the input columns as read: the known numeric ones (amounts, counts, years, rates) as numbers
  (every computed row's cells are valid numbers), everything else as text;
* text is always stored as text, never as a formula: a cell such as ``=HYPERLINK(...)`` is a
  string (``write_string``; the workbook is also opened with ``strings_to_formulas`` off), and
  text beginning with ``= + - @`` carries Excel's quote prefix, so editing the cell keeps it text.

Numbers in a workbook are IEEE doubles: exact for every amount the calculator takes (at most
1,000,000,000 with 2 decimals) and every figure up to 10**13 to the cent. A sheet holds at most
1,048,576 rows: a run with more rows stops with a message (nothing is renamed into place) --
write CSV or Parquet for those.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from ...figures import FIGURES
from ...scenario import FIELDS, field_kind
from ..errors import BatchFileError
from ..frames import Chunk, output_header
from ..readers import printable
from .files import AtomicTarget, writing

if TYPE_CHECKING:
    from xlsxwriter.format import Format

MAX_ROWS = 1_048_575                # Excel's rows, less the header
MAX_COLUMNS = 16_384                # Excel's columns
MAX_CELL_CHARS = 32_767             # Excel's characters in a cell
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
INPUT_NUMBERS = ("money", "rate", "days", "count", "year", "choice_int")

#: a figure's number format by its unit and digits
MONEY_2, MONEY_0, PERCENT, FX, WHOLE = "#,##0.00", "#,##0", "0.00%", "0.000000", "0"


#: the digits after the point each format keeps
FORMAT_DIGITS = {MONEY_2: 2, MONEY_0: 0, PERCENT: 6, FX: 6, WHOLE: 0}


class _Exact(str):
    """A figure's exact text, where a float cannot hold the figure (written as text)."""


def figure_format(unit: str, decimals: int | None) -> str | None:
    """The Excel number format of a figure of ``unit`` (None: not a number)."""
    if unit in ("CNY", "HKD", "MOP"):
        return MONEY_2 if decimals else MONEY_0
    return {"rate": PERCENT, "fx": FX, "year": WHOLE}.get(unit)


class XlsxWriter:
    """The output sheet ``results``. Same interface as :class:`~taxcalc.batch.writers.tabular.Writer`."""

    fmt = "xlsx"
    slice_rows: int = 50_000

    def __init__(self, path: str, columns: list[str], units: Mapping[str, tuple[str, int]] | None = None):
        import xlsxwriter

        if path == "-":
            raise BatchFileError("an .xlsx workbook cannot go to standard output; give a file name")
        self.target = AtomicTarget(path)
        self.target.fh.close()                      # XlsxWriter writes the file itself, at commit
        self.columns = columns
        self.units = units
        self.header = list(units) if units is not None else output_header(columns)
        self.rows = 0
        self._closed = False
        try:
            self._start(xlsxwriter, path)
        except BaseException:                       # a header the sheet cannot hold: no temporary file left
            self.target.abort()
            raise
        self._kinds = [self._kind(name) for name in self.header]

    def _start(self, xlsxwriter: Any, path: str) -> None:
        """The workbook under the temporary name, its formats and the header row."""
        with writing(path):
            self.book = xlsxwriter.Workbook(self.target.tmp, {
                "constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                "strings_to_urls": False})
            self.sheet = self.book.add_worksheet("results")
            bold = self.book.add_format({"bold": True})
            self.text_safe = self.book.add_format({"quote_prefix": True})
            self.formats = {f: self.book.add_format({"num_format": f}) for f in (MONEY_2, MONEY_0, PERCENT, FX, WHOLE)}
            for k, name in enumerate(self.header):
                self._text(0, k, name, bold)
            self.sheet.freeze_panes(1, 0)
            self.sheet.set_column(0, len(self.header) - 1, 14)
            if self.header:
                self.sheet.autofilter(0, 0, 0, len(self.header) - 1)

    def _kind(self, name: str) -> tuple[str | None, ...]:
        """How a column's cells are written: ("figure", format, unit), ("input-number",), ("text",)."""
        if self.units is not None:                  # a table of its own (a plan): the units given
            unit, decimals = self.units[name]
            return ("figure", figure_format(unit, decimals), unit)
        figure = {f.name: f for f in FIGURES}.get(name)
        if figure is not None and name not in self.columns:
            return ("figure", figure_format(figure.unit, figure.decimals), figure.unit)
        if name in FIELDS and field_kind(name) in INPUT_NUMBERS:
            return ("input-number",)
        return ("text",)

    def _text(self, row: int, col: int, value: str, fmt: Format | None = None) -> None:
        if len(value) > MAX_CELL_CHARS:             # XlsxWriter cuts it to the limit without a word
            where = "the header" if row == 0 else f"row {row} of the output"
            raise BatchFileError(f"{self.target.path}: {where}, column {printable(self.header[col][:60])!r}: a cell of "
                                 f"{len(value):,} characters; an Excel cell holds at most {MAX_CELL_CHARS:,} -- write "
                                 ".csv or .parquet")
        if value.startswith(FORMULA_START):
            self.sheet.write_string(row, col, value, self.text_safe)
        else:
            self.sheet.write_string(row, col, value, fmt)

    def write_chunk(self, chunk: Chunk, free_text: list[str]) -> None:
        step = self.slice_rows
        for start in range(0, chunk.height, step):
            self.write_frame(chunk.frame(start, start + step), free_text)

    def write_frame(self, df: pl.DataFrame, free_text: list[str]) -> None:
        if self.rows + df.height > MAX_ROWS:
            raise BatchFileError(f"{self.target.path}: an Excel sheet holds at most {MAX_ROWS:,} rows under its "
                                 "header; write .csv or .parquet for larger batches")
        cells = [self._cells(df[name], kind) for name, kind in zip(self.header, self._kinds)]
        with writing(self.target.path):
            for i in range(df.height):              # row by row: constant-memory mode flushes a row once left
                row = self.rows + 1 + i
                for k, (how, values) in enumerate(cells):
                    v = values[i]
                    if v is None:
                        continue
                    if how == "text" or isinstance(v, _Exact):
                        self._text(row, k, v)
                    elif how == "bool":
                        self.sheet.write_boolean(row, k, v)
                    else:
                        self.sheet.write_number(row, k, v, how)
        self.rows += df.height

    def _cells(self, s: pl.Series, kind: tuple[str | None, ...]) -> tuple[str | Format | None, list[Any]]:
        """(how, values) for one column: how is "text", "bool", or the number format (None: a
        number without a format); values hold None where the cell stays empty."""
        if kind[0] == "figure" and kind[2] == "bool":
            return "bool", s.to_list()
        if kind[0] == "figure" and kind[1] is not None:
            floats = s.cast(pl.Float64).to_numpy()
            values: list[Any] = [None if np.isnan(v) else float(v) for v in floats.tolist()]
            # a float holds a figure exactly only below 2**53 of its last digit (HK$ 90,071,992,547,409.91
            # to the cent): past it the exact figure as text, never a rounded number
            inexact = np.flatnonzero(np.abs(np.nan_to_num(floats)) >= 2.0 ** 53 / 10 ** FORMAT_DIGITS[kind[1]])
            if len(inexact):
                exact = s.gather(inexact).cast(pl.String).to_list()
                for i, text in zip(inexact.tolist(), exact):
                    values[i] = _Exact(text)
            return self.formats[kind[1]], values
        if kind[0] == "input-number":
            values = [None if v in (None, "") else _number(v) for v in s.to_list()]
            if any(v is None and t not in (None, "") for v, t in zip(values, s.to_list())):
                return "text", [None if t in (None, "") else str(t) for t in s.to_list()]
            return None, values
        return "text", [None if v in (None, "") else str(v) for v in s.cast(pl.String).to_list()]

    def finish(self) -> None:
        """The workbook written out (XlsxWriter writes the zip as it closes), not yet renamed."""
        if not self._closed:
            with writing(self.target.path):
                self.book.close()
            self._closed = True
        self.target.finish()

    def commit(self) -> None:
        self.finish()
        self.target.commit()

    def abort(self) -> None:
        self.target.abort()                       # the workbook was never closed: nothing of it is written


def _number(text: str) -> float | None:
    """A valid input cell as a number (the grammar took it: digits, a point, an exponent, maybe
    thousands separators or full-width digits); None when it is not plainly one."""
    import unicodedata

    try:
        return float(unicodedata.normalize("NFKC", text).strip().replace(",", ""))
    except ValueError:
        return None
