"""Mainland individual income tax (个人所得税) on columns.

Law: 中华人民共和国个人所得税法 (2018 amendment), Art. 2, 3 and 6; implementing regulations
(国务院令第707号); special additional deductions 国发〔2018〕41号 as amended by 国发〔2022〕8号
and 国发〔2023〕13号; annual one-off bonus 财税〔2018〕164号 → 2021年第42号 → 2023年第30号;
non-residents 财政部 税务总局公告2019年第35号; withholding 国家税务总局公告2018年第61号.

All amounts are int64 units (1/10,000 yuan) unless the name ends in ``_fen``.
"""

from __future__ import annotations

import numpy as np

from .columns import Columns
from .money import BP, FEN, UNIT, Column, count_edges, half_up_div
from .params import Brackets, MainlandParams

SUB = UNIT * BP // FEN      # rate x units -> fen divisor (1e6)


def quick_deduction_tax_fen(taxable: Column, table: Brackets, periods: int = 1,
                            quick_times: int = 1) -> tuple[Column, Column]:
    """Tax by the quick-deduction formula, to the fen, half up.

    ``taxable`` is ``periods`` times the per-period taxable amount: the bracket is found by
    comparing it with ``periods`` x the table's thresholds (so bonus/12 needs no division).
    The tax is ``taxable x rate - quick_times x quick deduction``.
    Returns (tax_fen, bracket_index).
    """
    i = count_edges(table.uppers * periods, taxable, inclusive=False)
    raw = taxable * table.rates[i] - table.quick[i] * (quick_times * BP)
    return half_up_div(raw, SUB), i


def monthly_tax_fen(annual_taxable: Column, table: Brackets, months: int = 12) -> tuple[Column, Column]:
    """``months`` x the monthly-table tax on annual_taxable / months, each month rounded to the fen."""
    i = count_edges(table.uppers * months, annual_taxable, inclusive=False)
    raw = annual_taxable * table.rates[i] - table.quick[i] * (months * BP)   # months x monthly tax
    return half_up_div(raw, SUB * months) * months, i


def income_amounts(c: Columns, p: MainlandParams) -> tuple[Column, Column, Column, Column]:
    """收入额: wages in full (less the foreign individuals' exempt allowances, in the years that
    allow them), 80% of labour and royalties, 56% of author's."""
    wages = (c["wages"] - c["exempt_allowances"]) * FEN if p.foreign_allowances else c["wages"] * FEN
    labour = c["labour"] * p.pct_labour      # fen x percent = units
    author = c["author"] * p.pct_author
    royalty = c["royalty"] * p.pct_royalty
    return wages, labour, author, royalty


def special_additional_deductions(c: Columns, p: MainlandParams) -> dict[str, Column]:
    """专项附加扣除 from the details, a full year at the year's monthly amounts (国发〔2018〕41号)."""
    share = np.where(c["sad_child_share"] == 0, 100, 50)
    children = c["sad_children"] * p.children_m * 12 * share // 100
    infants = c["sad_infants"] * p.infant_m * 12 * share // 100
    # choices index small tables of the year's amounts (codes as in taxcalc.scenario)
    shared_m = np.where(c["sad_elderly_share"] >= 0, np.minimum(c["sad_elderly_share"] * FEN, p.elderly_shared_cap_m),
                        p.elderly_shared_cap_m)
    elderly = np.where(c["sad_elderly"] == 2, shared_m * 12, p.elderly_year[c["sad_elderly"]])
    housing = p.housing_year[c["sad_housing"]]
    education = p.education_year[c["sad_continuing_education"]]
    illness = np.minimum(np.maximum(c["sad_medical_costs"] * FEN - p.illness_threshold, 0), p.illness_cap)
    total = children + infants + elderly + housing + education + illness
    return {"sad_children": children, "sad_infants": infants, "sad_elderly": elderly, "sad_housing": housing,
            "sad_education": education, "sad_illness": illness, "sad_total": total}


def resident(c: Columns, p: MainlandParams, bonus_method: Column) -> dict[str, Column]:
    """Residents' comprehensive income (综合所得), annual table; the bonus separate, combined or best.

    ``bonus_method``: int8 codes 0 best, 1 separate, 2 combined.
    """
    wages, labour, author, royalty = income_amounts(c, p)
    comprehensive = wages + labour + author + royalty
    sad = special_additional_deductions(c, p)
    additional = c["additional_deductions"] * FEN + sad["sad_total"]
    pension = np.where(p.pension_zone[c["zone"]], np.minimum(c["private_pension"] * FEN, p.pension_cap), 0)
    health = np.minimum(c["health_insurance"] * FEN, p.health_cap)
    other = c["other_deductions"] * FEN + pension + health
    social = c["social_insurance"] * FEN
    deductions = p.basic_annual + social + additional + other
    bonus = c["bonus"] * FEN

    taxable_apart = np.maximum(comprehensive - deductions, 0)
    tax_apart, br_apart = quick_deduction_tax_fen(taxable_apart, p.annual)
    bonus_tax, br_bonus = quick_deduction_tax_fen(bonus, p.monthly, periods=12)
    taxable_merged = np.maximum(comprehensive + bonus - deductions, 0)
    tax_merged, br_merged = quick_deduction_tax_fen(taxable_merged, p.annual)

    separate_total = tax_apart + bonus_tax
    allowed = p.bonus_separate & (bonus > 0)
    use_separate = allowed & ((bonus_method == 1) | ((bonus_method == 0) & (separate_total < tax_merged)))

    cliff, cliff_floor, cliff_loss = bonus_cliff(bonus, bonus_tax, br_bonus, p.monthly, 12, 1)

    return {
        "ml_wages": wages, "ml_labour": labour, "ml_author": author, "ml_royalty": royalty,
        "ml_income_amounts": comprehensive, "ml_comprehensive": comprehensive, "ml_basic": np.full_like(wages, p.basic_annual),
        "ml_social": social, "ml_additional": additional, "ml_other": other, "ml_pension": pension,
        "ml_health": health, "ml_deductions": deductions, **{f"ml_{k}": v for k, v in sad.items()},
        "ml_taxable_apart": taxable_apart, "ml_tax_apart_fen": tax_apart, "ml_bracket_apart": br_apart,
        "ml_bonus_tax_fen": bonus_tax, "ml_bracket_bonus": br_bonus,
        "ml_taxable_merged": taxable_merged, "ml_tax_merged_fen": tax_merged, "ml_bracket_merged": br_merged,
        "ml_separate_total_fen": separate_total, "ml_bonus_allowed": allowed | (bonus == 0),
        "use_separate": use_separate,
        "iit_taxable": np.where(use_separate, taxable_apart, taxable_merged),
        "iit_fen": np.where(use_separate, separate_total, tax_merged),
        # categories for the zones' 15% rule: comprehensive income, and the bonus when taxed apart
        "cat_comp_tax_fen": np.where(use_separate, tax_apart, tax_merged),
        "cat_comp_taxable": np.where(use_separate, taxable_apart, taxable_merged),
        "cat_bonus_tax_fen": np.where(use_separate, bonus_tax, 0),
        "cat_bonus_taxable": np.where(use_separate, bonus, 0),
        "bonus_cliff": cliff & use_separate, "ml_cliff_floor": cliff_floor, "ml_cliff_loss_fen": cliff_loss,
    }


def bonus_cliff(bonus: Column, bonus_tax_fen: Column, bracket: Column, table: Brackets, periods: int,
                quick_times: int) -> tuple[Column, Column, Column]:
    """A bonus just above a threshold that leaves less after tax than the threshold itself.

    The threshold below a bonus in bracket k is ``periods`` x the upper limit of bracket k-1, where
    bracket k-1 still applies. Returns (in_cliff, threshold_units, loss_fen): the loss is what the
    person would keep by taking the threshold instead.
    """
    prev = np.maximum(bracket - 1, 0)
    floor = table.uppers[np.minimum(prev, len(table.uppers) - 1)] * periods
    floor_tax = half_up_div(floor * table.rates[prev] - table.quick[prev] * (quick_times * BP), SUB)
    loss = (floor // FEN - floor_tax) - (bonus // FEN - bonus_tax_fen)
    in_cliff = (bracket > 0) & (loss > 0)
    return in_cliff, np.where(in_cliff, floor, 0), np.where(in_cliff, loss, 0)


def nonresident(c: Columns, p: MainlandParams) -> dict[str, Column]:
    """Non-residents (2019年第35号): wages as paid evenly over 12 months, 12 x the monthly-table tax
    on (wages/12 - 5,000); labour, author's and royalties as 12 equal monthly payments with no
    deduction; the bonus by the six-month rule, 6 x (bonus/6 x rate - quick deduction)."""
    wages, labour, author, royalty = income_amounts(c, p)
    taxable_wages = np.maximum(wages - 12 * p.basic_monthly_nr, 0)
    tax_wages, br_w = monthly_tax_fen(taxable_wages, p.monthly, 12)
    tax_labour, _ = monthly_tax_fen(labour, p.monthly, 12)
    tax_author, _ = monthly_tax_fen(author, p.monthly, 12)
    tax_royalty, _ = monthly_tax_fen(royalty, p.monthly, 12)
    bonus = c["bonus"] * FEN
    m = p.nr_bonus_months
    bonus_tax, br_b = quick_deduction_tax_fen(bonus, p.monthly, periods=m, quick_times=m)
    cliff, cliff_floor, cliff_loss = bonus_cliff(bonus, bonus_tax, br_b, p.monthly, m, m)
    comp_tax = tax_wages + tax_labour + tax_author + tax_royalty
    taxable = taxable_wages + labour + author + royalty
    return {
        "ml_wages": wages, "ml_labour": labour, "ml_author": author, "ml_royalty": royalty,
        "ml_income_amounts": wages + labour + author + royalty,
        "nr_taxable_wages": taxable_wages, "nr_tax_wages_fen": tax_wages, "nr_bracket_wages": br_w,
        "nr_tax_labour_fen": tax_labour, "nr_tax_author_fen": tax_author, "nr_tax_royalty_fen": tax_royalty,
        "ml_bonus_tax_fen": bonus_tax, "ml_bracket_bonus": br_b,
        "iit_taxable": taxable, "iit_fen": comp_tax + bonus_tax,
        "use_separate": bonus > 0,
        "cat_comp_tax_fen": comp_tax, "cat_comp_taxable": taxable,
        "cat_bonus_tax_fen": bonus_tax, "cat_bonus_taxable": bonus,
        "bonus_cliff": cliff, "ml_cliff_floor": cliff_floor, "ml_cliff_loss_fen": cliff_loss,
    }


def withholding_schedule(monthly_wage_units: int, monthly_social: int, monthly_additional: int,
                         monthly_other: int, p: MainlandParams,
                         months: int = 12) -> tuple[Column, Column, Column, Column, Column]:
    """累计预扣法 (61号 Art. 6): each month's withholding on the year-to-date figures.

    Returns rows of (month, cumulative income, cumulative taxable, cumulative tax, withheld).
    A negative month withholds nothing; reconciliation settles the rest.
    """
    m = np.arange(1, months + 1, dtype=np.int64)
    cum_income = monthly_wage_units * m
    cum_taxable = np.maximum(cum_income - (p.basic_annual // 12 + monthly_social + monthly_additional + monthly_other) * m, 0)
    cum_tax, _ = quick_deduction_tax_fen(cum_taxable, p.annual)
    withheld = np.zeros(months, dtype=np.int64)
    paid = 0
    for k in range(months):
        due = int(cum_tax[k]) - paid
        w = max(due, 0)
        withheld[k] = w
        paid += w
    return m, cum_income, cum_taxable, cum_tax, withheld
