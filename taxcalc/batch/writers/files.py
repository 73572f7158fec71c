"""Files a run writes: under a temporary name next to the target, renamed into place at the end
(:class:`AtomicTarget`); a lock next to each target for the whole run (:class:`RunLock`); the
paths refused before anything is read (:func:`check_paths`); write failures as
:class:`~taxcalc.batch.errors.BatchWriteError`."""

from __future__ import annotations

import errno
import io
import os
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import IO, Self

import pyarrow as pa

from ..errors import BatchFileError, BatchWriteError


def _errno_of(exc: BaseException) -> int | None:
    """The system error number of an OSError, also when polars or Arrow only put it in the text
    ("... (os error 28)", "[Errno 28] ...")."""
    code = getattr(exc, "errno", None)
    if isinstance(code, int):
        return code
    m = re.search(r"\(os error (\d+)\)|\[Errno (\d+)\]", str(exc))
    return int(m[1] or m[2]) if m else None


def write_error(path: str, exc: BaseException) -> BatchWriteError:
    code = _errno_of(exc)
    reason = os.strerror(code) if code else (str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__)
    return BatchWriteError(path, reason, code)


@contextmanager
def writing(path: str) -> Iterator[None]:
    """Turn an I/O failure while writing ``path`` into :class:`BatchWriteError`."""
    try:
        yield
    except (BatchWriteError, BatchFileError):
        raise
    except (OSError, pa.ArrowException) as exc:
        raise write_error(path, exc) from None
    except Exception as exc:
        from xlsxwriter.exceptions import FileCreateError

        if isinstance(exc, FileCreateError):     # XlsxWriter's wrapping of the OSError of a full disk
            raise write_error(path, exc) from None
        raise


def stdout_buffer() -> IO[bytes]:
    """Standard output's byte stream, or a :class:`BatchFileError` when it is closed."""
    out = sys.stdout
    buf: IO[bytes] | None = getattr(out, "buffer", None) if out is not None else None
    if buf is None:
        raise BatchFileError("-: standard output is closed; give an output file with -o")
    try:
        os.fstat(out.fileno())
    except (io.UnsupportedOperation, ValueError, AttributeError):
        pass                                   # a stream without a descriptor (tests): usable
    except OSError:
        raise BatchFileError("-: standard output is closed; give an output file with -o") from None
    return buf


class AtomicTarget:
    """A file written under a temporary name next to it and renamed into place on success
    (``-``: standard output, written as it goes)."""

    def __init__(self, path: str):
        self.path = path
        self.tmp: str | None = None
        self.fh: IO[bytes]
        if path == "-":
            self.fh = stdout_buffer()
            return
        check_target(path)
        p = Path(path)
        self.tmp = str(p.with_name(f".{p.name}.{os.getpid()}.tmp"))
        try:
            self.fh = open(self.tmp, "wb")  # noqa: SIM115 (closed in commit or abort)
        except OSError as exc:
            raise BatchFileError(f"{path}: cannot write ({exc.strerror or exc})") from None

    def finish(self) -> None:
        """Everything written out, still under the temporary name: the file closed (standard
        output flushed). A full disk shows here, before anything is renamed."""
        with writing(self.path):
            if self.tmp is None:
                self.fh.flush()
            elif not self.fh.closed:
                self.fh.close()

    def commit(self) -> None:
        """Rename into place (after :meth:`finish`)."""
        self.finish()
        if self.tmp is None:
            return
        with writing(self.path):
            os.replace(self.tmp, self.path)
            self.tmp = None

    def abort(self) -> None:
        """Close and remove the temporary file (a close that fails, say on a full disk, does not
        keep it from being removed)."""
        if self.tmp is None:
            return
        try:
            self.fh.close()
        except Exception:
            pass
        try:
            os.unlink(self.tmp)
        except OSError:
            pass
        self.tmp = None


def same_file(a: str, b: str) -> bool:
    """The same file: the same path once symbolic links are resolved, or (both existing) the same
    inode and device -- a hard link."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def protected(path: str, table_dirs: Iterable[str | os.PathLike[str]]) -> str | None:
    """What ``path`` is, when no output may replace it: ``"table"`` -- a table file (a ``.toml``
    in a tables directory: the shipped one, ``TAXCALC_TABLES``, ``--tables``; the next run would
    read it), ``"package"`` -- a file of the taxcalc package itself; else None. Links are followed.
    (batch and plan write only .csv, .jsonl, .parquet and .xlsx, which neither holds; compare's
    ``-o`` takes any name.)"""
    real = Path(os.path.realpath(path))
    if real.is_relative_to(Path(__file__).resolve().parents[2]):
        return "package"
    if real.suffix.lower() == ".toml" and any(real.is_relative_to(os.path.realpath(d)) for d in table_dirs):
        return "table"
    return None


def check_target(path: str) -> None:
    """A path a file can be written to (and renamed into): not a directory, in a directory that exists."""
    if not Path(path).name:                     # '' (an empty variable): no file to rename into
        raise BatchFileError(f"{path or '(empty)'}: no file name; give a file name")
    if os.path.isdir(path):
        raise BatchFileError(f"{path}: is a directory; give a file name")
    parent = Path(path).parent
    if not parent.is_dir():
        raise BatchFileError(f"{path}: the directory {parent} does not exist")


def check_paths(input_path: str, output_path: str, errors_path: str) -> None:
    """Refuse, before anything is read or written, an output or errors path that is the input
    (also through a symbolic or hard link), an errors path that is the output, and a target that
    is a directory or in no directory. ``-`` is standard input/output, ``-stderr`` standard error."""
    targets = [(what, p) for what, p in (("output", output_path), ("errors file", errors_path))
               if p not in ("-", "-stderr")]
    if output_path == "-" and errors_path == "-":
        raise BatchFileError("-: the output and the errors file cannot both go to standard output")
    for what, p in targets:
        if input_path != "-" and same_file(p, input_path):
            raise BatchFileError(f"{p}: the {what} is the input file {input_path}; it would be replaced "
                                 f"-- give another {'-o' if what == 'output' else '--errors'} path")
    if len(targets) == 2 and same_file(output_path, errors_path):
        raise BatchFileError(f"{errors_path}: the errors file must differ from the output")
    for _, p in targets:
        check_target(p)


class RunLock:
    """An exclusive lock on each file a run writes, held for the whole run, so that a second run
    to the same paths stops at once with a message instead of pairing its output with another
    run's errors file.

    The lock is ``fcntl.flock`` on ``.NAME.lock`` next to the file (it holds the pid of the run);
    it is removed at the end. A run that finds the lock file gone or replaced after locking it
    (the holder removed it as it finished) takes it again. Without ``fcntl`` (Windows), or on a
    file system that refuses locks, runs are not locked."""

    def __init__(self, paths: list[str]):
        real: dict[str, str] = {}
        for p in paths:
            if p not in ("-", "-stderr"):
                real.setdefault(os.path.realpath(p), p)
        self.paths = sorted(real.items())
        self.held: list[tuple[str, int]] = []

    def __enter__(self) -> Self:
        try:
            import fcntl
        except ImportError:
            return self
        try:
            for real, given in self.paths:
                self._acquire(fcntl, real, given)
        except BaseException:
            self.release()
            raise
        return self

    def _acquire(self, fcntl: ModuleType, real: str, given: str) -> None:
        d, name = os.path.split(real)
        lock = os.path.join(d, f".{name}.lock")
        while True:
            try:
                fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise BatchFileError(f"{given}: cannot write ({exc.strerror})") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    os.close(fd)             # locks not supported here: run unlocked
                    return
                try:
                    holder = os.read(fd, 32).decode("ascii", "replace").strip()
                except OSError:
                    holder = ""
                os.close(fd)
                who = f" (pid {holder})" if holder.isdigit() else ""
                raise BatchFileError(f"{given}: another taxcalc batch{who} is writing this file; wait for it "
                                     "to finish or choose another path") from None
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(lock))
            except OSError:
                same = False
            if same:
                break
            os.close(fd)                     # the holder removed it as it finished: take the new one
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            pass
        self.held.append((lock, fd))
        remove_stale_temps(d, name)

    def release(self) -> None:
        for lock, fd in reversed(self.held):
            try:
                os.unlink(lock)
            except OSError:
                pass
            os.close(fd)
        self.held.clear()

    def __exit__(self, *exc: object) -> None:
        self.release()


def remove_stale_temps(directory: str, name: str) -> None:
    """Remove ``.NAME.PID.tmp`` files of runs that no longer exist (killed with SIGKILL, say):
    the caller holds the lock on NAME, so no live run is writing them."""
    if os.name != "posix":                      # os.kill(pid, 0) would end the process elsewhere
        return
    prefix = f".{name}."
    try:
        entries = [e for e in os.listdir(directory) if e.startswith(prefix) and e.endswith(".tmp")]
    except OSError:
        return
    for entry in entries:
        pid = entry[len(prefix):-len(".tmp")]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue                             # alive (or another user's process)
        except ProcessLookupError:
            pass
        except (PermissionError, OverflowError, OSError):
            continue
        path = os.path.join(directory, entry)
        if os.path.isfile(path) and not os.path.islink(path):
            try:
                os.unlink(path)
            except OSError:
                pass
