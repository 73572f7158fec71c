"""Hong Kong Salaries Tax (薪俸稅) on columns.

Inland Revenue Ordinance (Cap. 112): s. 12 (deductions), s. 12B (net chargeable income),
s. 13 (progressive rates of Schedule 2, limited to the standard rate on net income),
Schedule 4 (allowances); the year's one-off reduction from the Budget. Rounding: the tax after
the reduction is rounded down to the dollar (DIPN 18, Example 2: 942.50 shown as 942).

Concessionary deductions (IRO s. 12(1)(e) self-education, s. 26C-26J: elderly residential care s. 26D,
home loan interest s. 26E, domestic rents, VHIS, deferred annuities and MPF voluntary contributions;
approved charitable donations s. 12(1)(c) and s. 16D), each capped by the year's table. Married
couples (s. 10: joint assessment on election): separate taxation, each spouse with the basic
allowance (the married person's allowance when the spouse has no income), or joint assessment,
the couple's incomes and deductions aggregated, the married person's allowance, the lower of
progressive and standard rate on the combined net income, one reduction cap for the couple.

Amounts are int64 units (1/10,000 HK$); the year of assessment begins on 1 April of the tax year.
"""

from __future__ import annotations

from typing import TypedDict

import numpy as np

from .columns import Columns
from .money import BP, UNIT, Column, count_edges
from .params import Bands, HongKongParams

DOLLAR_RAW = UNIT * BP   # rate x units -> dollars


def banded_tax_raw(amount: Column, b: Bands) -> Column:
    """Sum over bands of rate x the part of ``amount`` (>= 0) in the band, in units x bp:
    the tax below the amount's band plus the band's rate on the rest."""
    i = count_edges(b.lowers, amount, inclusive=True) - 1
    tax: Column = b.cum[i] + (amount - b.lowers[i]) * b.rates[i]
    return tax


def default_mpf(income: Column, p: HongKongParams) -> Column:
    """Employee mandatory contributions: 5% of relevant income, none below HK$7,100 a month,
    at most HK$1,500 a month; income taken as earned evenly over 12 months."""
    contribution = np.minimum(income * p.mpf_rate // BP, 12 * p.mpf_max_monthly)
    return np.where(income < 12 * p.mpf_min_monthly, 0, contribution)


def employer_mpf(income: Column, p: HongKongParams) -> Column:
    """The employer's mandatory contributions (Cap. 485 s. 7A): the employer's rate of relevant
    income, at most the same HK$1,500 a month, and also below the minimum level that exempts the
    employee; income taken as earned evenly over 12 months. Units, rounded down."""
    contribution: Column = np.minimum(income * p.mpf_employer_rate // BP, 12 * p.mpf_max_monthly)
    return contribution


def allowances(c: Columns, p: HongKongParams, married: Column | None = None,
               children: Column | None = None) -> dict[str, Column]:
    """The allowances of Schedule 4 from the family columns (``married``: the married person's
    allowance instead of the basic one). The additional child allowance: each child born in the
    year, and each born the year before where the year's table gives it a second year."""
    married = c["hk_married"] if married is None else married
    children = c["hk_children"] if children is None else children
    personal = np.where(married, p.married, p.basic)
    newborns = c["hk_newborns"] + (c["hk_born_last_year"] if p.newborn_second_year else 0)
    return {
        "hk_allow_personal": personal,
        "hk_allow_children": children * p.child + newborns * p.newborn,
        "hk_allow_parents": (c["hk_parents_60"] * p.parent60 + c["hk_parents_60_living_with"] * p.parent60_add
                             + c["hk_parents_55"] * p.parent55 + c["hk_parents_55_living_with"] * p.parent55_add),
        "hk_allow_other": (np.where(c["hk_single_parent"], p.single_parent, 0)
                           + c["hk_disabled_dependants"] * p.disabled_dependant
                           + np.where(c["hk_disability"], p.personal_disability, 0)
                           + c["hk_siblings"] * p.sibling),
    }


def salaries_tax(income: Column, mpf: Column | int, deductions: Column, allowance_total: Column | int, p: HongKongParams,
                 apply_reduction: bool = True) -> dict[str, Column]:
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


#: the itemised claims: input column, result key
CLAIMS = (("hk_home_loan_interest", "hli"), ("hk_rent", "rent"), ("hk_elderly_care", "elderly"),
          ("hk_self_education", "education"), ("hk_vhis_premiums", "vhis"), ("hk_annuity_tvc", "annuity"),
          ("hk_donations", "donations"))


def deductions(c: Columns, p: HongKongParams, income: Column) -> dict[str, Column]:
    """Each concessionary deduction at most the year's cap, in units; ``total`` adds them and
    ``hk_deductions`` (allowed as given). ``cap_*`` are the ceilings that applied.

    Home loan interest and domestic rent: each at most its ceiling, both together at most the
    common ceiling (docs/assumptions.md H9); each ceiling raised by the additional deduction when
    the person lives with a child born on or after 25 October 2023 (a child born in the year
    counts). Elderly care and VHIS: per person (at least one when claimed). Donations: counted
    from the year's minimum, at most the year's rate of (assessable income less hk_deductions)."""
    given = {key: c[col] * 100 for col, key in CLAIMS}                    # cents -> units
    zero = given["hli"] * 0
    extra = np.where(c["hk_lives_with_newborn"] | (c["hk_newborns"] > 0), p.newborn_home, 0)
    cap = {
        "hli": p.home_loan_interest + extra,
        "rent": (p.domestic_rent + extra) if p.domestic_rent >= 0 else zero,
        "elderly": p.elderly_care * np.maximum(c["hk_elderly_care_persons"], 1),
        "education": p.self_education + zero,
        "vhis": p.vhis_per_insured * np.maximum(c["hk_vhis_insured"], 1),
        "annuity": p.annuity_tvc + zero,
    }
    other = c["hk_deductions"] * 100
    counted = np.where(given["donations"] >= p.donations_min, given["donations"], 0)
    cap["donations"] = np.maximum(income - other, 0) * p.donations_rate // BP     # < 2**63: income <= 1e14 units
    allowed = {k: np.minimum(given[k], cap[k]) for k in cap}
    allowed["donations"] = np.minimum(counted, cap["donations"])
    home = allowed["hli"] + allowed["rent"]
    if p.home_loan_and_rent >= 0:
        cap["home"] = p.home_loan_and_rent + extra
        home = np.minimum(home, cap["home"])
    else:
        cap["home"] = cap["hli"] + cap["rent"]
    total = home + other + sum(allowed[k] for k in ("elderly", "education", "vhis", "annuity", "donations"))
    out = {f"ded_{k}": v for k, v in allowed.items()}
    out.update({f"cap_{k}": v + zero for k, v in cap.items()})
    out.update({"ded_home": home, "ded_other": other, "ded_total": total})
    return out


def share(amount: Column, part: Column, whole: Column) -> Column:
    """``amount`` (whole dollars) x part / whole, rounded down; 0 where whole is 0. part and whole
    are net incomes in whole dollars (the engine runs rows whose product could pass 2**63 on
    Python integers)."""
    return np.where(whole > 0, amount * part // np.maximum(whole, 1), 0)


class Household(TypedDict):
    """What :func:`household` returns: the person's figures under the assessment used, the three
    assessments (``sep``: the person under separate taxation, ``spouse``, ``joint``) and the couple's."""

    has_spouse: Column
    use_joint: Column
    allow_personal_sep: Column
    sep: dict[str, Column]
    spouse: dict[str, Column]
    joint: dict[str, Column]
    tax: Column
    tax_before: Column
    reduction: Column
    spouse_tax: Column
    household_tax: Column
    household_reduction: Column
    used: Column
    mine_dollars: Column
    theirs_dollars: Column
    joint_allow: Column


def household(c: Columns, p: HongKongParams, person_income: Column, person_mpf: Column, person_deductions: Column,
              spouse_income: Column, spouse_mpf: Column, spouse_deductions: Column,
              allow: dict[str, Column], every_step: bool = True) -> Household:
    """The couple's Salaries Tax under separate taxation and joint assessment, and the one used.

    ``allow`` are the person's allowances with the married person's allowance (as
    :func:`allowances`). Separate: the person keeps the child and dependant allowances (docs/
    assumptions.md H6) with the basic allowance, or the married person's allowance when the spouse
    has no income; the spouse has the basic allowance. Joint: both incomes, MPF and deductions
    aggregated, the married person's allowance and the person's other allowances, one reduction.
    ``hk_assessment``: separate, joint, or best (joint only when it costs less, as the IRD does).

    Without ``every_step`` (figures only), rows where no one has a spouse with income skip the
    spouse's and the joint computation: every figure they feed is then the person's own (their
    columns are zeros, as the spouse's are for such rows anyway)."""
    from .scenario import HK_ASSESSMENT

    married = c["hk_married"]
    has_spouse = married & (spouse_income > 0)
    others = allow["hk_allow_children"] + allow["hk_allow_parents"] + allow["hk_allow_other"]
    personal = np.where(married & ~has_spouse, p.married, p.basic)
    sep = salaries_tax(person_income, person_mpf, person_deductions, personal + others, p)
    if not every_step and not has_spouse.any():
        zero = np.zeros(len(has_spouse), dtype=np.int64)
        sp = dict.fromkeys(sep, zero)
        return {
            "has_spouse": has_spouse, "use_joint": has_spouse, "allow_personal_sep": personal,
            "sep": sep, "spouse": sp, "joint": sp,
            "tax": sep["tax"], "tax_before": sep["tax_before"], "reduction": sep["reduction"],
            "spouse_tax": zero, "household_tax": sep["tax"], "household_reduction": sep["reduction"],
            "used": np.where(married, 1, 0).astype(np.int8),
            "mine_dollars": sep["net_income"] // UNIT, "theirs_dollars": zero, "joint_allow": p.married + others,
        }
    sp = salaries_tax(spouse_income, spouse_mpf, spouse_deductions, p.basic + spouse_income * 0, p)
    sp = {k: np.where(has_spouse, v, 0) for k, v in sp.items()}
    joint = salaries_tax(person_income + spouse_income, person_mpf + spouse_mpf,
                         person_deductions + spouse_deductions, p.married + others, p)
    sep_total = sep["tax"] + sp["tax"]
    ask = c["hk_assessment"]
    use_joint = has_spouse & ((ask == HK_ASSESSMENT.index("joint"))
                              | ((ask == HK_ASSESSMENT.index("best")) & (joint["tax"] < sep_total)))
    mine, theirs = sep["net_income"] // UNIT, sp["net_income"] // UNIT
    whole = mine + theirs
    tax_share = share(joint["tax"], mine, whole)
    before_share = share(joint["tax_before"], mine, whole)
    tax = np.where(use_joint, tax_share, sep["tax"])
    before = np.where(use_joint, before_share, sep["tax_before"])
    return {
        "has_spouse": has_spouse, "use_joint": use_joint, "allow_personal_sep": personal,
        "sep": sep, "spouse": sp, "joint": joint,
        "tax": tax, "tax_before": before, "reduction": before - tax,
        "spouse_tax": np.where(use_joint, joint["tax"] - tax_share, sp["tax"]),
        "household_tax": np.where(use_joint, joint["tax"], sep_total),
        "household_reduction": np.where(use_joint, joint["reduction"], sep["reduction"] + sp["reduction"]),
        "used": np.where(use_joint, 2, np.where(married, 1, 0)).astype(np.int8),
        "mine_dollars": mine, "theirs_dollars": theirs, "joint_allow": p.married + others,
    }
