"""The run: chunks from a reader, through :func:`~taxcalc.batch.frames.compute_chunk`, to the writers.

:func:`run` opens the reader and the writers under the run's lock and signal handling, then
loops over the chunks: each is parsed and computed here while the previous one is written on a
background thread (:class:`_BackgroundWriter`); ``--strict`` writes synchronously and stops at the
first bad row. The errors file is renamed into place first and the output last. Progress goes
to a callback (:class:`Progress`); what happened comes back as a :class:`BatchSummary`. The core
prints nothing: the command line draws the bar and says the summary.
"""

from __future__ import annotations

import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import NoReturn, Self, cast

import numpy as np
import polars as pl

from ..engine import Options
from ..money import own_decimal_context
from ..tables import Tables, load_tables
from .errors import BatchFileError, BatchInterrupted, BatchStopped, BatchWriteError
from .frames import Chunk, compute_chunk, free_text_columns, output_header
from .readers import Reader, file_format, open_reader
from .signals import Signals, signal_word
from .writers import ErrorsWriter, OutputWriter, RunLock, check_paths, default_errors_path, open_writer

#: the files a run writes, not yet renamed into place: the output, then the errors file
Opened = list[OutputWriter | ErrorsWriter]


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
    partitions: int = 0           # --engine dask: the partitions of the dataset
    written: Callable[[], int] | None = field(default=None, repr=False, compare=False)   # rows written so far

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Progress:
    """How far a run is, after each chunk: ``rows`` read so far; ``done`` of ``total`` in the
    reader's own measure (bytes of the input, or rows when the reader knows its row count);
    ``total`` is None when unknown (standard input); ``seconds`` since the run began."""

    rows: int
    done: int
    total: int | None
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@own_decimal_context
def run(input_path: str, output_path: str, errors_path: str | None = None, *, tables: Tables | None = None,
        options: Options = Options(), strict: bool = False, sheet: str | None = None,
        progress: Callable[[Progress], None] | None = None) -> BatchSummary:
    """Compute every row of ``input_path`` into ``output_path``; bad rows into ``errors_path``.

    Returns a :class:`BatchSummary` (rows = computed + rejected + skipped); ``progress``, if given,
    is called after each chunk; ``sheet`` names the sheet of an .xlsx input (default: the first).
    Raises:

    * :class:`BatchFileError` when a path is refused (:func:`~taxcalc.batch.writers.check_paths`),
      another run holds one of the targets (:class:`~taxcalc.batch.writers.RunLock`) or the input
      cannot be read as a batch file: nothing is written, no file is replaced;
    * :class:`BatchStopped` with ``strict`` at the first bad row (the rows before it and its
      errors are written);
    * :class:`BatchWriteError` when writing fails (a full disk, a closed pipe): temporary files
      removed, nothing renamed into place;
    * :class:`BatchInterrupted` on SIGINT, SIGTERM or SIGHUP: the same, unless the signal came as
      the finished files were being renamed.

    One process: chunks are read by polars (its own threads), parsed and computed here, and
    written on a background thread while the next chunk is computed. (Worker processes were
    tried and were slower on 2 cores: the chunks and their CSV travel between processes, and
    polars already keeps both cores busy. ``--engine dask`` is the way to more machines.)
    """
    tables = tables or load_tables()
    started = time.perf_counter()
    file_format(output_path)                     # an unknown output type ('', '.', '/') fails before any reading
    errors_path = errors_path or default_errors_path(output_path)
    check_paths(input_path, output_path, errors_path)
    if errors_path not in ("-stderr", "-") and file_format(errors_path) != "csv":
        raise BatchFileError(f"{errors_path}: the errors file is CSV; give a .csv name")
    summary = BatchSummary(output=output_path,
                           errors_path={"-stderr": "standard error", "-": "standard output"}.get(errors_path, errors_path))
    with run_files(summary, input_path, output_path, errors_path, sheet) as (reader, opened, signals):
        summary.columns = output_header(reader.columns)
        _run_chunks(reader, output_path, errors_path, tables, options, strict, progress, summary, opened, signals,
                    started)
    summary.seconds = time.perf_counter() - started
    return summary


@contextmanager
def run_files(summary: BatchSummary, input_path: str, output_path: str, errors_path: str, sheet: str | None
              ) -> Iterator[tuple[Reader, Opened, Signals]]:
    """The files of a run (``batch`` and ``plan FILE``): the targets locked and the signals handled
    for the whole run; the reader, closed at the end; ``opened``, the writers the run opens and not
    yet renamed into place (:func:`commit_files` takes them out), aborted -- temporary files
    removed, nothing replaced -- whatever stops the run. A failed write or a signal says what was
    left (:class:`BatchWriteError` ``detail``, :class:`BatchInterrupted`); a signal that came while
    the finished files were renamed is raised once both are in place."""
    with RunLock([output_path, errors_path]), Signals() as signals:
        opened: Opened = []
        reader: Reader | None = None
        try:
            reader = open_reader(input_path, sheet)
            yield reader, opened, signals
        except KeyboardInterrupt as exc:
            signum = getattr(exc, "signum", signal.SIGINT)
            raise BatchInterrupted(signum, f"{signal_word(signum)}: {_left_behind(summary, opened)}") from None
        except BatchWriteError as exc:
            exc.detail = "; " + _left_behind(summary, opened)
            raise
        finally:
            for w in opened:
                w.abort()
            if reader is not None:
                reader.close()
        if signals.pending is not None:         # a signal while the finished files were renamed
            raise BatchInterrupted(signals.pending, f"{signal_word(signals.pending)} as the run finished: "
                                   f"{_files_text(summary)} complete", committed=True)


def _run_chunks(reader: Reader, output_path: str, errors_path: str, tables: Tables, options: Options, strict: bool,
                progress: Callable[[Progress], None] | None, summary: BatchSummary, opened: Opened,
                signals: Signals, started: float) -> None:
    """The loop of :func:`run`: open the writers (appended to ``opened``), each chunk through
    :func:`compute_chunk`, then the errors file and the output renamed into place (in that order)."""
    free_text = free_text_columns(reader.columns)
    writer = open_writer(output_path, reader.columns)
    opened.append(writer)
    summary.written = lambda: writer.rows            # rows written so far (to standard output, if it stops)
    errw = ErrorsWriter(errors_path)
    opened.append(errw)
    by_rows = bool(getattr(reader, "total_rows", 0))
    total = getattr(reader, "total_rows", 0) or reader.total_bytes or None
    row = 1
    with (_SyncWriter(writer, free_text) if strict else _BackgroundWriter(writer, free_text)) as background, \
            _Prefetch(reader) as chunks:
        for df in chunks:
            chunk = compute_chunk(df, row, tables, options)      # once, strict or not
            bad = chunk.bad
            if strict and bad.any():
                _strict_stop(chunk, row, writer, errw, summary, opened, free_text, signals)
            background.put(chunk)
            errw.write(chunk.errors)
            n_bad = int(bad.sum())
            summary.rows += df.height
            summary.skipped += df.height - len(bad)
            summary.rejected += n_bad
            summary.computed += len(bad) - n_bad
            row += df.height
            if progress is not None:
                progress(Progress(summary.rows, summary.rows if by_rows else reader.bytes_read, total,
                                  time.perf_counter() - started))
    commit_files(opened, signals)


def commit_files(opened: Opened, signals: Signals) -> None:
    """Finish every file under its temporary name (a full disk fails here, with nothing renamed),
    then rename them into place, the errors file first and the output last (a signal meanwhile
    waits until both are in place)."""
    for w in opened:
        w.finish()
    signals.deferring = True
    for w in list(reversed(opened)):             # opened = [output, errors]
        w.commit()
        opened.remove(w)


def _files_text(summary: BatchSummary) -> str:
    files = [p for p in (summary.output, summary.errors_path) if p not in ("-", "standard error", "standard output")]
    return " and ".join(files) + (" are" if len(files) > 1 else " is") if files else "the output is"


def _left_behind(summary: BatchSummary, opened: Opened) -> str:
    """What a stopped run leaves: rows already on standard output; the files not replaced."""
    parts = []
    if summary.output == "-" and summary.written is not None:
        parts.append(f"{summary.written():,} rows had been written to standard output (incomplete)")
    pending = [t.path for w in opened if (t := w.target) is not None and t.path != "-"]
    if pending:
        shown = " and ".join(pending)
        parts.append(f"nothing renamed into place ({shown} not replaced; temporary files removed)")
    return "; ".join(parts) or "nothing written"


class _Prefetch:
    """The reader's chunks, each read on a thread while the one before is computed (polars parses
    a CSV block without holding the GIL). One chunk waits at most; the reader's error is raised
    here, in its place among the chunks. When the run stops early, the thread is left to finish
    the block it is reading (it is a daemon) and its chunk is dropped."""

    _END = object()

    def __init__(self, reader: Reader):
        self.reader = reader
        #: (a chunk or the end marker, None) or (None, the reader's error)
        self.queue: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(maxsize=1)
        self.stopped = False
        self.thread = threading.Thread(target=self._loop, name="taxcalc-batch-reader", daemon=True)

    def _loop(self) -> None:
        try:
            for df in self.reader:
                if not self._put((df, None)):
                    return
            self._put((self._END, None))
        except BaseException as exc:
            self._put((None, exc))

    def _put(self, item: tuple[object, BaseException | None]) -> bool:
        """Hand a chunk over, unless the run has stopped (then False)."""
        while not self.stopped:
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[pl.DataFrame]:
        while True:
            df, exc = self.queue.get()
            if exc is not None:
                raise exc
            if df is self._END:
                return
            yield cast(pl.DataFrame, df)                # not the end marker: a chunk of the reader

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stopped = True
        try:
            while True:
                self.queue.get_nowait()              # unblock a thread waiting to put
        except queue.Empty:
            pass
        if kind is None:
            self.thread.join()


class _SyncWriter:
    """The same interface as :class:`_BackgroundWriter`, writing at once (``--strict`` writes
    the rows before a bad one itself, so nothing may be queued)."""

    def __init__(self, writer: OutputWriter, free_text: list[str]):
        self.writer, self.free_text = writer, free_text

    def put(self, chunk: Chunk) -> None:
        self.writer.write_chunk(chunk, self.free_text)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class _BackgroundWriter:
    """Builds the output frames and writes them on a thread while the next chunk is parsed and
    computed (polars writes without holding the GIL). At most one computed chunk waits (its figures
    as int64 columns: the output's decimals are built a slice at a time as they are written); an
    error on the thread is raised here at the next chunk or at the end. When the run stops early
    (an error, a signal), the chunk still waiting is dropped and the thread is given a few seconds
    to finish the slice it is writing."""

    def __init__(self, writer: OutputWriter, free_text: list[str]):
        self.writer, self.free_text = writer, free_text
        self.queue: queue.Queue[Chunk | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.cancelled = False
        self.thread = threading.Thread(target=self._loop, name="taxcalc-batch-writer", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while True:
            chunk = self.queue.get()
            if chunk is None:
                return
            if self.error is None and not self.cancelled:
                try:
                    self.writer.write_chunk(chunk, self.free_text)
                except BaseException as exc:
                    self.error = exc

    def put(self, chunk: Chunk) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(chunk)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
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


def _strict_stop(chunk: Chunk, row: int, writer: OutputWriter, errw: ErrorsWriter, summary: BatchSummary,
                 opened: Opened, free_text: list[str], signals: Signals) -> NoReturn:
    """``--strict``, a chunk with a bad row: write the rows before it and that row's errors, close
    the files and stop with :class:`BatchStopped`."""
    first = int(np.argmax(chunk.bad))             # rows before the first bad one are all good
    writer.write_frame(chunk.frame(0, first), free_text)
    bad_row = chunk.errors["row"][0]
    mine = chunk.errors.filter(pl.col("row") == bad_row)
    errw.write(mine)
    records = int(bad_row) - row + 1             # rows of the chunk up to the bad one, empty ones included
    summary.rows += records
    summary.computed += first
    summary.rejected += 1
    summary.skipped += records - first - 1
    commit_files(opened, signals)
    e = mine.row(0, named=True)
    raise BatchStopped(e, summary.computed, summary.output, summary.errors_path)
