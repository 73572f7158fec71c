"""Writers: the output (CSV, JSON Lines, Parquet) and the errors file, written all or nothing.

* :mod:`.files`: the temporary file renamed into place (:class:`AtomicTarget`), the run's lock on
  each target (:class:`RunLock`), the paths refused before a run (:func:`check_paths`);
* :mod:`.tabular`: the formats (:func:`open_writer`), the errors file (:class:`ErrorsWriter`) and
  the spreadsheet safety of CSV cells (:func:`neutralise_formulas`).

The pairing of output and errors file: a run holds both locks for its whole duration, renames
the errors file into place first and the output last (:func:`taxcalc.batch.run`).
"""

from .files import AtomicTarget, RunLock, check_paths, same_file, write_error, writing
from .tabular import (
                      WRITERS,
                      CsvWriter,
                      ErrorsWriter,
                      JsonlWriter,
                      OutputWriter,
                      ParquetWriter,
                      Writer,
                      default_errors_path,
                      neutralise_formulas,
                      neutralise_header,
                      open_writer,
)

__all__ = ["WRITERS", "AtomicTarget", "CsvWriter", "ErrorsWriter", "JsonlWriter", "OutputWriter", "ParquetWriter",
           "RunLock", "Writer", "check_paths", "default_errors_path", "neutralise_formulas", "neutralise_header",
           "open_writer", "same_file", "write_error", "writing"]
