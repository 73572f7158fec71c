"""The Hong Kong household (issue 11): itemised deductions under their caps, a spouse, separate or
joint assessment. The figures themselves are golden cases (tests/golden/hongkong_household.toml);
these tests check the rules around them: the cross-field rules, the notes of the explanation,
that the couple's figures add up on random cases, and exactness at the largest amounts."""

from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taxcalc import calculate, calculate_many
from taxcalc.errors import InputErrors

from .test_explain import _check_tree

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("fields, field, words", [
    ({"hk_spouse_income": 100000}, "hk_spouse_income", "hk_married = true"),
    ({"hk_spouse_mpf": 0}, "hk_spouse_mpf", "hk_married = true"),
    ({"hk_spouse_deductions": 10}, "hk_spouse_deductions", "hk_married = true"),
    ({"hk_assessment": "joint"}, "hk_assessment", "married couple"),
    ({"hk_assessment": "separate"}, "hk_assessment", "married couple"),
    ({"hk_children": 1, "hk_newborns": 1, "hk_born_last_year": 1}, "hk_born_last_year", "together cannot exceed"),
])
def test_cross_field_rules(fields, field, words):
    with pytest.raises(InputErrors) as exc:
        calculate({"tax_year": 2024, **fields})
    assert [e.field for e in exc.value.errors] == [field]
    assert words in str(exc.value.errors[0].message)


def test_best_is_the_default_and_needs_no_spouse():
    r = calculate({"tax_year": 2024, "hk_income": 500000, "hk_married": True})
    assert r.hk_assessment_used == "separate" and r.hk_tax_spouse == 0 and r.hk_tax_household == r.hk_tax


def test_joint_asked_without_a_spouse_income_is_the_married_allowance():
    a = calculate({"tax_year": 2024, "hk_income": 500000, "hk_married": True, "hk_assessment": "joint"})
    b = calculate({"tax_year": 2024, "hk_income": 500000, "hk_married": True})
    assert a.hk_tax == b.hk_tax and a.hk_assessment_used == "separate"


def test_a_capped_claim_has_its_note_and_its_cap_from_the_table(tables):
    r = calculate({"tax_year": 2025, "hk_income": 900000, "hk_self_education": 150000})
    step = r.explanation.find("step.hk_claim_education")
    assert step.amount() == tables.hongkong[2025].deductions.self_education.value
    assert step.params["cap"].amount == tables.hongkong[2025].deductions.self_education.value
    assert step.note.code == "note.capped"
    assert "150,000" in str(step.note) and "100,000" in str(step.note)


def test_rent_before_2022_is_explained():
    r = calculate({"tax_year": 2021, "hk_income": 500000, "hk_rent": 50000})
    assert r.explanation.find("step.hk_claim_rent").note.code == "note.hk_rent_not_deductible"
    assert r.hk_deductions_allowed == 0


def test_joint_asked_at_a_cost_is_noted():
    r = calculate({"tax_year": 2024, "hk_income": 400000, "hk_married": True, "hk_spouse_income": 380000,
                   "hk_assessment": "joint"})
    node = r.explanation.find("step.hk_household")
    assert node.note.code == "note.hk_joint_costs_more"
    assert node.note.params["more"].amount == 62100 - 42600


def test_the_zone_burden_takes_the_capped_claims_but_no_mpf():
    base = {"tax_year": 2024, "identity": "hk", "zone": "qianhai", "wages": 1000000, "cny_per_hkd": 1}
    a = calculate(base)
    b = calculate({**base, "hk_home_loan_interest": 150000})
    # 100,000 more deducted in the 17% band: 17,000 less burden
    assert a.hk_burden - b.hk_burden == 17000
    step = b.explanation.find("step.hkb_deductions")
    assert step.amount() == 100000


@SETTINGS
@given(year=st.integers(2019, 2027), income=st.integers(0, 4_000_000), spouse=st.one_of(st.none(), st.integers(1, 4_000_000)),
       ask=st.sampled_from(["best", "separate", "joint"]), hli=st.integers(0, 200_000), rent=st.integers(0, 200_000),
       donations=st.integers(0, 500_000), children=st.integers(0, 3), newborn=st.booleans(), vhis=st.integers(0, 30_000),
       insured=st.integers(0, 3), spouse_ded=st.integers(0, 100_000))
def test_the_couple_adds_up_and_every_step_is_the_engine_figure(year, income, spouse, ask, hli, rent, donations, children,
                                                                newborn, vhis, insured, spouse_ded):
    case = {"tax_year": year, "hk_income": income, "hk_married": spouse is not None or ask != "best",
            "hk_assessment": ask, "hk_home_loan_interest": hli, "hk_rent": rent, "hk_donations": donations,
            "hk_children": children, "hk_newborns": 1 if newborn and children else 0, "hk_vhis_premiums": vhis,
            "hk_vhis_insured": insured}
    if spouse is not None:
        case.update(hk_spouse_income=spouse, hk_spouse_deductions=spouse_ded)
    r = calculate(case)
    assert r.hk_tax + r.hk_tax_spouse == r.hk_tax_household
    assert r.hk_tax_before_reduction - r.hk_tax_reduction == r.hk_tax
    assert r.hk_tax_reduction >= 0 and r.hk_tax_spouse >= 0
    if spouse is not None and ask == "best":
        sep = calculate({**case, "hk_assessment": "separate"})
        joint = calculate({**case, "hk_assessment": "joint"})
        assert r.hk_tax_household == min(sep.hk_tax_household, joint.hk_tax_household)
    assert _check_tree(r, r.explanation) > 20


def test_a_couple_past_the_int64_bound_is_exact():
    """Joint shares multiply the couple's tax by a net income in dollars: CNY 500,000,000 at 0.07
    per HK$ is HK$7,142,857,142.86, so with a spouse's HK$1,000,000,000 the product passes 2**63;
    such a row runs on Python integers (engine.JOINT_LIMIT) and agrees with Decimal arithmetic."""
    from decimal import ROUND_FLOOR, ROUND_HALF_UP

    from taxcalc.engine import needs_wide
    from taxcalc.params import year_params
    from taxcalc.tables import load_tables

    case = {"tax_year": 2024, "wages": 500_000_000, "cny_per_hkd": D("0.07"), "hk_mpf": 0, "hk_married": True,
            "hk_spouse_income": 1_000_000_000, "hk_spouse_mpf": 0, "hk_assessment": "joint"}
    mine = (D(500_000_000) / D("0.07")).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    theirs = D(1_000_000_000)
    ni = mine + theirs
    joint = (D(5_000_000) * D("0.15") + (ni - 5_000_000) * D("0.16")).quantize(D(1), rounding=ROUND_FLOOR) - 1500
    share = (joint * mine.quantize(D(1), rounding=ROUND_FLOOR) / (mine.quantize(D(1), rounding=ROUND_FLOOR) + theirs)
             ).quantize(D(1), rounding=ROUND_FLOOR)
    assert int(joint) * int(mine) > 2 ** 63
    from taxcalc import columns as colmod
    from taxcalc.api import to_scenario
    cols = colmod.from_scenarios([to_scenario(case)])
    assert needs_wide(cols, year_params(load_tables(), 2024)).all()
    r = calculate(case)
    assert r.hk_tax_household == joint and r.hk_tax == share and r.hk_tax_spouse == joint - share
    rows = calculate_many([case, {**case, "wages": 100000}], explain=False)
    assert rows[0].hk_tax == r.hk_tax


def test_donations_cap_is_35_percent_of_income_less_other_deductions():
    r = calculate({"tax_year": 2023, "hk_income": 600000, "hk_deductions": 20000, "hk_donations": 300000})
    assert r.hk_deductions_allowed == D("223000.00")
