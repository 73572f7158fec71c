"""Batch files: read in chunks, parse whole columns, compute, write; bad rows to an errors file.

The flow for each chunk of rows (200,000 rows of a CSV file; blocks of 16-64 MB otherwise):

1. a *reader* (CSV, JSON Lines or Parquet, chosen by the file extension; ``-`` is standard input
   as CSV) yields the chunk as a polars frame of **text** columns, exactly as written;
2. :func:`parse_chunk` turns each known column into the kernels' :data:`~taxcalc.columns.Columns`
   with vectorised rules derived from the field kinds of :class:`~taxcalc.scenario.Scenario` (the
   single-scenario model), then runs the cross-field rules of
   :func:`~taxcalc.columns.cross_field_errors` and the tables check of
   :func:`~taxcalc.api.check_years`. Every problem becomes an error row (row, column, value,
   message); a row with any problem is rejected, the others go on;
3. :func:`compute_rows` runs the accepted rows through :func:`~taxcalc.engine.compute`, one
   (year, residency) group at a time, and :func:`result_frame` formats the result columns
   (the figure registry, :mod:`taxcalc.figures`);
4. a *writer*, on a background thread, appends the input columns (as read, in their order,
   unknown ones included) and the results. CSV cells of text that begin with ``= + - @`` (or a
   tab or carriage return) get a leading ``'`` so spreadsheets do not run them as formulas;
   numbers are left alone.

Outputs are written to a temporary file next to the target and renamed at the end, so a run that
fails on a bad file leaves no half-written output behind.
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
import time
from decimal import Decimal
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Iterator

import numpy as np
import polars as pl
import pyarrow as pa

from . import columns as colmod
from .engine import Computation, Options, compute
from .errors import InputError, TaxcalcError
from .figures import FIGURES
from .figures import NAMES as FIGURE_NAMES
from .scenario import ENUMS, FIELDS, FIRST_YEAR, Scenario, expected, field_choices, field_kind
from .scenario import limits as _limits
from .tables import Tables, load_tables
from .messages import msg
from .validate import BOOL_WORDS, DECIMALS, FieldError, normalize_word, parse_number, table_errors
from .validate import expected as expected_msg

CHUNK_BYTES = 16 << 20        # JSON Lines and CSV on stdin: block read at a time; also the longest row
CHUNK_ROWS = 200_000          # CSV files: rows a chunk
JSONL_BLOCK_BYTES = 64 << 20  # JSON Lines after the first block
PARQUET_BATCH_ROWS = 200_000
HEADER_LIMIT = 1 << 20        # a header line longer than this is not a batch file
ERROR_COLUMNS = ("row", "column", "value", "message")
MAX_SHOWN_VALUE = 200         # longer cell values are cut in the errors file

# decimal scale (digits after the point) and the unit each numeric kind is stored in
SCALE = {"money": 2, "rate": 6, "days": 1, "count": 0, "year": 0, "choice_int": 0}
FORMULA_START = r"^[=+\-@\t\r]"
NUMBER_TEXT = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"

KNOWN = tuple(FIELDS)


class BatchFileError(TaxcalcError):
    """The file as a whole cannot be read: a message naming the file and what was expected."""


class BatchStopped(TaxcalcError):
    """``--strict``: the first bad row stopped the run."""

    def __init__(self, error: dict, written: int, output: str, errors_path: str):
        self.error = error          # the errors file's row: row, column, value, message
        shown = f" (given: {error['value']})" if error.get("value") not in (None, "") else ""
        super().__init__(f"row {error['row']}: {error['column']}: {error['message']}{shown} -- stopped by --strict; "
                         f"the {written:,} rows before it are in {output}, its errors in {errors_path}")


@dataclass
class BatchSummary:
    """What a run did: rows read, computed and rejected, the time taken, where things went."""

    rows: int = 0
    computed: int = 0
    rejected: int = 0
    seconds: float = 0.0
    output: str = ""
    errors_path: str = ""
    columns: list[str] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        where = f" (see {self.errors_path})" if self.rejected else ""
        return (f"{self.rows:,} rows: {self.computed:,} computed, {self.rejected:,} rejected{where}; "
                f"{self.seconds:.2f} s, {self.rows_per_second:,.0f} rows/s")


# ---------------------------------------------------------------------------------------------
# formats


def file_format(path: str) -> str:
    """``csv``, ``jsonl`` or ``parquet`` from the extension (``-`` is CSV on stdin/stdout)."""
    if path == "-":
        return "csv"
    name = path.lower()
    if name.endswith((".csv", ".txt", ".csv.tmp")):
        return "csv"
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    raise BatchFileError(f"{path}: unknown file type; use .csv, .jsonl (or .ndjson), .parquet, or - for CSV "
                         "on standard input/output")


class _CountingReader(io.RawIOBase):
    """A binary stream that counts the bytes read through it (for the progress bar)."""

    def __init__(self, raw: IO[bytes]):
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        data = self.raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.count += n
        return n

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        return data


def _check_header(path: str, names: list[str], looks_like: str = "") -> None:
    """Known columns, tax_year present, no duplicates: else a message naming the expected header."""
    seen = set()
    for n in names:
        if n in seen:
            raise BatchFileError(f"{path}: column {n!r} appears twice in the header")
        seen.add(n)
    if not seen & set(KNOWN):
        hint = looks_like or ""
        shown = ",".join(names)[:120]
        raise BatchFileError(
            f"{path}: no known column in the header ({shown!r}){hint}; expected comma-separated columns "
            f"such as id,tax_year,residency,identity,zone,wages,bonus (tax_year is required; "
            f"see docs/batch.md for all {len(KNOWN)})")
    if "tax_year" not in seen:
        raise BatchFileError(f"{path}: the required column tax_year is missing from the header "
                             f"(columns found: {', '.join(names)[:200]})")


class CsvReader:
    """CSV, every column as text: a file through polars' streaming reader (:meth:`_polars_batches`),
    standard input through pyarrow's streaming reader (it reads from a Python stream).

    The header line is read here (BOM stripped, names trimmed) to check the columns before any
    row is parsed; the rows are then read under those names. Quoted cells may hold newlines.
    Blank lines: in a file, skipped but counted as rows (so row numbers follow the records); on
    standard input, skipped and not counted.
    """

    def __init__(self, path: str):
        import pyarrow.csv as pacsv

        self.path = path
        self._native = None
        if path == "-":
            self._raw = sys.stdin.buffer
            self.total_bytes = 0
        else:
            try:
                self._raw = open(path, "rb")  # noqa: SIM115 (closed in close())
            except OSError as exc:
                raise BatchFileError(f"{path}: cannot open ({exc.strerror})") from None
            self.total_bytes = os.path.getsize(path)
        head = self._raw.readline(HEADER_LIMIT)
        self.columns = self._header(head)
        self._invalid: list[str] = []

        if path == "-":
            self._stream = _CountingReader(self._raw)
            self._stream.count = len(head)
            has_data = self._stdin_has_data()
            source = self._stream
        else:
            self._raw.close()
            self._header_bytes = len(head)
            self._reader = None
            return
        try:
            self._reader = self._open(pacsv, source, has_data)
        except pa.ArrowException as exc:
            raise BatchFileError(self._explain(exc)) from None

    def _open(self, pacsv, source, has_data: bool):
        """pyarrow's streaming reader (it reads the first block at once), or None without rows."""
        on_invalid = self._on_invalid
        return pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(column_names=self.columns, block_size=CHUNK_BYTES),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in self.columns},
                                                 strings_can_be_null=True, quoted_strings_can_be_null=True),
        ) if has_data else None

    def _on_invalid(self, row) -> str:
        """pyarrow's hook for a row with the wrong number of fields: note it, then fail."""
        self._invalid.append(f"{row.actual_columns} fields where the header has {row.expected_columns}: "
                             f"{row.text[:80]!r}")
        return "error"

    def _header(self, head: bytes) -> list[str]:
        path = self.path
        if not head.strip():
            raise BatchFileError(f"{path}: empty file; expected a header line with the batch columns "
                                 "(at least tax_year) and then one row per scenario")
        if len(head) >= HEADER_LIMIT and not head.endswith(b"\n"):
            raise BatchFileError(f"{path}: the first line is longer than {HEADER_LIMIT:,} bytes; expected a "
                                 "CSV header such as id,tax_year,wages")
        try:
            text = head.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BatchFileError(f"{path}: not UTF-8 text (byte {head[exc.start]:#04x} at position {exc.start} of "
                                 "the header); expected a CSV file with a header such as id,tax_year,wages") from None
        names = [n.strip() for n in next(csv.reader([text.rstrip("\r\n")]), [])]
        looks = ""
        for delim, label in ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")):
            if delim in text and "," not in text:
                looks = f" -- it looks {label}-separated"
        _check_header(path, names, looks)
        return names

    def _stdin_has_data(self) -> bool:
        """False when nothing follows the header (pyarrow refuses an empty stream)."""
        peek = self._raw.peek(1) if hasattr(self._raw, "peek") else None
        if peek is not None:
            return bool(peek)
        rest = self._raw.read()          # a stream without peek: buffer it (rare)
        self._stream.raw = io.BytesIO(rest)
        return bool(rest)

    @property
    def bytes_read(self) -> int:
        """Bytes of the input consumed so far (estimated from the rows for a file on disk)."""
        return self._bytes_read if self.path != "-" else self._stream.count

    @bytes_read.setter
    def bytes_read(self, value: int) -> None:
        self._bytes_read = value

    def __iter__(self) -> Iterator[pl.DataFrame]:
        if self.path != "-":
            yield from self._polars_batches()
            return
        if self._reader is None:
            return
        while True:
            try:
                batch = self._reader.read_next_batch()
            except StopIteration:
                return
            except (pa.ArrowInvalid, pa.ArrowException) as exc:
                raise BatchFileError(self._explain(exc)) from None
            if batch.num_rows:
                yield pl.from_arrow(batch)

    def _polars_batches(self) -> Iterator[pl.DataFrame]:
        """A file on disk: polars' streaming CSV reader in batches of about CHUNK_ROWS rows (it keeps
        blank lines as rows of nulls, so row numbers count every record after the header)."""
        scan = pl.scan_csv(self.path, has_header=False, skip_lines=1, infer_schema=False,
                           schema={n: pl.String for n in self.columns}, raise_if_empty=False,
                           missing_columns="insert")
        self.bytes_read = self._header_bytes
        with open(self.path, "rb") as f:                     # bytes a line, for the progress bar
            f.seek(self._header_bytes)
            sample = f.read(1 << 20)
        if not sample.strip():
            return                                         # a header alone (maybe blank lines)
        per_row = len(sample) / max(1, sample.count(b"\n"))
        done = 0
        try:
            for df in scan.collect_batches(chunk_size=CHUNK_ROWS):
                done += df.height
                self.bytes_read = min(self.total_bytes, int(self._header_bytes + done * per_row))
                if df.height:
                    yield df
        except pl.exceptions.PolarsError as exc:
            raise BatchFileError(self._explain(exc)) from None

    def _explain(self, exc: Exception) -> str:
        msg = str(exc)
        if "more fields than defined" in msg:
            return (f"{self.path}: a row has more fields than the header's {len(self.columns)}; "
                    "expected comma-separated rows")
        if "invalid utf-8" in msg.lower():
            return f"{self.path}: a cell is not valid UTF-8 text; save the file as UTF-8 CSV"
        if "could not parse" in msg:
            return (f"{self.path}: cannot read as CSV near column {msg.split('at column ')[-1].split(' ')[0]} "
                    "(a quote that is never closed?)")
        if self._invalid:
            return f"{self.path}: a row has {self._invalid[0]}"
        if "straddling" in msg or "block" in msg.lower():
            return (f"{self.path}: a row is longer than {CHUNK_BYTES >> 20} MB (or a quote is never closed); "
                    "expected one scenario per line")
        if "UTF8" in msg or "utf8" in msg.lower():
            return f"{self.path}: a cell is not valid UTF-8 text; save the file as UTF-8 CSV"
        return f"{self.path}: cannot read as CSV: {msg.splitlines()[0]}"

    def close(self) -> None:
        pass


class JsonlReader:
    """JSON Lines in blocks of whole lines; every value turned into text (numbers as written by
    polars, booleans as true/false, null as empty). The keys found in the first 16 MB are the
    columns; a key that first appears after that is not read (writers of JSON Lines usually write
    every key on every line, null included)."""

    def __init__(self, path: str):
        self.path = path
        try:
            self._raw = open(path, "rb")  # noqa: SIM115
        except OSError as exc:
            raise BatchFileError(f"{path}: cannot open ({exc.strerror})") from None
        self.total_bytes = os.path.getsize(path)
        self.bytes_read = 0
        self._line = 0
        self._first = self._next_frame()
        if self._first is None:
            raise BatchFileError(f"{path}: empty file; expected one JSON object per line with the batch columns "
                                 "as keys (at least tax_year)")
        self.columns = self._key_order(list(self._first.columns))
        _check_header(path, self.columns)

    def _key_order(self, keys: list[str]) -> list[str]:
        """The keys in the order they first appear in the first lines (polars' schema inference does
        not keep it); keys seen only later follow in polars' order."""
        import json

        order: dict[str, None] = {}
        for line in self._head_lines:
            try:
                obj = json.loads(line)
            except ValueError:
                break
            if isinstance(obj, dict):
                order.update(dict.fromkeys(obj))
        return [k for k in order if k in keys] + [k for k in keys if k not in order]

    def _block(self) -> bytes:
        data = self._raw.read(CHUNK_BYTES if self._line == 0 else JSONL_BLOCK_BYTES)
        if not data:
            return b""
        if not data.endswith(b"\n"):
            rest = self._raw.readline(CHUNK_BYTES)
            if rest and not rest.endswith(b"\n") and len(rest) >= CHUNK_BYTES:
                raise BatchFileError(f"{self.path}: a line is longer than {CHUNK_BYTES >> 20} MB; expected one "
                                     "JSON object per line")
            data += rest
        self.bytes_read += len(data)
        return data

    def _next_frame(self) -> pl.DataFrame | None:
        while True:
            data = self._block()
            if not data:
                return None
            first_line = self._line + 1
            self._line += data.count(b"\n")
            if first_line == 1:
                self._head_lines = data[:1 << 20].split(b"\n", 1000)[:-1] or [data]
            try:
                if first_line == 1:       # the first block: every line's keys and types
                    df = pl.read_ndjson(io.BytesIO(data), infer_schema_length=None)
                else:                     # then as text under those keys (much faster than inferring)
                    df = pl.read_ndjson(io.BytesIO(data), schema={c: pl.String for c in self.columns})
            except Exception as exc:  # polars raises ComputeError and others for bad JSON
                raise BatchFileError(f"{self.path}: not valid JSON Lines near lines {first_line}-{self._line}: "
                                     f"{str(exc).splitlines()[0][:200]}") from None
            if df.height:
                try:
                    return df.with_columns(pl.all().cast(pl.String))
                except Exception:
                    raise BatchFileError(f"{self.path}: lines {first_line}-{self._line}: values must be numbers, "
                                         "text, true/false or null (no nested objects or lists)") from None

    def __iter__(self) -> Iterator[pl.DataFrame]:
        df = self._first
        while df is not None:
            yield df.select([pl.col(c) if c in df.columns else pl.lit(None, pl.String).alias(c) for c in self.columns])
            df = self._next_frame()

    def close(self) -> None:
        self._raw.close()


class ParquetReader:
    """Parquet by record batches; every column cast to text for parsing (and passed through as text)."""

    def __init__(self, path: str):
        import pyarrow.parquet as pq

        self.path = path
        try:
            self._file = pq.ParquetFile(path)
        except FileNotFoundError:
            raise BatchFileError(f"{path}: cannot open (no such file)") from None
        except (pa.ArrowException, OSError) as exc:
            raise BatchFileError(f"{path}: not a Parquet file ({str(exc).splitlines()[0][:120]})") from None
        self.columns = list(self._file.schema_arrow.names)
        _check_header(path, self.columns)
        self.total_rows = self._file.metadata.num_rows
        self.total_bytes = 0
        self.bytes_read = 0

    def __iter__(self) -> Iterator[pl.DataFrame]:
        try:
            for batch in self._file.iter_batches(batch_size=PARQUET_BATCH_ROWS):
                df = pl.from_arrow(batch)
                yield df.with_columns(pl.all().cast(pl.String))
        except pa.ArrowException as exc:
            raise BatchFileError(f"{self.path}: cannot read: {str(exc).splitlines()[0][:200]}") from None

    def close(self) -> None:
        self._file.close()


def open_reader(path: str):
    """The reader for ``path`` by its extension."""
    fmt = file_format(path)
    if path != "-" and not os.path.exists(path):
        raise BatchFileError(f"{path}: no such file")
    if path != "-" and os.path.isdir(path):
        raise BatchFileError(f"{path}: is a directory; expected a .csv, .jsonl or .parquet file")
    return {"csv": CsvReader, "jsonl": JsonlReader, "parquet": ParquetReader}[fmt](path)


# ---------------------------------------------------------------------------------------------
# parsing whole columns


OK, EMPTY, NOT_VALID, NEGATIVE, TOO_PRECISE, TOO_LARGE, TOO_SMALL, NOT_ALLOWED, REQUIRED, NO_TABLES = range(10)

#: the one grammar's message codes (taxcalc.validate) and the cell codes here, both ways
_FROM_FIELD_CODE = {"field.not_number": NOT_VALID, "field.wrong_type": NOT_VALID, "field.negative": NEGATIVE,
                    "field.decimals": TOO_PRECISE, "field.not_whole": TOO_PRECISE, "field.too_large": TOO_LARGE,
                    "field.too_small": TOO_SMALL, "field.not_choice": NOT_ALLOWED, "field.not_bool": NOT_VALID,
                    "field.too_long": TOO_LARGE}


def _message(name: str, code: int) -> str:
    """The same message :func:`taxcalc.validate.parse_field` gives for the same mistake."""
    kind = field_kind(name)
    if code == NOT_VALID:
        key = {"bool": "field.not_bool", "choice": "field.not_choice"}.get(kind, "field.not_number")
    elif code == TOO_PRECISE:
        key = "field.not_whole" if DECIMALS.get(kind) == 0 else "field.decimals"
    elif code == TOO_LARGE:
        key = "field.too_long" if kind == "text" else "field.too_large"
    else:
        key = {NEGATIVE: "field.negative", TOO_SMALL: "field.too_small", NOT_ALLOWED: "field.not_choice",
               REQUIRED: "field.required"}[code]
    return str(msg(key, expected=expected_msg(name)))


#: the fast path's texts: plain digits with an optional point (anything else goes through the grammar)
_PLAIN_NUMBER = r"^\+?[0-9]{1,15}(\.[0-9]*)?$"


def _decimal_exprs(name: str, scale: int) -> list[pl.Expr]:
    """The whole-column part of :func:`parse_decimal`, as expressions (so that one ``select``
    reads every numeric column of a chunk): the text as a float times 10**scale, its length in
    bytes, and for whole-number fields whether it is written as the model reads an int.
    :func:`_fast_exprs` then combines them (in a second ``select``: polars would repeat a shared
    sub-expression)."""
    s = pl.col(name).cast(pl.String)
    return [(s.cast(pl.Float64, strict=False) * float(10 ** scale)).alias(name + "#x"),
            s.str.len_bytes().fill_null(0).alias(name + "#len"),
            s.str.contains(_PLAIN_NUMBER).fill_null(False).alias(name + "#plain")]


def _fast_exprs(name: str) -> list[pl.Expr]:
    x, length = pl.col(name + "#x"), pl.col(name + "#len")
    whole = x.round(0)
    fast = (pl.col(name + "#plain") & x.is_finite() & (x < 1e15) & (length <= 15)
            & ((x - whole).abs() <= x.abs() * 1e-15))
    return [pl.when(fast).then(whole).otherwise(0).cast(pl.Int64, strict=False).alias(name + "#v"),
            fast.fill_null(False).alias(name + "#fast"), (length == 0).alias(name + "#empty")]


def _pre_parse(df: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """The fast-path columns of :func:`parse_decimal` for several numeric columns at once."""
    first = df.select([e for n in names for e in _decimal_exprs(n, SCALE[field_kind(n)])])
    return first.select([e for n in names for e in _fast_exprs(n)])


def parse_decimal(series: pl.Series, scale: int, pre: pl.DataFrame | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A text column as integers in 10**-scale, with a code per cell (OK, EMPTY, NOT_VALID,
    NEGATIVE, TOO_PRECISE, TOO_LARGE); the value is 0 where the code is not OK.

    The grammar is :func:`taxcalc.validate.parse_number`'s (docs/input.md). Fast path, on whole
    columns, for plain texts only (digits, an optional point and +, at most 15 bytes): the text
    read as a float (correctly rounded) and scaled by 10**scale lies within 1e-15 (relative) of a
    whole number exactly when the text has no digit past the scale: such a text has at most 15
    significant digits, so such a digit moves the value by more than that, while the float's own
    error stays below 3e-16; that whole number is then the exact value. Every other cell
    (spaces, separators, exponents, full-width digits, negatives, mistakes) goes through
    :func:`taxcalc.validate.parse_number`, so it gets the same value or the same message as
    anywhere else.
    """
    name = series.name
    if pre is None:
        first = pl.DataFrame([series]).select(_decimal_exprs(name, scale))
        pre = first.select(_fast_exprs(name))
    value = pre[name + "#v"].to_numpy().copy()
    fast = pre[name + "#fast"].to_numpy()
    empty = pre[name + "#empty"].to_numpy()
    code = np.where(empty, EMPTY, OK).astype(np.int8)
    slow = np.nonzero(~fast & ~empty)[0]
    if len(slow):
        texts = series.cast(pl.String).gather(pl.Series(slow, dtype=pl.UInt32)).to_list()
        for k, text in zip(slow.tolist(), texts):
            code[k], value[k] = _classify_decimal(name, text, scale)
    value[code != OK] = 0
    return value, code


def _classify_decimal(name: str, text: str, scale: int) -> tuple[int, int]:
    """(code, value in 10**-scale) for one cell, by the one grammar (range included)."""
    try:
        value = parse_number(name, text, field_kind(name))
    except FieldError as exc:
        return _FROM_FIELD_CODE[exc.code], 0
    if value is None:
        return EMPTY, 0
    return OK, int(Decimal(value).scaleb(scale))


def _word_vocab(words: dict[str, int]) -> list[str]:
    """The first spelling of each code, in code order (codes are 0, 1, 2, ...)."""
    first: dict[int, str] = {}
    for w, k in words.items():
        first.setdefault(k, w)
    return [first[k] for k in sorted(first)]


def _word_expr(name: str, words: dict[str, int]) -> pl.Expr:
    """Exact spellings as codes through an enum cast; -1 for anything else (and empty)."""
    return (pl.col(name).cast(pl.String).cast(pl.Enum(_word_vocab(words)), strict=False).to_physical()
            .cast(pl.Int64).fill_null(-1).alias(name + "#w"))


def parse_words(series: pl.Series, words: dict[str, int], pre: pl.DataFrame | None = None
                ) -> tuple[np.ndarray, np.ndarray]:
    """A column of words (a choice or a flag) as codes, with a code per cell (OK, EMPTY,
    NOT_VALID). Exact spellings go through a whole-column enum cast (:func:`_word_expr`; ``pre``
    holds it when computed for many columns at once); other texts (capitals, spaces, synonyms
    such as yes/no) are looked up once per distinct text, trimmed and case-folded."""
    name = series.name
    if pre is None:
        pre = pl.DataFrame([series]).select(_word_expr(name, words))
    value = pre[name + "#w"].to_numpy().copy()
    code = np.full(len(value), OK, dtype=np.int8)
    missed = np.nonzero(value < 0)[0]
    if len(missed):
        texts = series.cast(pl.String).gather(pl.Series(missed, dtype=pl.UInt32)).fill_null("")
        uniq = texts.unique().to_list()
        lookup = {}
        for u in uniq:
            t = normalize_word(u)
            lookup[u] = -2 if t == "" else words.get(t, -1)
        got = texts.replace_strict(uniq, [lookup[u] for u in uniq], return_dtype=pl.Int64).to_numpy()
        value[missed] = np.where(got >= 0, got, 0)
        code[missed] = np.where(got == -2, EMPTY, np.where(got == -1, NOT_VALID, OK))
    return value, code


def _words_of(name: str) -> dict[str, int]:
    if field_kind(name) == "bool":
        return {"false": 0, "true": 1, **{w: int(v) for w, v in BOOL_WORDS.items()}}
    return {c: k for k, c in enumerate(field_choices(name))}


@lru_cache(maxsize=1)
def _defaults() -> dict:
    """Every field's default as the kernels store it, from :func:`~taxcalc.columns.from_scenarios`
    on a scenario that gives nothing but the (required) year."""
    cols = colmod.from_scenarios([Scenario(tax_year=FIRST_YEAR)])
    return {k: v[0].item() for k, v in cols.items()}


def _default_code(name: str):
    return _defaults()[name]


@dataclass
class ParsedChunk:
    """The kernels' columns for every row of a chunk (bad cells hold the default), which rows are
    bad, and the error rows (row, column, value, message) in row order."""

    cols: colmod.Columns
    bad: np.ndarray
    errors: pl.DataFrame
    ids: pl.Series | None


def parse_chunk(df: pl.DataFrame, rows, tables: Tables, options: Options = Options()) -> ParsedChunk:
    """Parse a chunk of text columns. ``rows``: the 1-based data row number of each row, or of the
    first row (the others follow)."""
    rows = np.arange(rows, rows + df.height, dtype=np.int64) if np.ndim(rows) == 0 else np.asarray(rows)
    n = df.height
    present = [c for c in df.columns if c in FIELDS]
    cols: colmod.Columns = {}
    codes: dict[str, np.ndarray] = {}
    numeric = [name for name in present if field_kind(name) in SCALE]
    pre = _pre_parse(df, numeric)
    wordy = [name for name in present if field_kind(name) in ("bool", "choice")]
    pre_words = df.select([_word_expr(n, _words_of(n)) for n in wordy])
    for name in FIELDS:
        kind = field_kind(name)
        if name not in present:
            if kind not in ("text", "year"):
                cols[name] = np.full(n, _default_code(name), dtype=colmod.DTYPES[kind])
            continue
        if kind == "text":
            limit = FIELDS[name].metadata[0].max_length
            lengths = df[name].str.len_chars().fill_null(0).to_numpy()
            codes[name] = np.where(lengths > limit, TOO_LARGE, OK).astype(np.int8)
            continue
        if kind in SCALE:
            raw, code = parse_decimal(df[name], SCALE[kind], pre)
            code, value = _check_range(name, kind, raw, code)
        else:
            value, code = parse_words(df[name], _words_of(name), pre_words)
        bad_or_empty = code != OK
        if bad_or_empty.any() and kind != "year":
            value[bad_or_empty] = _default_code(name)
        cols[name] = value.astype(colmod.DTYPES[kind], copy=False)
        codes[name] = code

    # the tax year is required
    year_code = codes["tax_year"]
    year_code[year_code == EMPTY] = REQUIRED

    bad = np.zeros(n, dtype=bool)
    for c in codes.values():
        bad |= (c != OK) & (c != EMPTY)
    # the rules across fields and the tables' rules, on the rows whose cells all parsed
    cross = []
    checked = {k: np.where(bad, FIRST_YEAR, v) if k == "tax_year" else v for k, v in cols.items()}
    for mask, fname, message in colmod.cross_field_errors(checked) + table_errors(checked, tables, options):
        mask = mask & ~bad
        if mask.any():
            cross.append((mask, fname, str(message)))
    for mask, _, _ in cross:
        bad |= mask
    errors = _error_frame(df, rows, codes, cross) if bad.any() else _empty_errors()
    return ParsedChunk(cols=cols, bad=bad, errors=errors, ids=df["id"] if "id" in df.columns else None)


def _check_range(name: str, kind: str, raw: np.ndarray, code: np.ndarray):
    """Apply the field's ge/gt/le (and the allowed values of choice_int) to parsed integers."""
    scale = SCALE[kind]
    ge, gt, le = _limits(name)
    ok = code == OK
    if kind == "choice_int":
        choices = ENUMS[name]
        value = np.full(len(raw), _default_code(name), dtype=np.int64)
        for k, c in enumerate(choices):
            value[ok & (raw == int(c) * 10 ** scale)] = k
        code[ok & ~np.isin(raw, [int(c) for c in choices])] = NOT_ALLOWED
        return code, value
    f = 10 ** scale
    if ge is not None:
        code[ok & (raw < int(ge * f))] = TOO_SMALL
    if gt is not None:
        code[ok & (raw <= int(gt * f))] = TOO_SMALL
    if le is not None:
        code[ok & (raw > int(le * f))] = TOO_LARGE
    value = raw.copy()
    value[(code != OK) & (code != EMPTY)] = -1 if kind == "year" else _default_code(name)
    return code, value


def _empty_errors() -> pl.DataFrame:
    return pl.DataFrame(schema={"row": pl.Int64, "column": pl.String, "value": pl.String, "message": pl.String})


def _error_frame(df: pl.DataFrame, rows: np.ndarray, codes: dict, cross: list) -> pl.DataFrame:
    """One error row per bad cell and per broken cross-field rule, ordered by row then column."""
    parts = []
    order = {c: k for k, c in enumerate(df.columns)}
    for name, code in codes.items():
        for c in np.unique(code):
            c = int(c)
            if c in (OK, EMPTY):
                continue
            idx = np.nonzero(code == c)[0]
            parts.append(_errors_at(df, idx, name, _message(name, c), rows, order.get(name, 0)))
    for k, (mask, fname, msg) in enumerate(cross):
        parts.append(_errors_at(df, np.nonzero(mask)[0], fname, msg, rows, len(order) + k))
    out = pl.concat(parts).sort(["row", "#pos"], maintain_order=True).drop("#pos")
    return out


def _errors_at(df, idx, name, msg, rows, pos) -> pl.DataFrame:
    idx_s = pl.Series(idx, dtype=pl.UInt32)
    if name in df.columns:
        value = df[name].gather(idx_s).fill_null("")
        value = pl.select(pl.when(value.str.len_chars() > MAX_SHOWN_VALUE)
                          .then(value.str.slice(0, MAX_SHOWN_VALUE) + "…").otherwise(value)).to_series()
    else:
        value = pl.Series([""] * len(idx), dtype=pl.String)
    return pl.DataFrame({"row": rows[idx], "column": [name] * len(idx),
                         "value": value, "message": [msg] * len(idx), "#pos": [pos] * len(idx)})


# ---------------------------------------------------------------------------------------------
# computing


def compute_rows(cols: colmod.Columns, tables: Tables, options: Options) -> Computation:
    """:func:`~taxcalc.engine.compute` on a chunk, keeping only the figures."""
    return compute(cols, tables, options, trace=False)


# ---------------------------------------------------------------------------------------------
# results as typed columns


def _decimal_series(name: str, ints: np.ndarray, scale: int) -> pl.Series:
    """int64 in 10**-scale as an exact decimal column (written as 47080.00)."""
    ints = np.ascontiguousarray(ints, dtype=np.int64)
    words = np.empty((len(ints), 2), dtype=np.int64)
    words[:, 0] = ints
    words[:, 1] = ints >> 63                 # sign extension to 128 bits
    arr = pa.Array.from_buffers(pa.decimal128(20, scale), len(ints), [None, pa.py_buffer(words)])
    return pl.Series(name, arr)


def _labels(name: str, labels, codes: np.ndarray) -> pl.Series:
    """Codes into a small label list as a text column."""
    return pl.Series(name, list(labels), dtype=pl.String).gather(pl.Series(np.asarray(codes), dtype=pl.UInt32))


def _result_dtype(f) -> pl.DataType:
    if f.is_number:
        return pl.Int64() if f.decimals == 0 else pl.Decimal(20, f.decimals)
    return {"year": pl.Int64(), "bool": pl.Boolean(), "text": pl.String()}[f.unit]


def result_frame(comp: Computation) -> pl.DataFrame:
    """The registry's figures, in order, typed: exact decimals for money and rates, integers for
    whole dollars and years (empty for none), booleans, text labels."""
    out = []
    for f in FIGURES:
        v = comp.figures[f.name]
        if f.unit == "text":
            out.append(_labels(f.name, comp.vocab[f.name], v))
        elif f.is_number and f.decimals:
            out.append(_decimal_series(f.name, v, f.decimals))
        elif f.unit == "year":
            out.append(pl.Series(f.name, v, dtype=pl.Int64).replace(0, None))
        else:
            out.append(pl.Series(f.name, v, dtype=_result_dtype(f)))
    return pl.DataFrame(out)


# ---------------------------------------------------------------------------------------------
# writers


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


def free_text_columns(columns: list[str]) -> list[str]:
    """The output columns that can carry a user's free text: id, unknown input columns, and the
    relief policy label (a policy id from the tables, which a user's directory may define)."""
    return [c for c in _output_header(columns) if c not in FIELDS or field_kind(c) == "text"
            ] + ["relief_policy"]


class _AtomicTarget:
    """A file written under a temporary name and renamed into place on success (``-``: stdout)."""

    def __init__(self, path: str):
        self.path = path
        if path == "-":
            self.tmp = None
            self.fh = sys.stdout.buffer
        else:
            p = Path(path)
            if not p.parent.exists():
                raise BatchFileError(f"{path}: the directory {p.parent} does not exist")
            self.tmp = str(p.with_name(f".{p.name}.{os.getpid()}.tmp"))
            try:
                self.fh = open(self.tmp, "wb")  # noqa: SIM115
            except OSError as exc:
                raise BatchFileError(f"{path}: cannot write ({exc.strerror})") from None

    def commit(self) -> None:
        if self.tmp is None:
            self.fh.flush()
            return
        self.fh.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        if self.tmp is not None:
            self.fh.close()
            try:
                os.unlink(self.tmp)
            except OSError:
                pass


class Writer:
    """An output file. :meth:`encode` turns an output frame into what :meth:`write` appends; it
    is a static method so that worker processes can encode while the main process writes."""

    fmt = ""

    def __init__(self, path: str, columns: list[str]):
        self.target = _AtomicTarget(path)
        self.columns = columns

    @staticmethod
    def encode(df: pl.DataFrame, free_text: list[str]):
        raise NotImplementedError

    def write(self, payload) -> None:
        self.target.fh.write(payload)

    def write_frame(self, df: pl.DataFrame, free_text: list[str]) -> None:
        """Encode and write in one go (the single-process path)."""
        self.write(self.encode(df, free_text))

    def commit(self) -> None:
        self.target.commit()

    def abort(self) -> None:
        self.target.abort()


class CsvWriter(Writer):
    """Comma-separated, a header line first; empty cells for empty values; CNY as 47080.00."""

    fmt = "csv"

    def __init__(self, path: str, columns: list[str]):
        super().__init__(path, columns)
        self.target.fh.write(pl.DataFrame(schema={c: pl.String for c in _output_header(columns)}).write_csv().encode())

    @staticmethod
    def encode(df: pl.DataFrame, free_text: list[str]) -> bytes:
        buf = io.BytesIO()
        neutralise_formulas(df, free_text).write_csv(buf, include_header=False)
        return buf.getvalue()

    def write_frame(self, df: pl.DataFrame, free_text: list[str]) -> None:
        neutralise_formulas(df, free_text).write_csv(self.target.fh, include_header=False)


class JsonlWriter(Writer):
    """One JSON object per row; CNY amounts and ratios as strings (exact), HK$ as integers."""

    fmt = "jsonl"

    @staticmethod
    def encode(df: pl.DataFrame, free_text: list[str]) -> bytes:
        buf = io.BytesIO()
        if df.height:
            df.write_ndjson(buf)
        return buf.getvalue()


class ParquetWriter(Writer):
    """Row groups appended chunk by chunk; CNY amounts as decimal(20,2), ratios decimal(20,6)."""

    fmt = "parquet"

    def __init__(self, path: str, columns: list[str]):
        if path == "-":
            raise BatchFileError("Parquet cannot go to standard output; give a file name")
        super().__init__(path, columns)
        self._writer = None

    @staticmethod
    def encode(df: pl.DataFrame, free_text: list[str]) -> pa.Table:
        return df.to_arrow()

    def write(self, payload: pa.Table) -> None:
        import pyarrow.parquet as pq

        if self._writer is None:
            self._writer = pq.ParquetWriter(self.target.fh, payload.schema)
        if payload.num_rows or self._writer is not None:
            self._writer.write_table(payload)

    def commit(self) -> None:
        if self._writer is None:   # no rows at all: the schema alone
            self.write(self.encode(pl.concat([_empty_input(self.columns), _empty_results()], how="horizontal"), []))
        self._writer.close()
        self.target.commit()

    def abort(self) -> None:
        if self._writer is not None:
            try:
                self._writer.close()
            except Exception:  # noqa: BLE001
                pass
        self.target.abort()


WRITERS = {"csv": CsvWriter, "jsonl": JsonlWriter, "parquet": ParquetWriter}


def open_writer(path: str, columns: list[str]) -> Writer:
    return WRITERS[file_format(path)](path, columns)


def default_errors_path(output: str) -> str:
    """OUTPUT with its extension replaced by .errors.csv; standard error when OUTPUT is ``-``."""
    if output == "-":
        return "-stderr"
    p = Path(output)
    stem = p.name
    for ext in (".csv", ".jsonl", ".ndjson", ".parquet", ".pq", ".txt"):
        if stem.lower().endswith(ext):
            stem = stem[: -len(ext)]
            break
    return str(p.with_name(stem + ".errors.csv"))


class _ErrorsWriter:
    """The errors file: CSV with row, column, value, message; always written (a header alone when
    every row was computed), so that an old errors file never outlives a new run."""

    def __init__(self, path: str):
        self.path = path
        self.count = 0
        if path == "-stderr":
            self.target = None
            self.fh = None
        else:
            if file_format(path) != "csv":
                raise BatchFileError(f"{path}: the errors file is CSV; give a .csv name")
            self.target = _AtomicTarget(path)
            self.fh = self.target.fh
        self._header = False

    def write(self, errors: pl.DataFrame) -> None:
        if not errors.height and (self._header or self.fh is None):
            return
        text = neutralise_formulas(errors, ["value", "column"]).write_csv(include_header=not self._header)
        if self.fh is None:
            sys.stderr.write(text)
        else:
            self.fh.write(text.encode())
        self._header = True
        self.count += errors.height

    def commit(self) -> None:
        if not self._header and self.fh is not None:
            self.write(_empty_errors())     # a header alone: no row was rejected
        if self.target is not None:
            self.target.commit()

    def abort(self) -> None:
        if self.target is not None:
            self.target.abort()


# ---------------------------------------------------------------------------------------------
# the run


def _output_header(columns: list[str]) -> list[str]:
    lead = [] if "id" in columns else ["id"]
    return lead + list(columns) + list(FIGURE_NAMES)


def process_chunk(df: pl.DataFrame, first_row: int, tables: Tables, options: Options):
    """Parse and compute one chunk: (output frame of the accepted rows, error frame, bad mask).

    ``first_row`` is the data row number of the chunk's first row. Rows where every cell is empty
    (blank lines) are dropped: they keep their row number but are neither output nor errors.
    The output frame holds the input columns as read (``id`` filled with the row number where
    empty, or added first when the input has none), then the result columns."""
    rows = np.arange(first_row, first_row + df.height, dtype=np.int64)
    blank = df.select(pl.all_horizontal(pl.all().is_null())).to_series().to_numpy() if df.width else None
    if blank is not None and blank.any():
        df = df.filter(pl.Series(~blank))
        rows = rows[~blank]
    p = parse_chunk(df, rows, tables, options)
    row_no = pl.Series("id", rows).cast(pl.String)
    if "id" in df.columns:
        ids = df["id"]
        inputs = df.with_columns(pl.select(pl.when(ids.is_null() | (ids.str.strip_chars() == "")).then(row_no)
                                           .otherwise(ids)).to_series().alias("id"))
    else:
        inputs = df.insert_column(0, row_no)
    good = ~p.bad
    if good.all():
        cols, kept = p.cols, inputs
    else:
        idx = np.nonzero(good)[0]
        cols = {k: v[idx] for k, v in p.cols.items()}
        kept = inputs.filter(pl.Series(good))
    results = result_frame(compute_rows(cols, tables, options)) if kept.height else _empty_results()
    return pl.concat([kept, results], how="horizontal"), p.errors, p.bad


def _empty_results() -> pl.DataFrame:
    return pl.DataFrame(schema={f.name: _result_dtype(f) for f in FIGURES})


def _empty_input(columns: list[str]) -> pl.DataFrame:
    names = _output_header(columns)[: len(columns) + (0 if "id" in columns else 1)]
    return pl.DataFrame(schema={c: pl.String for c in names})


def run(input_path: str, output_path: str, errors_path: str | None = None, *, tables: Tables | None = None,
        options: Options = Options(), strict: bool = False, quiet: bool = False,
        progress: bool | None = None) -> BatchSummary:
    """Compute every row of ``input_path`` into ``output_path``; bad rows into ``errors_path``.

    Returns a :class:`BatchSummary`. Raises :class:`BatchFileError` when the input cannot be
    read as a batch file (then nothing is written), :class:`BatchStopped` with ``strict`` at the
    first bad row (the rows before it and its errors are written).

    One process: chunks are read by polars (its own threads), parsed and computed here, and
    written on a background thread while the next chunk is computed. (Worker processes were
    tried and were slower on 2 cores: the chunks and their CSV travel between processes, and
    polars already keeps both cores busy. ``--engine dask`` is the way to more machines.)
    """
    tables = tables or load_tables()
    started = time.perf_counter()
    errors_path = errors_path or default_errors_path(output_path)
    if output_path != "-" and errors_path != "-stderr" and os.path.abspath(errors_path) == os.path.abspath(output_path):
        raise BatchFileError(f"{errors_path}: the errors file must differ from the output")
    if input_path != "-" and output_path != "-" and os.path.exists(output_path) and \
            os.path.exists(input_path) and os.path.samefile(input_path, output_path):
        raise BatchFileError(f"{output_path}: the output would overwrite the input")
    file_format(output_path)                     # an unknown output type fails before any reading
    reader = open_reader(input_path)
    summary = BatchSummary(output=output_path,
                           errors_path=errors_path if errors_path != "-stderr" else "standard error",
                           columns=_output_header(reader.columns))
    free_text = free_text_columns(reader.columns)
    show = progress if progress is not None else (not quiet and sys.stderr.isatty())
    bar = None
    opened = []
    try:
        writer = open_writer(output_path, reader.columns)
        opened.append(writer)
        errw = _ErrorsWriter(errors_path)
        opened.append(errw)
        bar = _Progress(reader) if show else None
        row = 1
        with (_SyncWriter(writer, free_text) if strict else _BackgroundWriter(writer, free_text)) as background:
            for df in reader:
                if strict:
                    _strict_check(df, row, tables, options, writer, errw, summary, opened, free_text)
                out, errs, bad = process_chunk(df, row, tables, options)
                background.put(out)
                errw.write(errs)
                n_bad = int(bad.sum())
                summary.rows += len(bad)
                summary.rejected += n_bad
                summary.computed += len(bad) - n_bad
                row += df.height
                if bar:
                    bar.update(summary.rows)
        for w in opened:
            w.commit()
        opened.clear()
    except BaseException:
        for w in opened:
            w.abort()
        raise
    finally:
        if bar:
            bar.stop()
        reader.close()
    summary.seconds = time.perf_counter() - started
    if not quiet:
        print(summary.line(), file=sys.stderr)
    return summary


class _SyncWriter:
    """The same interface as :class:`_BackgroundWriter`, writing at once (``--strict`` writes
    the rows before a bad one itself, so nothing may be queued)."""

    def __init__(self, writer: Writer, free_text: list[str]):
        self.writer, self.free_text = writer, free_text

    def put(self, df: pl.DataFrame) -> None:
        self.writer.write_frame(df, self.free_text)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


class _BackgroundWriter:
    """Formats and writes output frames on a thread while the next chunk is parsed and computed
    (polars writes without holding the GIL). At most two frames wait; an error on the thread is
    raised here at the next frame or at the end."""

    def __init__(self, writer: Writer, free_text: list[str]):
        import queue
        import threading

        self.writer, self.free_text = writer, free_text
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._loop, name="taxcalc-batch-writer", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while True:
            df = self.queue.get()
            if df is None:
                return
            if self.error is None:
                try:
                    self.writer.write_frame(df, self.free_text)
                except BaseException as exc:  # noqa: BLE001 (re-raised in the main thread)
                    self.error = exc

    def put(self, df: pl.DataFrame) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(df)

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None and kind is None:
            raise self.error


def _strict_check(df, row, tables, options, writer, errw, summary, opened, free_text) -> bool:
    """``--strict``: if the chunk has a bad row, write the rows before it and that row's errors,
    close the files and stop with :class:`BatchStopped`; else return and let the chunk through."""
    out, errs, bad = process_chunk(df, row, tables, options)
    if not bad.any():
        return False
    first = int(np.argmax(bad))                   # rows before the first bad one are all good
    writer.write_frame(out.head(first), free_text)
    bad_row = errs["row"][0]
    mine = errs.filter(pl.col("row") == bad_row)
    errw.write(mine)
    summary.rows += first + 1
    summary.computed += first
    summary.rejected += 1
    for w in opened:
        w.commit()
    opened.clear()
    e = mine.row(0, named=True)
    raise BatchStopped(e, summary.computed,
                       summary.output, summary.errors_path)


class _Progress:
    """A rich progress bar on standard error: rows done, rows per second, time left (from the
    bytes read of the input, or its row count for Parquet)."""

    def __init__(self, reader):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.reader = reader
        self.started = time.perf_counter()
        self.by_rows = bool(getattr(reader, "total_rows", 0))
        total = getattr(reader, "total_rows", 0) or reader.total_bytes or None
        self.p = Progress(TextColumn("[bold]batch"), BarColumn(), TextColumn("{task.fields[rows]:>12,} rows"),
                          TextColumn("{task.fields[rate]:>10,.0f} rows/s"), TimeRemainingColumn(),
                          console=Console(stderr=True), transient=True)
        self.task = self.p.add_task("batch", total=total, rows=0, rate=0.0)
        self.p.start()

    def update(self, rows: int) -> None:
        done = rows if self.by_rows else self.reader.bytes_read
        rate = rows / max(time.perf_counter() - self.started, 1e-9)
        self.p.update(self.task, completed=done, rows=rows, rate=rate)

    def stop(self) -> None:
        self.p.stop()
