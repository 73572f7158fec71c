"""Batch files: read in chunks, parse whole columns, compute, write; bad rows to an errors file.

One module a job, in the order a chunk goes through them:

1. :mod:`~taxcalc.batch.readers` -- CSV, JSON Lines or Parquet (by the extension; ``-`` is CSV on
   standard input) as chunks of **text** columns, exactly as written; the header checked first;
2. :mod:`~taxcalc.batch.parse` -- each known column into the kernels' integer columns by the one
   grammar of :mod:`taxcalc.validate`; cross-field and table rules; an error row per problem;
3. :mod:`~taxcalc.batch.frames` -- the kernels (:func:`taxcalc.engine.compute`) and the output
   frame: the input columns as read, then one result column per figure of the registry;
4. :mod:`~taxcalc.batch.writers` -- the output and the errors file under temporary names,
   renamed into place at the end (errors file first), under a lock on each target;
5. :mod:`~taxcalc.batch.runner` -- the loop: chunks, ``--strict``, signals
   (:mod:`~taxcalc.batch.signals`), the writer thread, progress through a callback, and the
   :class:`BatchSummary`.

The command line (:mod:`taxcalc.cli`) draws the progress bar, says the summary and maps each
outcome (:mod:`~taxcalc.batch.errors`) to an exit status. ``--engine dask``
(:mod:`taxcalc.dask_engine`) runs the same :func:`process_chunk` on each partition.
"""

from ..engine import Options
from ..scenario import ENUMS, FIELDS, field_kind
from ..scenario import limits as _limits  # noqa: F401 (the name the property tests use)
from ..tables import load_tables
from .errors import BatchFileError, BatchInterrupted, BatchStopped, BatchWriteError
from .frames import Chunk, compute_chunk, compute_rows, free_text_columns, output_header, process_chunk, result_frame
from .parse import (
                    EMPTY,
                    NEGATIVE,
                    NOT_ALLOWED,
                    NOT_VALID,
                    OK,
                    REQUIRED,
                    SCALE,
                    TOO_LARGE,
                    TOO_PRECISE,
                    TOO_SMALL,
                    ParsedChunk,
                    check_range,
                    parse_chunk,
                    parse_decimal,
                    parse_words,
)
from .readers import check_header, file_format, open_reader
from .runner import BatchSummary, Progress, run
from .writers import default_errors_path, neutralise_formulas, neutralise_header, open_writer

_check_range = check_range          # the name the property tests have used

__all__ = [
    "EMPTY", "ENUMS", "FIELDS", "NEGATIVE", "NOT_ALLOWED", "NOT_VALID", "OK", "REQUIRED", "SCALE", "TOO_LARGE",
    "TOO_PRECISE", "TOO_SMALL", "BatchFileError", "BatchInterrupted", "BatchStopped", "BatchSummary",
    "BatchWriteError", "Chunk", "Options", "ParsedChunk", "Progress", "check_header", "check_range", "compute_chunk",
    "compute_rows", "default_errors_path", "field_kind", "file_format", "free_text_columns", "load_tables", "neutralise_formulas",
    "neutralise_header", "open_reader", "open_writer", "output_header", "parse_chunk", "parse_decimal", "parse_words",
    "process_chunk", "result_frame", "run",
]
