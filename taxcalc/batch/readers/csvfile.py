"""CSV: every column as text. A file is read in blocks of whole records (:func:`record_blocks`,
:data:`FILE_BLOCK_BYTES`), each parsed by polars; standard input through pyarrow's streaming
reader (it reads from a Python stream) in blocks of :data:`CHUNK_BYTES`. The header line is read here to check the columns
before any row is parsed."""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import IO, TYPE_CHECKING, Any, cast

import polars as pl
import pyarrow as pa

from ..errors import BatchFileError
from . import HEADER_LIMIT, check_header

if TYPE_CHECKING:
    import pyarrow.csv as pacsv

FILE_BLOCK_BYTES = 8 << 20    # CSV files: bytes of whole records a chunk (about 87,000 generated rows)
CHUNK_BYTES = 16 << 20        # standard input: bytes read at a time; also the longest row


def record_blocks(f: IO[bytes], size: int) -> Iterator[bytes]:
    """The rest of a CSV file in blocks of about ``size`` bytes, each ending after a record: at a
    line feed outside quotes (an even number of ``"`` before it in the block, since every block
    starts at a record). A record longer than ``size`` makes its block longer."""
    pending = b""
    while True:
        data = f.read(size)
        if not data:
            if pending:
                yield pending
            return
        buf = pending + data if pending else data
        cut = _last_record_end(buf)
        if cut <= 0:
            pending = buf
            continue
        yield buf[:cut]
        pending = buf[cut:]


def _last_record_end(buf: bytes) -> int:
    """The position after the last line feed of ``buf`` that ends a record, or 0."""
    i = buf.rfind(b"\n")
    if i < 0 or b'"' not in buf:
        return i + 1
    quotes = buf.count(b'"', 0, i)                  # quotes before the line feed at i
    while i >= 0 and quotes % 2:
        j = buf.rfind(b"\n", 0, i)
        quotes -= buf.count(b'"', j + 1, i)
        i = j
    return i + 1


class _CountingReader(io.RawIOBase):
    """A binary stream that counts the bytes read through it (for the progress bar)."""

    def __init__(self, raw: IO[bytes]):
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:      # a writable buffer, sliced and measured (typeshed's Buffer has neither)
        data = self.raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.count += n
        return n

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        return data


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
        self._bytes_read = 0
        self._raw: IO[bytes]
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
            self._reader: pacsv.CSVStreamingReader | None = None
            return
        try:
            self._reader = self._open(pacsv, source, has_data)
        except pa.ArrowException as exc:
            raise BatchFileError(self._explain(exc)) from None

    def _open(self, pacsv: ModuleType, source: _CountingReader, has_data: bool) -> pacsv.CSVStreamingReader | None:
        """pyarrow's streaming reader (it reads the first block at once), or None without rows."""
        on_invalid = self._on_invalid
        return pacsv.open_csv(
            source,
            read_options=pacsv.ReadOptions(column_names=self.columns, block_size=CHUNK_BYTES),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in self.columns},
                                                 strings_can_be_null=True, quoted_strings_can_be_null=True),
        ) if has_data else None

    def _on_invalid(self, row: pacsv.InvalidRow) -> str:
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
        check_header(path, names, looks)
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
        """Bytes of the input consumed so far."""
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
                yield cast(pl.DataFrame, pl.from_arrow(batch))      # a record batch gives a frame

    def _polars_batches(self) -> Iterator[pl.DataFrame]:
        """A file on disk: blocks of about :data:`FILE_BLOCK_BYTES` of whole records
        (:func:`record_blocks`), each read by polars' CSV parser (it keeps blank lines as rows of
        nulls, so row numbers count every record after the header). One block is in memory at a
        time: polars' own streaming reader buffered up to 700 MB ahead of a slower consumer."""
        schema = dict.fromkeys(self.columns, pl.String)
        self.bytes_read = self._header_bytes
        with open(self.path, "rb") as f:
            f.seek(self._header_bytes)
            for block in record_blocks(f, FILE_BLOCK_BYTES):
                self.bytes_read += len(block)
                if not block.strip() and self.bytes_read >= self.total_bytes:
                    return                                 # only blank lines left (a header alone)
                try:
                    df = pl.scan_csv(block, has_header=False, infer_schema=False, schema=schema,
                                     raise_if_empty=False, missing_columns="insert").collect()
                except pl.exceptions.PolarsError as exc:
                    raise BatchFileError(self._explain(exc)) from None
                if df.height:
                    yield df

    def _explain(self, exc: Exception) -> str:
        msg = str(exc)
        if "more fields than defined" in msg or "not specified in schema" in msg:     # the latter: on the first row
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
