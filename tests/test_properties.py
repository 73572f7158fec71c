"""Property tests: the engine against the independent Decimal reference, and the invariants."""

from decimal import Decimal as D

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taxcalc import Options, calculate, calculate_many
from taxcalc.tables import load_tables

from .reference import Ref, hk_default_mpf, hk_standard_rate_tax, hk_tax, macao_refund, macao_tax

TABLES = load_tables()
YEARS = st.integers(2019, 2027)
HK_YEARS = st.integers(2019, 2026)
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def money(max_value=5_000_000):
    return st.integers(0, max_value * 100).map(lambda c: D(c) / 100)


def whole(max_value=5_000_000):
    return st.integers(0, max_value).map(D)


@SETTINGS
@given(year=YEARS, wages=money(3_000_000), bonus=money(2_000_000), labour=money(500_000), author=money(300_000),
       royalty=money(300_000), si=whole(100_000), add=whole(100_000), other=whole(50_000),
       method=st.sampled_from(["best", "separate", "combined"]))
def test_resident_matches_reference(year, wages, bonus, labour, author, royalty, si, add, other, method):
    s = dict(tax_year=year, wages=wages, bonus=bonus, labour=labour, author=author, royalty=royalty,
             social_insurance=si, additional_deductions=add, other_deductions=other, bonus_method=method)
    r = calculate(s, tables=TABLES, explain=False)
    ref = Ref(TABLES, year).resident(s)
    assert r.iit == ref["iit"]
    assert r.iit_taxable == ref["taxable"].quantize(D("0.01"), rounding="ROUND_HALF_UP")
    assert (r.bonus_method_used == "separate") == ref["use_separate"]
    assert r.iit >= 0


@SETTINGS
@given(year=YEARS, wages=money(3_000_000), bonus=money(1_000_000), labour=money(500_000), author=money(200_000),
       royalty=money(200_000))
def test_nonresident_matches_reference(year, wages, bonus, labour, author, royalty):
    s = dict(tax_year=year, residency="nonresident", identity="foreign", wages=wages, bonus=bonus, labour=labour,
             author=author, royalty=royalty)
    r = calculate(s, tables=TABLES, explain=False)
    assert r.iit == Ref(TABLES, year).nonresident(s)


@SETTINGS
@given(year=HK_YEARS, income=money(8_000_000), deductions=whole(200_000), married=st.booleans(),
       children=st.integers(0, 9), parents=st.integers(0, 2), mpf_given=st.booleans())
def test_hongkong_matches_reference(year, income, deductions, married, children, parents, mpf_given):
    h = TABLES.hongkong[year].allowances
    allow = ((h.married.value if married else h.basic.value) + children * h.child.value
             + parents * h.dependent_parent_60.value)
    s = dict(tax_year=year, hk_income=income, hk_deductions=deductions, hk_married=married, hk_children=children,
             hk_parents_60=parents)
    mpf = hk_default_mpf(TABLES, year, income)
    if mpf_given:
        s["hk_mpf"] = mpf = min(D(12_000), income)
    r = calculate(s, tables=TABLES, explain=False)
    tax, reduction = hk_tax(TABLES, year, income, mpf, deductions, allow)
    assert (r.hk_tax, r.hk_tax_reduction) == (tax, reduction)


@SETTINGS
@given(year=st.integers(2021, 2027), income=money(3_000_000))
def test_macao_matches_reference(year, income):
    r = calculate(dict(tax_year=year, wages=income, cny_per_mop=1), tables=TABLES, explain=False)
    tax = macao_tax(TABLES, year, income)
    assert r.macao_tax == tax
    assert r.macao_burden_cny == tax - macao_refund(TABLES, year, tax)     # netted by default (docs/assumptions.md Z3)


@SETTINGS
@given(year=YEARS, wages=st.lists(money(4_000_000), min_size=2, max_size=30), si=whole(50_000),
       resident=st.booleans())
def test_tax_never_negative_and_never_falls_as_wages_rise(year, wages, si, resident):
    wages = sorted(wages)
    rows = [dict(tax_year=year, wages=w, social_insurance=si if resident else 0,
                 residency="resident" if resident else "nonresident", identity="foreign") for w in wages]
    taxes = [r.iit for r in calculate_many(rows, tables=TABLES)]
    assert all(t >= 0 for t in taxes)
    assert taxes == sorted(taxes)


@SETTINGS
@given(year=HK_YEARS, incomes=st.lists(money(10_000_000), min_size=2, max_size=30), married=st.booleans(),
       children=st.integers(0, 4))
def test_hk_tax_bounded_by_standard_rate_and_monotone(year, incomes, married, children):
    incomes = sorted(incomes)
    rows = [dict(tax_year=year, hk_income=i, hk_married=married, hk_children=children) for i in incomes]
    results = calculate_many(rows, tables=TABLES)
    taxes = [r.hk_tax for r in results]
    assert taxes == sorted(taxes)
    for i, r in zip(incomes, results):
        mpf = hk_default_mpf(TABLES, year, i)
        standard = hk_standard_rate_tax(TABLES, year, max(i - mpf, D(0)))
        assert 0 <= r.hk_tax <= standard


# ---------------------------------------------------------------- zones

IDENTITIES = st.sampled_from(["mainland", "hk", "macao", "taiwan", "foreign"])
ZONES = st.sampled_from(["none", "gba", "hetao", "qianhai", "nansha", "hengqin"])


@st.composite
def zone_case(draw):
    return dict(
        tax_year=draw(YEARS), identity=draw(IDENTITIES), zone=draw(ZONES), talent=draw(st.booleans()),
        wages=draw(money(25_000_000)), bonus=draw(money(3_000_000)),
        bonus_method=draw(st.sampled_from(["best", "separate", "combined"])),
        social_insurance=draw(whole(60_000)), cny_per_hkd=draw(st.sampled_from([None, D("0.9"), D("0.92604"), D(1)])),
        hk_married=draw(st.booleans()), hk_children=draw(st.integers(0, 3)),
        work_days=draw(st.sampled_from([None, D(30), D(90), D("90.5"), D(200)])),
    )


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=zone_case(), extended=st.booleans())
def test_zone_relief_invariants(case, extended):
    case = {k: v for k, v in case.items() if v is not None}
    r = calculate(case, tables=TABLES, options=Options(assume_extended=extended), explain=True)
    assert D(0) <= r.relief <= r.iit
    assert r.iit_net == r.iit - r.relief
    if r.relief_policy == "none":
        assert r.relief == 0 and r.relief_kind == "none" and r.relief_paid_in is None
        return
    _, policy = TABLES.policies[r.relief_policy]
    year = case["tax_year"]
    # nothing outside a window (unless explicitly assumed extended, and then marked)
    in_window = policy.first_year <= year <= int(policy.last_year.value)
    assert in_window or (extended and r.relief_assumed_extended and year > int(policy.last_year.value))
    assert case["identity"] in policy.identities and case["zone"] in policy.zones
    assert case.get("talent", False) or not policy.talent_required
    assert r.relief_paid_in == year + int(policy.paid_in_offset.value)
    # the chosen relief is the largest of the alternatives considered, and there is only one
    chosen = [o for o in r.reliefs if o.chosen]
    assert len(chosen) == 1 and chosen[0].policy == r.relief_policy
    assert r.relief == max(o.amount for o in r.reliefs)
    assert all(o.amount == 0 for o in r.reliefs if o.reason != "applies")
    zones = r.explanation.find("step.zones")
    assert zones is not None and zones.figure == "relief" and zones.amount() == r.relief
    assert sum(s.code == "step.policy_chosen" for s in zones.children) == 1
    if policy.formula == "hk_burden":
        assert r.iit_net == min(r.iit, r.hk_burden_cny)
    if policy.formula == "macao_burden":
        assert r.iit_net == min(r.iit, r.macao_burden_cny)
    if policy.formula == "rate_cap":
        rate = policy.rate.value
        ref = Ref(TABLES, year).resident(case)
        cats = [(ref["apart_tax"] if ref["use_separate"] else ref["iit"], ref["taxable"])]
        if ref["use_separate"]:
            cats.append((ref["bonus_tax"], D(case.get("bonus", 0))))
        raw = sum(max(D(0), tax - (taxable * rate).quantize(D("0.01"), rounding="ROUND_HALF_UP")) for tax, taxable in cats)
        if policy.cap is None or raw <= policy.cap.value:
            assert r.relief == raw
            # each category's tax after relief is at most 15% of its taxable income (to the fen)
            for tax, taxable in cats:
                share = max(D(0), tax - (taxable * rate).quantize(D("0.01"), rounding="ROUND_HALF_UP"))
                assert tax - share <= (taxable * rate).quantize(D("0.01"), rounding="ROUND_HALF_UP")
        else:
            assert r.relief == policy.cap.value


def test_engine_ints_do_not_overflow_at_the_limits():
    """The largest amounts allowed (1,000,000,000 in every field) against the reference."""
    big = D(1_000_000_000)
    s = dict(tax_year=2024, wages=big, bonus=big, labour=big, author=big, royalty=big, bonus_method="separate",
             identity="foreign", zone="gba", talent=True)
    r = calculate(s, tables=TABLES)
    assert r.iit == Ref(TABLES, 2024).resident(s)["iit"]
    assert r.relief == D(5_000_000)
    assert np.isfinite(float(r.effective_rate_mainland))
