"""JSON Lines: one JSON object per line, every key of the file a text column."""

from __future__ import annotations

import codecs
import io
import json
import os
from collections.abc import Iterator
from typing import Any

import polars as pl

from ..errors import BatchFileError
from . import MAX_COLUMNS, check_header

JSONL_BLOCK_BYTES = 64 << 20  # bytes read at a time
JSONL_KEY_PIECE = 256 << 10   # bytes of lines a schema inference looks at (its cost: lines x keys)
LINE_LIMIT = 16 << 20         # the longest line


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
        check_header(path, self.columns)

    def _blocks(self) -> Iterator[tuple[int, bytes]]:
        """(number of the block's first line, the block) from the start, in blocks of whole lines."""
        self._raw.seek(self._start)
        line = 1
        while True:
            data = self._raw.read(JSONL_BLOCK_BYTES)
            if not data:
                return
            if not data.endswith(b"\n"):
                rest = self._raw.readline(LINE_LIMIT)
                if len(rest) >= LINE_LIMIT and not rest.endswith(b"\n"):
                    where = line + data.count(b"\n")
                    raise BatchFileError(f"{self.path}: line {where} is longer than {LINE_LIMIT >> 20} MB; "
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
                except Exception:
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

    def _objects(self, first: int, data: bytes) -> Iterator[dict[str, Any]]:
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
                obj = json.loads(line, parse_int=_RawNumber, parse_float=_RawNumber, parse_constant=_RawNumber,
                                 object_pairs_hook=_first_wins)
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
        values: dict[str, list[str | None]] = {c: [] for c in self.columns}
        n = 0
        for obj in self._objects(first, data):
            try:
                for c, col in values.items():
                    col.append(_json_cell(obj[c]) if c in obj else None)
            except RecursionError:
                raise BatchFileError(f"{self.path}: a line near line {first} is nested too deeply") from None
            n += 1
        return pl.DataFrame(values, schema=dict.fromkeys(self.columns, pl.String)) if n else \
            pl.DataFrame(schema=dict.fromkeys(self.columns, pl.String))

    def __iter__(self) -> Iterator[pl.DataFrame]:
        schema = dict.fromkeys(self.columns, pl.String)
        for first, data in self._blocks():
            self.bytes_read = min(self.total_bytes, self.bytes_read + len(data))
            try:
                df = pl.read_ndjson(io.BytesIO(data), schema=schema)
            except Exception:
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


def _first_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose key is repeated keeps the first value, as polars reads it, so that a line
    means the same whichever way its block is read (a case file refuses the repetition; finding it
    in every line would cost more than reading the file)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        out.setdefault(key, value)
    return out


class _RawNumber(str):
    """A JSON number (or NaN/Infinity) kept as written."""


def _json_cell(value: object) -> str | None:
    """One JSON value as the text polars gives for it in a text column."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):                      # text, or a number as written
        return str(value)
    return _json_text(value)


def _json_text(value: object) -> str:
    """Nested JSON (numbers kept as written) as JSON text, spaced as polars writes it."""
    if isinstance(value, _RawNumber):
        return str(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_json_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_json_text(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)
