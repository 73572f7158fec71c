"""Parquet, and Arrow data of any type as text columns (:func:`arrow_as_text`: also used by
``--engine dask`` for its partitions)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

import polars as pl
import pyarrow as pa

from ..errors import BatchFileError
from . import check_header

if TYPE_CHECKING:
    import pyarrow.parquet as pq

PARQUET_BATCH_ROWS = 200_000


class ParquetReader:
    """Parquet by record batches; every column as text for parsing (and passed through as text):
    see :func:`arrow_as_text` for nested and binary columns."""

    def __init__(self, path: str):
        import pyarrow.parquet as pq

        self.path = path
        try:
            self._file: pq.ParquetFile = pq.ParquetFile(path)
        except FileNotFoundError:
            raise BatchFileError(f"{path}: cannot open (no such file)") from None
        except Exception as exc:
            first = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
            raise BatchFileError(f"{path}: not a Parquet file ({first})") from None
        try:
            self.columns = list(self._file.schema_arrow.names)
        except Exception as exc:
            raise BatchFileError(f"{path}: not a readable Parquet schema ({str(exc)[:120]})") from None
        check_header(path, self.columns)
        self.total_rows: int = self._file.metadata.num_rows
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
            # a table gives a frame (pyarrow has no type hints, so polars' overloads cannot tell)
            sub = cast(pl.DataFrame, pl.from_arrow(pa.table([data.columns[k] for k in plain],
                                                             names=[f"c{k}" for k in plain])))
            sub = sub.with_columns(pl.all().cast(pl.String))
            done = {k: sub[f"c{k}"].alias(names[k]) for k in plain}
        except pa.ArrowInvalid:
            raise
        except Exception:
            done = {}
    out = [done[k] if k in done else _arrow_column_text(names[k], c) for k, c in enumerate(data.columns)]
    return pl.DataFrame(out) if out else pl.DataFrame()


def _plain(t: pa.DataType) -> bool:
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


def _arrow_column_text(name: str, col: pa.Array | pa.ChunkedArray) -> pl.Series:
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
        return cast(pl.Series, pl.from_arrow(col)).cast(pl.String).alias(name)     # an array gives a series
    except Exception:
        return pl.Series(name, [_py_json(v) for v in col.to_pylist()], dtype=pl.String)


def _bytes_text(b: bytes) -> str:
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        import base64

        return "base64:" + base64.b64encode(b).decode("ascii")


def _duration_text(col: pa.Array | pa.ChunkedArray) -> list[str | None]:
    """Durations as ISO 8601 seconds, exact (``PT86400S``, ``PT0.000001S``, ``-PT5S``)."""
    digits = {"s": 0, "ms": 3, "us": 6, "ns": 9}[col.type.unit]
    out: list[str | None] = []
    for v in col.cast(pa.int64()).to_pylist():
        if v is None:
            out.append(None)
            continue
        sign, v = ("-" if v < 0 else ""), abs(v)
        whole, frac = divmod(v, 10 ** digits) if digits else (v, 0)
        frac_text = f".{frac:0{digits}d}".rstrip("0") if frac else ""
        out.append(f"{sign}PT{whole}{frac_text}S")
    return out


def _py_default(o: object) -> str:
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


def _py_json(value: object) -> str | None:
    """A Python value from Arrow as JSON text (None stays None)."""
    if value is None:
        return None
    try:
        return json.dumps(value, ensure_ascii=False, default=_py_default)
    except (TypeError, ValueError, RecursionError):
        return str(value)
