"""Exact over the whole documented domain: amounts up to 1,000,000,000, exchange rates from
0.000001 to 100 with 6 decimals, and everything derived from them (issue 8, item 1).

A dense grid runs through the one code path (the engine on columns) and is checked for the
invariants; rows at the extremes are checked to the fen against the independent Decimal
reference, which cannot overflow.
"""

from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taxcalc import calculate
from taxcalc import columns as colmod
from taxcalc.engine import NARROW_LIMIT, Options, compute, needs_wide
from taxcalc.params import year_params
from taxcalc.scenario import IDENTITY, ZONE, Scenario

from .reference import Ref, hk_default_mpf, hk_tax, macao_refund, macao_tax

WAGES = [D(0), D(1), D("36000.01"), D(1_000_000), D(128_000_000), D(129_000_000), D(999_999_999), D(1_000_000_000)]
RATES = [D("0.000001"), D("0.000007"), D("0.001"), D("0.5"), D("0.9043"), D(1), D("99.999999"), D(100)]
YEARS = range(2019, 2028)


def _grid(tables, options):
    """Every identity x zone x year x wages x rate, as one batch of columns (wages ascend within
    each combination)."""
    scenarios = []
    for year, ident, zone, rate in product(YEARS, IDENTITY, ZONE, RATES):
        for w in WAGES:
            scenarios.append(Scenario(tax_year=year, identity=ident, zone=zone, talent=True, wages=w,
                                      bonus=(w / 10).quantize(D("0.01")) if w < 100_000_000 else D(0), cny_per_hkd=rate))
    cols = colmod.from_scenarios(scenarios)
    return cols, compute(cols, tables, options, trace=False).figures


@pytest.mark.parametrize("options", [Options(), Options(macao_refund=True, hk_burden_reduction=True)],
                         ids=["defaults", "refund+reduction"])
def test_grid_invariants(tables, options):
    cols, f = _grid(tables, options)
    for name in ("iit", "relief", "hk_tax", "hk_burden", "hk_burden_cny", "macao_tax", "macao_burden",
                 "macao_burden_cny", "macao_refund", "hk_tax_cny", "hk_assessable_income", "macao_income"):
        assert (f[name] >= 0).all(), name
    assert (f["relief"] <= f["iit"]).all()
    assert (f["iit_net"] == f["iit"] - f["relief"]).all()
    assert (f["macao_refund"] <= f["macao_tax"]).all()
    assert (f["hk_tax"] <= f["hk_tax_before_reduction"]).all()
    # the HK and Macao caps: IIT after relief is the lower of the IIT and the burden
    hk_cap = f["relief_policy"] < 3          # hetao, qianhai, nansha HK caps come first in the tables' order
    assert (f["iit_net"][hk_cap] == np.minimum(f["iit"], f["hk_burden_cny"])[hk_cap]).all()
    # IIT never falls as wages rise
    iit = f["iit"].reshape(-1, len(WAGES))
    assert (np.diff(iit, axis=1) >= 0).all()
    # the burdens rise with income too (at one exchange rate)
    for name in ("hk_burden", "macao_tax"):
        v = f[name].reshape(-1, len(WAGES))
        assert (np.diff(v, axis=1) >= 0).all(), name


def test_the_grid_reaches_the_wide_path(tables):
    """The grid does test the Python-integer path (derived amounts beyond NARROW_LIMIT)."""
    cols, _ = _grid(tables, Options())
    p = year_params(tables, 2025)
    wide = needs_wide(cols, p)
    assert wide.any() and not wide.all()


def _hk_reference(tables, year, gross: D, rate: D, options=Options()):
    income = (gross / rate).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    mpf = hk_default_mpf(tables, year, income)
    allow = tables.hongkong[year].allowances.basic.value
    tax, reduction = hk_tax(tables, year, income, mpf, D(0), allow)
    burden, _ = hk_tax(tables, year, income, D(0), D(0), allow, reduction=options.hk_burden_reduction)
    return income, tax, reduction, burden


@pytest.mark.parametrize("wages, rate", [(D(1_000_000_000), D("0.000001")), (D(500_000_000), D("0.000001")),
                                         (D(129_000_000), D("0.9043")), (D(1_000_000_000), D(100)),
                                         (D("777777777.77"), D("0.000013")), (D(1), D("0.000001"))])
def test_extremes_agree_with_the_decimal_reference(tables, wages, rate):
    year = 2025
    r = calculate({"tax_year": year, "identity": "macao", "zone": "hengqin", "wages": wages, "cny_per_hkd": rate,
                   "cny_per_mop": rate}, tables=tables, explain=True)
    income, tax, reduction, burden = _hk_reference(tables, year, wages, rate)
    assert r.hk_assessable_income == income
    assert (r.hk_tax, r.hk_tax_reduction, r.hk_burden) == (tax, reduction, burden)
    mop = (wages / rate).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert r.macao_income == mop
    assert r.macao_tax == macao_tax(tables, year, mop)
    assert r.macao_burden == r.macao_tax - macao_refund(tables, year, D(r.macao_tax))
    assert r.macao_burden_cny == (r.macao_burden * rate).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert r.iit == Ref(tables, year).resident({"wages": wages})["iit"]
    assert D(0) <= r.relief <= r.iit and r.iit_net == r.iit - r.relief
    assert r.iit_net == min(r.iit, r.macao_burden_cny) or r.relief_policy != "hengqin_macao_cap"
    # the explanation of an extreme row reads the same figures
    assert r.explanation.find("step.macao_tax").amount() == r.macao_tax


def test_issue_example_macao_burden_at_500_million(tables):
    """taxcalc calc --tax-year 2025 --identity macao --zone hengqin --wages 500000000 gave a negative
    Macao burden and a relief larger than the IIT."""
    r = calculate({"tax_year": 2025, "identity": "macao", "zone": "hengqin", "wages": 500_000_000}, tables=tables)
    assert r.macao_burden_cny > 0 and r.relief <= r.iit and r.iit_net >= 0
    mop = (D(500_000_000) / r.cny_per_mop_used).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert r.macao_tax == macao_tax(tables, 2025, mop)
    # continuous across the old overflow point (MOP 1.47e8)
    taxes = [calculate({"tax_year": 2025, "identity": "macao", "zone": "hengqin", "wages": w}, tables=tables,
                       explain=False).macao_burden_cny for w in (128_000_000, 129_000_000, 130_000_000)]
    assert taxes == sorted(taxes) and taxes[0] > 8_000_000


def test_a_tiny_exchange_rate_gives_no_negative_figure(tables):
    r = calculate({"tax_year": 2025, "identity": "hk", "zone": "hetao", "wages": 900_000, "cny_per_hkd": "0.000001"},
                  tables=tables)
    assert r.hk_tax_reduction >= 0 and r.hk_burden_cny >= 0 and r.iit_net >= 0 and r.hk_tax > 0


@settings(max_examples=150, deadline=None)
@given(year=st.integers(2019, 2027), ident=st.sampled_from(IDENTITY), zone=st.sampled_from(ZONE),
       cents=st.integers(0, 100_000_000_000), micro=st.integers(1, 100_000_000),
       hk_cents=st.one_of(st.none(), st.integers(0, 100_000_000_000)))
def test_random_rows_in_the_domain_are_exact(tables, year, ident, zone, cents, micro, hk_cents):
    wages, rate = D(cents) / 100, D(micro) / 1_000_000
    case = {"tax_year": year, "identity": ident, "zone": zone, "talent": True, "wages": wages, "cny_per_hkd": rate}
    if hk_cents is not None:
        case["hk_income"] = D(hk_cents) / 100
    r = calculate(case, tables=tables, explain=False)
    hk_year = min(year, max(tables.hongkong))
    income = D(hk_cents) / 100 if hk_cents is not None else (wages / rate).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    mpf = hk_default_mpf(tables, hk_year, income)
    tax, reduction = hk_tax(tables, hk_year, income, mpf, D(0), tables.hongkong[hk_year].allowances.basic.value)
    assert (r.hk_tax, r.hk_tax_reduction) == (tax, reduction)
    assert r.hk_tax_cny == (tax * rate).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert r.hk_assessable_income_cny == (income * rate).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert D(0) <= r.relief <= r.iit and r.iit_net == r.iit - r.relief
    assert abs(r.burden_gap_hkd * rate - r.burden_gap_cny) <= rate / 2 + D("0.005")


def test_narrow_limit_keeps_int64_products_in_range():
    """The reasoning behind NARROW_LIMIT: an amount of 10**10 in 1/10,000 units times a rate in
    basis points, or times an exchange rate in millionths after the CNY check, stays below 2**63."""
    units = int(NARROW_LIMIT) * 10_000
    assert units * 10_000 < 2**63
    assert int(NARROW_LIMIT) * 100 * 100_000_000 // 100 < 2**63      # cents x rate (CNY value <= 10**10)
