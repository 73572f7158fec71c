"""An independent scalar reference in Decimal, written from the statutes, for cross-checks.

It shares no code with the engine: the annual and monthly tables are applied as *bands* (the
sum of each slice times its rate) rather than by the quick-deduction formula, values come from the
table files read here, and rounding uses Decimal's quantize. Property tests compare it with the
engine on random scenarios.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP
from decimal import Decimal as D

FEN = D("0.01")
ONE = D(1)


def fen(x: D) -> D:
    return x.quantize(FEN, rounding=ROUND_HALF_UP)


def band_tax(amount: D, uppers: list[D], rates: list[D]) -> D:
    """Banded tax: each slice between thresholds at its own rate."""
    tax, lower = D(0), D(0)
    for k, rate in enumerate(rates):
        upper = uppers[k] if k < len(uppers) else None
        top = amount if upper is None else min(amount, upper)
        if top > lower:
            tax += (top - lower) * rate
        if upper is None or amount <= upper:
            break
        lower = upper
    return tax


def bracket_rate_by(amount: D, uppers: list[D], rates: list[D], quick: list[D]):
    for k, u in enumerate(uppers):
        if amount <= u:
            return rates[k], quick[k]
    return rates[-1], quick[-1]


class Ref:
    def __init__(self, tables, year: int):
        t = tables.mainland[year]
        self.t = t
        self.a_up = [b.upto for b in t.annual_table.brackets[:-1]]
        self.a_rt = [b.rate for b in t.annual_table.brackets]
        self.m_up = [b.upto for b in t.monthly_table.brackets[:-1]]
        self.m_rt = [b.rate for b in t.monthly_table.brackets]
        self.m_qd = [b.quick_deduction for b in t.monthly_table.brackets]

    def annual(self, taxable: D) -> D:
        return fen(band_tax(max(taxable, D(0)), self.a_up, self.a_rt))

    def resident(self, s: dict) -> dict:
        t = self.t
        r = t.income_ratios
        comp = (D(s.get("wages", 0)) + D(s.get("labour", 0)) * r.labour.value
                + D(s.get("author", 0)) * r.author.value + D(s.get("royalty", 0)) * r.royalty.value)
        ded = (t.deductions.basic_annual.value + D(s.get("social_insurance", 0))
               + D(s.get("additional_deductions", 0)) + D(s.get("other_deductions", 0)))
        bonus = D(s.get("bonus", 0))
        apart = max(comp - ded, D(0))
        rate, qd = bracket_rate_by(bonus / 12, self.m_up, self.m_rt, self.m_qd)
        bonus_tax = fen(bonus * rate - qd)
        sep = self.annual(apart) + bonus_tax
        merged = self.annual(comp + bonus - ded)
        method = s.get("bonus_method", "best")
        use_sep = bonus > 0 and (method == "separate" or (method == "best" and sep < merged))
        return {"iit": sep if use_sep else merged, "taxable": apart if use_sep else max(comp + bonus - ded, D(0)),
                "use_separate": use_sep, "bonus_tax": bonus_tax, "apart_tax": self.annual(apart)}

    def nonresident(self, s: dict) -> D:
        """Each month's tax on a twelfth of the year, rounded to the fen, times 12; the bonus as
        6 x (bonus/6 x rate - quick deduction). Bands are scaled rather than amounts divided, so
        no inexact division enters before the rounding."""
        t = self.t
        r = t.income_ratios
        up12 = [12 * u for u in self.m_up]
        year_wage = D(s.get("wages", 0)) - 12 * t.deductions.basic_monthly_nonresident.value
        total = D(0)
        for annual in (max(year_wage, D(0)), D(s.get("labour", 0)) * r.labour.value,
                       D(s.get("author", 0)) * r.author.value, D(s.get("royalty", 0)) * r.royalty.value):
            total += 12 * fen(band_tax(annual, up12, self.m_rt) / 12)
        bonus = D(s.get("bonus", 0))
        if bonus:
            total += fen(band_tax(bonus, [6 * u for u in self.m_up], self.m_rt))
        return total


def hk_tax(tables, year: int, income: D, mpf: D, deductions: D, allowances: D, reduction: bool = True) -> tuple[D, D]:
    h = tables.hongkong[year]
    ni = max(income - mpf - deductions, D(0))
    nci = max(ni - allowances, D(0))
    widths = [b.width for b in h.progressive.bands[:-1]]
    uppers = [sum(widths[: k + 1]) for k in range(len(widths))]
    prog = band_tax(nci, uppers, [b.rate for b in h.progressive.bands])
    sw = [b.width for b in h.standard_rate.bands[:-1]]
    std = band_tax(ni, [sum(sw[: k + 1]) for k in range(len(sw))], [b.rate for b in h.standard_rate.bands])
    before = min(prog, std).quantize(ONE, rounding=ROUND_FLOOR)
    if not reduction:
        return before, D(0)
    cut = min(before * h.reduction.rate.value, h.reduction.cap.value)
    after = (before - cut).quantize(ONE, rounding=ROUND_FLOOR)
    return after, before - after


def hk_standard_rate_tax(tables, year: int, net_income: D) -> D:
    h = tables.hongkong[year]
    sw = [b.width for b in h.standard_rate.bands[:-1]]
    std = band_tax(net_income, [sum(sw[: k + 1]) for k in range(len(sw))], [b.rate for b in h.standard_rate.bands])
    return std.quantize(ONE, rounding=ROUND_FLOOR)


def hk_default_mpf(tables, year: int, income: D) -> D:
    m = tables.hongkong[year].mpf
    if income / 12 < m.min_monthly_income.value:
        return D(0)
    return min(fen(income * m.employee_rate.value), 12 * m.max_monthly_contribution.value, m.deduction_cap.value)


def macao_tax(tables, year: int, income_mop: D) -> D:
    p = tables.macao[year].professional_tax
    taxable = income_mop * (1 - p.fixed_deduction.value)
    bands = tables.macao[year].bands.bands
    widths = [b.width for b in bands[:-1]]
    above = max(taxable - p.exemption.value, D(0))
    table = band_tax(above, [sum(widths[: k + 1]) for k in range(len(widths))], [b.rate for b in bands])
    return (table * (1 - p.reduction.value)).quantize(ONE, rounding=ROUND_CEILING)


def macao_refund(tables, year: int, tax: D) -> D:
    """The resident's refund of ``year``'s tax: the rate and cap of the budget law two years later
    (the nearest tabled year when that one is not tabled), rounded down, capped."""
    law = year + 2
    if law not in tables.macao:
        earlier = [y for y in tables.macao if y <= law]
        law = max(earlier) if earlier else min(tables.macao)
    p = tables.macao[law].professional_tax
    return min((tax * p.refund_rate.value).quantize(ONE, rounding=ROUND_FLOOR), p.refund_cap.value)
