"""Exact money on integer columns.

Amounts travel as int64 in *units* of 1/10,000 of a currency unit (yuan, HK dollar, pataca): a fen
is 100 units, so the statute's ratios (80% of labour remuneration, 56% of author's remuneration,
5% MPF) stay exact. Rates are integers in basis points (1/10,000); a rate times an amount is in
1/10,000^2 of the currency unit until a jurisdiction's rounding rule brings it back:

* mainland IIT: to the fen, half up;
* Hong Kong Salaries Tax: down to the dollar;
* Macao Professional Tax: up to the pataca (Art. 8(2): a fraction counts as one pataca).

Exchange rates are integers in millionths. Every input amount and table amount is at most
1,000,000,000; products of amounts derived from them stay below 2**63 for every row the engine
runs on int64 (:data:`taxcalc.engine.NARROW_LIMIT`), and the others run on Python integers.
"""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar, overload

import numpy as np
from numpy.typing import NDArray

#: a column of the engine: int64 amounts, counts and rates (bool flags, int8 codes), or on the wide
#: path an object array of Python integers; its dtype is checked at run time, not by the types
Column = NDArray[Any]

UNIT = 10_000          # units per currency unit
FEN = 100              # units per fen (or cent, or avo)
BP = 10_000            # basis points per 1
FX = 1_000_000         # millionths per 1
MAX_AMOUNT = 1_000_000_000

#: the context of taxcalc's Decimal arithmetic, whatever the caller's: Python's default (28 digits,
#: half even, the usual traps). A caller's context of 6 digits, or with the Inexact trap set, would
#: otherwise fail deep inside, or round a grown amount twice.
DECIMAL_CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN, Emin=-999_999, Emax=999_999, capitals=1,
                                  clamp=0, flags=[], traps=[decimal.InvalidOperation, decimal.DivisionByZero,
                                                            decimal.Overflow])
_P = ParamSpec("_P")
_R = TypeVar("_R")


def own_decimal_context(f: Callable[_P, _R]) -> Callable[_P, _R]:
    """``f`` run in :data:`DECIMAL_CONTEXT` (the caller's context is back when it returns): for
    the faces a program calls (:mod:`taxcalc.api`, plans, compare, split, batch)."""
    @functools.wraps(f)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with decimal.localcontext(DECIMAL_CONTEXT):
            return f(*args, **kwargs)
    return run


@overload
def half_up_div(num: int, den: int) -> int: ...
@overload
def half_up_div(num: Column, den: int | Column) -> Column: ...
@overload
def half_up_div(num: int, den: Column) -> Column: ...
def half_up_div(num: int | Column, den: int | Column) -> int | Column:
    """num / den rounded half up, for num >= 0 (arrays or ints)."""
    return (num + den // 2) // den


def half_up_div_signed(num: Column, den: int | Column) -> Column:
    """num / den rounded half away from zero, for any sign of num (den > 0)."""
    q = half_up_div(abs(num), den)
    return np.where(num < 0, -q, q)


def count_edges(edges: Column, x: Column, inclusive: bool) -> Column:
    """For each ``x``, how many of the sorted ``edges`` lie below it (``inclusive``: at or below):
    ``np.searchsorted(edges, x, side="right" if inclusive else "left")``, one comparison a edge.
    On the few edges of a tax table that is 3-4x faster than a binary search per value; Python
    integers (the engine's wide rows) take the binary search."""
    x = np.asarray(x)
    if x.dtype == object or x.ndim == 0:
        found: Column = np.searchsorted(edges, x, side="right" if inclusive else "left")
        return found
    count = np.zeros(x.shape, dtype=np.intp)
    for edge in np.asarray(edges).tolist():
        np.add(count, (x >= edge) if inclusive else (x > edge), out=count)
    return count


@overload
def ceil_div(num: int, den: int) -> int: ...
@overload
def ceil_div(num: Column, den: int | Column) -> Column: ...
def ceil_div(num: int | Column, den: int | Column) -> int | Column:
    """num / den rounded up."""
    return -((-num) // den)


def column_sum(columns: Iterable[Column]) -> Column:
    """0 + each column in turn, as ``sum`` adds them (int64 stays int64, Python integers stay exact)."""
    total: Column | int = 0
    for col in columns:
        total = total + col
    return np.asarray(total)


def units(value: Decimal | int | float) -> int:
    """An exact amount (<= 4 decimals) as units."""
    d = Decimal(str(value)) * UNIT
    if d != d.to_integral_value():
        raise ValueError(f"{value} has more than 4 decimal places")
    return int(d)


def bp(rate: Decimal) -> int:
    d = Decimal(rate) * BP
    if d != d.to_integral_value():
        raise ValueError(f"rate {rate} is finer than a basis point")
    return int(d)


def micro(rate: Decimal) -> int:
    d = Decimal(rate) * FX
    if d != d.to_integral_value():
        raise ValueError(f"rate {rate} has more than 6 decimal places")
    return int(d)


