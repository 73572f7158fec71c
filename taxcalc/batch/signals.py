"""Signals during a run: SIGTERM and SIGHUP unwind like Ctrl-C so that the temporary files are
removed; while the finished files are renamed into place a signal waits until both are."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any, Self

#: what :func:`signal.getsignal` returns and :func:`signal.signal` takes (typeshed's ``signal._HANDLER``)
Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


class Signalled(KeyboardInterrupt):
    """Raised by the run's signal handler (SIGTERM and SIGHUP unwind like Ctrl-C)."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(signum)


class Signals:
    """During a run: SIGTERM and SIGHUP unwind like Ctrl-C (SIGINT), so that the temporary files
    are removed; a second signal while unwinding is ignored. While the finished files are being
    renamed into place (``deferring``), a signal is kept and raised once they are.

    Only in the main thread, and only for signals whose handler is the default one (a caller's
    own handler, or SIG_IGN under nohup, is left alone)."""

    def __init__(self) -> None:
        self.previous: dict[int, Handler] = {}
        self.pending: int | None = None
        self.deferring = False

    def __enter__(self) -> Self:
        if threading.current_thread() is not threading.main_thread():
            return self
        for name in ("SIGINT", "SIGTERM", "SIGHUP"):
            sig = getattr(signal, name, None)
            if sig is None:
                continue
            current = signal.getsignal(sig)
            default = signal.default_int_handler if name == "SIGINT" else signal.SIG_DFL
            if current is default:
                self.previous[sig] = current
                signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.pending is not None:
            return                            # already unwinding
        self.pending = signum
        if not self.deferring:
            raise Signalled(signum)

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        self.previous.clear()


def signal_word(signum: int) -> str:
    return "interrupted" if signum == signal.SIGINT else f"stopped by {signal.Signals(signum).name}"


def exit_status(signum: int) -> int:
    """The exit status of a run a signal stopped: 128 + the signal's number, as shells report it."""
    return 128 + signum
