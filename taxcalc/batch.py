"""Batch files: read in chunks, parse whole columns, compute, write; bad rows to an errors file.

The flow for each chunk of rows (about 16 MB of input, 150,000-250,000 rows):

1. a *reader* (CSV, JSON Lines or Parquet, chosen by the file extension; ``-`` is standard input
   as CSV) yields the chunk as a polars frame of **text** columns, exactly as written;
2. :func:`parse_chunk` turns each known column into the kernels' :data:`~taxcalc.columns.Columns`
   with vectorised rules derived from the field kinds of :class:`~taxcalc.scenario.Scenario` (the
   single-scenario model), then runs the cross-field rules of
   :func:`~taxcalc.columns.cross_field_errors` and the tables check of
   :func:`~taxcalc.api.check_years`. Every problem becomes an error row (row, column, value,
   message); a row with any problem is rejected, the others go on;
3. :func:`~taxcalc.engine.compute` runs the accepted rows, and :func:`result_frame` formats the
   result columns (:data:`~taxcalc.results.RESULT_COLUMNS`);
4. a *writer* appends the input columns (as read, in their order, unknown ones included) and the
   results. CSV cells of text that begin with ``= + - @`` (or a tab or carriage return) get a
   leading ``'`` so spreadsheets do not run them as formulas; numbers are left alone.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator

import numpy as np
import polars as pl
import pyarrow as pa

from . import columns as colmod
from .engine import Options, compute
from .errors import InputError, TaxcalcError
from .money import FX, MAX_AMOUNT
from .results import RESULT_COLUMNS, result_arrays
from .scenario import ENUMS, FIELDS, FIRST_YEAR, LAST_YEAR, field_choices, field_default, field_kind
from .tables import Tables, load_tables
from .zones import compiled_policies

CHUNK_BYTES = 16 << 20        # CSV/JSON Lines block read at a time; also the longest row allowed
PARQUET_BATCH_ROWS = 200_000
HEADER_LIMIT = 1 << 20        # a header line longer than this is not a batch file
ERROR_COLUMNS = ("row", "column", "value", "message")
MAX_SHOWN_VALUE = 200         # longer cell values are cut in the errors file

# decimal scale (digits after the point) and the unit each numeric kind is stored in
SCALE = {"money": 2, "rate": 6, "days": 1, "count": 0, "year": 0, "choice_int": 0}
TRUE_WORDS = ("true", "t", "yes", "y", "on", "1")
FALSE_WORDS = ("false", "f", "no", "n", "off", "0")
FORMULA_START = r"^[=+\-@\t\r]"
NUMBER_TEXT = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"

KNOWN = tuple(FIELDS)


class BatchFileError(TaxcalcError):
    """The file as a whole cannot be read: a message naming the file and what was expected."""


class BatchStopped(TaxcalcError):
    """``--strict``: the first bad row stopped the run."""

    def __init__(self, error: InputError, written: int, output: str, errors_path: str):
        self.error = error
        super().__init__(f"{error} -- stopped by --strict; the {written:,} rows before it are in {output}, "
                         f"its errors in {errors_path}")


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
    """CSV in blocks with pyarrow's streaming reader, every column as text.

    The header line is read here (BOM stripped, names trimmed) to check the columns before any
    row is parsed; the rest of the stream goes to pyarrow with those names.
    """

    def __init__(self, path: str):
        import pyarrow.csv as pacsv

        self.path = path
        if path == "-":
            raw, self.total_bytes = sys.stdin.buffer, 0
        else:
            try:
                raw = open(path, "rb")  # noqa: SIM115 (closed in close())
            except OSError as exc:
                raise BatchFileError(f"{path}: cannot open ({exc.strerror})") from None
            self.total_bytes = os.path.getsize(path)
        self._raw = raw
        self._stream = _CountingReader(raw)
        head = self._stream.raw.readline(HEADER_LIMIT)
        self._stream.count += len(head)
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
        self.columns = names
        self._invalid: list[str] = []

        def on_invalid(row) -> str:
            self._invalid.append(f"{row.actual_columns} fields where the header has {row.expected_columns}: "
                                 f"{row.text[:80]!r}")
            return "error"

        self._reader = pacsv.open_csv(
            self._stream,
            read_options=pacsv.ReadOptions(column_names=names, block_size=CHUNK_BYTES),
            parse_options=pacsv.ParseOptions(newlines_in_values=False, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=True, quoted_strings_can_be_null=True),
        ) if self._has_data() else None

    def _has_data(self) -> bool:
        """False when nothing follows the header (pyarrow refuses an empty stream)."""
        peek = self._stream.raw.peek(1) if hasattr(self._stream.raw, "peek") else None
        if peek is not None:
            return bool(peek)
        rest = self._stream.raw.read()          # a stream without peek: buffer it (rare)
        self._stream.raw = io.BytesIO(rest)
        return bool(rest)

    @property
    def bytes_read(self) -> int:
        return self._stream.count

    def __iter__(self) -> Iterator[pl.DataFrame]:
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

    def _explain(self, exc: Exception) -> str:
        msg = str(exc)
        if self._invalid:
            return f"{self.path}: a row has {self._invalid[0]}"
        if "straddling" in msg or "block" in msg.lower():
            return (f"{self.path}: a row is longer than {CHUNK_BYTES >> 20} MB (or a quote is never closed); "
                    "expected one scenario per line")
        if "UTF8" in msg or "utf8" in msg.lower():
            return f"{self.path}: a cell is not valid UTF-8 text; save the file as UTF-8 CSV"
        return f"{self.path}: cannot read as CSV: {msg.splitlines()[0]}"

    def close(self) -> None:
        if self.path != "-":
            self._raw.close()


class JsonlReader:
    """JSON Lines in blocks of whole lines; every value turned into text (numbers as written by
    polars, booleans as true/false, null as empty). The keys of the first block are the columns."""

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
        self.columns = list(self._first.columns)
        _check_header(path, self.columns)

    def _block(self) -> bytes:
        data = self._raw.read(CHUNK_BYTES)
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
            try:
                df = pl.read_ndjson(io.BytesIO(data), infer_schema_length=None)
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
            extra = [c for c in df.columns if c not in self.columns]
            if extra:
                raise BatchFileError(f"{self.path}: key {extra[0]!r} first appears after line {self._line - df.height}; "
                                     "every key must appear in the first block of lines (write it as null)")
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


def _limits(name: str) -> tuple[object, object, object]:
    """(ge, gt, le) of a field from its pydantic constraints."""
    ge = gt = le = None
    for m in FIELDS[name].metadata:
        ge = getattr(m, "ge", ge)
        gt = getattr(m, "gt", gt)
        le = getattr(m, "le", le)
    return ge, gt, le


def expected(name: str) -> str:
    """What a column accepts, in words, for error messages and docs."""
    kind = field_kind(name)
    ge, gt, le = _limits(name)
    if kind == "money":
        unit = (FIELDS[name].json_schema_extra or {}).get("unit", "")
        return f"an amount ({unit}) from 0 to {int(le):,} with at most 2 decimals, such as 1234.56"
    if kind == "count":
        return f"a whole number from {ge} to {le}"
    if kind == "year":
        return f"a year from {FIRST_YEAR} to {LAST_YEAR}"
    if kind == "rate":
        return f"a decimal more than {gt} and at most {le} with at most 6 decimals, such as 0.92"
    if kind == "days":
        return f"a number of days from {ge} to {le} with at most 1 decimal"
    if kind == "bool":
        return "true or false"
    if kind in ("choice", "choice_int"):
        return "one of " + ", ".join(str(c) for c in field_choices(name))
    if kind == "text":
        return f"text of at most {FIELDS[name].metadata[0].max_length} characters"
    return kind


def _message(name: str, code: int) -> str:
    exp = expected(name)
    return {
        NOT_VALID: f"expected {exp}",
        NEGATIVE: f"must not be negative; expected {exp}",
        TOO_PRECISE: f"too many decimals; expected {exp}",
        TOO_LARGE: f"too large; expected {exp}",
        TOO_SMALL: f"too small; expected {exp}",
        NOT_ALLOWED: f"expected {exp}",
    }[code]


_PLAIN_DECIMAL = r"^\+?[0-9]*\.?[0-9]*$"
_DECIMAL_TEXT = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?")


def _decimal_exprs(name: str, scale: int) -> list[pl.Expr]:
    """The whole-column part of :func:`parse_decimal`, as expressions (so that one ``select``
    parses every numeric column of a chunk)."""
    s = pl.col(name).cast(pl.String).str.strip_chars()
    length = s.str.len_bytes().cast(pl.Int64)
    decimals = length - s.str.find(".", literal=True).cast(pl.Int64).fill_null(length) - 1   # -1: no point
    return [
        s.cast(pl.Decimal(18, scale), strict=False).to_physical().cast(pl.Int64).alias(name + "#v"),
        (s.str.contains(_PLAIN_DECIMAL) & (decimals <= scale)).fill_null(False).alias(name + "#fast"),
        (s.is_null() | (s.str.len_bytes() == 0)).alias(name + "#empty"),
    ]


def parse_decimal(series: pl.Series, scale: int, pre: pl.DataFrame | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A text column as integers in 10**-scale, with a code per cell (OK, EMPTY, NOT_VALID,
    NEGATIVE, TOO_PRECISE, TOO_LARGE); the value is 0 where the code is not OK.

    Accepted, as by the Scenario model: surrounding spaces, an optional +, digits with an optional
    point (``12``, ``12.5``, ``.5``, ``12.``); zeros past the scale are fine (``1.230`` as money).
    Not accepted: exponents, thousands separators, a minus sign (but ``-0``).

    The common case runs on the whole column (:func:`_decimal_exprs`: polars' exact decimal
    cast, a character check and the count of decimals; ``pre`` holds them when computed for many
    columns at once); only cells that fail it go through :func:`_classify_decimal`.
    """
    name = series.name
    if pre is None:
        pre = pl.DataFrame([series]).select(_decimal_exprs(name, scale))
    v = pre[name + "#v"]
    fast = (v.is_not_null() & pre[name + "#fast"]).to_numpy()
    empty = pre[name + "#empty"].to_numpy()
    value = v.fill_null(0).to_numpy().copy()
    code = np.where(empty, EMPTY, OK).astype(np.int8)
    slow = np.nonzero(~fast & ~empty)[0]
    if len(slow):
        texts = series.cast(pl.String).gather(pl.Series(slow, dtype=pl.UInt32)).to_list()
        for k, text in zip(slow.tolist(), texts):
            code[k], value[k] = _classify_decimal(text.strip(), scale)
    value[code != OK] = 0
    return value, code


def _classify_decimal(text: str, scale: int) -> tuple[int, int]:
    """(code, value) for one cell the whole-column path did not accept."""
    m = _DECIMAL_TEXT.fullmatch(text)
    if m is None or not (m[2] or m[3]):
        return NOT_VALID, 0
    digits, frac = m[2].lstrip("0"), (m[3] or "")
    if m[1] == "-" and (digits or frac.strip("0")):
        return NEGATIVE, 0
    if len(frac.rstrip("0")) > scale:
        return TOO_PRECISE, 0
    if len(digits) > 15:
        return TOO_LARGE, 0
    return OK, int(digits or 0) * 10 ** scale + int(frac[:scale].ljust(scale, "0") or 0)


def parse_words(series: pl.Series, words: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """A column of words (a choice or a flag) as codes, trimmed and case-folded, with a code per
    cell (OK, EMPTY, NOT_VALID). Each distinct text is looked up once."""
    s = series.cast(pl.String).fill_null("")
    uniq = s.unique().to_list()
    mapped = []
    for u in uniq:
        t = u.strip().lower()
        mapped.append(-2 if t == "" else words.get(t, -1))
    codes = s.replace_strict(uniq, mapped, return_dtype=pl.Int16).to_numpy()
    code = np.where(codes == -2, EMPTY, np.where(codes == -1, NOT_VALID, OK)).astype(np.int8)
    value = np.where(codes >= 0, codes, 0).astype(np.int64)
    return value, code


def _default_code(name: str):
    """A field's default as the kernels store it (the same encoding as from_scenarios)."""
    return colmod._encode(name, field_default(name))


@dataclass
class ParsedChunk:
    """The kernels' columns for every row of a chunk (bad cells hold the default), which rows are
    bad, and the error rows (row, column, value, message) in row order."""

    cols: colmod.Columns
    bad: np.ndarray
    errors: pl.DataFrame
    ids: pl.Series | None


def parse_chunk(df: pl.DataFrame, first_row: int, tables: Tables) -> ParsedChunk:
    """Parse a chunk of text columns. ``first_row`` is the 1-based data row number of its first row."""
    n = df.height
    present = [c for c in df.columns if c in FIELDS]
    cols: colmod.Columns = {}
    codes: dict[str, np.ndarray] = {}
    bool_words = {**{w: 1 for w in TRUE_WORDS}, **{w: 0 for w in FALSE_WORDS}}
    numeric = [name for name in present if field_kind(name) in SCALE]
    pre = df.select([e for name in numeric for e in _decimal_exprs(name, SCALE[field_kind(name)])])
    for name in FIELDS:
        kind = field_kind(name)
        if name not in present:
            if kind not in ("text", "year"):
                cols[name] = np.full(n, _default_code(name), dtype=colmod.DTYPES[kind])
            continue
        if kind == "text":
            limit = FIELDS[name].metadata[0].max_length
            codes[name] = np.where(df[name].str.len_chars().fill_null(0).to_numpy() > limit, TOO_LARGE, OK).astype(np.int8)
            continue
        if kind in SCALE:
            raw, code = parse_decimal(df[name], SCALE[kind], pre)
            code, value = _check_range(name, kind, raw, code)
        elif kind == "bool":
            value, code = parse_words(df[name], bool_words)
        else:
            value, code = parse_words(df[name], {c: k for k, c in enumerate(field_choices(name))})
        bad_or_empty = code != OK
        if bad_or_empty.any() and kind != "year":
            value[bad_or_empty] = _default_code(name)
        cols[name] = value.astype(colmod.DTYPES[kind], copy=False)
        codes[name] = code

    # the tax year: required, and tables must exist for it
    year_code = codes["tax_year"]
    year_code[year_code == EMPTY] = REQUIRED
    no_tables = (year_code == OK) & _no_tables(cols["tax_year"], tables)
    year_code[no_tables] = NO_TABLES

    bad = np.zeros(n, dtype=bool)
    for c in codes.values():
        bad |= (c != OK) & (c != EMPTY)
    # cross-field rules on the rows whose cells all parsed
    cross = []
    for mask, fname, msg in colmod.cross_field_errors(cols):
        mask = mask & ~bad
        if mask.any():
            cross.append((mask, fname, msg))
    for mask, _, _ in cross:
        bad |= mask
    errors = _error_frame(df, first_row, codes, cross, tables) if bad.any() else _empty_errors()
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
    if kind == "year":
        ge, le = FIRST_YEAR, LAST_YEAR
    f = 10 ** scale
    if ge is not None:
        code[ok & (raw < int(ge * f))] = TOO_SMALL
    if gt is not None:
        code[ok & (raw <= int(gt * f))] = TOO_SMALL
    if le is not None:
        code[ok & (raw > int(le * f))] = TOO_LARGE
    if kind == "money":
        code[ok & (raw > MAX_AMOUNT * 100)] = TOO_LARGE
    value = raw.copy()
    value[(code != OK) & (code != EMPTY)] = -1 if kind == "year" else _default_code(name)
    return code, value


def _no_tables(years: np.ndarray, tables: Tables) -> np.ndarray:
    from .api import check_years

    return check_years(years, tables)


def _empty_errors() -> pl.DataFrame:
    return pl.DataFrame(schema={"row": pl.Int64, "column": pl.String, "value": pl.String, "message": pl.String})


def _error_frame(df: pl.DataFrame, first_row: int, codes: dict, cross: list, tables: Tables) -> pl.DataFrame:
    """One error row per bad cell and per broken cross-field rule, ordered by row then column."""
    parts = []
    order = {c: k for k, c in enumerate(df.columns)}
    years = ", ".join(map(str, tables.mainland_years()))
    for name, code in codes.items():
        for c in np.unique(code):
            c = int(c)
            if c in (OK, EMPTY):
                continue
            idx = np.nonzero(code == c)[0]
            if c == REQUIRED:
                msg = f"required: {expected('tax_year')}"
            elif c == NO_TABLES:
                msg = f"no tables for this year; available: {years}"
            else:
                msg = _message(name, c)
            parts.append(_errors_at(df, idx, name, msg, first_row, order.get(name, 0)))
    for k, (mask, fname, msg) in enumerate(cross):
        parts.append(_errors_at(df, np.nonzero(mask)[0], fname, msg, first_row, len(order) + k))
    out = pl.concat(parts).sort(["row", "#pos"], maintain_order=True).drop("#pos")
    return out


def _errors_at(df, idx, name, msg, first_row, pos) -> pl.DataFrame:
    idx_s = pl.Series(idx, dtype=pl.UInt32)
    if name in df.columns:
        value = df[name].gather(idx_s).fill_null("")
        value = pl.select(pl.when(value.str.len_chars() > MAX_SHOWN_VALUE)
                          .then(value.str.slice(0, MAX_SHOWN_VALUE) + "…").otherwise(value)).to_series()
    else:
        value = pl.Series([""] * len(idx), dtype=pl.String)
    return pl.DataFrame({"row": idx.astype(np.int64) + first_row, "column": [name] * len(idx),
                         "value": value, "message": [msg] * len(idx), "#pos": [pos] * len(idx)})


# ---------------------------------------------------------------------------------------------
# computing


RESULT_KEYS = ("iit_taxable", "iit_fen", "use_separate", "bonus_cliff", "hk_tax", "hk_reduction", "hk_burden_fen",
               "macao_burden_fen", "relief_fen", "relief_idx", "relief_kind_code", "relief_paid_in",
               "relief_extended", "iit_net_fen", "effective_rate_mainland", "effective_rate_hk", "burden_gap_fen",
               "hk_year")
"""The engine outputs that :func:`~taxcalc.results.result_arrays` reads (plus the HK year)."""


def compute_rows(cols: colmod.Columns, tables: Tables, options: Options) -> dict[str, np.ndarray]:
    """:func:`~taxcalc.engine.compute` on a chunk, one (tax year, residency) group at a time.

    ``compute`` splits mixed chunks itself, but then scatters every intermediate column (well over
    a hundred) back into place, which costs more than the kernels. Sorting the rows by group
    first, running each contiguous slice (a view, no copy) and putting back only the result
    columns gives the same figures, about twice as fast on a chunk that mixes years.
    """
    n = len(cols["tax_year"])
    key = cols["tax_year"] * 2 + cols["residency"]
    first = key[0] if n else 0
    if n == 0 or (key == first).all():
        r = compute(cols, tables, options)
        return {k: r[k] for k in RESULT_KEYS}
    order = np.argsort(key, kind="stable")
    sorted_cols = {k: v[order] for k, v in cols.items()}
    skey = key[order]
    bounds = np.flatnonzero(np.diff(skey)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [n]))
    out: dict[str, np.ndarray] = {}
    for a, b in zip(starts.tolist(), ends.tolist()):
        r = compute({k: v[a:b] for k, v in sorted_cols.items()}, tables, options)
        for k in RESULT_KEYS:
            if k not in out:
                out[k] = np.empty(n, dtype=r[k].dtype)
            out[k][order[a:b]] = r[k]
    return out


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
    """Codes into a small label list as a text column (a negative code counts from the end, as
    NumPy indexing does in :func:`~taxcalc.results.result_arrays`)."""
    labels = list(labels)
    codes = np.asarray(codes, dtype=np.int64) % len(labels)
    return pl.Series(name, labels, dtype=pl.String).gather(pl.Series(codes, dtype=pl.UInt32))


def result_frame(r: dict, tables: Tables) -> pl.DataFrame:
    """The result columns, in order, typed: decimals for CNY and ratios, integers for HK$, text
    labels, nullable years, booleans."""
    n = len(r["iit_fen"])
    policies = [p.policy.id for p in compiled_policies(tables)]
    hk_years = sorted(tables.hongkong)
    hk_code = np.searchsorted(np.array(hk_years), r["hk_year"])
    hk_label = np.empty(0, dtype=object)  # labels are built below from codes, not per row
    raw = result_arrays({**r, "use_separate": np.zeros(0, dtype=bool), "relief_idx": np.zeros(0, dtype=np.int64),
                         "relief_kind_code": np.zeros(0, dtype=np.int64)}, policies, hk_label)
    from .results import BONUS_METHOD_USED, RELIEF_KIND

    label_cols = {
        "bonus_method_used": _labels("bonus_method_used", BONUS_METHOD_USED, r["use_separate"].astype(np.int64)),
        "hk_year_of_assessment": _labels("hk_year_of_assessment",
                                         [tables.hongkong[y].year_of_assessment for y in hk_years], hk_code),
        "relief_policy": _labels("relief_policy", policies + ["none"], r["relief_idx"]),
        "relief_kind": _labels("relief_kind", RELIEF_KIND, r["relief_kind_code"]),
    }
    out = []
    for c in RESULT_COLUMNS:
        if c.kind == "label":
            out.append(label_cols[c.name])
            continue
        v = raw[c.name]
        if c.kind == "fen":
            out.append(_decimal_series(c.name, v, 2))
        elif c.kind == "ratio":
            out.append(_decimal_series(c.name, v, 6))
        elif c.kind == "dollars":
            out.append(pl.Series(c.name, v, dtype=pl.Int64))
        elif c.kind == "year":
            out.append(pl.Series(c.name, v, dtype=pl.Int64).replace(0, None))
        elif c.kind == "bool":
            out.append(pl.Series(c.name, v, dtype=pl.Boolean))
    assert all(len(s) == n for s in out)
    return pl.DataFrame(out)


# ---------------------------------------------------------------------------------------------
# writers


def neutralise_formulas(df: pl.DataFrame) -> pl.DataFrame:
    """Text cells beginning with = + - @ (or tab, CR) get a leading ' unless they are numbers."""
    exprs = []
    for name, dtype in df.schema.items():
        if dtype != pl.String:
            continue
        s = pl.col(name)
        risky = s.str.contains(FORMULA_START)
        if not df.select(risky.any()).item():
            continue
        exprs.append(pl.when(risky & ~s.str.contains(NUMBER_TEXT)).then(pl.lit("'") + s).otherwise(s).alias(name))
    return df.with_columns(exprs) if exprs else df


class _AtomicTarget:
    """A file written under a temporary name and renamed into place on success (``-``: stdout)."""

    def __init__(self, path: str):
        self.path = path
        if path == "-":
            self.tmp = None
            self.fh = sys.stdout.buffer
        else:
            p = Path(path)
            if p.parent and not p.parent.exists():
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


class CsvWriter:
    def __init__(self, path: str):
        self.target = _AtomicTarget(path)
        self._header = False

    def write(self, df: pl.DataFrame) -> None:
        df = neutralise_formulas(df)
        df.write_csv(self.target.fh, include_header=not self._header)
        self._header = True

    def commit(self) -> None:
        self.target.commit()

    def abort(self) -> None:
        self.target.abort()


class JsonlWriter:
    """One JSON object per row; CNY amounts and ratios as strings (exact), HK$ as integers."""

    def __init__(self, path: str):
        self.target = _AtomicTarget(path)

    def write(self, df: pl.DataFrame) -> None:
        if df.height:
            df.write_ndjson(self.target.fh)

    def commit(self) -> None:
        self.target.commit()

    def abort(self) -> None:
        self.target.abort()


class ParquetWriter:
    """Row groups appended chunk by chunk; CNY amounts as decimal(20,2), ratios decimal(20,6)."""

    def __init__(self, path: str):
        if path == "-":
            raise BatchFileError("Parquet cannot go to standard output; give a file name")
        self.target = _AtomicTarget(path)
        self._writer = None

    def write(self, df: pl.DataFrame) -> None:
        import pyarrow.parquet as pq

        table = df.to_arrow()
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.target.fh, table.schema)
        self._writer.write_table(table)

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self.target.commit()

    def abort(self) -> None:
        if self._writer is not None:
            try:
                self._writer.close()
            except Exception:  # noqa: BLE001
                pass
        self.target.abort()


def open_writer(path: str):
    fmt = file_format(path)
    return {"csv": CsvWriter, "jsonl": JsonlWriter, "parquet": ParquetWriter}[fmt](path)


# ---------------------------------------------------------------------------------------------
# the run


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
    def __init__(self, path: str):
        self.path = path
        self.count = 0
        if path == "-stderr":
            self.target = None
            self.fh = sys.stderr.buffer if hasattr(sys.stderr, "buffer") else None
        else:
            if file_format(path) != "csv":
                raise BatchFileError(f"{path}: the errors file is CSV; give a .csv name")
            self.target = _AtomicTarget(path)
            self.fh = self.target.fh
        self._header = False

    def write(self, errors: pl.DataFrame) -> None:
        if not self._header or errors.height:
            frame = neutralise_formulas(errors)
            if self.fh is None:
                sys.stderr.write(frame.write_csv(include_header=not self._header))
            else:
                frame.write_csv(self.fh, include_header=not self._header)
            self._header = True
            self.count += errors.height

    def commit(self) -> None:
        if self.target is not None:
            if not self._header:
                _empty_errors().write_csv(self.fh)
            self.target.commit()
        elif self.fh is not None:
            self.fh.flush()

    def abort(self) -> None:
        if self.target is not None:
            self.target.abort()


def _output_header(columns: list[str]) -> list[str]:
    lead = [] if "id" in columns else ["id"]
    return lead + columns + [c.name for c in RESULT_COLUMNS]


def process_chunk(df: pl.DataFrame, first_row: int, tables: Tables, options: Options):
    """Parse and compute one chunk: (output frame of the accepted rows, error frame, bad mask)."""
    p = parse_chunk(df, first_row, tables)
    n = df.height
    row_no = pl.int_range(first_row, first_row + n, eager=True).cast(pl.String)
    if "id" in df.columns:
        ids = pl.select(pl.when(p.ids.is_null() | (p.ids.str.strip_chars() == "")).then(row_no)
                        .otherwise(p.ids)).to_series().alias("id")
        inputs = df.with_columns(ids)
    else:
        inputs = df.insert_column(0, row_no.alias("id"))
    good = ~p.bad
    if good.all():
        cols = p.cols
        kept = inputs
    else:
        idx = np.nonzero(good)[0]
        cols = {k: v[idx] for k, v in p.cols.items()}
        kept = inputs.filter(pl.Series(good))
    if kept.height:
        r = compute_rows(cols, tables, options)
        out = pl.concat([kept, result_frame(r, tables)], how="horizontal")
    else:
        out = pl.concat([kept, _empty_results()], how="horizontal")
    return out, p.errors, p.bad


def _empty_results() -> pl.DataFrame:
    schema = {}
    for c in RESULT_COLUMNS:
        schema[c.name] = {"fen": pl.Decimal(20, 2), "ratio": pl.Decimal(20, 6), "dollars": pl.Int64,
                          "year": pl.Int64, "bool": pl.Boolean, "label": pl.String}[c.kind]
    return pl.DataFrame(schema=schema)


def run(input_path: str, output_path: str, errors_path: str | None = None, *, tables: Tables | None = None,
        options: Options = Options(), strict: bool = False, quiet: bool = False,
        progress: bool | None = None) -> BatchSummary:
    """Compute every row of ``input_path`` into ``output_path``; bad rows into ``errors_path``.

    Returns a :class:`BatchSummary`. Raises :class:`BatchFileError` when the input cannot be
    read as a batch file (nothing is written then), :class:`BatchStopped` with ``strict`` at the
    first bad row (the rows before it and its errors are written).
    """
    tables = tables or load_tables()
    started = time.perf_counter()
    errors_path = errors_path or default_errors_path(output_path)
    if output_path != "-" and errors_path != "-stderr" and os.path.abspath(errors_path) == os.path.abspath(output_path):
        raise BatchFileError(f"{errors_path}: the errors file must differ from the output")
    if input_path != "-" and output_path != "-" and os.path.exists(output_path) and \
            os.path.samefile(input_path, output_path):
        raise BatchFileError(f"{output_path}: the output would overwrite the input")
    reader = open_reader(input_path)
    writers = []
    summary = BatchSummary(output=output_path, errors_path=errors_path if errors_path != "-stderr" else "standard error",
                           columns=_output_header(reader.columns))
    show = (progress if progress is not None else (not quiet and sys.stderr.isatty()))
    bar = _Progress(reader) if show else None
    try:
        writer = open_writer(output_path)
        writers.append(writer)
        errw = _ErrorsWriter(errors_path)
        writers.append(errw)
        header_written = False
        row = 1
        for df in reader:
            out, errs, bad = process_chunk(df, row, tables, options)
            if strict and bad.any():
                first = int(np.argmax(bad))
                writer.write(out.head(first))
                mine = errs.filter(pl.col("row") == row + first)
                errw.write(mine)
                summary.rows += first + 1
                summary.computed += first
                summary.rejected += 1
                e = mine.row(0, named=True)
                for w in writers:
                    w.commit()
                writers.clear()
                raise BatchStopped(InputError(e["column"], e["message"], e["value"], e["row"]), summary.computed,
                                   output_path, summary.errors_path)
            writer.write(out)
            header_written = True
            errw.write(errs)
            n_bad = int(bad.sum())
            summary.rows += df.height
            summary.rejected += n_bad
            summary.computed += df.height - n_bad
            row += df.height
            if bar:
                bar.update(summary.rows)
        if not header_written:
            writer.write(_empty_input(reader.columns).pipe(lambda d: pl.concat([d, _empty_results()], how="horizontal")))
        errw.write(_empty_errors())
        for w in writers:
            w.commit()
        writers.clear()
    except BaseException:
        for w in writers:
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


def _empty_input(columns: list[str]) -> pl.DataFrame:
    names = _output_header(columns)[: len(columns) + (0 if "id" in columns else 1)]
    return pl.DataFrame(schema={c: pl.String for c in names})


class _Progress:
    """A rich progress bar on standard error: rows done, rows per second, time left (from the
    bytes read of the input, or its row count for Parquet)."""

    def __init__(self, reader):
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.reader = reader
        self.started = time.perf_counter()
        self.total = getattr(reader, "total_rows", 0) or reader.total_bytes or None
        self.by_rows = bool(getattr(reader, "total_rows", 0))
        self.p = Progress(TextColumn("[bold]batch"), BarColumn(), TextColumn("{task.fields[rows]:>12,} rows"),
                          TextColumn("{task.fields[rate]:>10,.0f} rows/s"), TimeRemainingColumn(),
                          transient=True)
        self.task = self.p.add_task("batch", total=self.total, rows=0, rate=0.0)
        self.p.start()

    def update(self, rows: int) -> None:
        done = rows if self.by_rows else self.reader.bytes_read
        rate = rows / max(time.perf_counter() - self.started, 1e-9)
        self.p.update(self.task, completed=done, rows=rows, rate=rate)

    def stop(self) -> None:
        self.p.stop()
