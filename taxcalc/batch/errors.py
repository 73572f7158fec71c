"""How a batch run can end other than with a summary: each a :class:`~taxcalc.errors.TaxcalcError`
(or, for a signal, a ``KeyboardInterrupt``) whose ``str()`` is the one line the command prints."""

from __future__ import annotations

from typing import Any

from ..errors import TaxcalcError


class BatchFileError(TaxcalcError):
    """The file as a whole cannot be read, or a path cannot be used: a message naming the file and
    what was expected. Nothing has been written."""


class BatchWriteError(TaxcalcError):
    """Writing an output or the errors file failed (disk full, an I/O error, a closed pipe).

    ``path`` is the file (``-``: standard output), ``errno`` the system's error number when known;
    ``detail`` says what was left (set by :func:`taxcalc.batch.run`: nothing renamed into place,
    or how many rows had gone to standard output)."""

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


class BatchStopped(TaxcalcError):
    """``--strict``: the first bad row stopped the run (the rows before it and its errors are written)."""

    def __init__(self, error: dict[str, Any], written: int, output: str, errors_path: str):
        self.error = error          # the errors file's row: row, column, value, message
        shown = f" (given: {error['value']})" if error.get("value") not in (None, "") else ""
        super().__init__(f"row {error['row']}: {error['column']}: {error['message']}{shown} -- stopped by --strict; "
                         f"the {written:,} rows before it are in {output}, its errors in {errors_path}")
