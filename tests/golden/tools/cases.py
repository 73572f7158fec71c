"""Writes the year-by-year golden cases (tests/golden/*_years.toml, zones_policies.toml, fx.toml).

This script never reads ``tables/`` and imports nothing from ``taxcalc``: every amount below is
typed from the documents named next to it (as quoted in /work/shared/reference/tax-schedules.md
and zone-policies.md, or the documents they cite), and each case carries the arithmetic as a
``worked`` string. Run it only when the law changes, then review the diff of the .toml files by
hand: the .toml files are the golden data, this script is only a way to keep their arithmetic
consistent.

    python tests/golden/tools/cases.py            # rewrites the files in tests/golden/
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal as D
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent
FEN, ONE = D("0.01"), D(1)


def fen(x: D) -> D:
    return x.quantize(FEN, rounding=ROUND_HALF_UP)


def m(x) -> str:
    """Money for the worked strings: 36,001.00 (or 36,001 when whole and ``whole``)."""
    x = D(x)
    if x == x.to_integral_value():
        return f"{int(x):,}"
    return f"{x:,.2f}"


def ex(x) -> str:
    """An exact amount with all its decimals: 326,000.075."""
    x = D(x).normalize()
    return f"{x:,f}" if x != x.to_integral_value() else f"{int(x):,}"


def pct(r: D) -> str:
    return f"{(D(r) * 100).normalize():f}%"


# =============================================================== mainland (IIT law 2018 amendment)

LAW = "中华人民共和国个人所得税法 (2018 amendment, 主席令第九号)"
# Annex Table 1 (annual comprehensive income), tax-schedules.md A2, PwC Table I: (upper, rate, quick deduction)
ANNUAL = [(D(36000), D("0.03"), D(0)), (D(144000), D("0.10"), D(2520)), (D(300000), D("0.20"), D(16920)),
          (D(420000), D("0.25"), D(31920)), (D(660000), D("0.30"), D(52920)), (D(960000), D("0.35"), D(85920)),
          (None, D("0.45"), D(181920))]
# the monthly table (按月换算后的综合所得税率表), tax-schedules.md A3, PwC Table II
MONTHLY = [(D(3000), D("0.03"), D(0)), (D(12000), D("0.10"), D(210)), (D(25000), D("0.20"), D(1410)),
           (D(35000), D("0.25"), D(2660)), (D(55000), D("0.30"), D(4410)), (D(80000), D("0.35"), D(7160)),
           (None, D("0.45"), D(15160))]
BASIC = D(60000)          # Art. 6(1)(1)
NR_MONTHLY = D(5000)      # Art. 6(1)(2)
LABOUR, AUTHOR, ROYALTY = D("0.8"), D("0.56"), D("0.8")   # Art. 6: less 20%; author's a further 30% off
NR_BONUS_MONTHS = 6       # 财政部 税务总局公告2019年第35号 item 2(3)


def bracket(amount: D, table, periods: D = ONE):
    for k, (up, rate, qd) in enumerate(table):
        if up is None or amount <= up * periods:
            return k, rate, qd


@dataclass
class MainlandYear:
    year: int

    @property
    def new_sad(self) -> bool:            # 国发〔2023〕13号, effective 2023-01-01
        return self.year >= 2023

    @property
    def children(self) -> D:
        return D(2000) if self.new_sad else D(1000)

    @property
    def infant(self) -> D:                # 国发〔2022〕8号 from 2022-01-01, raised by 〔2023〕13号
        return D(2000) if self.new_sad else (D(1000) if self.year == 2022 else D(0))

    @property
    def elderly_only(self) -> D:
        return D(3000) if self.new_sad else D(2000)

    @property
    def elderly_cap(self) -> D:
        return D(1500) if self.new_sad else D(1000)

    loan = D(1000)
    rent = (D(1500), D(1100), D(800))
    degree = D(400)
    certificate = D(3600)
    illness_threshold, illness_cap = D(15000), D(80000)
    health_cap = D(2400)                   # 财税〔2017〕39号

    @property
    def pension_cap(self) -> D:            # 2022年第34号 (from 2022-01-01, pilot cities), 2024年第21号
        return D(12000) if self.year >= 2022 else D(0)

    @property
    def sad_docs(self) -> str:
        docs = "国发〔2018〕41号"
        if self.year == 2022:
            docs += ", 国发〔2022〕8号 (infant care from 2022-01-01)"
        if self.year >= 2023:
            docs += ", 国发〔2022〕8号, 国发〔2023〕13号 (raised amounts from 2023-01-01)"
        return docs

    @property
    def bonus_doc(self) -> str:
        if self.year <= 2021:
            return "财税〔2018〕164号 item 1 (bonus taxed apart to 2021-12-31)"
        if self.year <= 2023:
            return "财政部 税务总局公告2021年第42号 (bonus taxed apart to 2023-12-31)"
        return "财政部 税务总局公告2023年第30号 (bonus taxed apart to 2027-12-31)"

    @property
    def foreign_doc(self) -> str:
        if self.year <= 2021:
            return "财税〔2018〕164号 item 7 (to 2021-12-31)"
        if self.year <= 2023:
            return "财政部 税务总局公告2021年第43号 (to 2023-12-31)"
        return "财政部 税务总局公告2023年第29号 (to 2027-12-31)"

    @property
    def pension_doc(self) -> str:
        if self.year <= 2021:
            return "private pension: none before 财政部 税务总局公告2022年第34号 (from 2022)"
        if self.year <= 2023:
            return "private pension 12,000: 财政部 税务总局公告2022年第34号 (pilot cities: the zone none is taken as one, docs/assumptions.md M10)"
        return "private pension 12,000: 财政部 税务总局公告2024年第21号 (nationwide)"


def annual_tax(taxable: D) -> tuple[D, str]:
    k, rate, qd = bracket(taxable, ANNUAL)
    tax = fen(taxable * rate - qd)
    return tax, f"{m(taxable)} x {pct(rate)} - {m(qd)} = {m(tax)}"


def bonus_tax(bonus: D) -> tuple[D, str]:
    k, rate, qd = bracket(bonus, MONTHLY, D(12))
    tax = fen(bonus * rate - qd)
    return tax, (f"bonus {m(bonus)} taxed apart: {m(bonus)} / 12 = {m(fen(bonus / 12))} -> {pct(rate)} less {m(qd)}: "
                 f"{m(bonus)} x {pct(rate)} - {m(qd)} = {m(tax)}")


THRESHOLDS = [ANNUAL[k][0] for k in range(6)]


def mainland_cases() -> list[dict]:
    cases = []
    for year in range(2019, 2028):
        y = MainlandYear(year)
        src_common = (f"{LAW} Art. 6 and annexed Table 1 (tax-schedules.md A2, PwC Table I); monthly table for the bonus "
                      f"(A3, PwC Table II) by {y.bonus_doc}; special additional deductions {y.sad_docs} "
                      f"(tax-schedules.md A4); {y.pension_doc}; health insurance 2,400 财税〔2017〕39号")
        # seven resident cases: annual taxable and bonus in bracket k (at threshold + 1 for k >= 1)
        plans = [
            ("children, housing loan, degree", dict(sad_children=1, sad_housing="loan", sad_continuing_education="degree", social_insurance=12000)),
            ("infant care, rent tier 1, certificate", dict(sad_infants=1, sad_housing="rent_tier1", sad_continuing_education="certificate")),
            ("elderly (only child), rent tier 2, medical costs above the threshold", dict(sad_elderly="only_child", sad_housing="rent_tier2", sad_medical_costs=30000)),
            ("elderly (shared, at the cap), rent tier 3, medical costs above the cap", dict(sad_elderly="shared", sad_housing="rent_tier3", sad_medical_costs=100000)),
            ("private pension and health insurance above their caps, two children at 50%", dict(private_pension=20000, health_insurance=5000, sad_children=2, sad_child_share=50)),
            ("labour, author's remuneration and royalties", dict(labour=50000, author=50000, royalty=20000)),
            ("social insurance and a total of additional deductions", dict(social_insurance=60000, additional_deductions=24000)),
        ]
        for k, (label, extra) in enumerate(plans):
            taxable = D(30000) if k == 0 else THRESHOLDS[k - 1] + 1
            bonus = D(24000) if k == 0 else THRESHOLDS[k - 1] + 1
            ded, terms = _deductions(y, extra)
            other_income = D(0)
            inc_terms = []
            for key, ratio, name in (("labour", LABOUR, "labour"), ("author", AUTHOR, "author's"), ("royalty", ROYALTY, "royalty")):
                if key in extra:
                    amt = D(extra[key]) * ratio
                    other_income += amt
                    inc_terms.append(f"{name} {m(extra[key])} x {pct(ratio)} = {m(amt)}")
            wages = taxable + ded - other_income
            tax, tax_w = annual_tax(taxable)
            btax, btax_w = bonus_tax(bonus)
            iit = tax + btax
            income_w = f"wages {m(wages)}" + "".join(f" + {t}" for t in inc_terms)
            if inc_terms:
                income_w += f" = {m(wages + other_income)}"
            worked = (f"income {income_w}; less basic 60,000" + "".join(f" + {t}" for t in terms)
                      + f" = {m(ded)}; taxable {m(taxable)}: {tax_w}; {btax_w}; iit {m(tax)} + {m(btax)} = {m(iit)}")
            inp = {"tax_year": year, "wages": wages, **{k2: v for k2, v in extra.items()}, "bonus": bonus, "bonus_method": "separate"}
            where = "bracket 1 (3%)" if k == 0 else f"just above {m(THRESHOLDS[k - 1])}"
            cases.append({
                "name": f"CN {year} resident, taxable and bonus {where}: {label}",
                "source": src_common,
                "worked": worked,
                "input": inp,
                "expect": {"iit_taxable": str(fen(taxable)), "iit": str(iit), "bonus_method_used": "separate",
                           "bonus_cliff": k > 0},
            })
        # non-resident: wages, bonus (six-month rule), labour, author's, royalties on the monthly table
        cases.append(_nonresident(y))
        cases.append(_foreign(y))
    return cases


def _deductions(y: MainlandYear, extra: dict) -> tuple[D, list[str]]:
    total, terms = BASIC, []

    def add(amount: D, text: str):
        nonlocal total
        total += amount
        terms.append(text if "=" in text or " x " not in text else f"{text} = {m(amount)}")

    if "social_insurance" in extra:
        total += D(extra["social_insurance"])
        terms.append(f"social insurance {m(extra['social_insurance'])}")
    if "additional_deductions" in extra:
        total += D(extra["additional_deductions"])
        terms.append(f"additional deductions {m(extra['additional_deductions'])}")
    n = extra.get("sad_children", 0)
    share = D(extra.get("sad_child_share", 100)) / 100
    if n:
        add(n * y.children * 12 * share, f"children {n} x {m(y.children)} x 12" + (" x 50%" if share != 1 else ""))
    if extra.get("sad_infants"):
        n = extra["sad_infants"]
        if y.infant:
            add(n * y.infant * 12, f"infant care {n} x {m(y.infant)} x 12")
        else:
            terms.append("infant care 0 (no such deduction before 国发〔2022〕8号, 2022)")
    if extra.get("sad_elderly") == "only_child":
        add(y.elderly_only * 12, f"elderly support (only child) {m(y.elderly_only)} x 12")
    if extra.get("sad_elderly") == "shared":
        add(y.elderly_cap * 12, f"elderly support (shared, at the cap) {m(y.elderly_cap)} x 12")
    h = extra.get("sad_housing")
    if h == "loan":
        add(y.loan * 12, f"housing loan {m(y.loan)} x 12")
    elif h and h.startswith("rent_tier"):
        tier = int(h[-1])
        add(y.rent[tier - 1] * 12, f"rent tier {tier} {m(y.rent[tier - 1])} x 12")
    e = extra.get("sad_continuing_education")
    if e == "degree":
        add(y.degree * 12, f"degree education {m(y.degree)} x 12")
    elif e == "certificate":
        add(y.certificate, f"certificate {m(y.certificate)}")
    if "sad_medical_costs" in extra:
        c = D(extra["sad_medical_costs"])
        amt = min(max(c - y.illness_threshold, D(0)), y.illness_cap)
        add(amt, f"medical min({m(c)} - {m(y.illness_threshold)}, {m(y.illness_cap)}) = {m(amt)}")
    if "private_pension" in extra:
        c = D(extra["private_pension"])
        amt = min(c, y.pension_cap)
        add(amt, f"private pension min({m(c)}, {m(y.pension_cap)}) = {m(amt)}")
    if "health_insurance" in extra:
        c = D(extra["health_insurance"])
        amt = min(c, y.health_cap)
        add(amt, f"health insurance min({m(c)}, {m(y.health_cap)}) = {m(amt)}")
    return total, terms


def _monthly_12(annual: D) -> tuple[D, str]:
    """12 x the monthly-table tax on annual / 12, each month to the fen."""
    per = annual / 12
    k, rate, qd = bracket(per, MONTHLY)
    t = fen(per * rate - qd)
    return 12 * t, f"{m(fen(per))} a month -> {pct(rate)} - {m(qd)} = {m(t)}, x 12 = {m(12 * t)}"


def _nonresident(y: MainlandYear) -> dict:
    wages, bonus, labour, author, royalty = D(240000), D(60000), D(120000), D(50000), D(30000)
    tw, ww = _monthly_12(wages - 12 * NR_MONTHLY)
    tl, wl = _monthly_12(labour * LABOUR)
    ta, wa = _monthly_12(author * AUTHOR)
    tr, wr = _monthly_12(royalty * ROYALTY)
    per = bonus / NR_BONUS_MONTHS
    k, rate, qd = bracket(per, MONTHLY)
    tb = fen(NR_BONUS_MONTHS * (per * rate - qd))
    total = tw + tl + ta + tr + tb
    taxable = wages - 12 * NR_MONTHLY + labour * LABOUR + author * AUTHOR + royalty * ROYALTY
    worked = (f"wages 20,000 a month less 5,000: {ww}; labour 120,000 x 80% = 96,000: {wl}; author's 50,000 x 56% = 28,000: {wa}; "
              f"royalties 30,000 x 80% = 24,000: {wr}; bonus 60,000 / 6 = {m(per)} -> {pct(rate)} - {m(qd)}: "
              f"6 x ({m(per)} x {pct(rate)} - {m(qd)}) = {m(tb)}; iit {m(tw)} + {m(tl)} + {m(ta)} + {m(tr)} + {m(tb)} = {m(total)}; "
              f"iit_taxable 180,000 + 96,000 + 28,000 + 24,000 = {m(taxable)}")
    return {
        "name": f"CN {y.year} non-resident: wages, bonus by the six-month rule, labour, author's, royalties",
        "source": f"{LAW} Art. 6(1)(2) (5,000 a month for non-residents' wages; 80%/56%/80% income amounts); "
                  "财政部 税务总局公告2019年第35号 item 2 (monthly table; bonus divided by 6, tax x 6); tax-schedules.md A3, A5, A8; "
                  "wages and the other income as 12 equal monthly payments, each month rounded to the fen (docs/assumptions.md M1, M4-M6)",
        "worked": worked,
        "input": {"tax_year": y.year, "residency": "nonresident", "identity": "foreign", "wages": wages, "bonus": bonus,
                  "labour": labour, "author": author, "royalty": royalty},
        "expect": {"iit_taxable": str(fen(taxable)), "iit": str(total)},
    }


def _foreign(y: MainlandYear) -> dict:
    wages, exempt = D(500000), D(100000)
    taxable = wages - exempt - BASIC
    tax, w = annual_tax(taxable)
    return {
        "name": f"CN {y.year} foreign resident with tax-exempt allowances",
        "source": f"{y.foreign_doc}: housing, language and children's education allowances of foreign residents exempt "
                  "(tax-schedules.md A9); annual table (A2)",
        "worked": f"wages 500,000 of which 100,000 exempt allowances: 400,000 - basic 60,000 = taxable {m(taxable)}: {w}",
        "input": {"tax_year": y.year, "identity": "foreign", "wages": wages, "exempt_allowances": exempt},
        "expect": {"iit_taxable": str(fen(taxable)), "iit": str(tax)},
    }


# private pension in the pilot years 2022-2023: only in the 36 pilot cities and regions
# (人社厅函〔2022〕169号: in Guangdong, 广州市 and 深圳市; 珠海市 is not on the list); a zone's city:
# Hetao and Qianhai Shenzhen, Nansha Guangzhou, Hengqin Zhuhai; none and gba: the city is not known,
# taken as a pilot city (docs/assumptions.md M10); nationwide from 2024 (公告2024年第21号)
PENSION_PILOT = {"none": True, "gba": True, "hetao": True, "qianhai": True, "nansha": True, "hengqin": False}


def pension_pilot_cases() -> list[dict]:
    cases = []
    for year in (2022, 2023, 2024):
        for zone, pilot in PENSION_PILOT.items():
            if year == 2024 and zone != "hengqin":
                continue
            applies = pilot or year >= 2024
            taxable = D(300000) - BASIC - (D(12000) if applies else D(0))
            tax, w = annual_tax(taxable)
            why = ("nationwide from 2024 (公告2024年第21号)" if year >= 2024 else
                   f"{zone}: {'a pilot city' if pilot else 'Zhuhai, not a pilot city'}" + (" (city not known, assumed)" if zone in ("none", "gba") else ""))
            cases.append({
                "name": f"CN {year} private pension in {zone}: " + ("deducted" if applies else "not deducted (not a pilot city)"),
                "source": f"{LAW} Art. 6 and Table 1; 财政部 税务总局公告2022年第34号 (12,000 a year in the pilot cities); "
                          "人社厅函〔2022〕169号 (the 36 pilot cities and regions: Guangzhou and Shenzhen, not Zhuhai); 公告2024年第21号",
                "worked": f"{why}; wages 300,000 - basic 60,000" + (" - private pension 12,000" if applies else "") + f" = {m(taxable)}: {w}",
                "input": {"tax_year": year, "zone": zone, "wages": D(300000), "private_pension": D(12000)},
                "expect": {"iit_taxable": str(fen(taxable)), "iit": str(tax)},
            })
    return cases


# =============================================================== Hong Kong Salaries Tax

# IRO Schedule 2 from 2018/19: 2%, 6%, 10%, 14% on successive HK$50,000, then 17% (tax-schedules.md B2)
PROGRESSIVE = [(D(50000), D("0.02")), (D(50000), D("0.06")), (D(50000), D("0.10")), (D(50000), D("0.14")), (None, D("0.17"))]
FLAT_STANDARD = [(None, D("0.15"))]                                   # 15% on net income to 2023/24
TWO_TIER = [(D(5000000), D("0.15")), (None, D("0.16"))]              # from 2024/25 (B3)
MPF_RATE, MPF_MIN, MPF_MAX, MPF_CAP = D("0.05"), D(7100), D(1500), D(18000)   # MPFSO Sch. 2 and 3; IRO s. 12(1)(e) (B7)
MPF_EMPLOYER_RATE = D("0.05")   # MPFSO Cap. 485 s. 7A: 5% of relevant income up to HK$30,000 a month, also below HK$7,100
MPF_EMPLOYER_SRC = ("the employer's mandatory MPF contribution: 5% of relevant income, at most HK$1,500 a month, also "
                    "paid below the HK$7,100 minimum (MPF Schemes Ordinance Cap. 485 s. 7A, Schedule 2; MPFA)")


def hk_pay(income: D, mpf_given: D | None, tax: int) -> tuple[D, D, str]:
    """The Hong Kong job's take-home pay and the employer's cost: the employee's mandatory contributions
    as paid (not capped by the deduction cap), the employer's without the minimum level."""
    ee = mpf_given if mpf_given is not None else (min(income * MPF_RATE, 12 * MPF_MAX) if income >= 12 * MPF_MIN else D(0))
    er = min(income * MPF_EMPLOYER_RATE, 12 * MPF_MAX)
    take_home, cost = income - tax - ee, income + er
    return take_home, cost, (f"take-home {m(income)} - {m(tax)} - MPF {m(ee)} = {m(take_home)}; employer's cost "
                             f"{m(income)} + employer's MPF min(5% x {m(income)}, 18,000) = {m(cost)}")

_ALLOW_2018 = dict(basic=132000, married=264000, child=120000, newborn=120000, p60=50000, p60a=50000, p55=25000,
                   p55a=25000, single=132000, disabled=75000, personal=75000, sibling=37500)
_ALLOW_2023 = {**_ALLOW_2018, "child": 130000, "newborn": 130000}
_ALLOW_2026 = dict(basic=145000, married=290000, child=140000, newborn=140000, p60=55000, p60a=55000, p55=27500,
                   p55a=27500, single=145000, disabled=75000, personal=75000, sibling=37500)
_SRC_7Y = ("GovHK: Allowances, deductions and tax rates for the last seven years of assessment (7years.htm), "
           "tax-schedules.md B4 (2018/19 figures also in IRD DIPN 18 Example 1)")
_SRC_CHILD = "child allowance 130,000 from 2023/24: Inland Revenue (Amendment) (Child Allowance and Tax Concessions) Ordinance 2023"
_SRC_RED = "one-off reduction: IRD, Tax measures in the Budget (tax-schedules.md B6, zone-policies.md §6.1)"
HK_YEARS = {
    2019: (_ALLOW_2018, FLAT_STANDARD, (D(1), D(20000)), f"{_SRC_7Y}; {_SRC_RED}: 2019/20 100% capped at 20,000 (2020-21 Budget)"),
    2020: (_ALLOW_2018, FLAT_STANDARD, (D(1), D(10000)), f"{_SRC_7Y}; {_SRC_RED}: 2020/21 100% capped at 10,000 (2021-22 Budget)"),
    2021: (_ALLOW_2018, FLAT_STANDARD, (D(1), D(10000)), f"{_SRC_7Y}; {_SRC_RED}: 2021/22 100% capped at 10,000 (2022-23 Budget)"),
    2022: (_ALLOW_2018, FLAT_STANDARD, (D(1), D(6000)), f"{_SRC_7Y}; {_SRC_RED}: 2022/23 100% capped at 6,000 (2023-24 Budget)"),
    2023: (_ALLOW_2023, FLAT_STANDARD, (D(1), D(3000)), f"{_SRC_7Y}; {_SRC_CHILD}; {_SRC_RED}: 2023/24 100% capped at 3,000"),
    2024: (_ALLOW_2023, TWO_TIER, (D(1), D(1500)), f"{_SRC_7Y}; {_SRC_CHILD}; two-tier standard rate from 2024/25 (Inland Revenue (Amendment) (Tax Concessions and Two-tiered Standard Rates) Ordinance 2024); 2024/25 reduction 100% capped at 1,500 (2025-26 Budget, RTHK 2025-02-26)"),
    2025: (_ALLOW_2023, TWO_TIER, (D(1), D(3000)), f"IRD FAQ on the 2026-27 Budget ('Present (2025/26)' allowances); two-tier standard rate (2024 Ordinance); 2025/26 reduction 100% capped at 3,000 PROPOSED in the 2026-27 Budget"),
    2026: (_ALLOW_2026, TWO_TIER, (D(0), D(0)), "IRD FAQ on the 2026-27 Budget and budget.gov.hk/2026 budget55: 2026/27 allowances PROPOSED (basic 145,000, married 290,000, child 140,000, parents 55,000 / 27,500, single parent 145,000; disabled dependant, personal disability and sibling unchanged, none announced); two-tier standard rate; no reduction announced for 2026/27 (tax-schedules.md B6)"),
}
HK_COMMON_SRC = "IRO Cap. 112 s. 12, 12B, 13 and Schedule 2 (GovHK tax rates page, tax-schedules.md B1-B3); MPF 5%, none below HK$7,100 a month, at most HK$1,500 a month, deduction capped at 18,000 (B7); rounding down to the dollar (DIPN 18 Example 2, B8)"


def bands_tax(amount: D, bands) -> tuple[D, list[str]]:
    tax, lower, parts = D(0), D(0), []
    for width, rate in bands:
        top = amount if width is None else min(amount, lower + width)
        if top > lower:
            tax += (top - lower) * rate
            parts.append(f"{ex(top - lower)} x {pct(rate)}")
        if width is None or amount <= lower + width:
            break
        lower += width
    return tax, parts


def hk_compute(year: int, income: D, mpf_given: D | None, deductions: D, allow: list[tuple[str, D]]):
    a, std_bands, (red_rate, red_cap), _ = HK_YEARS[year]
    w = []
    if mpf_given is None:
        mpf = min(income * MPF_RATE, 12 * MPF_MAX) if income >= 12 * MPF_MIN else D(0)
        mpf = min(mpf, MPF_CAP)
        monthly = fen(income / 12)
        if income < 12 * MPF_MIN:
            w.append(f"MPF 0 ({m(monthly)} a month is below 7,100)")
        elif income * MPF_RATE > 12 * MPF_MAX:
            w.append(f"MPF at the maximum 1,500 x 12 = {m(mpf)} ({m(monthly)} a month is above 30,000)")
        else:
            w.append(f"MPF 5% x {m(income)} = {m(mpf)} ({m(monthly)} a month, between 7,100 and 30,000)")
    else:
        mpf = min(mpf_given, MPF_CAP)
        w.append(f"MPF given {m(mpf_given)}, deductible up to 18,000: {m(mpf)}")
    ni = max(income - mpf - deductions, D(0))
    w.append(f"net income {m(income)} - {m(mpf)}" + (f" - deductions {m(deductions)}" if deductions else "") + f" = {m(ni)}")
    total_allow = sum(v for _, v in allow)
    w.append("allowances " + " + ".join(n if " x " in n else f"{n} {m(v)}" for n, v in allow)
             + (f" = {m(total_allow)}" if len(allow) > 1 else ""))
    nci = max(ni - total_allow, D(0))
    prog, parts = bands_tax(nci, PROGRESSIVE)
    std, sparts = bands_tax(ni, std_bands)
    w.append(f"net chargeable income {m(nci)}: " + (" + ".join(parts) if parts else "0") + f" = {m(prog)}")
    w.append("standard rate " + " + ".join(sparts) + f" = {m(std)}")
    before = min(prog, std).quantize(ONE, rounding=ROUND_FLOOR)
    w.append(f"the lower, {'standard' if std < prog else 'progressive'}, rounded down: {m(before)}")
    cut = min(before * red_rate, red_cap)
    tax = (before - cut).quantize(ONE, rounding=ROUND_FLOOR)
    if red_rate or red_cap:
        w.append(f"reduction min({m(before)} x {pct(red_rate)}, {m(red_cap)}) = {m(cut)}; tax {m(tax)}")
    else:
        w.append(f"no reduction; tax {m(tax)}")
    return int(tax), int(before - tax), "; ".join(w)


def hongkong_cases() -> list[dict]:
    cases = []
    for year, (a, std_bands, red, src) in HK_YEARS.items():
        ya = f"{year}/{(year + 1) % 100:02d}"
        A = {k: D(v) for k, v in a.items()}
        source = f"{HK_COMMON_SRC}; {src}"

        def case(label, inp, mpf, ded, allow, pay=False):
            tax, reduction, worked = hk_compute(year, D(inp["hk_income"]), mpf, ded, allow)
            expect = {"hk_tax": tax, "hk_tax_reduction": reduction, "hk_year_of_assessment": ya}
            if pay:
                take_home, cost, text = hk_pay(D(inp["hk_income"]), mpf, tax)
                worked += "; " + text
                expect.update(hk_take_home=str(fen(take_home)), hk_employer_cost=str(fen(cost)))
            cases.append({"name": f"HK {ya}: {label}", "source": source + (f"; {MPF_EMPLOYER_SRC}" if pay else ""),
                          "worked": worked, "input": {"tax_year": year, **inp}, "expect": expect})

        # a) low income: MPF at 5%, tax below the reduction cap
        case("income 200,000, single, MPF at 5%, tax below the reduction cap",
             {"hk_income": D(200000)}, None, D(0), [("basic", A["basic"])], pay=True)
        # b) single parent with every other allowance, MPF given above the cap, NCI 300,000
        allow = [("basic", A["basic"]), ("single parent", A["single"]), (f"children 2 x {m(A['child'])} = {m(2 * A['child'])}", 2 * A["child"]),
                 ("newborn additional", A["newborn"]), (f"parents 60+ 2 x {m(A['p60'])} = {m(2 * A['p60'])}", 2 * A["p60"]),
                 ("living with (60+)", A["p60a"]), ("parent 55-59", A["p55"]), ("living with (55-59)", A["p55a"]),
                 ("disabled dependant", A["disabled"]), ("personal disability", A["personal"]), ("sibling", A["sibling"])]
        income = D(300000) + sum(v for _, v in allow) + MPF_CAP + D(10000)
        case("single parent with every other allowance, MPF 20,000 given (capped), NCI 300,000",
             {"hk_income": income, "hk_mpf": D(20000), "hk_deductions": D(10000), "hk_single_parent": True,
              "hk_children": 2, "hk_newborns": 1, "hk_parents_60": 2, "hk_parents_60_living_with": 1,
              "hk_parents_55": 1, "hk_parents_55_living_with": 1, "hk_disabled_dependants": 1, "hk_disability": True,
              "hk_siblings": 1}, D(20000), D(10000), allow)
        # c) married, two children, MPF at the monthly maximum, NCI 250,000
        allow = [("married", A["married"]), (f"children 2 x {m(A['child'])} = {m(2 * A['child'])}", 2 * A["child"])]
        income = D(250000) + sum(v for _, v in allow) + MPF_CAP
        case("married, two children, MPF at the monthly maximum, NCI 250,000",
             {"hk_income": income, "hk_married": True, "hk_children": 2}, None, D(0), allow, pay=True)
        if year == 2024:
            case("income 80,000, below the MPF minimum: the employer still pays 5%",
                 {"hk_income": D(80000)}, None, D(0), [("basic", A["basic"])], pay=True)
        # d) standard rate
        ni = D(3000000) if std_bands is FLAT_STANDARD else D(6000000)
        case(f"net income {m(ni)}: the standard rate is lower",
             {"hk_income": ni + MPF_CAP}, None, D(0), [("basic", A["basic"])])
    # tax year 2027: no 2027/28 table, 2026/27 is used (docs/assumptions.md H1)
    tax, reduction, worked = hk_compute(2026, D(400000), None, D(0), [("basic", D(_ALLOW_2026["basic"]))])
    cases.append({"name": "HK for tax year 2027: no 2027/28 table, the 2026/27 one is used",
                  "source": f"docs/assumptions.md H1 (latest tabled year of assessment, flagged); {HK_COMMON_SRC}; {HK_YEARS[2026][3]}",
                  "worked": "year of assessment 2026/27; " + worked,
                  "input": {"tax_year": 2027, "hk_income": D(400000)},
                  "expect": {"hk_tax": tax, "hk_tax_reduction": reduction, "hk_year_of_assessment": "2026/27"}})
    return cases


# =============================================================== Hong Kong household: deductions and couples

# The caps of the concessionary deductions, by year of assessment (tax-schedules.md B5; GovHK
# "Deductions" and the 7-years page; IRO s. 12(1)(e), s. 26C-26J, s. 16D):
#   self-education 100,000 (from 2018/19); home loan interest 100,000; domestic rent 100,000 from
#   2022/23 (Tax Deductions for Domestic Rents Ordinance 2022), one ceiling for both in a year
#   (docs/assumptions.md H9, inferred from the IRD's Example 5 on the additional deduction);
#   +20,000 to each ceiling when living with a child born on or after 25 October 2023, from 2024/25
#   (IRD adc.htm, legislation gazetted 2024-05-31); elderly residential care 100,000 per parent or
#   grandparent (s. 26D, DIPN 36 para 21), 110,000 proposed for 2026/27 (IRD FAQ, 2026-27 Budget);
#   VHIS 8,000 per insured person and deferred annuities + MPF TVC 60,000 together (from 2019/20);
#   approved donations at most 35% of assessable income less outgoings, counted from HK$100.
#   The additional child allowance also in the year after birth from 2026/27 (IRD FAQ on the 2025
#   Policy Address: children under two at the end of the year; proposed).
def hk_caps(year: int) -> dict:
    return {"education": D(100000), "hli": D(100000), "rent": D(100000) if year >= 2022 else None,
            "common": D(100000) if year >= 2022 else None, "newborn_home": D(20000) if year >= 2024 else D(0),
            "elderly": D(110000) if year == 2026 else D(100000), "vhis": D(8000), "annuity": D(60000),
            "don_rate": D("0.35"), "don_min": D(100), "second_year": year == 2026}


HK_DED_SRC = ("deduction caps: GovHK Deductions page and 7-years page, tax-schedules.md B5 (self-education 100,000; home "
              "loan interest 100,000, s. 26E; domestic rent 100,000 from 2022/23; elderly residential care 100,000 per "
              "parent, s. 26D and DIPN 36, 110,000 proposed for 2026/27 by the 2026-27 Budget FAQ; VHIS 8,000 per insured "
              "person; annuity premiums and MPF TVC 60,000 together; donations at most 35% of assessable income less "
              "outgoings, from HK$100); additional 20,000 home loan interest or rent ceiling from 2024/25 with a child born "
              "on or after 25 October 2023 (IRD adc.htm); one ceiling for home loan interest and rent together "
              "(docs/assumptions.md H9)")


def hk_claims(year: int, inp: dict, income: D) -> tuple[D, list[str]]:
    c = hk_caps(year)
    w = []
    g = lambda k: D(inp.get(k, 0))  # noqa: E731
    extra = c["newborn_home"] if (inp.get("hk_lives_with_newborn") or inp.get("hk_newborns", 0)) else D(0)
    hli = min(g("hk_home_loan_interest"), c["hli"] + extra)
    if g("hk_home_loan_interest"):
        w.append(f"home loan interest min({m(g('hk_home_loan_interest'))}, {m(c['hli'] + extra)}) = {m(hli)}")
    rent = D(0)
    if g("hk_rent"):
        if c["rent"] is None:
            w.append(f"rent {m(g('hk_rent'))} not deductible before 2022/23: 0")
        else:
            rent = min(g("hk_rent"), c["rent"] + extra)
            w.append(f"rent min({m(g('hk_rent'))}, {m(c['rent'] + extra)}) = {m(rent)}")
    home = hli + rent
    if c["common"] is not None and (hli and rent):
        home = min(home, c["common"] + extra)
        w.append(f"together min({m(hli + rent)}, {m(c['common'] + extra)}) = {m(home)}")
    total = home
    for key, cap, name in (("hk_elderly_care", c["elderly"] * max(inp.get("hk_elderly_care_persons", 0), 1), "elderly care"),
                           ("hk_self_education", c["education"], "self-education"),
                           ("hk_vhis_premiums", c["vhis"] * max(inp.get("hk_vhis_insured", 0), 1), "VHIS"),
                           ("hk_annuity_tvc", c["annuity"], "annuity and TVC")):
        if g(key):
            a = min(g(key), cap)
            total += a
            w.append(f"{name} min({m(g(key))}, {m(cap)}) = {m(a)}")
    other = g("hk_deductions")
    if other:
        total += other
        w.append(f"other deductions {m(other)}")
    if g("hk_donations"):
        cap = (max(income - other, D(0)) * c["don_rate"]).quantize(D("0.0001"), rounding=ROUND_FLOOR)
        counted = g("hk_donations") if g("hk_donations") >= c["don_min"] else D(0)
        a = min(counted, cap)
        total += a
        w.append(f"donations {m(g('hk_donations'))}" + ("" if counted else " below 100: 0") +
                 f", at most 35% x {m(income - other)} = {ex(cap)}: {ex(a)}")
    w.append(f"deductions allowed {ex(total)}")
    return total, w


def hk_assess(year: int, ni: D, allow_total: D) -> tuple[D, D, D, str]:
    """(before, reduction, tax, worked) on a net income with allowances."""
    _, std_bands, (red_rate, red_cap), _ = HK_YEARS[year]
    nci = max(ni - allow_total, D(0))
    prog, parts = bands_tax(nci, PROGRESSIVE)
    std, sparts = bands_tax(ni, std_bands)
    before = min(prog, std).quantize(ONE, rounding=ROUND_FLOOR)
    cut = min(before * red_rate, red_cap)
    tax = (before - cut).quantize(ONE, rounding=ROUND_FLOOR)
    w = (f"NCI {ex(ni)} - {m(allow_total)} = {ex(nci)}: " + (" + ".join(parts) if parts else "0") + f" = {ex(prog)}; "
         f"standard " + " + ".join(sparts) + f" = {ex(std)}; lower {m(before)}; reduction {m(before - tax)}; tax {m(tax)}")
    return before, before - tax, tax, w


def hk_mpf(income: D, given) -> D:
    if given is not None:
        return min(D(given), MPF_CAP)
    return min(min(income * MPF_RATE, 12 * MPF_MAX) if income >= 12 * MPF_MIN else D(0), MPF_CAP)


def hk_household_case(year: int, label: str, inp: dict, published: str | None = None) -> dict:
    a = {k: D(v) for k, v in HK_YEARS[year][0].items()}
    c = hk_caps(year)
    income = D(inp["hk_income"])
    mpf = hk_mpf(income, inp.get("hk_mpf"))
    ded, w = hk_claims(year, inp, income)
    ni = max(income - mpf - ded, D(0))
    w.append(f"net income {m(income)} - MPF {ex(mpf)} - {ex(ded)} = {ex(ni)}")
    kids = inp.get("hk_children", 0)
    newborn = inp.get("hk_newborns", 0) + (inp.get("hk_born_last_year", 0) if c["second_year"] else 0)
    others = kids * a["child"] + newborn * a["newborn"] + inp.get("hk_parents_60", 0) * a["p60"]
    if inp.get("hk_born_last_year"):
        w.append(f"born the year before: {inp['hk_born_last_year']} x additional {m(a['newborn'])}"
                 if c["second_year"] else "born the year before: no additional allowance this year (year of birth only before 2026/27)")
    married = inp.get("hk_married", False)
    spouse = D(inp.get("hk_spouse_income", 0))
    personal = a["married"] if married and not spouse else a["basic"]
    b, r, t, aw = hk_assess(year, ni, personal + others)
    w.append(f"alone ({'married' if personal == a['married'] else 'basic'} {m(personal)} + others {m(others)}): {aw}")
    expect = {"hk_deductions_allowed": str(fen(ded))}
    if not spouse:
        expect.update({"hk_tax": int(t), "hk_tax_reduction": int(r), "hk_tax_household": int(t),
                       "hk_assessment_used": "separate" if married else "single"})
    else:
        smpf = hk_mpf(spouse, inp.get("hk_spouse_mpf"))
        sni = max(spouse - smpf - D(inp.get("hk_spouse_deductions", 0)), D(0))
        sb, sr, st, sw = hk_assess(year, sni, a["basic"])
        w.append(f"spouse {m(spouse)} - MPF {ex(smpf)} - {m(D(inp.get('hk_spouse_deductions', 0)))} = {ex(sni)}, basic: {sw}")
        jb, jr, jt, jw = hk_assess(year, ni + sni, a["married"] + others)
        w.append(f"joint: {ex(ni)} + {ex(sni)}, married {m(a['married'])} + others {m(others)}: {jw}")
        ask = inp.get("hk_assessment", "best")
        joint = ask == "joint" or (ask == "best" and jt < t + st)
        w.append(f"separate {m(t)} + {m(st)} = {m(t + st)} against joint {m(jt)}: {'joint' if joint else 'separate'}"
                 + (f" ({ask} asked)" if ask != "best" else ""))
        if joint:
            mine, theirs = ni.quantize(ONE, rounding=ROUND_FLOOR), sni.quantize(ONE, rounding=ROUND_FLOOR)
            share = (jt * mine / (mine + theirs)).quantize(ONE, rounding=ROUND_FLOOR) if mine + theirs else D(0)
            bshare = (jb * mine / (mine + theirs)).quantize(ONE, rounding=ROUND_FLOOR) if mine + theirs else D(0)
            w.append(f"your share {m(jt)} x {m(mine)} / {m(mine + theirs)} = {m(share)} (before the reduction {m(bshare)}); "
                     f"the spouse {m(jt - share)}")
            expect.update({"hk_tax": int(share), "hk_tax_reduction": int(bshare - share), "hk_tax_spouse": int(jt - share),
                           "hk_tax_household": int(jt), "hk_tax_household_reduction": int(jr), "hk_assessment_used": "joint"})
        else:
            expect.update({"hk_tax": int(t), "hk_tax_reduction": int(r), "hk_tax_spouse": int(st),
                           "hk_tax_household": int(t + st), "hk_tax_household_reduction": int(r + sr),
                           "hk_assessment_used": "separate"})
    ya = f"{year}/{(year + 1) % 100:02d}"
    return {"name": f"HK {ya} household: {label}",
            "source": (published + "; " if published else "") + f"{HK_COMMON_SRC}; {HK_YEARS[year][3]}; {HK_DED_SRC}; couples: "
                      "GovHK 'Separate Taxation or Joint Assessment for Married Couples' (joint: incomes aggregated, the married "
                      "person's allowance, one reduction cap per couple, IRD budget.htm; separate: the basic allowance each); "
                      "the person's share by net income (docs/assumptions.md H6)",
            "worked": "; ".join(w), "input": {"tax_year": year, **inp}, "expect": expect}


def household_cases() -> list[dict]:
    cases = []
    for year in HK_YEARS:
        c = hk_caps(year)
        # every claim above its cap (donations exactly at the HK$100 minimum); NCI in the 17% band
        claims = {"hk_home_loan_interest": D(150000), "hk_elderly_care": D(250000), "hk_elderly_care_persons": 2,
                  "hk_self_education": D(120000), "hk_vhis_premiums": D(20000), "hk_vhis_insured": 2,
                  "hk_annuity_tvc": D(70000), "hk_donations": D(100)}
        cases.append(hk_household_case(year, "every claim above its cap, donations at the HK$100 minimum",
                                       {"hk_income": D(1000000), "hk_mpf": D(18000), **claims}))
        cases.append(hk_household_case(year, "claims at their caps exactly, donations below the minimum",
                                       {"hk_income": D(900000), "hk_home_loan_interest": c["hli"], "hk_self_education": c["education"],
                                        "hk_vhis_premiums": c["vhis"], "hk_annuity_tvc": c["annuity"],
                                        "hk_elderly_care": c["elderly"], "hk_donations": D(99)}))
        cases.append(hk_household_case(year, "donations above 35% of income less the other deductions",
                                       {"hk_income": D(600000), "hk_deductions": D(20000), "hk_donations": D(300000)}))
        if c["rent"] is None:
            cases.append(hk_household_case(year, "domestic rent given before 2022/23: not deductible",
                                           {"hk_income": D(500000), "hk_rent": D(60000)}))
        else:
            cases.append(hk_household_case(year, "home loan interest and rent together above the common ceiling",
                                           {"hk_income": D(700000), "hk_home_loan_interest": D(90000), "hk_rent": D(30000)}))
            cases.append(hk_household_case(year, "domestic rent above its ceiling",
                                           {"hk_income": D(700000), "hk_rent": D(150000)}))
        if c["newborn_home"]:
            cases.append(hk_household_case(year, "a newborn: the additional home loan interest ceiling",
                                           {"hk_income": D(1200000), "hk_married": True, "hk_children": 1, "hk_newborns": 1,
                                            "hk_home_loan_interest": D(150000)}))
            cases.append(hk_household_case(year, "living with a child born since 25 October 2023: the additional rent ceiling",
                                           {"hk_income": D(800000), "hk_children": 1, "hk_lives_with_newborn": True,
                                            "hk_rent": D(150000)}))
        cases.append(hk_household_case(year, "a child born the year before (the additional allowance a second year only from 2026/27)",
                                       {"hk_income": D(900000), "hk_married": True, "hk_children": 2, "hk_born_last_year": 1}))
        # couples
        cases.append(hk_household_case(year, "joint beats separate: the spouse earns less than the basic allowance",
                                       {"hk_income": D(700000), "hk_married": True, "hk_children": 1,
                                        "hk_spouse_income": D(90000), "hk_spouse_mpf": D(4500)}))
        cases.append(hk_household_case(year, "separate beats joint: two middle incomes, two reduction caps",
                                       {"hk_income": D(400000), "hk_married": True, "hk_spouse_income": D(380000)}))
        cases.append(hk_household_case(year, "joint asked although separate costs less",
                                       {"hk_income": D(400000), "hk_married": True, "hk_spouse_income": D(380000),
                                        "hk_assessment": "joint"}))
    cases.append(hk_household_case(2019, "DIPN 18 Example 1 (2018/19 figures equal 2019/20's): joint assessment, exact",
                                   {"hk_income": D(680000), "hk_mpf": D(18000), "hk_donations": D(1000), "hk_married": True,
                                    "hk_children": 1, "hk_parents_60": 1, "hk_spouse_income": D(100000), "hk_spouse_mpf": D(500)},
                                   published="IRD DIPN 18 Appendix 1 Example 1: Mr A alone 23,030, Mrs A 0; joint NCI 326,500, "
                                             "tax 37,505 - 20,000 = 17,505"))
    return cases


HOUSEHOLD_HEADER = """
Hong Kong households, one set per year of assessment 2019/20-2026/27: every itemised deduction
above its cap and at it, donations below and at the HK$100 minimum and above 35% of income, rent
before 2022/23 (not deductible), home loan interest and rent under their common ceiling, the
additional ceiling with a newborn from 2024/25, a child born the year before (the additional
allowance again only from 2026/27), and couples: joint beating separate, separate beating joint,
joint asked although it costs more. DIPN 18 Example 1 exact with the spouse's columns.
"""


# =============================================================== Macao Professional Tax

MO_FIXED, MO_EXEMPT, MO_REDUCTION = D("0.25"), D(144000), D("0.30")
MO_REFUND_RATE, MO_REFUND_CAP = D("0.60"), D(14000)
MO_FIXED_YEAR = {2020: D("0.30")}                       # the revised 2020 budget (Lei n.º 3/2020): 30% for 2020 only
MO_REFUND_YEAR_RATE = {2019: (D("0.70"), D(20000))}     # the 2021 budget as amended: 70%, at most 20,000, of 2019 tax
MO_BANDS = [(D(20000), D("0.07")), (D(20000), D("0.08")), (D(40000), D("0.09")), (D(80000), D("0.10")),
            (D(120000), D("0.11")), (None, D("0.12"))]
MO_RIP = ("Regulamento do Imposto Profissional (Lei n.º 2/78/M, republished by 第267/2003號行政長官批示): Art. 3 fixed "
          "deduction 25%, Art. 8(2) a fraction of a pataca counts as one; bands 7%-12% on 20k/20k/40k/80k/120k above the "
          "exemption (PwC Macau, tax-schedules.md C2-C3, zone-policies.md §5.3)")
MO_YEAR_SRC = {
    2019: "exemption 144,000 and 30% reduction for 2019: Lei n.º 19/2018 (the 2019 budget law; Macau Daily Times, 'Tax Matters | Tax-related issues in the Macau SAR 2019 budget')",
    2020: "exemption 144,000 and 30% reduction for 2020: Lei n.º 22/2019 (the 2020 budget law); the fixed deduction raised from 25% to 30% for 2020 by the revised 2020 budget (Lei n.º 3/2020, passed 2020-04-16: PwC Worldwide Tax Summaries, Macau SAR, Individual - Significant developments, reviewed 2020-07-28, https://taxsummaries.pwc.com/macau-sar/individual/significant-developments; gov.mo news 281093)",
    2021: "exemption 144,000 and 30% reduction for 2021: DSF tax benefits page for the 2021 budget law (dsf.gov.mo tax_benefit.aspx?y=2021: '30% exemption on salaries tax and the exemption allowance for its assessment in 2021 is MOP$144,000')",
    2022: "exemption 144,000 and 30% reduction for 2022: Lei n.º 21/2021 (the 2022 budget law)",
    2023: "exemption 144,000 and 30% reduction: DSF tax benefits (2023 budget law), tax-schedules.md C4",
    2024: "exemption 144,000 and 30% reduction assumed as in 2023 and 2025 (the 2024 budget-law number was not found, tax-schedules.md C4)",
    2025: "exemption 144,000 and 30% reduction: Lei n.º 25/2024 Art. 19 (tax-schedules.md C4)",
    2026: "exemption 144,000 and 30% reduction assumed unchanged from 2025 (AmCham South China 2026 report; tax-schedules.md C4 [U])",
    2027: "exemption 144,000 and 30% reduction assumed unchanged from 2025 (no 2027 budget law seen)",
}
MO_REFUND_YEAR = {
    2019: "the 2021 budget law as amended in 2021 refunds 70% of 2019 tax, capped at 20,000 (raised from 60% and 14,000: the Executive Council's bill amending Lei n.º 27/2020, 華僑報 vakiodaily.com news 434965 '修改「二0二一年財政年度預算案」法律草案完成討論'; Macau Daily Times 'MOP9.11b to be used from reserves in reviewed budget')",
    2020: "the 2022 budget law (Lei n.º 21/2021, Art. 21) refunds 60% of 2020 tax, capped at 14,000 (exmoo.com article 196732; Macau Daily Times 'Professional tax refund to start at month-end')",
    2021: "the 2023 budget refunds 60% of 2021 tax, capped at 14,000 (Macau Daily Times on the 2023 budget proposal)",
    2022: "60% of 2022 tax refunded, capped at 14,000 (Macau Daily Times, 'Professional tax refund this Friday')",
    2023: "Lei n.º 25/2024 Art. 20 refunds 60% of 2023 tax, capped at 14,000",
    2024: "the 2026 budget refunds 60% of 2024 tax, capped at 14,000 (AmCham South China 2026 report, tax-schedules.md C4 [S2])",
    2025: "the refund of 2025 tax comes in the 2027 budget, not yet seen: 60% capped at 14,000 assumed",
    2026: "the refund of 2026 tax comes in the 2028 budget, not yet seen: 60% capped at 14,000 assumed",
    2027: "the refund of 2027 tax comes in the 2029 budget, not yet seen: 60% capped at 14,000 assumed",
}
MO_REFUND_SRC = ("refund to holders of a Macao resident card, set by the budget law two years after the tax year (zone-policies.md §11: "
                 "Lei 25/2024 art. 20 refunds 2023 tax), netted from the burden by default (docs/assumptions.md Z3: the Hengqin "
                 "tax bureau's Q&A lists the refund scheme, zone-policies.md §5.3)")


def macao_compute(income: D, refund: bool, year: int = 2021):
    fixed = MO_FIXED_YEAR.get(year, MO_FIXED)
    rate, cap = MO_REFUND_YEAR_RATE.get(year, (MO_REFUND_RATE, MO_REFUND_CAP))
    taxable = income * (1 - fixed)
    above = max(taxable - MO_EXEMPT, D(0))
    table, parts = bands_tax(above, MO_BANDS)
    raw = table * (1 - MO_REDUCTION)
    tax = raw.quantize(ONE, rounding=ROUND_CEILING)
    w = [f"{ex(income)} x {pct(1 - fixed)} = {ex(taxable)}", f"above the 144,000 exemption {ex(above)}"]
    if parts:
        w.append(" + ".join(parts) + f" = {ex(table)}")
        w.append(f"x 70% = {ex(raw)}, rounded up: {m(tax)}")
    else:
        w.append("tax 0")
    net = tax
    if refund:
        r = min((tax * rate).quantize(ONE, rounding=ROUND_FLOOR), cap)
        net = tax - r
        w.append(f"refund min({m(tax)} x {pct(rate)} = {ex(tax * rate)} rounded down, {m(cap)}) = {m(r)}; net {m(net)}")
    w.append(f"x cny_per_mop 1 = {m(net)}")
    return net, "; ".join(w)


def macao_cases() -> list[dict]:
    plans = [
        ("income 192,000 (16,000 a month): exactly the exemption, no tax", D(192000), False),
        ("income 200,000: first band (7%)", D(200000), False),
        ("income 232,000: second band (8%)", D(232000), False),
        ("income 240,000: third band (9%)", D(240000), False),
        ("income 360,000: fourth band (10%)", D(360000), False),
        ("income 480,000 with the refund: fifth band (11%), refund below its cap", D(480000), True),
        ("income 1,000,000.10: top band (12%), tax just above a whole pataca (a one-avo change in the table shows)", D("1000000.10"), False),
        ("income 1,200,000 with the refund: top band, refund at its cap", D(1200000), True),
    ]
    # 2020: the fixed deduction of 30% (the revised 2020 budget) moves every edge: income = taxable / 70%
    plans_2020 = [
        ("income 200,000: 70% is 140,000, below the exemption, no tax (75% would be 150,000: 294)", D(200000), False),
        ("income 220,000: first band (7%)", D(220000), False),
        ("income 260,000: second band (8%)", D(260000), False),
        ("income 300,000: third band (9%)", D(300000), False),
        ("income 400,000: fourth band (10%)", D(400000), False),
        ("income 480,000 with the refund: fifth band (11%), refund below its cap", D(480000), True),
        ("income 1,000,000.10: top band (12%), tax just above a whole pataca (a one-avo change in the table shows)", D("1000000.10"), False),
        ("income 1,200,000 with the refund: top band, refund at its cap", D(1200000), True),
    ]
    cases = []
    for year in range(2019, 2028):
        for label, income, refund in (plans_2020 if year == 2020 else plans):
            net, worked = macao_compute(income, refund, year)
            c = {"name": f"MO {year}: {label}",
                 "source": f"{MO_RIP}; {MO_YEAR_SRC[year]}" + (f"; {MO_REFUND_YEAR[year]}; {MO_REFUND_SRC}" if refund else ""),
                 "worked": worked,
                 "input": {"tax_year": year, "identity": "macao", "wages": income, "cny_per_mop": 1},
                 "expect": {"macao_burden_cny": str(fen(net))}}
            c["options"] = {"macao_refund": refund}
            cases.append(c)
    return cases


# =============================================================== zone reliefs

IDENTITIES = ("mainland", "hk", "macao", "taiwan", "foreign")
ZONES = ("none", "gba", "hetao", "qianhai", "nansha", "hengqin")


@dataclass(frozen=True)
class Policy:
    id: str
    kind: str
    formula: str
    identities: tuple
    talent: bool
    zones: tuple
    first: int
    last: int
    days_zones: tuple = ()
    rate: D = D("0.15")
    cap: D | None = None


# zone-policies.md §1-§5 and §8; order = the choice order of docs/assumptions.md Z7 (ties: exemption first, then this order)
POLICIES = (
    Policy("hetao_hk_cap", "exemption", "hk", ("hk",), False, ("hetao",), 2023, 2027),          # 财税〔2024〕5号
    Policy("qianhai_hk_cap", "exemption", "hk", ("hk",), False, ("qianhai",), 2023, 2027),      # 财税〔2024〕12号
    Policy("nansha_hk_cap", "exemption", "hk", ("hk",), False, ("nansha",), 2022, 2026),        # 财税〔2022〕29号
    Policy("nansha_macao_cap", "exemption", "macao", ("macao",), False, ("nansha",), 2022, 2026),
    Policy("hengqin_macao_cap", "exemption", "macao", ("macao",), False, ("hengqin",), 2021, 2027),   # 财税〔2022〕3号 + 2026 extension
    Policy("hengqin_15", "exemption", "rate", IDENTITIES, True, ("hengqin",), 2021, 2027),
    Policy("gba_subsidy", "subsidy", "rate", ("hk", "macao", "taiwan", "foreign"), True,             # 财税〔2019〕31号, 〔2023〕34号
           ("gba", "hetao", "qianhai", "nansha", "hengqin"), 2019, 2027, ("hetao", "qianhai"), cap=D(5000000)),
)
ZONE_SRC = ("zone-policies.md: GBA subsidy 财税〔2019〕31号 and 〔2023〕34号 (HK, Macao, Taiwan, foreign talent in the nine "
            "cities, 2019-2027), 粤财税〔2019〕2号 (tax above 15% of taxable income), 粤财税〔2023〕21号 (cap 5,000,000), "
            "Shenzhen 2024 guide (more than 90 days in Shenzhen); Hetao 财税〔2024〕5号 and Qianhai 财税〔2024〕12号 (HK residents, "
            "2023-2027); Nansha 财税〔2022〕29号 (HK and Macao residents, 2022-2026); Hengqin 财税〔2022〕3号 (listed talent 15%, "
            "Macao residents, 2021-2025) extended to 2027 (MOF/STA 2026-01-12); burdens, the choice of one and the payment "
            "year as docs/assumptions.md Z1, Z3, Z5, Z7, Z9, Z10")
_REASON_ORDER = "reasons reported in the order identity, zone, talent, work days, not in force (Result.reliefs)"


def hk_burden(income: D, year: int) -> tuple[D, str]:
    ya = year if year in HK_YEARS else max(HK_YEARS)
    a, std_bands, _, _ = HK_YEARS[ya]
    nci = income - a["basic"]
    prog, _ = bands_tax(nci, PROGRESSIVE)
    std, _ = bands_tax(income, std_bands)
    t = min(prog, std).quantize(ONE, rounding=ROUND_FLOOR)
    return t, (f"HK burden (YA {ya}/{(ya + 1) % 100:02d}, basic {m(a['basic'])}, no MPF, before the reduction): NCI {m(nci)} "
               f"-> {m(t)} ({'standard' if std < prog else 'progressive'}) x cny_per_hkd 1")


def zone_case(identity, zone, year, talent=True, days=None, wages=D(1000000), label=""):
    taxable = wages - BASIC
    iit, iit_w = annual_tax(taxable)
    share = fen(taxable * D("0.15"))
    rate_relief = max(iit - share, D(0))
    hkb, hk_w = hk_burden(wages, year)
    mo_net, _ = macao_compute(wages, True, year)     # the resident's refund netted (docs/assumptions.md Z3)
    statuses, amounts, texts = {}, {}, []
    for p in POLICIES:
        if identity not in p.identities:
            reason = "identity"
        elif zone not in p.zones:
            reason = "zone"
        elif p.talent and not talent:
            reason = "talent"
        elif days is not None and zone in p.days_zones and days <= 90:
            reason = "work days"
        elif not (p.first <= year <= p.last):
            reason = "not in force"
        else:
            reason = "applies"
        if reason != "applies":
            statuses[p.id] = {"work days": "work_days", "not in force": "window"}.get(reason, reason)   # Result.reliefs codes
            texts.append(f"{p.id}: {reason}")
            continue
        if p.formula == "rate":
            a = rate_relief if p.cap is None else min(rate_relief, p.cap)
            t = f"{p.id}: {m(iit)} - 15% x {m(taxable)} = {m(rate_relief)}" + (f", cap {m(p.cap)}: {m(a)}" if p.cap is not None and a != rate_relief else "")
        elif p.formula == "hk":
            a = max(iit - hkb, D(0))
            t = f"{p.id}: {m(iit)} - HK burden {m(hkb)} = {m(a)}"
        else:
            a = max(iit - mo_net, D(0))
            t = f"{p.id}: {m(iit)} - Macao burden {m(mo_net)} = {m(a)}"
        statuses[p.id] = str(fen(a))
        amounts[p.id] = (a, p)
        texts.append(t)
    best = None
    for pid, (a, p) in amounts.items():
        if a <= 0:
            continue
        if best is None or a > best[0] or (a == best[0] and p.kind == "exemption" and best[1].kind == "subsidy"):
            best = (a, p)
    parts = [f"IIT {iit_w}"]
    if any(p.formula == "hk" for _, p in amounts.values()):
        parts.append(hk_w)
    if any(p.formula == "macao" for _, p in amounts.values()):
        parts.append("Macao burden on 1,000,000 (MO cases): 46,844 less the refund 14,000 (60% capped) = 32,844 x cny_per_mop 1")
    parts += texts
    parts.append(f"chosen: {best[1].id} {m(best[0])}, paid in {year + 1}" if best else "no relief")
    inp = {"tax_year": year, "identity": identity, "zone": zone, "talent": talent, "wages": wages,
           "cny_per_hkd": 1, "cny_per_mop": 1}
    if days is not None:
        inp["work_days"] = days
    expect = {"iit": str(iit), "relief": str(fen(best[0])) if best else "0.00",
              "relief_policy": best[1].id if best else "none",
              "relief_kind": best[1].kind if best else "none"}
    if best:
        expect["relief_paid_in"] = year + 1
    expect["reliefs"] = statuses
    name = f"Zones {year}: {identity} in {zone}, {'talent' if talent else 'not talent'}" + (f", {days} work days" if days is not None else "") + (f": {label}" if label else "")
    return {"name": name, "source": f"{ZONE_SRC}; {_REASON_ORDER}", "worked": "; ".join(parts), "input": inp, "expect": expect}


def zone_cases() -> list[dict]:
    cases = []
    # every identity in every zone, talent, 2024
    for ident in IDENTITIES:
        for zone in ZONES:
            cases.append(zone_case(ident, zone, 2024, label="eligibility grid"))
    # not talent where the identity fits
    for ident, zone in (("hk", "hetao"), ("hk", "qianhai"), ("hk", "nansha"), ("macao", "nansha"), ("macao", "hengqin"),
                        ("foreign", "gba"), ("mainland", "hengqin")):
        cases.append(zone_case(ident, zone, 2024, talent=False, label="talent status"))
    # Shenzhen's more-than-90-days rule in each zone of the GBA subsidy
    for zone in ("gba", "hetao", "qianhai", "nansha", "hengqin"):
        cases.append(zone_case("foreign", zone, 2024, days=D(90), label="the days rule"))
    cases.append(zone_case("foreign", "hengqin", 2020, days=D(90), label="the days rule where only the GBA subsidy is in force"))
    cases.append(zone_case("foreign", "qianhai", 2024, days=D("90.5"), label="the days rule: more than 90"))
    # windows: the first and last year of each policy, and the year before or after where tables exist
    for ident, zone, talent, years in (("foreign", "gba", True, (2019, 2027)),
                                       ("macao", "hengqin", True, (2020, 2021, 2027)),
                                       ("mainland", "hengqin", True, (2020, 2021, 2027)),
                                       ("hk", "hetao", False, (2022, 2023, 2027)),
                                       ("hk", "qianhai", False, (2022, 2023, 2027)),
                                       ("hk", "nansha", False, (2021, 2022, 2026, 2027)),
                                       ("macao", "nansha", False, (2021, 2022, 2026, 2027))):
        for year in years:
            cases.append(zone_case(ident, zone, year, talent=talent, label="policy window"))
    # the GBA subsidy's cap (G3 of zone-policies.md §1.6)
    cases.append(zone_case("foreign", "gba", 2024, wages=D(20060000), label="the 5,000,000 cap binds"))
    return cases


# =============================================================== default exchange rates

# CFETS / PBoC central parity of HKD on the last business day of the year (docs/assumptions.md X1)
_FX_SECONDARY = ("a public calculator's table of year-end central parities 'from SAFE/CFETS' (stored copies, "
                 "search ids 60075826530 and 67598613211: 2020 84.164, 2021 81.76, 2022 89.327, 2023 90.622, "
                 "2024 92.604, 2025 90.322 per HK$100)")
FX_RATES = {
    2019: (D("0.89578"), "CFETS central parity 2019-12-31, HK$100 = CNY 89.578 (USD 6.9762); not found in the stored copies here, "
                         "consistent with USD/HKD 7.788 that day [unverified]", None),
    2020: (D("0.84164"), f"CFETS central parity 2020-12-31; {_FX_SECONDARY}", None),
    2021: (D("0.81760"), f"CFETS central parity 2021-12-31; {_FX_SECONDARY}", None),
    2022: (D("0.89327"), f"CFETS central parity 2022-12-30; {_FX_SECONDARY}", None),
    2023: (D("0.90622"), f"CFETS central parity 2023-12-29; {_FX_SECONDARY}", None),
    2024: (D("0.92604"), f"CFETS central parity 2024-12-31; {_FX_SECONDARY}", None),
    2025: (D("0.90322"), f"CFETS central parity 2025-12-31; {_FX_SECONDARY}", None),
    2026: (D("0.90322"), f"docs/assumptions.md X1: 2026 carries 2025's year-end rate forward; 2025 as {_FX_SECONDARY}", None),
    2027: (D("0.90322"), f"docs/assumptions.md X1: 2027 carries 2025's year-end rate forward; 2025 as {_FX_SECONDARY}", None),
}
MOP_PER_HKD = D("1.03")   # AMCM: MOP 103 = HK$100


def fx_cases() -> list[dict]:
    cases = []
    wages = D(1000000)
    for year, (r, src, xfail) in FX_RATES.items():
        mop = (r / MOP_PER_HKD).quantize(D("0.000001"), rounding=ROUND_HALF_UP)
        hk_income = fen(wages / r)
        ya = year if year in HK_YEARS else max(HK_YEARS)
        a, std_bands, _, _ = HK_YEARS[ya]
        nci = hk_income - a["basic"]
        prog, _ = bands_tax(nci, PROGRESSIVE)
        std, _ = bands_tax(hk_income, std_bands)
        hk_t = min(prog, std).quantize(ONE, rounding=ROUND_FLOOR)
        hk_cny = fen(hk_t * r)
        worked = [f"cny_per_mop {r} / 1.03 = {mop} (6 decimals, half up)",
                  f"HK$ income 1,000,000 / {r} = {ex(hk_income)}; NCI less basic {m(a['basic'])} (YA {ya}/{(ya + 1) % 100:02d}) = {ex(nci)}: "
                  f"16,000 + {ex(nci - 200000)} x 17% = {ex(prog)} (standard rate {ex(std)} higher) -> {m(hk_t)}; x {r} = {ex(hk_cny)}"]
        expect = {"cny_per_hkd_used": f"{r:.6f}", "cny_per_mop_used": f"{mop:.6f}", "hk_burden_cny": str(hk_cny)}
        if year >= 2021:   # Macao tables from 2021
            mo_income = fen(wages / mop)
            tax, w = macao_compute(mo_income, True, year)
            mo_cny = fen(tax * mop)
            worked.append(f"MOP income 1,000,000 / {mop} = {ex(mo_income)}; " + w.replace("; x cny_per_mop 1 = " + m(tax), "") + f"; x {mop} = {ex(mo_cny)}")
            expect["macao_burden_cny"] = str(mo_cny)
        c = {"name": f"FX {year}: default CNY per HK$ and per MOP",
             "source": f"{src}; MOP 103 = HK$100 (AMCM) for cny_per_mop (docs/assumptions.md Z4); HK and Macao burdens as the HK and MO cases",
             "worked": "; ".join(worked),
             "input": {"tax_year": year, "identity": "macao", "wages": wages},
             "expect": expect}
        if xfail:
            c["xfail"] = xfail
        cases.append(c)
    return cases


# =============================================================== social insurance (social_insurance_auto)

SOCIAL_LAW = ("中华人民共和国社会保险法 Art. 10, 23, 33, 44, 53 (who pays each scheme: no employee share of work injury "
              "and maternity); 住房公积金管理条例 Art. 16-18 and 建金管〔2005〕5号 (5% to 12%, the same rate for both sides); "
              "docs/assumptions.md S1-S5 (base (wages + bonus) / 12 within each scheme's floor and ceiling; each month "
              "and scheme half up to the fen; tax year 2025 = 6 months of the contribution year 2024/25 and 6 of "
              "2025/26, which is not tabled: the nearest, 2024/25, is used)")
_FORVIS = "Forvis Mazars China, newsletter Dec. 2024, Social Insurance Base of 2024 (1 July 2024 to 30 June 2025)"
# per city: (source, zone, identity, city given, {scheme: (floor, ceiling or None, employee rate, employer rate)},
#            housing fund (floor, ceiling))
SOCIAL = {
    "shenzhen": (f"{_FORVIS}, Shenzhen (pension 15% for a non-Shenzhen hukou); maternity and the housing fund's "
                 "limits are taxcalc's uncertain values (tables/social/shenzhen/2024-25.toml)",
                 "hetao", "hk", None,
                 {"pension": (D(3523), D(26421), D("0.08"), D("0.15")), "medical": (D(6475), D(32376), D("0.02"), D("0.05")),
                  "unemployment": (D(2360), D(43659), D("0.002"), D("0.008")), "work_injury": (D(2360), None, D(0), D("0.002")),
                  "maternity": (D(6475), D(32376), D(0), D("0.005"))},
                 (D(2360), D(41190))),
    "guangzhou": (f"{_FORVIS}, Guangzhou (medical includes maternity)", "none", "foreign", "guangzhou",
                  {"pension": (D(5284), D(26421), D("0.08"), D("0.15")), "medical": (D(5996), D(29979), D("0.02"), D("0.0535")),
                   "unemployment": (D(2300), D(38082), D("0.002"), D("0.008")), "work_injury": (D(2100), None, D(0), D("0.002"))},
                  (D(2300), D(39579))),
    "zhuhai": ("taxcalc's uncertain values for Zhuhai (tables/social/zhuhai/2024-25.toml: Guangdong's pension limits, "
               "the rates of Guangzhou and Shenzhen, the Zhuhai minimum wage 1,900; pension employer 16%, 国办发〔2019〕13号)",
               "hengqin", "macao", None,
               {"pension": (D(5284), D(26421), D("0.08"), D("0.16")), "medical": (D(5284), D(26421), D("0.02"), D("0.055")),
                "unemployment": (D(1900), D(26421), D("0.002"), D("0.008")), "work_injury": (D(1900), None, D(0), D("0.002"))},
               (D(1900), D(26421))),
}
HF_DEFAULT = D("0.05")     # taxcalc's default: the lowest rate allowed


def social_compute(city: str, income: D, hf_rate: D | None) -> tuple[D, D, str]:
    _src, _zone, _ident, _city, schemes, (hf_floor, hf_ceiling) = SOCIAL[city]
    monthly = fen(income / 12)
    w = [f"monthly base {m(income)} / 12 = {m(monthly)}"]
    ee_m = er_m = D(0)
    for name, (floor, ceiling, ee, er) in schemes.items():
        base = max(monthly, floor) if ceiling is None else min(max(monthly, floor), ceiling)
        a, b = fen(base * ee), fen(base * er)
        ee_m += a
        er_m += b
        w.append(f"{name} on {m(base)}: {pct(ee)} = {m(a)}, employer {pct(er)} = {m(b)}")
    rate = HF_DEFAULT if hf_rate is None else hf_rate
    base = min(max(monthly, hf_floor), hf_ceiling)
    hf = fen(base * rate)
    ee_m += hf
    er_m += hf
    w.append(f"housing fund on {m(base)} at {pct(rate)}{' (the default)' if hf_rate is None else ''} = {m(hf)} each side")
    w.append(f"a month: employee {m(ee_m)}, employer {m(er_m)}; x 12: {m(12 * ee_m)}, {m(12 * er_m)}")
    return 12 * ee_m, 12 * er_m, "; ".join(w)


def social_cases() -> list[dict]:
    cases = []
    for city, (src, zone, ident, given_city, schemes, hf) in SOCIAL.items():
        def case(label, wages, bonus=D(0), hf_rate=None):
            ee, er, worked = social_compute(city, wages + bonus, hf_rate)
            taxable = max(wages + bonus - BASIC - ee, D(0))
            iit, text = annual_tax(taxable)
            worked += (f"; IIT (bonus combined): {m(wages + bonus)} - 60,000 - {m(ee)} = {m(taxable)}: {text}; "
                       f"employer's cost {m(wages + bonus)} + {m(er)} = {m(wages + bonus + er)}")
            inp = {"tax_year": 2025, "identity": ident, "zone": zone, "wages": wages, "social_insurance_auto": True}
            if bonus:
                inp.update(bonus=bonus, bonus_method="combined")
            if given_city:
                inp["city"] = given_city
            if hf_rate is not None:
                inp["housing_fund_rate"] = hf_rate
            cases.append({"name": f"Social insurance {city} 2025: {label}", "source": f"{SOCIAL_LAW}; {src}",
                          "worked": worked, "input": inp,
                          "expect": {"social_insurance_employee_cny": str(fen(ee)), "social_insurance_employer_cny": str(fen(er)),
                                     "iit_taxable": str(fen(taxable)), "iit": str(iit),
                                     "employer_cost_cny": str(fen(wages + bonus + er))}})

        case("1,800 a month, below every floor; housing fund at the default rate", D(21600))
        case("10,000 a month with the bonus, between the floors and the ceilings; housing fund at 5% given",
             D(108000), D(12000), D("0.05"))
        case("50,000 a month, above every ceiling; housing fund at 12%", D(600000), hf_rate=D("0.12"))
    return cases


# =============================================================== TOML output


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, D):
        if v == v.to_integral_value():
            return str(int(v))
        return f"{v:f}"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def _key(k: str) -> str:
    return k if k.replace("_", "").isalnum() and k.isascii() else json.dumps(k)


def write(name: str, header: str, cases: list[dict]) -> None:
    lines = [f"# {line}" if line else "#" for line in header.strip().splitlines()]
    lines.append("# Generated by tests/golden/tools/cases.py (which never reads tables/); review changes by hand.")
    for c in cases:
        lines.append("")
        lines.append("[[case]]")
        for key in ("name", "source", "worked", "xfail"):
            if key in c:
                lines.append(f"{key} = {_value(c[key])}")
        lines.append(f"input = {_value(c['input'])}")
        if c.get("options"):
            lines.append(f"options = {_value(c['options'])}")
        lines.append(f"expect = {_value(c['expect'])}")
    (OUT / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


MAINLAND_HEADER = """
Mainland IIT, one set of cases per tax year 2019-2027. In each year: seven residents whose annual
taxable income and separately taxed bonus fall in each bracket of the annual and the monthly table
(at a threshold + 1 from the second bracket on, so that a threshold off by one changes the tax),
between them every special additional deduction, the private pension and health insurance caps and
the income ratios; a non-resident (monthly table, 5,000 a month, the six-month bonus rule); a
foreign resident with tax-exempt allowances.
"""

HK_HEADER = """
Hong Kong Salaries Tax, one set of cases per year of assessment 2019/20-2026/27 (hk_income given):
a low income (MPF at 5%, tax below the one-off reduction cap), a single parent with every other
allowance (MPF given above the 18,000 cap; net chargeable income in the 17% band), a married person
with two children (MPF at the HK$1,500 monthly maximum) and a net income where the standard rate is
lower (both tiers from 2024/25). Expected figures after the year's one-off reduction.
"""

MACAO_HEADER = """
Macao Professional Tax (group 1), one set of cases per tax year 2019-2027. cny_per_mop = 1, so
macao_burden_cny is the tax in patacas, rounded up to the pataca; macao_refund = true (the default)
nets the resident's refund, false keeps it. A case in every band, the exemption boundary, the refund
below and at its cap. 2020 has the revised 2020 budget's fixed deduction of 30% (its own incomes);
2019 tax is refunded by the 2021 budget as amended (70%, at most 20,000).
"""

ZONES_HEADER = """
Zone policies (tables/zones/*.toml): every identity in every zone, talent status, Shenzhen's
more-than-90-days rule in each zone, each policy's first and last year and the years around them,
and the GBA subsidy's cap. Wages of 1,000,000 with cny_per_hkd = cny_per_mop = 1, so IIT 243,080,
the 15% rule leaves 102,080, the HK burden 129,560 (127,350 with the 2026/27 basic allowance) and
the Macao burden 46,844 less the resident's refund 14,000 = 32,844 (docs/assumptions.md Z3).
`reliefs` gives each policy's amount or why it does not apply.
"""

FX_HEADER = """
The default exchange rate of every tax year (tables/fx.toml) and the pataca's link to the HK dollar,
through the HK and Macao burdens on wages of 1,000,000. Cases marked xfail document a table value
that disagrees with its source (see each case's xfail reason).
"""

SOCIAL_HEADER = """
Mainland social insurance and housing fund computed from wages (social_insurance_auto), one set of
cases per city table (tables/social/<city>/2024-25.toml): a wage below every floor, one between the
floors and the ceilings (the bonus counted in the base; the housing fund at the lowest rate, given),
one above every ceiling (the housing fund at 12%). The employee's share is the IIT deduction.
"""

if __name__ == "__main__":
    write("mainland_years.toml", MAINLAND_HEADER, mainland_cases() + pension_pilot_cases())
    write("hongkong_years.toml", HK_HEADER, hongkong_cases())
    write("hongkong_household.toml", HOUSEHOLD_HEADER, household_cases())
    write("macao_years.toml", MACAO_HEADER, macao_cases())
    write("zones_policies.toml", ZONES_HEADER, zone_cases())
    write("fx.toml", FX_HEADER, fx_cases())
    write("social.toml", SOCIAL_HEADER, social_cases())
