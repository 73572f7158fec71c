"""The registry of figures: every figure the engine publishes, declared once.

A figure has a name (the batch column, the Result attribute, the JSON key, the compare row), one
unit (``CNY``, ``HKD``, ``MOP``, ``rate`` (a ratio, shown as a percentage), ``fx`` (an exchange
rate: CNY per HK$ or per MOP), ``year``, ``text`` or ``bool``), the digits it keeps,
the rounding rule that produced it, and its meaning. The Python API's :class:`~taxcalc.api.Result`,
the batch output, ``calc --json``, compare, break-even, the terminal UI and the exports are all
generated from :data:`FIGURES`; a face formats a figure, it never computes one.

The engine (:mod:`taxcalc.engine`) stores each figure as an integer column: money in minor units
(10**-decimals of the currency: fen, cents, avos; whole dollars where ``decimals`` is 0), rates in
millionths, years as integers (0: none), text as a code into the figure's vocabulary, bools as
bools. :func:`python_value` turns one stored value into the value the API shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from types import UnionType
from typing import Literal, SupportsInt

from .i18n import N_

Unit = Literal["CNY", "HKD", "MOP", "rate", "fx", "year", "text", "bool"]
#: a figure's value as the API shows it (:func:`python_value`)
Value = Decimal | int | bool | str | None
MONEY_UNITS = ("CNY", "HKD", "MOP")

HALF_UP = "half up"
DOWN_DOLLAR = "down to the dollar"
UP_PATACA = "up to the pataca"
EXACT = "exact (sum or difference of figures)"


@dataclass(frozen=True)
class Figure:
    name: str
    unit: Unit
    label: str                 # a short label (message id, translated by the faces)
    meaning: str               # what it is, for docs and --help (English)
    decimals: int = 2          # money: 2 (fen, cent, avo) or 0 (whole dollars / patacas); rates: 6
    rounding: str = HALF_UP    # how the engine rounds it
    group: str = "mainland"    # mainland, hongkong, macao, zone, gap, fx

    @property
    def is_money(self) -> bool:
        return self.unit in MONEY_UNITS

    @property
    def is_number(self) -> bool:
        return self.unit in MONEY_UNITS or self.unit in ("rate", "fx")

    @property
    def scale(self) -> int:
        """Stored integer per unit of the figure: 100 for fen, 1 for whole dollars, 10**6 for rates."""
        scale: int = 10 ** self.decimals
        return scale


def _cny(name: str, label: str, meaning: str, group: str = "mainland", rounding: str = HALF_UP) -> Figure:
    return Figure(name, "CNY", label, meaning, 2, rounding, group)


def _rate(name: str, label: str, meaning: str, group: str = "mainland") -> Figure:
    return Figure(name, "rate", label, meaning, 6, HALF_UP, group)


FIGURES: tuple[Figure, ...] = (
    # -- the mainland
    _cny("gross_income", N_("Gross income"), "wages + bonus + labour + author's + royalties, before any deduction (CNY)", rounding=EXACT),
    _cny("iit_taxable", N_("Taxable income"),
         "residents: taxable comprehensive income (without a separately taxed bonus); non-residents: the monthly "
         "taxable amounts of the year summed (CNY, half up to the fen)"),
    _cny("iit", N_("IIT before relief"), "mainland individual income tax before any zone relief, including a separately taxed bonus (CNY, half up to the fen)"),
    Figure("bonus_method_used", "text", N_("Bonus taxed"), "separate or combined (the annual one-off bonus)", 0, "", "mainland"),
    Figure("bonus_cliff", "bool", N_("Bonus in a cliff"),
           "true when the bonus, taxed apart, lies just above a threshold: a smaller bonus would leave more after IIT, before any zone relief (taxcalc.summary judges it after the relief)", 0, "", "mainland"),
    _cny("bonus_cliff_threshold", N_("Better bonus"), "in a cliff: the threshold bonus that would leave more after tax; else 0 (CNY)"),
    _cny("bonus_cliff_loss", N_("Lost to the cliff"), "in a cliff: what the threshold bonus would leave more after IIT; else 0 (CNY)"),
    _cny("relief", N_("Zone relief"), "the zone relief chosen: the largest one the person qualifies for (CNY; a rate cap's share of taxable income half up to the fen)", "zone"),
    Figure("relief_policy", "text", N_("Relief policy"), "the policy id of the relief chosen, or none", 0, "", "zone"),
    Figure("relief_kind", "text", N_("Relief kind"), "exemption (less tax at the annual reconciliation), subsidy (cash paid later), or none", 0, "", "zone"),
    Figure("relief_paid_in", "year", N_("Relief settled in"), "the year the relief is settled: the reconciliation (exemption) or the payment (subsidy); empty without a relief", 0, "", "zone"),
    Figure("relief_assumed_extended", "bool", N_("Policy assumed renewed"), "true when an expired policy was applied as if renewed (--assume-extended)", 0, "", "zone"),
    _cny("iit_net", N_("IIT after relief"), "iit - relief (CNY)", rounding=EXACT),
    _cny("income_after_iit", N_("Income after IIT"), "gross_income - iit_net: before social insurance and any other contribution (CNY)", rounding=EXACT),
    _rate("effective_rate_before_relief", N_("Effective rate before relief"), "iit / gross_income (6 decimals, half up; 0 without income)"),
    _rate("effective_rate_mainland", N_("Effective rate after relief"), "iit_net / gross_income (6 decimals, half up; 0 without income)"),
    # -- exchange rates
    Figure("cny_per_hkd_used", "fx", N_("CNY per HK$1"), "the exchange rate used: given, or the year's default in tables/fx.toml", 6, "as given", "fx"),
    Figure("cny_per_mop_used", "fx", N_("CNY per MOP 1"), "the exchange rate used: given, or cny_per_hkd / mop_per_hkd (6 decimals, half up, at least 0.000001)", 6, HALF_UP, "fx"),
    # -- the Hong Kong job
    Figure("hk_year_of_assessment", "text", N_("Year of assessment"), "the Hong Kong year of assessment used for hk_tax", 0, "", "hongkong"),
    Figure("hk_assessable_income", "HKD", N_("Assessable income"), "the Hong Kong job's assessable income: given, or gross_income / cny_per_hkd_used (HK$, half up to the cent)", 2, HALF_UP, "hongkong"),
    Figure("hk_assessable_income_cny", "CNY", N_("Assessable income in CNY"), "hk_assessable_income x cny_per_hkd_used (CNY, half up to the fen)", 2, HALF_UP, "hongkong"),
    Figure("hk_mpf_deducted", "HKD", N_("MPF deducted"), "mandatory MPF contributions deducted: given or the default, at most the year's cap (HK$)", 2, HALF_UP, "hongkong"),
    Figure("hk_deductions_allowed", "HKD", N_("Other deductions allowed"), "deductions other than MPF: each itemised claim at most the year's cap (home loan interest and rent, elderly care, self-education, VHIS, annuity and TVC, donations), plus hk_deductions as given (HK$, half up to the cent)", 2, HALF_UP, "hongkong"),
    Figure("hk_assessment_used", "text", N_("Assessment used"), "single (not married), separate (each spouse alone; the married person's allowance when the spouse has no income) or joint (the couple's incomes aggregated)", 0, "", "hongkong"),
    Figure("hk_tax_before_reduction", "HKD", N_("Salaries Tax before the reduction"), "the lower of progressive and standard-rate tax (HK$, down to the dollar); under joint assessment the person's share of the couple's, as hk_tax", 0, DOWN_DOLLAR, "hongkong"),
    Figure("hk_tax_reduction", "HKD", N_("One-off reduction"), "the year's one-off reduction applied: hk_tax_before_reduction - hk_tax (HK$)", 0, DOWN_DOLLAR, "hongkong"),
    Figure("hk_tax", "HKD", N_("Salaries Tax"), "Hong Kong Salaries Tax on hk_assessable_income after the one-off reduction (HK$, down to the dollar); under joint assessment the person's share of hk_tax_household, by net income in whole dollars, rounded down (docs/assumptions.md H6)", 0, DOWN_DOLLAR, "hongkong"),
    Figure("hk_tax_spouse", "HKD", N_("Spouse's Salaries Tax"), "the spouse's Salaries Tax: alone under separate taxation, hk_tax_household - hk_tax under joint assessment; 0 without a spouse's income (HK$)", 0, DOWN_DOLLAR, "hongkong"),
    Figure("hk_tax_household", "HKD", N_("Household Salaries Tax"), "the couple's Salaries Tax after the one-off reduction under the assessment used: hk_tax + hk_tax_spouse (HK$)", 0, DOWN_DOLLAR, "hongkong"),
    Figure("hk_tax_household_reduction", "HKD", N_("Household one-off reduction"), "the one-off reductions in hk_tax_household: one cap for a joint assessment, one for each spouse under separate taxation (HK$)", 0, DOWN_DOLLAR, "hongkong"),
    Figure("hk_tax_cny", "CNY", N_("Salaries Tax in CNY"), "hk_tax x cny_per_hkd_used (CNY, half up to the fen)", 2, HALF_UP, "hongkong"),
    Figure("hk_income_after_tax", "HKD", N_("Income after Salaries Tax"), "hk_assessable_income - hk_tax: before MPF and any other contribution (HK$)", 2, EXACT, "hongkong"),
    Figure("hk_income_after_tax_cny", "CNY", N_("Income after Salaries Tax in CNY"), "hk_income_after_tax x cny_per_hkd_used (CNY, half up to the fen)", 2, HALF_UP, "hongkong"),
    _rate("effective_rate_hk", N_("Effective rate"), "hk_tax / hk_assessable_income (6 decimals, half up; 0 without income)", "hongkong"),
    # -- the gap against the Hong Kong job
    _cny("burden_gap_cny", N_("Tax: mainland − Hong Kong"), "iit_net - hk_tax_cny: what the mainland takes more (+) or less (−) than Hong Kong (CNY)", "gap", rounding=EXACT),
    _cny("income_gap_cny", N_("Income after tax: mainland − Hong Kong"), "income_after_iit - hk_income_after_tax_cny: what the mainland job leaves more (+) or less (−) after tax than the Hong Kong job (CNY)", "gap", rounding=EXACT),
    Figure("burden_gap_hkd", "HKD", N_("Tax: mainland − Hong Kong, in HK$"), "burden_gap_cny / cny_per_hkd_used (HK$, to the cent, half away from zero)", 2, HALF_UP, "gap"),
    # -- the burdens the zone measures compare with
    Figure("hk_burden", "HKD", N_("Hong Kong burden (zone rule)"), "HK Salaries Tax on gross_income in HK$ as the zone measures compute it (docs/assumptions.md Z1) (HK$, down to the dollar)", 0, DOWN_DOLLAR, "zone"),
    _cny("hk_burden_cny", N_("Hong Kong burden (zone rule) in CNY"), "hk_burden x cny_per_hkd_used: what the Hong Kong caps compare the IIT with (CNY)", "zone"),
    Figure("macao_income", "MOP", N_("Income in MOP"), "gross_income / cny_per_mop_used (MOP, half up to the avo)", 2, HALF_UP, "macao"),
    Figure("macao_tax", "MOP", N_("Professional Tax"), "Macao Professional Tax on macao_income after the year's reduction, before the refund (MOP, up to the pataca)", 0, UP_PATACA, "macao"),
    Figure("macao_refund", "MOP", N_("Resident's refund"), "the share of macao_tax a Macao resident gets back: the refund rate and cap of the budget law two years after the tax year (the latest tabled one when that law is not tabled) (MOP)", 0, "down to the pataca", "macao"),
    Figure("macao_burden", "MOP", N_("Macao burden (zone rule)"), "macao_tax less macao_refund (the default; --no-macao-refund keeps the refund): what the Macao caps compare with (MOP)", 0, UP_PATACA, "zone"),
    _cny("macao_burden_cny", N_("Macao burden (zone rule) in CNY"), "macao_burden x cny_per_mop_used (CNY)", "zone"),
    _cny("macao_tax_cny", N_("Professional Tax in CNY"), "macao_tax x cny_per_mop_used (CNY)", "macao"),
    _cny("burden_gap_macao_cny", N_("Tax: mainland − Macao"), "iit_net - macao_tax_cny: what the mainland takes more (+) or less (−) than Macao (CNY)", "gap", rounding=EXACT),
    # -- take-home pay and the employer's cost (both jobs)
    _cny("social_insurance_employee_cny", N_("Social insurance and housing fund, employee"),
         "the employee's social insurance and housing fund: social_insurance as given, or computed from wages + bonus "
         "with the city's tables (social_insurance_auto; each month and scheme half up to the fen); the IIT deduction "
         "(CNY)", rounding=EXACT),
    _cny("social_insurance_employer_cny", N_("Social insurance and housing fund, employer"),
         "the employer's social insurance and housing fund with social_insurance_auto (each month and scheme half up "
         "to the fen); 0 when social_insurance is given (CNY)", rounding=EXACT),
    _cny("take_home_cny", N_("Take-home pay"),
         "gross_income - iit_net - social_insurance_employee_cny: the zone relief is counted in the tax year although "
         "it is settled later (relief_paid_in; taxcalc plan shows the cash by year) (CNY)", rounding=EXACT),
    _cny("employer_cost_cny", N_("Employer's cost"),
         "wages + bonus + social_insurance_employer_cny: what the employer pays for the job (labour, author's and "
         "royalty income not included) (CNY)", rounding=EXACT),
    Figure("hk_take_home", "HKD", N_("Hong Kong take-home pay"),
           "hk_assessable_income - hk_tax - the employee's mandatory MPF contributions (given or the default, not "
           "capped by the deduction cap) (HK$)", 2, EXACT, "hongkong"),
    Figure("hk_take_home_cny", "CNY", N_("Hong Kong take-home pay in CNY"), "hk_take_home x cny_per_hkd_used (CNY, half up to "
           "the fen, half away from zero)", 2, HALF_UP, "hongkong"),
    Figure("hk_employer_cost", "HKD", N_("Hong Kong employer's cost"),
           "hk_assessable_income + the employer's mandatory MPF contributions (the year's employer rate, at most "
           "HK$1,500 a month, also below the minimum income level; rounded half up to the cent) (HK$)", 2, EXACT,
           "hongkong"),
    _cny("take_home_gap_cny", N_("Take-home pay: mainland − Hong Kong"),
         "take_home_cny - hk_take_home_cny: what the mainland job leaves more (+) or less (−) in hand than the Hong "
         "Kong job (CNY)", "gap", rounding=EXACT),
)

BY_NAME: dict[str, Figure] = {f.name: f for f in FIGURES}
NAMES: tuple[str, ...] = tuple(f.name for f in FIGURES)

#: the fixed vocabularies of text figures (relief_policy and hk_year_of_assessment come from the tables)
BONUS_METHOD_USED = ("combined", "separate")
RELIEF_KIND = ("none", "exemption", "subsidy")
HK_ASSESSMENT_USED = ("single", "separate", "joint")


def python_value(f: Figure, raw: SupportsInt, vocabulary: tuple[str, ...] | None = None) -> Value:
    """One stored value as the API shows it: Decimal money and rates (exact), int whole dollars,
    int or None years, bools, text."""
    if f.is_number:
        if f.decimals == 0:
            return int(raw)
        return (Decimal(int(raw)).scaleb(-f.decimals)).quantize(Decimal(1).scaleb(-f.decimals))
    if f.unit == "year":
        return int(raw) or None
    if f.unit == "bool":
        return bool(raw)
    assert vocabulary is not None, f.name
    return vocabulary[int(raw)]


def python_type(f: Figure) -> type | UnionType:
    if f.is_number:
        return int if f.decimals == 0 else Decimal
    types: dict[str, type | UnionType] = {"year": int | None, "bool": bool, "text": str}
    return types[f.unit]


GROUP_TITLES = {"mainland": "The mainland", "zone": "The zone relief and the burdens it compares with",
                "fx": "Exchange rates", "hongkong": "The Hong Kong job", "macao": "The Macao side",
                "gap": "The gaps"}


def markdown_table() -> str:
    """The registry as Markdown tables, by group (docs/figures.md holds this text; a test keeps it
    in sync)."""
    lines = []
    for group, title in GROUP_TITLES.items():
        lines += [f"### {title}", "", "| figure | unit | digits | rounding | meaning |", "|---|---|---|---|---|"]
        for f in FIGURES:
            if f.group == group:
                digits = str(f.decimals) if f.is_number else ""
                lines.append(f"| `{f.name}` | {f.unit} | {digits} | {f.rounding} | {f.meaning} |")
        lines.append("")
    return "\n".join(lines)
