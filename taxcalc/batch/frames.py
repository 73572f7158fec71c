"""Frames: a chunk of text columns in, the output frame and the error rows out.

:func:`compute_chunk` is the per-chunk step -- parse (:mod:`taxcalc.batch.parse`) and compute
(:func:`taxcalc.engine.compute`) -- and :meth:`Chunk.frame` builds its output frame: the input
columns as read (``id`` first), then the result columns of :func:`result_frame`, one per figure
of the registry (:mod:`taxcalc.figures`), in its order and with its unit: exact decimals for money
and rates, integers for whole dollars and years (empty for none), booleans, text labels. The
local run writes a chunk's frame a slice at a time; ``--engine dask`` calls
:func:`process_chunk` (both at once) on each partition: every engine gives the same rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa
from numpy.typing import NDArray

from .. import columns as colmod
from ..engine import Computation, Options, compute
from ..engine import take_rows as take
from ..figures import FIGURES, Figure
from ..figures import NAMES as FIGURE_NAMES
from ..money import Column
from ..scenario import FIELDS, field_kind
from ..tables import Tables
from .parse import parse_chunk


def output_header(columns: list[str]) -> list[str]:
    """The output's columns: ``id`` (added first when the input has none), the input columns in
    their order, then the figures."""
    lead = [] if "id" in columns else ["id"]
    return lead + list(columns) + list(FIGURE_NAMES)


def compute_rows(cols: colmod.Columns, tables: Tables, options: Options) -> Computation:
    """:func:`~taxcalc.engine.compute` on a chunk, keeping only the figures."""
    return compute(cols, tables, options, trace=False)


def _decimal_series(name: str, ints: Column, scale: int) -> pl.Series:
    """int64 in 10**-scale as an exact decimal column (written as 47080.00)."""
    ints = np.ascontiguousarray(ints, dtype=np.int64)
    words = np.empty((len(ints), 2), dtype=np.int64)
    words[:, 0] = ints
    if len(ints) and ints.min() < 0:
        np.right_shift(ints, 63, out=words[:, 1])       # sign extension to 128 bits
    else:
        words[:, 1] = 0
    arr = pa.Array.from_buffers(pa.decimal128(20, scale), len(ints), [None, pa.py_buffer(words)])
    return pl.Series(name, arr)


def _labels(name: str, labels: Sequence[str], codes: Column) -> pl.Series:
    """Codes into a small label list as a text column."""
    return pl.Series(name, list(labels), dtype=pl.String).gather(pl.Series(np.asarray(codes), dtype=pl.UInt32))


def result_dtype(f: Figure) -> pl.DataType:
    if f.is_number:
        return pl.Int64() if f.decimals == 0 else pl.Decimal(20, f.decimals)
    return {"year": pl.Int64(), "bool": pl.Boolean(), "text": pl.String()}[f.unit]


def result_frame(comp: Computation, start: int = 0, stop: int | None = None) -> pl.DataFrame:
    """The registry's figures for rows ``start:stop``, in order, typed: exact decimals for money
    and rates, integers for whole dollars and years (empty for none), booleans, text labels. Built
    from the kernels' int64 columns without any Python object per cell (decimals straight from
    the integers' buffer, labels by a gather)."""
    out = []
    for f in FIGURES:
        v = comp.figures[f.name][start:stop]
        if f.unit == "text":
            out.append(_labels(f.name, comp.vocab[f.name], v))
        elif f.is_number and f.decimals:
            out.append(_decimal_series(f.name, v, f.decimals))
        elif f.unit == "year":
            out.append(pl.Series(f.name, v, dtype=pl.Int64).replace(0, None))
        else:
            out.append(pl.Series(f.name, v, dtype=result_dtype(f)))
    return pl.DataFrame(out)


@dataclass
class Chunk:
    """A chunk parsed and computed: the input columns of its computed rows (``id`` first, as the
    output shows them), their figures, the error rows, and which rows were bad (one flag for each
    row that was not empty). :meth:`frame` builds output frames from it, a slice at a time if need
    be: the figures wait as int64 columns, and the output's decimals (16 bytes a cell) exist only
    for the slice being written."""

    inputs: pl.DataFrame
    comp: Computation | None
    errors: pl.DataFrame
    bad: NDArray[np.bool_]

    @property
    def height(self) -> int:
        return self.inputs.height

    def frame(self, start: int = 0, stop: int | None = None) -> pl.DataFrame:
        """The output frame of computed rows ``start:stop``: the input columns, then the results."""
        stop = self.height if stop is None else min(stop, self.height)
        if self.comp is None or stop <= start:
            return pl.concat([self.inputs.clear(), empty_results()], how="horizontal")
        return pl.concat([self.inputs.slice(start, stop - start), result_frame(self.comp, start, stop)],
                         how="horizontal")


def compute_chunk(df: pl.DataFrame, first_row: int, tables: Tables, options: Options) -> Chunk:
    """Parse and compute one chunk of text columns.

    ``first_row`` is the data row number of the chunk's first row. Rows where every cell is empty
    (blank lines, rows of only separators) are dropped: they keep their row number but are neither
    output nor errors -- ``df.height - len(bad)`` of them, which the run counts as skipped.
    A row whose year has no tables under the options (``--hk-burden-year previous`` for 2019) is an
    error of its tax_year (:func:`taxcalc.validate.table_errors`, in :func:`parse_chunk`).
    The inputs keep the columns as read (``id`` filled with the row number where empty, or added
    first when the input has none)."""
    rows = np.arange(first_row, first_row + df.height, dtype=np.int64)
    blank = _blank_rows(df)
    if blank is not None:
        df = df.filter(pl.Series(~blank))
        rows = rows[~blank]
    p = parse_chunk(df, rows, tables, options)
    if "id" in df.columns:
        ids = df["id"]
        no_id = (ids.is_null() | (ids.str.strip_chars() == "")).to_numpy()
        inputs = df
        if no_id.any():
            row_no = pl.Series("id", rows).cast(pl.String)
            inputs = df.with_columns(pl.select(pl.when(pl.Series(no_id)).then(row_no).otherwise(ids))
                                     .to_series().alias("id"))
    else:
        inputs = df.insert_column(0, pl.Series("id", rows).cast(pl.String))
    good = ~p.bad
    if good.all():
        cols, kept = p.cols, inputs
    else:
        idx = np.nonzero(good)[0]
        cols = {k: take(v, idx) for k, v in p.cols.items()}
        kept = inputs.filter(pl.Series(good))
    comp = compute_rows(cols, tables, options) if kept.height else None
    return Chunk(kept, comp, p.errors, p.bad)


def _blank_rows(df: pl.DataFrame) -> NDArray[np.bool_] | None:
    """Which rows have every cell empty (null or ""), or None when none has. A column with no
    empty cell at all (usually ``tax_year``) answers for the whole chunk at once."""
    if not df.width or not df.height:
        return None
    for name in df.columns:
        col = df[name].cast(pl.String)
        if col.null_count() == 0 and not (col.str.len_bytes() == 0).any():
            return None
        if name == "tax_year":
            break
    blank = (df.select(pl.all_horizontal(pl.all().is_null() | (pl.all().cast(pl.String) == "")).fill_null(True))
             .to_series().to_numpy())
    return blank if blank.any() else None


def process_chunk(df: pl.DataFrame, first_row: int, tables: Tables, options: Options
                  ) -> tuple[pl.DataFrame, pl.DataFrame, NDArray[np.bool_]]:
    """:func:`compute_chunk` with the whole output frame: (output frame of the accepted rows,
    error frame, bad mask). ``--engine dask`` writes each partition's frame so."""
    chunk = compute_chunk(df, first_row, tables, options)
    return chunk.frame(), chunk.errors, chunk.bad


def empty_results() -> pl.DataFrame:
    return pl.DataFrame(schema={f.name: result_dtype(f) for f in FIGURES})


def empty_input(columns: list[str]) -> pl.DataFrame:
    names = output_header(columns)[: len(columns) + (0 if "id" in columns else 1)]
    return pl.DataFrame(schema=dict.fromkeys(names, pl.String))


def free_text_columns(columns: list[str]) -> list[str]:
    """The output columns that can carry a user's free text: id, unknown input columns, and the
    relief policy label (a policy id from the tables, which a user's directory may define)."""
    return [c for c in output_header(columns) if c not in FIELDS or field_kind(c) == "text"
            ] + ["relief_policy"]
