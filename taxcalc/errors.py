"""Errors that name their cause: the field, the row, the table key, what was expected."""

from __future__ import annotations


class TaxcalcError(Exception):
    """Base class for every error a user can cause."""


class TableError(TaxcalcError):
    def __init__(self, file: str, key: str, problem: str):
        self.file, self.key, self.problem = file, key, problem
        super().__init__(f"table {file}: {key}: {problem}")


class InputError(TaxcalcError):
    """One bad input field; ``row`` is the 1-based data row in a batch file, if any."""

    def __init__(self, field: str, message: str, value: object = None, row: int | None = None):
        self.field, self.message, self.value, self.row = field, message, value, row
        where = f"row {row}: " if row is not None else ""
        shown = f" (got {value!r})" if value is not None else ""
        super().__init__(f"{where}{field}: {message}{shown}")

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.field, "value": "" if self.value is None else str(self.value),
                "message": self.message}


class InputErrors(TaxcalcError):
    """Several bad fields of one scenario, all reported in one pass."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))
