"""Hong Kong Salaries Tax (薪俸稅) on columns.

Inland Revenue Ordinance (Cap. 112): s. 12 (deductions), s. 12B (net chargeable income),
s. 13 (progressive rates of Schedule 2, limited to the standard rate on net income),
Schedule 4 (allowances); the year's one-off reduction from the Budget. Rounding: the tax after
the reduction is rounded down to the dollar (DIPN 18, Example 2: 942.50 shown as 942).

Amounts are int64 units (1/10,000 HK$); the year of assessment begins on 1 April of the tax year.
"""

from __future__ import annotations

import numpy as np

from .money import BP, UNIT
from .params import Bands, HongKongParams

DOLLAR_RAW = UNIT * BP   # rate x units -> dollars


def banded_tax_raw(amount, b: Bands):
    """Sum over bands of rate x the part of ``amount`` (>= 0) in the band, in units x bp:
    the tax below the amount's band plus the band's rate on the rest."""
    i = np.searchsorted(b.lowers, amount, side="right") - 1
    return b.cum[i] + (amount - b.lowers[i]) * b.rates[i]


def default_mpf(income, p: HongKongParams):
    """Employee mandatory contributions: 5% of relevant income, none below HK$7,100 a month,
    at most HK$1,500 a month; income taken as earned evenly over 12 months."""
    contribution = np.minimum(income * p.mpf_rate // BP, 12 * p.mpf_max_monthly)
    return np.where(income < 12 * p.mpf_min_monthly, 0, contribution)


def employer_mpf(income, p: HongKongParams):
    """The employer's mandatory contributions (Cap. 485 s. 7A): the employer's rate of relevant
    income, at most the same HK$1,500 a month, and also below the minimum level that exempts the
    employee; income taken as earned evenly over 12 months. Units, rounded down."""
    return np.minimum(income * p.mpf_employer_rate // BP, 12 * p.mpf_max_monthly)


def allowances(c, p: HongKongParams, married=None, children=None):
    married = c["hk_married"] if married is None else married
    children = c["hk_children"] if children is None else children
    personal = np.where(married, p.married, p.basic)
    return {
        "hk_allow_personal": personal,
        "hk_allow_children": children * p.child + c["hk_newborns"] * p.newborn,
        "hk_allow_parents": (c["hk_parents_60"] * p.parent60 + c["hk_parents_60_living_with"] * p.parent60_add
                             + c["hk_parents_55"] * p.parent55 + c["hk_parents_55_living_with"] * p.parent55_add),
        "hk_allow_other": (np.where(c["hk_single_parent"], p.single_parent, 0)
                           + c["hk_disabled_dependants"] * p.disabled_dependant
                           + np.where(c["hk_disability"], p.personal_disability, 0)
                           + c["hk_siblings"] * p.sibling),
    }


def salaries_tax(income, mpf, deductions, allowance_total, p: HongKongParams, apply_reduction: bool = True):
    """Net income, net chargeable income, the lower of progressive and standard rate tax,
    the one-off reduction. Returns a dict; ``tax`` and ``reduction`` are whole dollars."""
    net_income = np.maximum(income - mpf - deductions, 0)
    nci = np.maximum(net_income - allowance_total, 0)
    progressive = banded_tax_raw(nci, p.progressive)
    standard = banded_tax_raw(net_income, p.standard)
    standard_used = standard < progressive
    before = np.minimum(progressive, standard) // DOLLAR_RAW          # whole dollars, rounded down
    if apply_reduction:
        cut = np.minimum(before * p.reduction_rate, p.reduction_cap)   # dollars x bp (cap is units = dollars x 1e4)
        tax = (before * BP - cut) // BP
    else:
        tax = before
    return {"net_income": net_income, "nci": nci, "progressive_raw": progressive, "standard_raw": standard,
            "standard_used": standard_used, "tax_before": before, "tax": tax, "reduction": before - tax}
