"""Macao Professional Tax (職業稅), group 1 employees, on columns.

Regulamento do Imposto Profissional (Lei n.º 2/78/M, republished by 第267/2003號行政長官批示):
a fixed deduction of 25% of work income, the exempt band and the progressive rates on the rest,
then the year's budget-law reduction of the tax; a fraction of a pataca counts as one
(Art. 8(2)). The refund (a share of the tax, capped) is a cash rebate paid later; it is netted from the
burden only on request.

Amounts are int64 units (1/10,000 MOP).
"""

from __future__ import annotations

import numpy as np

from .hongkong import banded_tax_raw
from .money import BP, UNIT, Column, ceil_div
from .params import MacaoParams


def professional_tax(income: Column, p: MacaoParams, apply_refund: bool = False,
                     refund: MacaoParams | None = None) -> dict[str, Column]:
    """The tax on ``income`` (units): whole patacas after the reduction, rounded up; the refund
    the tax would earn (rounded down, capped) at the rate and cap of ``refund`` (the table of the
    budget law that refunds this year's tax, two years later; default ``p``); ``net``, the tax less
    the refund when applied.

    ``table_raw x (1 - reduction)`` would pass 2**63 near MOP 1.5e8 if multiplied out, so the
    rounding up is done in two exact steps: the whole patacas of the table tax first, then the
    remainder."""
    taxable = income * (BP - p.fixed_deduction) // BP           # exact: 75% of units
    table_raw = banded_tax_raw(np.maximum(taxable - p.exemption, 0), p.bands)   # units x bp
    keep = BP - p.reduction                                       # bp of the tax left after the reduction
    whole, rest = table_raw // (UNIT * BP), table_raw % (UNIT * BP)            # patacas, and below one
    a, b = whole * keep // BP, whole * keep % BP
    tax = a + ceil_div(b * UNIT * BP + rest * keep, UNIT * BP * BP)          # both terms < 10**12
    r = p if refund is None else refund
    back = np.minimum(tax * r.refund_rate // BP, r.refund_cap // UNIT)
    net = tax - back if apply_refund else tax
    return {"taxable": taxable, "table_tax_raw": table_raw, "tax": tax, "refund": back, "net": net}
