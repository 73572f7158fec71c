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

from decimal import Decimal

import numpy as np

UNIT = 10_000          # units per currency unit
FEN = 100              # units per fen (or cent, or avo)
BP = 10_000            # basis points per 1
FX = 1_000_000         # millionths per 1
MAX_AMOUNT = 1_000_000_000


def half_up_div(num, den):
    """num / den rounded half up, for num >= 0 (arrays or ints)."""
    return (num + den // 2) // den


def half_up_div_signed(num, den):
    """num / den rounded half away from zero, for any sign of num (den > 0)."""
    q = half_up_div(abs(num), den)
    return np.where(num < 0, -q, q)


def count_edges(edges, x, inclusive: bool):
    """For each ``x``, how many of the sorted ``edges`` lie below it (``inclusive``: at or below):
    ``np.searchsorted(edges, x, side="right" if inclusive else "left")``, one comparison a edge.
    On the few edges of a tax table that is 3-4x faster than a binary search per value; Python
    integers (the engine's wide rows) take the binary search."""
    x = np.asarray(x)
    if x.dtype == object or x.ndim == 0:
        return np.searchsorted(edges, x, side="right" if inclusive else "left")
    count = np.zeros(x.shape, dtype=np.intp)
    for edge in np.asarray(edges).tolist():
        np.add(count, (x >= edge) if inclusive else (x > edge), out=count)
    return count


def ceil_div(num, den):
    return -((-num) // den)


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


