"""The output formats: CSV, JSON Lines and Parquet (:class:`Writer` and its kinds), and the
errors file (:class:`ErrorsWriter`, always CSV). Each writes to an
:class:`~taxcalc.batch.writers.files.AtomicTarget`; CSV cells and header names that a spreadsheet
would run as formulas are neutralised (:func:`neutralise_formulas`)."""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

import polars as pl

from ..errors import BatchFileError
from ..frames import Chunk, empty_input, empty_results, output_header
from ..parse import empty_errors
from ..readers import file_format
from .files import AtomicTarget, writing

if TYPE_CHECKING:
    import pyarrow.parquet as pq

FORMULA_START = r"^[=+\-@\t\r]"
NUMBER_TEXT = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def neutralise_formulas(df: pl.DataFrame, names: list[str] | None = None) -> pl.DataFrame:
    """CSV injection: text cells that begin with = + - @ (or a tab or CR) get a leading ``'``
    unless they are numbers (``-5``, ``+1.5e3`` stay as they are).

    ``names`` limits the check to the columns that can hold free text; by default every text
    column. Known input columns of computed rows need no check: they parsed as numbers or words.
    Only the risky cells are rewritten (found with one anchored match, then fixed in place).
    """
    fixed = []
    for name, dtype in df.schema.items():
        if dtype != pl.String or (names is not None and name not in names):
            continue
        s = df[name]
        idx = s.str.contains(FORMULA_START).fill_null(False).arg_true()
        if not len(idx):
            continue
        risky = s.gather(idx)
        text = ~risky.str.contains(NUMBER_TEXT)
        idx, risky = idx.filter(text), risky.filter(text)
        if len(idx):
            fixed.append(s.scatter(idx, "'" + risky))
    return df.with_columns(fixed) if fixed else df


def neutralise_header(names: list[str]) -> list[str]:
    """Column names as :func:`neutralise_formulas` treats cells: a name that begins with
    ``= + - @`` (or a tab or CR) and is not a number gets a leading ``'``."""
    start, number = re.compile(FORMULA_START), re.compile(NUMBER_TEXT)
    return ["'" + n if start.search(n) and not number.search(n) else n for n in names]


class OutputWriter(Protocol):
    """What a run needs of an output: :class:`Writer` and its kinds, and
    :class:`~taxcalc.batch.writers.xlsx.XlsxWriter`."""

    fmt: str
    rows: int
    target: AtomicTarget

    def write_chunk(self, chunk: Chunk, free_text: list[str]) -> None: ...

    def write_frame(self, df: pl.DataFrame, free_text: list[str]) -> None: ...

    def finish(self) -> None: ...

    def commit(self) -> None: ...

    def abort(self) -> None: ...


class Writer:
    """An output file. :meth:`write_chunk` writes a computed chunk (a slice of
    :data:`slice_rows` rows at a time: the output frame of a slice is built only as it is
    written); :meth:`write_frame` writes an output frame. ``rows`` counts the rows written so far
    (what reached standard output when a run stops)."""

    fmt = ""
    slice_rows: int | None = 50_000

    def __init__(self, path: str, columns: list[str]):
        self.target = AtomicTarget(path)
        self.columns = columns
        self.rows = 0

    def write_chunk(self, chunk: Chunk, free_text: list[str]) -> None:
        """The output rows of a :class:`~taxcalc.batch.frames.Chunk`, in order."""
        step = self.slice_rows or max(chunk.height, 1)
        for start in range(0, chunk.height, step):
            self.write_frame(chunk.frame(start, start + step), free_text)

    def write_frame(self, df: pl.DataFrame, free_text: list[str]) -> None:
        with writing(self.target.path):
            self._write_frame(df, free_text)
        self.rows += df.height

    def _write_frame(self, df: pl.DataFrame, free_text: list[str]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Every row written out under the temporary name (nothing renamed yet)."""
        self.target.finish()

    def commit(self) -> None:
        self.target.commit()

    def abort(self) -> None:
        self.target.abort()


class CsvWriter(Writer):
    """Comma-separated, a header line first (names neutralised as cells are); empty cells for
    empty values; CNY as 47080.00."""

    fmt = "csv"

    def __init__(self, path: str, columns: list[str], header: list[str] | None = None):
        super().__init__(path, columns)
        header = neutralise_header(header if header is not None else output_header(columns))
        with writing(path):
            self.target.fh.write(pl.DataFrame(schema=dict.fromkeys(header, pl.String)).write_csv().encode())

    def write_chunk(self, chunk: Chunk, free_text: list[str]) -> None:
        """As :meth:`Writer.write_chunk`; a label column (``relief_policy``) is checked on its few
        labels rather than cell by cell: it needs no check when none of them is risky."""
        vocab = chunk.comp.vocab if chunk.comp is not None else {}
        risky = re.compile(FORMULA_START)
        free_text = [n for n in free_text if n not in vocab or any(risky.search(w) for w in vocab[n])]
        super().write_chunk(chunk, free_text)

    def _write_frame(self, df: pl.DataFrame, free_text: list[str]) -> None:
        neutralise_formulas(df, free_text).write_csv(self.target.fh, include_header=False)


class JsonlWriter(Writer):
    """One JSON object per row; CNY amounts and ratios as strings (exact), HK$ as integers."""

    fmt = "jsonl"

    def _write_frame(self, df: pl.DataFrame, free_text: list[str]) -> None:
        if df.height:
            buf = io.BytesIO()
            df.write_ndjson(buf)
            self.target.fh.write(buf.getvalue())


class ParquetWriter(Writer):
    """Row groups of :data:`GROUP_ROWS` output rows (the last one shorter), whatever the chunks the
    input was read in; CNY amounts as decimal(20,2), ratios decimal(20,6)."""

    fmt = "parquet"
    GROUP_ROWS = 200_000

    def __init__(self, path: str, columns: list[str]):
        if path == "-":
            raise BatchFileError("Parquet cannot go to standard output; give a file name")
        super().__init__(path, columns)
        self._writer: pq.ParquetWriter | None = None
        self._closed = False
        self._pending: list[tuple[Chunk, int]] = []    # computed chunks (or their tails: from a row) not yet written
        self._pending_rows = 0

    def write_chunk(self, chunk: Chunk, free_text: list[str]) -> None:
        self._pending.append((chunk, 0))
        self._pending_rows += chunk.height
        while self._pending_rows >= self.GROUP_ROWS:
            self._write_group(self.GROUP_ROWS)

    def _write_group(self, rows: int) -> None:
        """Write the next ``rows`` pending rows as one row group."""
        frames, need = [], rows
        while need:
            chunk, start = self._pending[0]
            take = min(need, chunk.height - start)
            frames.append(chunk.frame(start, start + take))
            need -= take
            if start + take == chunk.height:
                self._pending.pop(0)
            else:
                self._pending[0] = (chunk, start + take)
        self._pending_rows -= rows
        self.write_frame(pl.concat(frames) if len(frames) > 1 else frames[0], [])

    def _write_frame(self, df: pl.DataFrame, free_text: list[str]) -> None:
        import pyarrow.parquet as pq

        table = df.to_arrow()
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.target.fh, table.schema)
        self._writer.write_table(table)

    def finish(self) -> None:
        if self._pending_rows:
            self._write_group(self._pending_rows)
        with writing(self.target.path):
            if self._writer is None:   # no rows at all: the schema alone
                self._write_frame(pl.concat([empty_input(self.columns), empty_results()], how="horizontal"), [])
            if not self._closed:
                assert self._writer is not None    # made by the first _write_frame (just above if no row came)
                self._writer.close()
                self._closed = True
        self.target.finish()

    def abort(self) -> None:
        self._pending.clear()
        if self._writer is not None:
            try:
                self._writer.close()
            except Exception:
                pass
            self._writer = None
        self.target.abort()


WRITERS: dict[str, type[Writer]] = {"csv": CsvWriter, "jsonl": JsonlWriter, "parquet": ParquetWriter}


def open_writer(path: str, columns: list[str], units: Mapping[str, tuple[str, int]] | None = None) -> OutputWriter:
    """The writer for ``path`` by its extension (``.xlsx``: :class:`~taxcalc.batch.writers.xlsx.XlsxWriter`).

    A batch's output has the input ``columns`` and the figures (:func:`~taxcalc.batch.frames.output_header`).
    Another table (``taxcalc plan FILE``) gives ``units`` instead: its columns in order, each with
    its unit and digits (as :class:`~taxcalc.figures.Figure` has them), and ``columns`` empty."""
    fmt = file_format(path)
    header = list(units) if units is not None else None
    if fmt == "xlsx":
        from .xlsx import XlsxWriter

        return XlsxWriter(path, columns, units)
    if fmt == "csv":
        return CsvWriter(path, columns, header)
    return WRITERS[fmt](path, columns)


def default_errors_path(output: str) -> str:
    """OUTPUT with its extension replaced by .errors.csv; standard error when OUTPUT is ``-``."""
    if output == "-":
        return "-stderr"
    p = Path(output)
    stem = p.name
    for ext in (".csv", ".jsonl", ".ndjson", ".parquet", ".pq", ".txt", ".xlsx"):
        if stem.lower().endswith(ext):
            stem = stem[: -len(ext)]
            break
    return str(p.with_name(stem + ".errors.csv"))


class ErrorsWriter:
    """The errors file: CSV with row, column, value, message; always written (a header alone when
    every row was computed), so that an old errors file never outlives a new run. ``-stderr``:
    standard error, as the errors come; ``-``: standard output."""

    def __init__(self, path: str):
        self.path = path
        self.count = 0
        self.target: AtomicTarget | None
        self.fh: IO[bytes] | None
        if path == "-stderr":
            self.target = None
            self.fh = None
        else:
            if file_format(path) != "csv":
                raise BatchFileError(f"{path}: the errors file is CSV; give a .csv name")
            self.target = AtomicTarget(path)
            self.fh = self.target.fh
        self._header = False

    def write(self, errors: pl.DataFrame) -> None:
        if not errors.height and (self._header or self.fh is None):
            return
        text = neutralise_formulas(errors, ["value", "column"]).write_csv(include_header=not self._header)
        if self.fh is None:
            if sys.stderr is not None:
                with writing("-stderr"):
                    sys.stderr.write(text)
        else:
            with writing(self.path):
                self.fh.write(text.encode())
        self._header = True
        self.count += errors.height

    def finish(self) -> None:
        if not self._header and self.fh is not None:
            self.write(empty_errors())     # a header alone: no row was rejected
        if self.target is not None:
            self.target.finish()

    def commit(self) -> None:
        self.finish()
        if self.target is not None:
            self.target.commit()

    def abort(self) -> None:
        if self.target is not None:
            self.target.abort()
