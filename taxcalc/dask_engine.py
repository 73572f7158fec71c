"""``taxcalc batch --engine dask``: the same chunk path over a partitioned Parquet dataset.

Each partition of the input dataset (a directory of Parquet files, or one file with several row
groups) goes through :func:`taxcalc.batch.process_chunk` -- the same parsing, kernels and result
columns as the single-machine path -- on a dask worker, which writes its part of the output
dataset (``OUTPUT/part-00000.parquet``, ...) and returns its error rows. The errors file (CSV) is
written at the end, in row order.

Row numbers are global: a first pass counts the rows of each partition, so partition *k* starts
at 1 + the rows before it. Install with ``pip install 'gba-taxcalc[dask]'``.

What a run leaves: the parts are written into a temporary directory next to OUTPUT
(``.NAME.PID.tmp``), which replaces OUTPUT only when every partition is done (an OUTPUT that holds
anything but ``part-*.parquet`` files is refused before the run, so that no other file is
deleted); the errors file is renamed into place first, the output directory last, under the same
lock as the local path. A failure, an unreachable scheduler (:data:`CONNECT_TIMEOUT`) or a signal
leaves no directory and no file behind.

When it is worth it: when the data already lives as a partitioned Parquet dataset (on shared
storage) and there are several machines or many cores. On one 2-core machine the single-process
path is faster (dask adds scheduling, a counting pass and pandas conversions).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import time
from pathlib import Path

import numpy as np
import polars as pl

from .batch import BatchFileError, BatchInterrupted, BatchSummary, check_header, process_chunk
from .batch.parse import empty_errors
from .batch.readers.parquet import arrow_as_text
from .batch.signals import Signals, signal_word
from .batch.writers import ErrorsWriter, RunLock, same_file, write_error
from .engine import Options
from .errors import TaxcalcError
from .tables import Tables, load_tables

CONNECT_TIMEOUT = 5           # seconds to reach a dask scheduler given by --scheduler
PART = re.compile(r"part-\d{5}\.parquet")


def _require_dask():
    try:
        import dask
        import dask.dataframe  # noqa: F401
    except ImportError:
        raise TaxcalcError("--engine dask needs dask: pip install 'gba-taxcalc[dask]' "
                           "(or dask[dataframe,distributed])") from None


def _partition(pdf, first_row: int, table_dirs: tuple, options: Options, path: str):
    """One partition on a worker: (rows, rows rejected, error rows, rows skipped). Writes its output part."""
    import pyarrow as pa

    from .tables import _load

    tables = _load(tuple(Path(d) for d in table_dirs))
    df = arrow_as_text(pa.Table.from_pandas(pdf, preserve_index=False))
    out, errors, bad = process_chunk(df, first_row, tables, options)
    out.write_parquet(path)
    return df.height, int(bad.sum()), errors, df.height - len(bad)


def _inside(a: str, b: str) -> bool:
    """``a`` is ``b`` or lies under it (paths resolved)."""
    a, b = os.path.realpath(a), os.path.realpath(b)
    return a == b or a.startswith(b.rstrip(os.sep) + os.sep)


def _check_paths(input_path: str, output_path: str, errors_path: str) -> None:
    if not os.path.exists(input_path):
        raise BatchFileError(f"{input_path}: no such file or directory")
    if os.path.exists(output_path) and not os.path.isdir(output_path):
        raise BatchFileError(f"{output_path}: with --engine dask the output is a directory of Parquet files")
    if _inside(output_path, input_path) or _inside(input_path, output_path):
        raise BatchFileError(f"{output_path}: the output directory would hold or replace the input {input_path}; "
                             "give another -o directory")
    if same_file(errors_path, input_path) or _inside(errors_path, input_path):
        raise BatchFileError(f"{errors_path}: the errors file is (in) the input {input_path}; give another --errors path")
    if _inside(errors_path, output_path):
        raise BatchFileError(f"{errors_path}: the errors file cannot be inside the output directory")
    if os.path.isdir(output_path):
        others = [n for n in os.listdir(output_path) if not PART.fullmatch(n)]
        if others:
            raise BatchFileError(f"{output_path}: the directory holds other files than part-*.parquet ({others[0]}, ...); "
                                 "the output replaces the whole directory: give a new or empty one")
    for p in (output_path.rstrip("/") or "/", errors_path):
        parent = Path(p).parent
        if not parent.is_dir():
            raise BatchFileError(f"{p}: the directory {parent} does not exist")
    if os.path.isdir(errors_path):
        raise BatchFileError(f"{errors_path}: is a directory; give a file name")


def _connect(scheduler: str):
    from dask.distributed import Client

    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        why = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise BatchFileError(f"{scheduler}: cannot reach the dask scheduler within {CONNECT_TIMEOUT} s ({why})") from None


def run(input_path: str, output_path: str, errors_path: str | None = None, *, tables: Tables | None = None,
        options: Options = Options(), scheduler: str | None = None) -> BatchSummary:
    """Compute a Parquet dataset into a Parquet dataset (directory) with dask.

    ``scheduler``: the address of a dask scheduler (``tcp://host:8786``); by default dask's local
    threaded scheduler, or the client already made current by the caller (a ``LocalCluster``).
    Raises as :func:`taxcalc.batch.run` does (an unreachable scheduler is a :class:`BatchFileError`).
    """
    _require_dask()
    import dask
    import dask.dataframe as dd

    tables = tables or load_tables()
    started = time.perf_counter()
    output_path = output_path.rstrip("/") or output_path
    if Path(output_path).name in ("", ".", ".."):           # '', '.', '/': no directory of its own
        raise BatchFileError(f"{output_path}: with --engine dask the output is a new directory of Parquet files; "
                             "give its name")
    errors_path = errors_path or str(Path(output_path).with_suffix("")) + ".errors.csv"
    _check_paths(input_path, output_path, errors_path)
    try:
        ddf = dd.read_parquet(input_path, dtype_backend="pyarrow")
    except Exception as exc:
        first = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise BatchFileError(f"{input_path}: cannot read as a Parquet dataset ({first})") from None
    columns = list(ddf.columns)
    check_header(input_path, columns)

    out = Path(output_path)
    tmp_dir = str(out.with_name(f".{out.name}.{os.getpid()}.tmp"))
    summary = BatchSummary(output=output_path, errors_path=errors_path, columns=columns)
    with RunLock([output_path, errors_path]), Signals() as signals:
        client = None
        errw = None
        try:
            if scheduler:
                client = _connect(scheduler)
            parts = ddf.to_delayed()
            lengths = dask.compute(*[dask.delayed(len)(p) for p in parts])
            firsts = np.concatenate([[1], np.cumsum(lengths)[:-1] + 1]).astype(int).tolist()
            try:
                os.makedirs(tmp_dir)
            except OSError as exc:
                raise BatchFileError(f"{output_path}: cannot write ({exc.strerror})") from None
            dirs = tuple(str(d) for d in tables.dirs)
            tasks = [dask.delayed(_partition)(p, first, dirs, options, os.path.join(tmp_dir, f"part-{k:05d}.parquet"))
                     for k, (p, first) in enumerate(zip(parts, firsts))]
            results = dask.compute(*tasks)
            errors = pl.concat([r[2] for r in results]) if results else empty_errors()
            errw = ErrorsWriter(errors_path)
            errw.write(errors.sort("row", maintain_order=True))
            signals.deferring = True
            errw.commit()                       # the errors file first, the output directory last
            errw = None
            _replace_dir(tmp_dir, output_path)
        except KeyboardInterrupt as exc:
            signum = getattr(exc, "signum", signal.SIGINT)
            raise BatchInterrupted(signum, f"{signal_word(signum)}: nothing renamed into place ({output_path} and "
                                   f"{errors_path} not replaced; temporary files removed)") from None
        except OSError as exc:
            raise write_error(output_path, exc) from None
        finally:
            if errw is not None:
                errw.abort()
            shutil.rmtree(tmp_dir, ignore_errors=True)
            if client is not None:
                client.close()
        if signals.pending is not None:
            raise BatchInterrupted(signals.pending, f"{signal_word(signals.pending)} as the run finished: "
                                   f"{output_path} and {errors_path} are complete", committed=True)

    summary.rows = sum(r[0] for r in results)
    summary.rejected = sum(r[1] for r in results)
    summary.skipped = sum(r[3] for r in results)
    summary.computed = summary.rows - summary.rejected - summary.skipped
    summary.partitions = len(results)
    summary.seconds = time.perf_counter() - started
    return summary


def _replace_dir(new: str, target: str) -> None:
    """Put the finished directory ``new`` at ``target``; an old output there (only part files,
    checked before the run) is moved aside and removed."""
    if not os.path.exists(target):
        os.replace(new, target)
        return
    old = str(Path(target).with_name(f".{Path(target).name}.{os.getpid()}.old"))
    os.replace(target, old)
    try:
        os.replace(new, target)
    except OSError:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)

