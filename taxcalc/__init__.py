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

_EXPORTS = {
    "calculate": "api", "calculate_many": "api", "Result": "api", "withholding": "api",
    "Options": "engine", "Scenario": "scenario", "load_tables": "tables",
    "TaxcalcError": "errors", "InputError": "errors", "InputErrors": "errors", "TableError": "errors",
}
__all__ = list(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'taxcalc' has no attribute {name!r}")
