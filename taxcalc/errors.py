"""Errors that name their cause: the field, the row, the table key, what was expected.

Input errors carry a code and parameters (:mod:`taxcalc.messages`); ``str()`` gives the English
text, the faces render the code in their language.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from .messages import Msg, msg

MAX_SHOWN = 60     # characters of a given value repeated in a message (JSON for lists and objects)


def shown_value(value: object) -> str:
    """A value as a person typed it: plain text, never a Python repr, cut when long."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (dict, list, tuple)):
        import json

        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (ValueError, RecursionError):
            text = "[…]" if isinstance(value, (list, tuple)) else "{…}"
    elif isinstance(value, int) and value.bit_length() > 13_000:    # str() refuses past 4,300 digits
        text = format(Decimal(value), ".6E")
    else:
        text = str(value)
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"


def visible(text: str) -> str:
    """Text from a file for a terminal: control characters (an escape sequence, a bell, a newline)
    shown as ``?``, so that a hostile id cannot drive the terminal or break a line."""
    return text if text.isprintable() else "".join(ch if ch.isprintable() else "?" for ch in text)


#: characters JSON leaves as they are (with ensure_ascii off) that a terminal may act on or that
#: reorder what is shown: DEL and the C1 controls (U+009B is a CSI), line and paragraph separators,
#: the bidirectional marks and overrides
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def json_text(data: Any) -> str:
    """``data`` as indented JSON for a terminal or a file: Chinese as it is, and every character
    that could drive a terminal or reorder a line as a ``\\uXXXX`` escape (the same JSON value:
    such characters only occur inside strings; json escapes U+0000-U+001F itself)."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class TaxcalcError(Exception):
    """Base class for every error a user can cause. ``message`` is a :class:`Msg` when the
    error has a code (input errors, file errors), else None and ``str()`` is the text."""

    message: Msg | None = None

    @classmethod
    def coded(cls, code: str, **params: Any) -> TaxcalcError:
        err = cls(str(msg(code, **params)))
        err.message = msg(code, **params)
        return err


class TableError(TaxcalcError):
    """A table file that cannot be used; for the tables' maintainers, in English."""

    def __init__(self, file: str, key: str, problem: str):
        # one line with no control character, whoever shows it (a file name may hold an escape sequence)
        self.file, self.key, self.problem = visible(file), visible(key), visible(problem)
        file, key, problem = self.file, self.key, self.problem
        super().__init__(f"table {file}: {key}: {problem}")


class InputError(TaxcalcError):
    """One bad input field: its name, a message code and parameters, the value given (as text),
    and ``row``, the 1-based data row in a batch file or a list of packages, if any."""

    def __init__(self, field: str, code: str, value: object = None, row: int | None = None,
                 params: dict[str, Any] | None = None):
        self.field, self.value, self.row = field, value, row
        self.message = msg(code, **(params or {}))
        super().__init__(self._text())

    @property
    def code(self) -> str:
        assert self.message is not None
        return self.message.code

    def _text(self) -> str:
        where = f"row {self.row}: " if self.row is not None else ""
        shown = f" (given: {shown_value(self.value)})" if self.value is not None else ""
        return f"{where}{self.field}: {self.message}{shown}"

    def __str__(self) -> str:
        return self._text()

    def as_dict(self) -> dict[str, str | int | None]:
        return {"row": self.row, "column": self.field, "value": "" if self.value is None else shown_value(self.value),
                "message": str(self.message)}


class InputErrors(TaxcalcError):
    """Several bad fields of one scenario (or of several rows), all reported in one pass."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))

    def one_case(self, rows: int) -> InputErrors:
        """The errors of ``rows`` rows that are variants of one case (whatif's contributions,
        compare --zones' zones): when every row has the same errors, those errors once and without
        a row number, as for the case itself; else as they are."""
        by_row: dict[int | None, list[tuple[str, Msg | None, str]]] = {}
        for e in self.errors:
            by_row.setdefault(e.row, []).append((e.field, e.message, "" if e.value is None else shown_value(e.value)))
        first = by_row.get(1)
        if len(by_row) != rows or any(v != first for v in by_row.values()):
            return self
        return InputErrors([InputError(e.field, e.code, e.value, params=dict(e.message.params) if e.message else None)
                            for e in self.errors if e.row == 1])
