"""``taxcalc batch --engine dask``: the same chunk path over a partitioned Parquet dataset.

Each partition of the input dataset (a directory of Parquet files, or one file with several row
groups) goes through :func:`taxcalc.batch.process_chunk` -- the same parsing, kernels and result
columns as the single-machine path -- on a dask worker, which writes its part of the output
dataset (``OUTPUT/part-00000.parquet``, ...) and returns its error rows. The errors file (CSV) is
written at the end, in row order.

Row numbers are global: a first pass counts the rows of each partition, so partition *k* starts
at 1 + the rows before it. Install with ``pip install 'gba-taxcalc[dask]'``.

When it is worth it: when the data already lives as a partitioned Parquet dataset (on shared
storage) and there are several machines or many cores. On one 2-core machine the single-process
path is faster (dask adds scheduling, a counting pass and pandas conversions).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import polars as pl

from .batch import BatchFileError, BatchSummary, _check_header, _empty_errors, neutralise_formulas, process_chunk
from .engine import Options
from .errors import TaxcalcError
from .tables import Tables, load_tables


def _require_dask():
    try:
        import dask  # noqa: F401
        import dask.dataframe  # noqa: F401
    except ImportError:
        raise TaxcalcError("--engine dask needs dask: pip install 'gba-taxcalc[dask]' "
                           "(or dask[dataframe,distributed])") from None


def _partition(pdf, first_row: int, table_dirs: tuple, options: Options, path: str):
    """One partition on a worker: (rows, rows rejected, error rows). Writes its output part."""
    from .tables import _load

    tables = _load(tuple(Path(d) for d in table_dirs))
    df = pl.from_pandas(pdf, include_index=False)
    df = df.with_columns(pl.all().cast(pl.String))
    out, errors, bad = process_chunk(df, first_row, tables, options)
    out.write_parquet(path)
    return df.height, int(bad.sum()), errors


def run(input_path: str, output_path: str, errors_path: str | None = None, *, tables: Tables | None = None,
        options: Options = Options(), scheduler: str | None = None, quiet: bool = False) -> BatchSummary:
    """Compute a Parquet dataset into a Parquet dataset (directory) with dask.

    ``scheduler``: the address of a dask scheduler (``tcp://host:8786``); by default dask's local
    threaded scheduler, or the client already made current by the caller (a ``LocalCluster``).
    """
    _require_dask()
    import dask
    import dask.dataframe as dd

    tables = tables or load_tables()
    started = time.perf_counter()
    if not os.path.exists(input_path):
        raise BatchFileError(f"{input_path}: no such file or directory")
    if os.path.exists(output_path) and not os.path.isdir(output_path):
        raise BatchFileError(f"{output_path}: with --engine dask the output is a directory of Parquet files")
    errors_path = errors_path or str(Path(output_path.rstrip("/")).with_suffix("")) + ".errors.csv"
    try:
        ddf = dd.read_parquet(input_path)
    except Exception as exc:  # noqa: BLE001 (dask and pyarrow raise many kinds)
        first = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise BatchFileError(f"{input_path}: cannot read as a Parquet dataset ({first})") from None
    columns = list(ddf.columns)
    _check_header(input_path, columns)

    client = None
    if scheduler:
        from dask.distributed import Client

        client = Client(scheduler)
    try:
        parts = ddf.to_delayed()
        lengths = dask.compute(*[dask.delayed(len)(p) for p in parts])
        firsts = np.concatenate([[1], np.cumsum(lengths)[:-1] + 1]).astype(int).tolist()
        os.makedirs(output_path, exist_ok=True)
        dirs = tuple(str(d) for d in tables.dirs)
        tasks = [dask.delayed(_partition)(p, first, dirs, options, os.path.join(output_path, f"part-{k:05d}.parquet"))
                 for k, (p, first) in enumerate(zip(parts, firsts))]
        results = dask.compute(*tasks)
    finally:
        if client is not None:
            client.close()

    errors = pl.concat([r[2] for r in results]) if results else _empty_errors()
    neutralise_formulas(errors.sort("row", maintain_order=True), ["value", "column"]).write_csv(errors_path)
    summary = BatchSummary(rows=sum(r[0] for r in results), rejected=sum(r[1] for r in results),
                           output=output_path, errors_path=errors_path, columns=columns)
    summary.computed = summary.rows - summary.rejected
    summary.seconds = time.perf_counter() - started
    if not quiet:
        import sys

        print(summary.line() + f" ({len(results)} partitions, dask)", file=sys.stderr)
    return summary
