"""The explanation comes from the computation: each step shows the engine's own value.

* every step that names a registry figure shows exactly that figure;
* a step marked as a total is the sum of its children;
* a hand-worked case fixes what each step means: a step re-wired to another column fails here.
"""

from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taxcalc import calculate
from taxcalc.explain import Step
from taxcalc.messages import CATALOG

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_tree(result, step: Step) -> int:
    checked = 0
    for _depth, s in step.walk():
        assert s.code in CATALOG, s.code
        if s.figure is not None:
            assert s.amount() == getattr(result, s.figure), (s.code, s.figure)
            checked += 1
        if s.total:
            parts = [c.amount() for c in s.children]
            assert parts and sum(parts) == s.amount(), s.code
            checked += 1
    return checked


@SETTINGS
@given(year=st.integers(2019, 2027), ident=st.sampled_from(["mainland", "hk", "macao", "foreign"]),
       zone=st.sampled_from(["none", "gba", "hetao", "qianhai", "nansha", "hengqin"]), talent=st.booleans(),
       resident=st.booleans(), wages=st.integers(0, 3_000_000_00), bonus=st.integers(0, 500_000_00),
       labour=st.integers(0, 200_000_00), si=st.integers(0, 60_000), sad_children=st.integers(0, 3),
       pension=st.integers(0, 20_000), hk_income=st.one_of(st.none(), st.integers(0, 3_000_000)),
       married=st.booleans(), refund=st.booleans())
def test_every_step_shows_the_engine_figure_and_totals_add_up(year, ident, zone, talent, resident, wages, bonus, labour,
                                                              si, sad_children, pension, hk_income, married, refund):
    from taxcalc.engine import Options

    case = {"tax_year": year, "identity": ident, "zone": zone, "talent": talent,
            "residency": "resident" if resident else "nonresident", "wages": D(wages) / 100, "bonus": D(bonus) / 100,
            "labour": D(labour) / 100, "social_insurance": si, "sad_children": sad_children, "private_pension": pension,
            "hk_married": married}
    if hk_income is not None:
        case["hk_income"] = hk_income
    r = calculate(case, options=Options(macao_refund=refund))
    assert _check_tree(r, r.explanation) > 20


# A hand-worked case with distinct amounts everywhere, so that each step's value says which
# column it reads. 2024, a Hong Kong resident working in Hetao, not a listed talent.
CASE = {"tax_year": 2024, "identity": "hk", "zone": "hetao", "wages": 420000, "labour": 50000, "bonus": 30000,
        "social_insurance": 61234, "additional_deductions": 24000, "other_deductions": 1000,
        "private_pension": 15000, "health_insurance": 3000,
        "hk_income": 600000, "hk_mpf": 18000, "hk_deductions": 5000, "hk_married": True, "hk_children": 1,
        "cny_per_hkd": 1, "cny_per_mop": 1}

WORKED = {
    # mainland: income amounts 420,000 + 80% x 50,000
    "step.income_amounts": D(460000), "step.wages": D(420000), "step.labour": D(40000),
    "step.basic": D(60000), "step.social": D(61234), "step.sad": D(24000), "step.sad_total_given": D(24000),
    "step.other_given": D(1000), "step.pension": D(12000), "step.health": D(2400), "step.other": D(15400),
    "step.deductions": D(160634),
    # 460,000 - 160,634 = 299,366 at 20% - 16,920 = 42,953.20; the bonus 30,000: 3% of it (2,500 a month)
    "step.taxable_apart": D(299366), "step.tax_apart": D("42953.20"), "step.bonus_separate": D("900.00"),
    "step.separate_total": D("43853.20"),
    # combined: 329,366 at 25% - 31,920 = 50,421.50; separate is lower
    "step.combined_taxable": D(329366), "step.combined_tax": D("50421.50"),
    "step.iit": D("43853.20"), "step.taxable_used": D("299366.00"),
    # Hong Kong 2024/25: 600,000 - 18,000 - 5,000 = 577,000; allowances 264,000 + 130,000;
    # NCI 183,000: 1,000 + 3,000 + 5,000 + 14% x 33,000 = 13,620 (standard 15% x 577,000 = 86,550)
    "step.hk_income": D("600000.00"), "step.hk_mpf": D(18000), "step.hk_deductions": D(5000),
    "step.hk_net_income": D(577000), "step.hk_allow_married": D(264000), "step.hk_allow_children": D(130000),
    "step.hk_nci": D(183000), "step.hk_progressive": D(13620), "step.hk_standard": D(86550),
    "step.hk_lower": 13620, "step.hk_reduction": 1500, "step.hk_tax": 12120, "step.hk_tax_cny": D("12120.00"),
    # the HK burden: gross 500,000 at CNY 1 per HK$, less 5,000 (no MPF), less 394,000: NCI 101,000
    # -> 1,000 + 3,000 + 100 = 4,100, before the reduction
    "step.hkb_income": D(500000), "step.hkb_net_income": D(495000), "step.hkb_tax_before": 4100,
    "step.hkb_tax": 4100, "step.hk_burden": D("4100.00"),
    # Macao 2024 at CNY 1 per MOP: 75% of 500,000 = 375,000; 231,000 above 144,000:
    # 1,400 + 1,600 + 3,600 + 8,000 + 11% x 71,000 = 22,410; less 30%: 15,687; refund 60%: 9,412, netted
    # from the burden by default (docs/assumptions.md Z3): 6,275
    "step.macao_income": D("500000.00"), "step.macao_taxable": D(375000), "step.macao_table_tax": D(22410),
    "step.macao_tax": 15687, "step.macao_refund": 9412, "step.macao_burden_mop": 6275,
    "step.macao_burden": D("6275.00"),
    # Hetao: the IIT above the HK burden is exempt: 43,853.20 - 4,100
    "step.zones": D("39753.20"), "step.iit_net": D("4100.00"),
    "step.gap_hk": D("-8020.00"), "step.gap_macao": D("-11587.00"),
}


def test_each_step_means_what_it_says():
    r = calculate(CASE)
    got = {}
    for _d, s in r.explanation.walk():
        got.setdefault(s.code, s.amount())
    wrong = {code: (got.get(code), want) for code, want in WORKED.items() if got.get(code) != want}
    assert not wrong


def test_rewiring_a_step_fails(monkeypatch):
    """A step that reads the wrong column is caught by the worked case."""
    import taxcalc.explain as ex

    original = ex._Row.units

    def swapped(self, column, currency="CNY"):
        return original(self, "ml_social" if column == "ml_basic" else column, currency)

    monkeypatch.setattr(ex._Row, "units", swapped)
    r = calculate(CASE)
    assert r.explanation.find("step.basic").amount() != WORKED["step.basic"]


def test_statutory_numbers_come_from_the_tables():
    """The MPF formula and the reduction label quote the year's table, not literals."""
    from taxcalc.i18n import render
    from taxcalc.tables import load_tables

    r = calculate({"tax_year": 2021, "hk_income": 300000})
    mpf = r.explanation.find("step.hk_mpf")
    text = render(mpf.formula, "en")
    h = load_tables().hongkong[2021].mpf
    assert f"{h.min_monthly_income.value:,}" in text and f"{h.max_monthly_contribution.value:,}" in text
    red = r.explanation.find("step.hk_reduction")
    assert red.params["cap"].amount == load_tables().hongkong[2021].reduction.cap.value
