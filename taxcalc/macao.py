"""Macao Professional Tax (職業稅), group 1 employees, on columns.

Regulamento do Imposto Profissional (Lei n.º 2/78/M, republished by 第267/2003號行政長官批示):
a fixed deduction of 25% of work income, the exempt band and the progressive rates on the rest,
then the year's budget-law reduction of 30% of the tax; a fraction of a pataca counts as one
(Art. 8(2)). The refund of 60% of an earlier year's tax (capped) is a cash rebate paid later and is
applied only on request.

Amounts are int64 units (1/10,000 MOP).
"""

from __future__ import annotations

import numpy as np

from .hongkong import banded_tax_raw
from .money import BP, UNIT, ceil_div
from .params import MacaoParams


def professional_tax(income, p: MacaoParams, apply_refund: bool = False):
    taxable = income * (BP - p.fixed_deduction) // BP           # exact: 75% of units
    table_raw = banded_tax_raw(np.maximum(taxable - p.exemption, 0), p.bands)   # units x bp
    after_reduction_raw = table_raw * (BP - p.reduction)                        # units x bp x bp
    tax = ceil_div(after_reduction_raw, UNIT * BP * BP)                          # whole patacas, rounded up
    refund = np.zeros_like(tax)
    if apply_refund:
        refund = np.minimum(tax * p.refund_rate // BP, p.refund_cap // UNIT)
    return {"taxable": taxable, "table_tax_raw": table_raw, "tax": tax, "refund": refund, "net": tax - refund}
