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

Outputs are written to a temporary file next to the target and renamed at the end (the errors file
first, the output last), so a run that fails -- a bad file, a full disk, a signal -- leaves no
half-written output behind and the files it replaces untouched. While it runs, a lock file next to
each target keeps a second run from writing the same paths (:class:`_RunLock`). :func:`cli_run`
maps every outcome to one line on standard error and an exit status (:data:`EXIT_CODES`).
"""

from __future__ import annotations

import codecs
import csv
import errno
import io
import json
import os
import re
import signal
import sys
import threading
import time
from contextlib import contextmanager
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
from .errors import TaxcalcError
from .figures import FIGURES
from .figures import NAMES as FIGURE_NAMES
from .scenario import ENUMS, FIELDS, FIRST_YEAR, Scenario, field_choices, field_kind
from .scenario import limits as _limits
from .tables import Tables, load_tables
from .messages import msg
from .validate import BOOL_WORDS, DECIMALS, FieldError, normalize_word, parse_number, table_errors
from .validate import expected as expected_msg

CHUNK_BYTES = 16 << 20        # JSON Lines and CSV on stdin: block read at a time; also the longest row
CHUNK_ROWS = 200_000          # CSV files: rows a chunk
JSONL_BLOCK_BYTES = 64 << 20  # JSON Lines: bytes read at a time
JSONL_KEY_PIECE = 256 << 10   # JSON Lines: bytes of lines a schema inference looks at (its cost: lines x keys)
PARQUET_BATCH_ROWS = 200_000
HEADER_LIMIT = 1 << 20        # a header line longer than this is not a batch file
MAX_COLUMNS = 1000            # more columns than this (the batch has 45) is not a batch file
MAX_SHOWN_VALUE = 200         # longer cell values are cut in the errors file

# decimal scale (digits after the point) and the unit each numeric kind is stored in
SCALE = {"money": 2, "rate": 6, "days": 1, "count": 0, "year": 0, "choice_int": 0}
FORMULA_START = r"^[=+\-@\t\r]"
NUMBER_TEXT = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"

KNOWN = tuple(FIELDS)

# exit status of ``taxcalc batch`` (docs/batch.md)
EXIT_OK = 0                   # every row computed
EXIT_BAD_INPUT = 2            # a file that cannot be read, a path refused, bad options, --strict stopped
EXIT_ROWS_REJECTED = 3        # some rows rejected (they are in the errors file)
EXIT_WRITE_FAILED = 4         # writing failed (disk full, I/O error): nothing renamed into place
EXIT_BROKEN_PIPE = 128 + 13   # standard output closed by the reader (``| head``): quiet, as Unix tools do
# a signal (SIGINT, SIGTERM, SIGHUP) ends a run with 128 + its number: 130, 143, 129


class BatchFileError(TaxcalcError):
    """The file as a whole cannot be read, or a path cannot be used: a message naming the file and
    what was expected. Nothing has been written."""


class BatchWriteError(TaxcalcError):
    """Writing an output or the errors file failed (disk full, an I/O error, a closed pipe).

    ``path`` is the file (``-``: standard output), ``errno`` the system's error number when known;
    ``detail`` says what was left (set by :func:`run`: nothing renamed into place, or how many rows
    had gone to standard output)."""

    def __init__(self, path: str, reason: str, code: int | None = None):
        self.path, self.reason, self.errno, self.detail = path, reason, code, ""
        super().__init__(path, reason)

    def __str__(self) -> str:
        where = "standard output" if self.path == "-" else self.path
        return f"cannot write {where}: {self.reason}{self.detail}"


class BatchInterrupted(KeyboardInterrupt):
    """A signal (SIGINT, SIGTERM, SIGHUP) stopped the run. The temporary files are removed and
    nothing is renamed into place, unless ``committed`` (the signal came while the finished files
    were being renamed: they are complete). ``str()`` says what was left; ``signum`` gives the
    exit status 128 + signum."""

    def __init__(self, signum: int, message: str, committed: bool = False):
        self.signum, self.message, self.committed = signum, message, committed
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


class _Signalled(KeyboardInterrupt):
    """Raised by the run's signal handler (SIGTERM and SIGHUP unwind like Ctrl-C)."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(signum)


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
    skipped: int = 0              # rows whose every cell is empty (blank lines, only separators)
    seconds: float = 0.0
    output: str = ""
    errors_path: str = ""
    columns: list[str] = field(default_factory=list)
    written: object = field(default=None, repr=False, compare=False)   # () -> rows written so far

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        where = f" (see {self.errors_path})" if self.rejected else ""
        skipped = f", {self.skipped:,} skipped (empty)" if self.skipped else ""
        return (f"{self.rows:,} rows: {self.computed:,} computed, {self.rejected:,} rejected{where}{skipped}; "
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
    if not seen & set(KNOWN):
        hint = looks_like or ""
        shown = ",".join(names)[:120]
        raise BatchFileError(
            f"{path}: no known column in the header ({shown!r}){hint}; expected comma-separated columns "
            f"such as id,tax_year,residency,identity,zone,wages,bonus (tax_year is required; "
            f"see docs/batch.md for all {len(KNOWN)})")
    if "tax_year" not in seen:
        raise BatchFileError(f"{path}: the required column tax_year is missing from the header "
                             f"(columns found: {_printable(', '.join(names)[:200])})")


def _printable(text: str) -> str:
    """``text`` for a one-line message: control characters (a newline in a column name) escaped."""
    return text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


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
            if sys.stdin is None or getattr(sys.stdin, "buffer", None) is None:
                raise BatchFileError("-: standard input is closed; give an input file")
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
        line = text.rstrip("\r\n")
        try:
            names = [n.strip() for n in next(csv.reader([line]), [])]
        except csv.Error as exc:
            if "\r" in line:
                raise BatchFileError(f"{path}: lines end with a carriage return alone; save the file with "
                                     "ordinary line endings (LF or CR LF)") from None
            raise BatchFileError(f"{path}: cannot read the header line as CSV ({exc}); expected a header "
                                 "such as id,tax_year,wages") from None
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
    """JSON Lines, read twice: a first pass finds every key of every line (the columns, in the order
    they first appear in the first lines, then as found), a second reads the lines in blocks with
    every key as a text column. Values become text: numbers as written (polars may normalise
    ``1.0e5`` to ``100000``), ``true``/``false``, nested objects and lists as their JSON text,
    null as empty. A UTF-8 byte order mark is skipped; blank lines are not rows.

    Both passes go through polars; a block that polars refuses (a number it cannot hold such as
    ``1e400``, objects of different shapes, a broken line) is read again line by line with Python's
    json module, which accepts what is valid JSON and names the first line that is not.
    """

    def __init__(self, path: str):
        self.path = path
        try:
            self._raw = open(path, "rb")  # noqa: SIM115
        except OSError as exc:
            raise BatchFileError(f"{path}: cannot open ({exc.strerror})") from None
        self.total_bytes = os.path.getsize(path)
        self.bytes_read = 0
        self._start = 3 if self._raw.read(3) == codecs.BOM_UTF8 else 0
        self._raw.seek(self._start)
        self.columns = self._find_keys()
        _check_header(path, self.columns)

    def _blocks(self) -> Iterator[tuple[int, bytes]]:
        """(number of the block's first line, the block) from the start, in blocks of whole lines."""
        self._raw.seek(self._start)
        line = 1
        while True:
            data = self._raw.read(JSONL_BLOCK_BYTES)
            if not data:
                return
            if not data.endswith(b"\n"):
                rest = self._raw.readline(CHUNK_BYTES)
                if len(rest) >= CHUNK_BYTES and not rest.endswith(b"\n"):
                    where = line + data.count(b"\n")
                    raise BatchFileError(f"{self.path}: line {where} is longer than {CHUNK_BYTES >> 20} MB; "
                                         "expected one JSON object per line")
                data += rest
            yield line, data
            line += data.count(b"\n")

    def _find_keys(self) -> list[str]:
        """Every key of every line, at most MAX_COLUMNS: polars' schema inference piece by piece
        (:data:`JSONL_KEY_PIECE` bytes of whole lines: its cost grows with lines x keys, so a file
        of many distinct keys is stopped after a piece, not after hours); a piece it refuses is
        read line by line."""
        head = self._raw.read(1 << 20)
        if not head.strip() and self._start + len(head) >= self.total_bytes:
            raise BatchFileError(f"{self.path}: empty file; expected one JSON object per line with the batch "
                                 "columns as keys (at least tax_year)")
        keys: dict[str, None] = {}
        for first, data in self._blocks():
            for line, piece in _pieces(first, data, JSONL_KEY_PIECE):
                try:
                    names = pl.scan_ndjson(piece, infer_schema_length=None).collect_schema().names()
                except Exception:  # noqa: BLE001 (polars raises several kinds on bad JSON)
                    names = [k for obj in self._objects(line, piece) for k in obj]
                keys.update(dict.fromkeys(names))
                if len(keys) > MAX_COLUMNS:
                    return list(keys)
        return self._key_order(head, list(keys))

    def _key_order(self, head: bytes, keys: list[str]) -> list[str]:
        """The keys in the order they first appear in the first lines (polars' schema inference does
        not keep it); keys seen only later follow in the order found."""
        order: dict[str, None] = {}
        for line in head.split(b"\n", 1000)[:-1] or [head]:
            try:
                obj = json.loads(line)
            except (ValueError, RecursionError):
                break
            if isinstance(obj, dict):
                order.update(dict.fromkeys(obj))
        known = set(keys)
        return [k for k in order if k in known] + [k for k in keys if k not in order]

    def _objects(self, first: int, data: bytes) -> Iterator[dict]:
        """The JSON objects of a block, line by line (blank lines skipped), numbers kept as written;
        the first line that is not a JSON object is a :class:`BatchFileError` naming it."""
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        for k, line in enumerate(lines):
            if not line.strip():
                continue
            n = first + k
            try:
                obj = json.loads(line, parse_int=_RawNumber, parse_float=_RawNumber, parse_constant=_RawNumber)
            except UnicodeDecodeError:
                raise BatchFileError(f"{self.path}: line {n} is not UTF-8 text; save the file as UTF-8") from None
            except RecursionError:
                raise BatchFileError(f"{self.path}: line {n} is nested too deeply") from None
            except ValueError as exc:
                last = k == len(lines) - 1 and not data.endswith(b"\n") and self._raw.tell() >= self.total_bytes
                if last:
                    raise BatchFileError(f"{self.path}: the last line ({n}) is cut short: it is not complete JSON "
                                         f"({getattr(exc, 'msg', exc)}); the file seems truncated") from None
                where = f" at column {exc.colno}" if hasattr(exc, "colno") else ""
                raise BatchFileError(f"{self.path}: not valid JSON Lines: line {n} is not valid JSON "
                                     f"({getattr(exc, 'msg', exc)}{where}); expected one JSON object per line") from None
            if not isinstance(obj, dict):
                kind = {list: "a list", str: "a string", _RawNumber: "a number", bool: "true/false",
                        type(None): "null"}.get(type(obj), "not an object")
                raise BatchFileError(f"{self.path}: line {n} is {kind}; expected one JSON object per line "
                                     "with the batch columns as keys")
            yield obj

    def _frame_of_lines(self, first: int, data: bytes) -> pl.DataFrame:
        """A block polars refused, read line by line into text columns (the same texts as polars
        gives, except that numbers keep their spelling)."""
        values: dict[str, list] = {c: [] for c in self.columns}
        n = 0
        for obj in self._objects(first, data):
            try:
                for c, col in values.items():
                    col.append(_json_cell(obj[c]) if c in obj else None)
            except RecursionError:
                raise BatchFileError(f"{self.path}: a line near line {first} is nested too deeply") from None
            n += 1
        return pl.DataFrame(values, schema={c: pl.String for c in self.columns}) if n else \
            pl.DataFrame(schema={c: pl.String for c in self.columns})

    def __iter__(self) -> Iterator[pl.DataFrame]:
        schema = {c: pl.String for c in self.columns}
        for first, data in self._blocks():
            self.bytes_read = min(self.total_bytes, self.bytes_read + len(data))
            try:
                df = pl.read_ndjson(io.BytesIO(data), schema=schema)
            except Exception:  # noqa: BLE001 (polars raises ComputeError and others for bad JSON)
                df = self._frame_of_lines(first, data)
            if df.height:
                yield df

    def close(self) -> None:
        self._raw.close()


def _pieces(first: int, data: bytes, size: int) -> Iterator[tuple[int, bytes]]:
    """(number of the first line, piece) for pieces of about ``size`` bytes of whole lines."""
    i, line = 0, first
    while i < len(data):
        j = data.find(b"\n", min(i + size, len(data)) - 1)
        j = len(data) if j < 0 else j + 1
        piece = data[i:j] if (i, j) != (0, len(data)) else data
        yield line, piece
        line += piece.count(b"\n")
        i = j


class _RawNumber(str):
    """A JSON number (or NaN/Infinity) kept as written."""


def _json_cell(value) -> str | None:
    """One JSON value as the text polars gives for it in a text column."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):                      # text, or a number as written
        return str(value)
    return _json_text(value)


def _json_text(value) -> str:
    """Nested JSON (numbers kept as written) as JSON text, spaced as polars writes it."""
    if isinstance(value, _RawNumber):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_json_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_json_text(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


class ParquetReader:
    """Parquet by record batches; every column as text for parsing (and passed through as text):
    see :func:`arrow_as_text` for nested and binary columns."""

    def __init__(self, path: str):
        import pyarrow.parquet as pq

        self.path = path
        try:
            self._file = pq.ParquetFile(path)
        except FileNotFoundError:
            raise BatchFileError(f"{path}: cannot open (no such file)") from None
        except Exception as exc:  # noqa: BLE001 (a damaged footer raises Arrow, OS and decoding errors)
            first = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
            raise BatchFileError(f"{path}: not a Parquet file ({first})") from None
        try:
            self.columns = list(self._file.schema_arrow.names)
        except Exception as exc:  # noqa: BLE001
            raise BatchFileError(f"{path}: not a readable Parquet schema ({str(exc)[:120]})") from None
        _check_header(path, self.columns)
        self.total_rows = self._file.metadata.num_rows
        self.total_bytes = 0
        self.bytes_read = 0

    def __iter__(self) -> Iterator[pl.DataFrame]:
        try:
            for batch in self._file.iter_batches(batch_size=PARQUET_BATCH_ROWS):
                yield arrow_as_text(batch)
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise BatchFileError(f"{self.path}: cannot read: {str(exc).splitlines()[0][:200]}") from None

    def close(self) -> None:
        self._file.close()


def arrow_as_text(data: pa.RecordBatch | pa.Table) -> pl.DataFrame:
    """Every column of an Arrow batch or table as a text column (names and order kept).

    Plain types go through polars' cast (numbers, decimals, booleans, dates and times, text);
    lists, maps and structs become their JSON text; durations ISO 8601 seconds (``PT90S``);
    binary cells their text when UTF-8, else ``base64:`` and the bytes in base64. Anything else
    polars cannot cast is written as JSON text of its Python value. A known column of such a type
    is then that column's error in every row where it has a value ("expected an amount ...")."""
    names = data.column_names
    plain = [k for k, c in enumerate(data.columns) if _plain(c.type)]
    done: dict[int, pl.Series] = {}
    if plain:                                 # one conversion for the ordinary columns (the usual case)
        try:
            for k in plain:
                if not pa.types.is_primitive(data.columns[k].type):
                    data.columns[k].validate(full=True)   # damaged text that is not UTF-8: ArrowInvalid
            sub = pl.from_arrow(pa.table([data.columns[k] for k in plain], names=[f"c{k}" for k in plain]))
            sub = sub.with_columns(pl.all().cast(pl.String))
            done = {k: sub[f"c{k}"].alias(names[k]) for k in plain}
        except pa.ArrowInvalid:
            raise
        except Exception:  # noqa: BLE001 (a type polars does not take: column by column below)
            done = {}
    out = [done[k] if k in done else _arrow_column_text(names[k], c) for k, c in enumerate(data.columns)]
    return pl.DataFrame(out) if out else pl.DataFrame()


def _plain(t) -> bool:
    """A type polars reads and casts to text itself: numbers, decimals, booleans, dates and times,
    text (also dictionary-encoded)."""
    if pa.types.is_dictionary(t):
        t = t.value_type
    return (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t) or pa.types.is_boolean(t)
            or pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_temporal(t)
            and not pa.types.is_duration(t) or pa.types.is_null(t))


_NESTED = (pa.types.is_list, pa.types.is_large_list, pa.types.is_fixed_size_list, pa.types.is_map,
           pa.types.is_struct, pa.types.is_union)
_BINARY = (pa.types.is_binary, pa.types.is_large_binary, pa.types.is_fixed_size_binary)


def _arrow_column_text(name: str, col) -> pl.Series:
    t = col.type
    if pa.types.is_dictionary(t) and not pa.types.is_string(t.value_type):
        col, t = col.cast(t.value_type), t.value_type
    if hasattr(pa.types, "is_list_view") and (pa.types.is_list_view(t) or pa.types.is_large_list_view(t)):
        return pl.Series(name, [_py_json(v) for v in col.to_pylist()], dtype=pl.String)
    if any(f(t) for f in _NESTED):
        try:
            values = col.to_pylist(maps_as_pydicts="strict")
        except (TypeError, ValueError, KeyError):
            values = col.to_pylist()
        return pl.Series(name, [_py_json(v) for v in values], dtype=pl.String)
    if pa.types.is_duration(t):
        return pl.Series(name, _duration_text(col), dtype=pl.String)
    if any(f(t) for f in _BINARY):
        return pl.Series(name, [None if v is None else _bytes_text(v) for v in col.to_pylist()], dtype=pl.String)
    if pa.types.is_string(t) or pa.types.is_large_string(t) or (pa.types.is_dictionary(t)):
        col.validate(full=True)          # a damaged file's text that is not UTF-8: ArrowInvalid, not a crash later
    try:
        return pl.from_arrow(col).cast(pl.String).alias(name)
    except Exception:  # noqa: BLE001 (an extension or other type polars does not take)
        return pl.Series(name, [_py_json(v) for v in col.to_pylist()], dtype=pl.String)


def _bytes_text(b: bytes) -> str:
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        import base64

        return "base64:" + base64.b64encode(b).decode("ascii")


def _duration_text(col) -> list[str | None]:
    """Durations as ISO 8601 seconds, exact (``PT86400S``, ``PT0.000001S``, ``-PT5S``)."""
    digits = {"s": 0, "ms": 3, "us": 6, "ns": 9}[col.type.unit]
    out = []
    for v in col.cast(pa.int64()).to_pylist():
        if v is None:
            out.append(None)
            continue
        sign, v = ("-" if v < 0 else ""), abs(v)
        whole, frac = divmod(v, 10 ** digits) if digits else (v, 0)
        frac_text = f".{frac:0{digits}d}".rstrip("0") if frac else ""
        out.append(f"{sign}PT{whole}{frac_text}S")
    return out


def _py_default(o):
    import datetime as dt
    from decimal import Decimal

    if isinstance(o, (bytes, bytearray, memoryview)):
        return _bytes_text(bytes(o))
    if isinstance(o, Decimal):
        return str(o)
    if isinstance(o, (dt.datetime, dt.date, dt.time)):
        return o.isoformat()
    if isinstance(o, dt.timedelta):
        return f"PT{o.total_seconds():g}S"
    return str(o)


def _py_json(value) -> str | None:
    """A Python value from Arrow as JSON text (None stays None)."""
    if value is None:
        return None
    try:
        return json.dumps(value, ensure_ascii=False, default=_py_default)
    except (TypeError, ValueError, RecursionError):
        return str(value)


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
    for k, (mask, fname, message) in enumerate(cross):
        parts.append(_errors_at(df, np.nonzero(mask)[0], fname, message, rows, len(order) + k))
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


def neutralise_header(names: list[str]) -> list[str]:
    """Column names as :func:`neutralise_formulas` treats cells: a name that begins with
    ``= + - @`` (or a tab or CR) and is not a number gets a leading ``'``."""
    start, number = re.compile(FORMULA_START), re.compile(NUMBER_TEXT)
    return ["'" + n if start.search(n) and not number.search(n) else n for n in names]


def free_text_columns(columns: list[str]) -> list[str]:
    """The output columns that can carry a user's free text: id, unknown input columns, and the
    relief policy label (a policy id from the tables, which a user's directory may define)."""
    return [c for c in _output_header(columns) if c not in FIELDS or field_kind(c) == "text"
            ] + ["relief_policy"]


def _errno_of(exc: BaseException) -> int | None:
    """The system error number of an OSError, also when polars or Arrow only put it in the text
    ("... (os error 28)", "[Errno 28] ...")."""
    code = getattr(exc, "errno", None)
    if isinstance(code, int):
        return code
    m = re.search(r"\(os error (\d+)\)|\[Errno (\d+)\]", str(exc))
    return int(m[1] or m[2]) if m else None


def _write_error(path: str, exc: BaseException) -> BatchWriteError:
    code = _errno_of(exc)
    reason = os.strerror(code) if code else (str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__)
    return BatchWriteError(path, reason, code)


@contextmanager
def _writing(path: str):
    """Turn an I/O failure while writing ``path`` into :class:`BatchWriteError`."""
    try:
        yield
    except (BatchWriteError, BatchFileError):
        raise
    except (OSError, pa.ArrowException) as exc:
        raise _write_error(path, exc) from None


def _stdout_buffer():
    """Standard output's byte stream, or a :class:`BatchFileError` when it is closed."""
    out = sys.stdout
    buf = getattr(out, "buffer", None) if out is not None else None
    if buf is None:
        raise BatchFileError("-: standard output is closed; give an output file with -o")
    try:
        os.fstat(out.fileno())
    except (io.UnsupportedOperation, ValueError, AttributeError):
        pass                                   # a stream without a descriptor (tests): usable
    except OSError:
        raise BatchFileError("-: standard output is closed; give an output file with -o") from None
    return buf


class _AtomicTarget:
    """A file written under a temporary name next to it and renamed into place on success
    (``-``: standard output, written as it goes)."""

    def __init__(self, path: str):
        self.path = path
        self.tmp: str | None = None
        if path == "-":
            self.fh = _stdout_buffer()
            return
        _check_target(path)
        p = Path(path)
        self.tmp = str(p.with_name(f".{p.name}.{os.getpid()}.tmp"))
        try:
            self.fh = open(self.tmp, "wb")  # noqa: SIM115 (closed in commit or abort)
        except OSError as exc:
            raise BatchFileError(f"{path}: cannot write ({exc.strerror or exc})") from None

    def commit(self) -> None:
        with _writing(self.path):
            if self.tmp is None:
                self.fh.flush()
                return
            self.fh.close()
            os.replace(self.tmp, self.path)
            self.tmp = None

    def abort(self) -> None:
        """Close and remove the temporary file (a close that fails, say on a full disk, does not
        keep it from being removed)."""
        if self.tmp is None:
            return
        try:
            self.fh.close()
        except Exception:  # noqa: BLE001 (flushing a full disk fails again)
            pass
        try:
            os.unlink(self.tmp)
        except OSError:
            pass
        self.tmp = None


class Writer:
    """An output file. :meth:`encode` turns an output frame into what :meth:`write` appends; it
    is a static method so that worker processes can encode while the main process writes.
    ``rows`` counts the rows written so far (what reached standard output when a run stops)."""

    fmt = ""

    def __init__(self, path: str, columns: list[str]):
        self.target = _AtomicTarget(path)
        self.columns = columns
        self.rows = 0

    @staticmethod
    def encode(df: pl.DataFrame, free_text: list[str]):
        raise NotImplementedError

    def write(self, payload) -> None:
        self.target.fh.write(payload)

    def write_frame(self, df: pl.DataFrame, free_text: list[str]) -> None:
        """Encode and write in one go (the single-process path)."""
        with _writing(self.target.path):
            self._write_frame(df, free_text)
        self.rows += df.height

    def _write_frame(self, df: pl.DataFrame, free_text: list[str]) -> None:
        self.write(self.encode(df, free_text))

    def commit(self) -> None:
        self.target.commit()

    def abort(self) -> None:
        self.target.abort()


class CsvWriter(Writer):
    """Comma-separated, a header line first (names neutralised as cells are); empty cells for
    empty values; CNY as 47080.00."""

    fmt = "csv"

    def __init__(self, path: str, columns: list[str]):
        super().__init__(path, columns)
        header = neutralise_header(_output_header(columns))
        with _writing(path):
            self.target.fh.write(pl.DataFrame(schema={c: pl.String for c in header}).write_csv().encode())

    @staticmethod
    def encode(df: pl.DataFrame, free_text: list[str]) -> bytes:
        buf = io.BytesIO()
        neutralise_formulas(df, free_text).write_csv(buf, include_header=False)
        return buf.getvalue()

    def _write_frame(self, df: pl.DataFrame, free_text: list[str]) -> None:
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
        with _writing(self.target.path):
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
            self._writer = None
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
    every row was computed), so that an old errors file never outlives a new run. ``-stderr``:
    standard error, as the errors come; ``-``: standard output."""

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
            if sys.stderr is not None:
                with _writing("-stderr"):
                    sys.stderr.write(text)
        else:
            with _writing(self.path):
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
# paths, locks and signals


def _same_file(a: str, b: str) -> bool:
    """The same file: the same path once symbolic links are resolved, or (both existing) the same
    inode and device -- a hard link."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _check_target(path: str) -> None:
    """A path a file can be written to (and renamed into): not a directory, in a directory that exists."""
    if os.path.isdir(path):
        raise BatchFileError(f"{path}: is a directory; give a file name")
    parent = Path(path).parent
    if not parent.is_dir():
        raise BatchFileError(f"{path}: the directory {parent} does not exist")


def check_paths(input_path: str, output_path: str, errors_path: str) -> None:
    """Refuse, before anything is read or written, an output or errors path that is the input
    (also through a symbolic or hard link), an errors path that is the output, and a target that
    is a directory or in no directory. ``-`` is standard input/output, ``-stderr`` standard error."""
    targets = [(what, p) for what, p in (("output", output_path), ("errors file", errors_path))
               if p not in ("-", "-stderr")]
    if output_path == "-" and errors_path == "-":
        raise BatchFileError("-: the output and the errors file cannot both go to standard output")
    for what, p in targets:
        if input_path != "-" and _same_file(p, input_path):
            raise BatchFileError(f"{p}: the {what} is the input file {input_path}; it would be replaced "
                                 f"-- give another {'-o' if what == 'output' else '--errors'} path")
    if len(targets) == 2 and _same_file(output_path, errors_path):
        raise BatchFileError(f"{errors_path}: the errors file must differ from the output")
    for _, p in targets:
        _check_target(p)


class _RunLock:
    """An exclusive lock on each file a run writes, held for the whole run, so that a second run
    to the same paths stops at once with a message instead of pairing its output with another
    run's errors file.

    The lock is ``fcntl.flock`` on ``.NAME.lock`` next to the file (it holds the pid of the run);
    it is removed at the end. A run that finds the lock file gone or replaced after locking it
    (the holder removed it as it finished) takes it again. Without ``fcntl`` (Windows), or on a
    file system that refuses locks, runs are not locked."""

    def __init__(self, paths: list[str]):
        real: dict[str, str] = {}
        for p in paths:
            if p not in ("-", "-stderr"):
                real.setdefault(os.path.realpath(p), p)
        self.paths = sorted(real.items())
        self.held: list[tuple[str, int]] = []

    def __enter__(self):
        try:
            import fcntl
        except ImportError:
            return self
        try:
            for real, given in self.paths:
                self._acquire(fcntl, real, given)
        except BaseException:
            self.release()
            raise
        return self

    def _acquire(self, fcntl, real: str, given: str) -> None:
        d, name = os.path.split(real)
        lock = os.path.join(d, f".{name}.lock")
        while True:
            try:
                fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise BatchFileError(f"{given}: cannot write ({exc.strerror})") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    os.close(fd)             # locks not supported here: run unlocked
                    return
                try:
                    holder = os.read(fd, 32).decode("ascii", "replace").strip()
                except OSError:
                    holder = ""
                os.close(fd)
                who = f" (pid {holder})" if holder.isdigit() else ""
                raise BatchFileError(f"{given}: another taxcalc batch{who} is writing this file; wait for it "
                                     "to finish or choose another path") from None
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(lock))
            except OSError:
                same = False
            if same:
                break
            os.close(fd)                     # the holder removed it as it finished: take the new one
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            pass
        self.held.append((lock, fd))
        _remove_stale_temps(d, name)

    def release(self) -> None:
        for lock, fd in reversed(self.held):
            try:
                os.unlink(lock)
            except OSError:
                pass
            os.close(fd)
        self.held.clear()

    def __exit__(self, *exc) -> None:
        self.release()


def _remove_stale_temps(directory: str, name: str) -> None:
    """Remove ``.NAME.PID.tmp`` files of runs that no longer exist (killed with SIGKILL, say):
    the caller holds the lock on NAME, so no live run is writing them."""
    if os.name != "posix":                      # os.kill(pid, 0) would end the process elsewhere
        return
    prefix = f".{name}."
    try:
        entries = [e for e in os.listdir(directory) if e.startswith(prefix) and e.endswith(".tmp")]
    except OSError:
        return
    for entry in entries:
        pid = entry[len(prefix):-len(".tmp")]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue                             # alive (or another user's process)
        except ProcessLookupError:
            pass
        except (PermissionError, OverflowError, OSError):
            continue
        path = os.path.join(directory, entry)
        if os.path.isfile(path) and not os.path.islink(path):
            try:
                os.unlink(path)
            except OSError:
                pass


class _Signals:
    """During a run: SIGTERM and SIGHUP unwind like Ctrl-C (SIGINT), so that the temporary files
    are removed; a second signal while unwinding is ignored. While the finished files are being
    renamed into place (``deferring``), a signal is kept and raised once they are.

    Only in the main thread, and only for signals whose handler is the default one (a caller's
    own handler, or SIG_IGN under nohup, is left alone)."""

    def __init__(self):
        self.previous: dict[int, object] = {}
        self.pending: int | None = None
        self.deferring = False

    def __enter__(self):
        if threading.current_thread() is not threading.main_thread():
            return self
        for name in ("SIGINT", "SIGTERM", "SIGHUP"):
            sig = getattr(signal, name, None)
            if sig is None:
                continue
            current = signal.getsignal(sig)
            default = signal.default_int_handler if name == "SIGINT" else signal.SIG_DFL
            if current is default:
                self.previous[sig] = current
                signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        if self.pending is not None:
            return                            # already unwinding
        self.pending = signum
        if not self.deferring:
            raise _Signalled(signum)

    def __exit__(self, *exc) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        self.previous.clear()


# ---------------------------------------------------------------------------------------------
# the run


def _output_header(columns: list[str]) -> list[str]:
    lead = [] if "id" in columns else ["id"]
    return lead + list(columns) + list(FIGURE_NAMES)


def process_chunk(df: pl.DataFrame, first_row: int, tables: Tables, options: Options):
    """Parse and compute one chunk: (output frame of the accepted rows, error frame, bad mask).

    ``first_row`` is the data row number of the chunk's first row. Rows where every cell is empty
    (blank lines, rows of only separators) are dropped: they keep their row number but are neither
    output nor errors -- ``df.height - len(bad)`` of them, which :func:`run` counts as skipped.
    A row whose year has no tables under the options (``--hk-burden-year previous`` for 2019) is an
    error of its tax_year (:func:`taxcalc.validate.table_errors`, in :func:`parse_chunk`).
    The output frame holds the input columns as read (``id`` filled with the row number where
    empty, or added first when the input has none), then the result columns."""
    rows = np.arange(first_row, first_row + df.height, dtype=np.int64)
    blank = (df.select(pl.all_horizontal(pl.all().is_null() | (pl.all().cast(pl.String) == "")).fill_null(True))
             .to_series().to_numpy() if df.width else None)
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

    Returns a :class:`BatchSummary` (rows = computed + rejected + skipped). Raises:

    * :class:`BatchFileError` when a path is refused (:func:`check_paths`), another run holds one
      of the targets (:class:`_RunLock`) or the input cannot be read as a batch file: nothing is
      written, no file is replaced;
    * :class:`BatchStopped` with ``strict`` at the first bad row (the rows before it and its
      errors are written);
    * :class:`BatchWriteError` when writing fails (a full disk, a closed pipe): temporary files
      removed, nothing renamed into place;
    * :class:`BatchInterrupted` on SIGINT, SIGTERM or SIGHUP: the same, unless the signal came as
      the finished files were being renamed.

    The errors file is renamed into place first and the output last, under the run's lock: once
    a run has ended, its output and errors file are a pair.

    One process: chunks are read by polars (its own threads), parsed and computed here, and
    written on a background thread while the next chunk is computed. (Worker processes were
    tried and were slower on 2 cores: the chunks and their CSV travel between processes, and
    polars already keeps both cores busy. ``--engine dask`` is the way to more machines.)
    """
    tables = tables or load_tables()
    started = time.perf_counter()
    errors_path = errors_path or default_errors_path(output_path)
    check_paths(input_path, output_path, errors_path)
    file_format(output_path)                     # an unknown output type fails before any reading
    if errors_path not in ("-stderr", "-") and file_format(errors_path) != "csv":
        raise BatchFileError(f"{errors_path}: the errors file is CSV; give a .csv name")
    summary = BatchSummary(output=output_path,
                           errors_path={"-stderr": "standard error", "-": "standard output"}.get(errors_path, errors_path))
    with _RunLock([output_path, errors_path]), _Signals() as signals:
        opened: list = []                       # the writers not yet renamed into place
        reader = None
        try:
            reader = open_reader(input_path)
            summary.columns = _output_header(reader.columns)
            _run_chunks(reader, output_path, errors_path, tables, options, strict,
                        progress if progress is not None else (False if quiet else None),
                        summary, opened, signals)
        except KeyboardInterrupt as exc:
            for w in opened:
                w.abort()
            signum = getattr(exc, "signum", signal.SIGINT)
            raise BatchInterrupted(signum, f"{_signal_word(signum)}: {_left_behind(summary, opened)}") from None
        except BatchWriteError as exc:
            for w in opened:
                w.abort()
            exc.detail = "; " + _left_behind(summary, opened)
            raise
        except BaseException:
            for w in opened:
                w.abort()
            raise
        finally:
            if reader is not None:
                reader.close()
        if signals.pending is not None:         # a signal while the finished files were renamed
            raise BatchInterrupted(signals.pending, f"{_signal_word(signals.pending)} as the run finished: "
                                   f"{_files_text(summary)} complete", committed=True)
    summary.seconds = time.perf_counter() - started
    if not quiet:
        _say(summary.line())
    return summary


def _run_chunks(reader, output_path, errors_path, tables, options, strict, progress, summary, opened,
                signals) -> None:
    """The loop of :func:`run`: open the writers (appended to ``opened``), each chunk through
    :func:`process_chunk`, then the errors file and the output renamed into place (in that order)."""
    free_text = free_text_columns(reader.columns)
    stderr_tty = sys.stderr is not None and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
    show = progress if progress is not None else stderr_tty
    writer = open_writer(output_path, reader.columns)
    opened.append(writer)
    summary.written = lambda: writer.rows            # rows written so far (to standard output, if it stops)
    errw = _ErrorsWriter(errors_path)
    opened.append(errw)
    bar = _Progress(reader) if show else None
    try:
        row = 1
        with (_SyncWriter(writer, free_text) if strict else _BackgroundWriter(writer, free_text)) as background:
            for df in reader:
                out, errs, bad = process_chunk(df, row, tables, options)      # once, strict or not
                if strict and bad.any():
                    _strict_stop(out, errs, bad, row, writer, errw, summary, opened, free_text, signals)
                background.put(out)
                errw.write(errs)
                n_bad = int(bad.sum())
                summary.rows += df.height
                summary.skipped += df.height - len(bad)
                summary.rejected += n_bad
                summary.computed += len(bad) - n_bad
                row += df.height
                if bar:
                    bar.update(summary.rows)
    finally:
        if bar:
            bar.stop()
    _commit(opened, signals)


def _commit(opened: list, signals: _Signals) -> None:
    """Rename the finished files into place, the errors file first and the output last (a signal
    meanwhile waits until both are in place)."""
    signals.deferring = True
    for w in list(reversed(opened)):             # opened = [output, errors]
        w.commit()
        opened.remove(w)


def _signal_word(signum: int) -> str:
    return "interrupted" if signum == signal.SIGINT else f"stopped by {signal.Signals(signum).name}"


def _files(summary: BatchSummary) -> list[str]:
    return [p for p in (summary.output, summary.errors_path) if p not in ("-", "standard error", "standard output")]


def _files_text(summary: BatchSummary) -> str:
    files = _files(summary)
    return " and ".join(files) + (" are" if len(files) > 1 else " is") if files else "the output is"


def _left_behind(summary: BatchSummary, opened: list) -> str:
    """What a stopped run leaves: rows already on standard output; the files not replaced."""
    parts = []
    if summary.output == "-" and summary.written is not None:
        parts.append(f"{summary.written():,} rows had been written to standard output (incomplete)")
    pending = [w.target.path for w in opened if getattr(w, "target", None) is not None and w.target.path != "-"]
    if pending:
        shown = " and ".join(pending)
        parts.append(f"nothing renamed into place ({shown} not replaced; temporary files removed)")
    return "; ".join(parts) or "nothing written"


def _say(text: str) -> None:
    """A line on standard error, if there is one (a closed or broken stderr is not an error)."""
    if sys.stderr is None:
        return
    try:
        print(text, file=sys.stderr)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


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
    raised here at the next frame or at the end. When the run stops early (an error, a signal),
    the frames still waiting are dropped and the thread is given a few seconds to finish the
    frame it is writing."""

    def __init__(self, writer: Writer, free_text: list[str]):
        import queue

        self.writer, self.free_text = writer, free_text
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.cancelled = False
        self.thread = threading.Thread(target=self._loop, name="taxcalc-batch-writer", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while True:
            df = self.queue.get()
            if df is None:
                return
            if self.error is None and not self.cancelled:
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
        import queue

        if kind is not None:
            self.cancelled = True
            try:
                while True:
                    self.queue.get_nowait()
            except queue.Empty:
                pass
        self.queue.put(None)
        self.thread.join(timeout=None if kind is None else 10)
        if self.error is not None and kind is None:
            raise self.error


def _strict_stop(out, errs, bad, row, writer, errw, summary, opened, free_text, signals) -> None:
    """``--strict``, a chunk with a bad row: write the rows before it and that row's errors, close
    the files and stop with :class:`BatchStopped`."""
    first = int(np.argmax(bad))                   # rows before the first bad one are all good
    writer.write_frame(out.head(first), free_text)
    bad_row = errs["row"][0]
    mine = errs.filter(pl.col("row") == bad_row)
    errw.write(mine)
    records = int(bad_row) - row + 1             # rows of the chunk up to the bad one, empty ones included
    summary.rows += records
    summary.computed += first
    summary.rejected += 1
    summary.skipped += records - first - 1
    _commit(opened, signals)
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


# ---------------------------------------------------------------------------------------------
# the command


def cli_run(input_path: str, output_path: str, errors_path: str | None = None, *, tables: Tables,
            options: Options = Options(), strict: bool = False, quiet: bool = False, engine: str = "local",
            scheduler: str | None = None) -> int:
    """``taxcalc batch``: run, say what happened in one line on standard error, return the exit
    status (:data:`EXIT_OK`, :data:`EXIT_ROWS_REJECTED`, :data:`EXIT_BAD_INPUT`,
    :data:`EXIT_WRITE_FAILED`, :data:`EXIT_BROKEN_PIPE`, or 128 + the signal). Never a traceback
    for what a file, a path, the disk, a pipe or a signal can do."""
    try:
        if engine == "dask":
            if strict:
                raise BatchFileError("--strict works with --engine local only")
            from .dask_engine import run as run_dask

            summary = run_dask(input_path, output_path, errors_path, tables=tables, options=options,
                               scheduler=scheduler, quiet=quiet)
        else:
            summary = run(input_path, output_path, errors_path, tables=tables, options=options, strict=strict,
                          quiet=quiet)
    except BatchInterrupted as exc:
        _say(str(exc))
        return 128 + exc.signum
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", signal.SIGINT)
        _say(f"{_signal_word(signum)}: nothing written")
        return 128 + signum
    except BatchWriteError as exc:
        if exc.path == "-":
            _quiet_stdout()
        if exc.errno == errno.EPIPE:
            return EXIT_BROKEN_PIPE
        _say(f"error: {exc}")
        return EXIT_WRITE_FAILED
    except TaxcalcError as exc:
        _say(f"error: {exc}")
        return EXIT_BAD_INPUT
    return EXIT_ROWS_REJECTED if summary.rejected else EXIT_OK


def _quiet_stdout() -> None:
    """After standard output failed (a closed pipe, a full device), point it at /dev/null so that
    Python's flush at exit does not fail again with a traceback."""
    try:
        fd = sys.stdout.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except (AttributeError, OSError, ValueError):
        pass
