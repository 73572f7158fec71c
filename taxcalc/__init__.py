"""taxcalc: mainland IIT, Hong Kong Salaries Tax, Macao Professional Tax and the Greater Bay Area
cooperation-zone reliefs, exact to the fen.

    >>> from taxcalc import calculate
    >>> r = calculate({"tax_year": 2024, "wages": 420000, "labour": 50000,
    ...                "social_insurance": 60000, "additional_deductions": 24000})
    >>> r.iit_taxable, r.iit
    (Decimal('316000.00'), Decimal('47080.00'))

Names are imported on first use, so the command line starts fast.
"""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:    # what the lazy __getattr__ below returns, for the type checker (re-exported: "as")
    from .api import Result as Result
    from .api import calculate as calculate
    from .api import calculate_many as calculate_many
    from .api import withholding as withholding
    from .engine import Options as Options
    from .errors import InputError as InputError
    from .errors import InputErrors as InputErrors
    from .errors import TableError as TableError
    from .errors import TaxcalcError as TaxcalcError
    from .scenario import Scenario as Scenario
    from .tables import load_tables as load_tables

_EXPORTS = {
    "calculate": "api", "calculate_many": "api", "Result": "api", "withholding": "api",
    "Options": "engine", "Scenario": "scenario", "load_tables": "tables",
    "TaxcalcError": "errors", "InputError": "errors", "InputErrors": "errors", "TableError": "errors",
}
__all__ = list(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'taxcalc' has no attribute {name!r}")
