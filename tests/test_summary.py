"""taxcalc.summary: the headline, the Hong Kong burden against the Hong Kong job, the marks, and
the bonus cliff judged after the zone relief."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path

import pytest

from taxcalc import calculate
from taxcalc.engine import Options
from taxcalc.i18n import render
from taxcalc.summary import bonus_cliff, burden_vs_job, marks, summarize
from taxcalc.tables import load_tables

ROOT = Path(__file__).resolve().parents[1]
HETAO = json.loads((ROOT / "examples" / "hetao-researcher.json").read_text())
T = load_tables()


def lines(case, options=Options()):
    r = calculate(case, tables=T, options=options)
    return r, summarize(r, T, options)


def test_hetao_headline_says_what_each_number_is():
    r, s = lines(HETAO)
    keys = [line.key for line in s.lines]
    assert keys == ["pay", "relief", "burden", "alternative", "why"]
    text = {line.key: str(line.message) for line in s.lines}
    assert text["pay"] == "You pay CN¥87,716.21 in mainland IIT (CN¥195,470.00 before the zone relief)"
    assert text["burden"] == ("Hong Kong burden (zone rule): HK$97,115 (CN¥87,716.21); the mainland tax equals it: "
                              "the cap holds")
    assert text["alternative"] == ("▲ A Hong Kong job pays HK$94,055 (CN¥84,952.36) Salaries Tax: the mainland takes "
                                   "CN¥2,763.85 (HK$3,060.00) more")
    assert text["why"] == ("Why the job pays HK$3,060 (CN¥2,763.85) less than the burden: it deducts HK$18,000.00 of "
                           "MPF, the zone rule does not (HK$3,060 less)")
    assert r.iit_net == r.hk_burden_cny                     # the cap holds, as the line says
    c = s.burden_vs_job
    assert c.difference == r.hk_burden - r.hk_tax == 3060
    assert c.difference_cny == r.hk_burden_cny - r.hk_tax_cny
    assert [(f.code, f.amount) for f in c.factors] == [("why.mpf", 3060)]


def test_the_reduction_and_a_different_income_are_named_with_amounts():
    r, s = lines({**HETAO, "tax_year": 2025, "hk_income": 1_200_000})
    c = s.burden_vs_job
    codes = [f.code for f in c.factors]
    assert codes == ["why.reduction", "why.mpf", "why.income_more"]
    assert c.factors[0].amount == r.hk_tax_reduction == 3000
    assert sum(f.amount for f in c.factors) == r.hk_burden - r.hk_tax
    assert "HK$1,200,000.00" in str(c.message) and "0.90322 CNY per HK$1" in str(c.message)


def test_the_reduction_in_the_burden_is_not_a_difference():
    r, s = lines({**HETAO, "tax_year": 2025}, Options(hk_burden_reduction=True))
    assert [f.code for f in s.burden_vs_job.factors] == ["why.mpf"]
    assert sum(f.amount for f in s.burden_vs_job.factors) == r.hk_burden - r.hk_tax


def test_the_previous_year_of_assessment_is_a_factor():
    opts = Options(hk_burden_year="previous")
    r, s = lines({**HETAO, "tax_year": 2026}, opts)
    factors = s.burden_vs_job.factors
    assert any(f.code.startswith("why.year") for f in factors)
    assert sum(f.amount for f in factors) == r.hk_burden - r.hk_tax
    assert "2025/26" in str(s.burden_vs_job.message) and "2026/27" in str(s.burden_vs_job.message)


@pytest.mark.parametrize("seed", range(40))
def test_the_factors_always_add_up(seed):
    rnd = random.Random(seed)
    case = {"tax_year": rnd.choice(range(2023, 2028)), "identity": "hk", "zone": rnd.choice(["hetao", "qianhai"]),
            "talent": True, "wages": rnd.randrange(0, 3_000_000), "bonus": rnd.randrange(0, 300_000),
            "hk_married": rnd.random() < 0.5, "hk_children": rnd.randrange(0, 3)}
    if rnd.random() < 0.5:
        case["hk_income"] = rnd.randrange(0, 3_000_000)
    if rnd.random() < 0.3:
        case["hk_mpf"] = rnd.randrange(0, 40_000)
    options = Options(hk_burden_reduction=rnd.random() < 0.3, hk_burden_year=rnd.choice(["same", "previous"]))
    r = calculate(case, tables=T, options=options)
    c = burden_vs_job(r, T, options)
    assert sum(f.amount for f in c.factors) == c.difference == r.hk_burden - r.hk_tax
    assert all(f.amount for f in c.factors)                 # no factor of 0 is named
    if options.hk_burden_year == "same":
        assert not any(f.code.startswith(("why.year", "why.other")) for f in c.factors)


def test_a_macao_resident_sees_the_macao_side():
    case = {"tax_year": 2025, "identity": "macao", "zone": "hengqin", "talent": True, "wages": 500_000}
    r, s = lines(case)
    assert s.side == "macao" and s.burden_vs_job is None
    text = {line.key: str(line.message) for line in s.lines}
    # the default (docs/assumptions.md Z3): the burden is the tax less the resident's refund
    assert text["burden"].startswith("Macao burden (zone rule): MOP7,907 (CN¥6,933.75)")
    assert "the cap holds" in text["burden"]
    assert text["alternative"].startswith("▼ Macao takes MOP19,766 (CN¥17,333.06) Professional Tax, MOP11,859 refunded later")
    assert "less the refund of MOP11,859" in text["why"]
    r2, s2 = lines(case, Options(macao_refund=False))
    text2 = {line.key: str(line.message) for line in s2.lines}
    assert text2["burden"].startswith("Macao burden (zone rule): MOP19,766 (CN¥17,333.06)")
    assert "before the refund of MOP11,859" in text2["why"]


def test_the_gap_against_macao_in_mop_is_rounded_as_the_hkd_gap():
    case = {"tax_year": 2025, "identity": "macao", "zone": "hengqin", "wages": 800_000}   # no talent: no cap relief
    r, s = lines(case)
    line = next(line for line in s.lines if line.key == "alternative")
    gap_mop = line.message.params["gap_mop"].amount
    expected = (abs(r.burden_gap_macao_cny) / r.cny_per_mop_used).quantize(Decimal("0.01"))
    assert abs(gap_mop - expected) <= Decimal("0.01") and gap_mop == gap_mop.quantize(Decimal("0.01"))


def test_a_foreign_talent_sees_the_subsidy_and_the_hk_alternative():
    case = {"tax_year": 2026, "identity": "foreign", "zone": "nansha", "talent": True, "wages": 1_200_000}
    r, s = lines(case)
    keys = [line.key for line in s.lines]
    assert keys == ["pay", "relief", "alternative", "why"]
    assert "GBA talent subsidy above 15%: a subsidy of" in str(s.lines[1].message)
    assert str(s.lines[3].message) == ("GBA talent subsidy above 15% limits the mainland tax to 15% of taxable income; "
                                       "it promises no comparison with the Hong Kong tax, so the gap stays")


# -- the bonus cliff after relief


def keep(case, bonus):
    return calculate({**case, "bonus": bonus}, tables=T).income_after_iit


def test_a_cap_relief_absorbs_the_jump_no_cliff_is_flagged():
    case = {**HETAO, "wages": 300_000}
    r, s = lines({**case, "bonus": 36_001})
    assert r.bonus_cliff                                         # before relief: the engine's flag
    assert s.cliff is None                                       # after relief: it keeps more than 36,000
    assert keep(case, 36_001) - keep(case, 36_000) == Decimal("1.00")
    note = next(n for n in s.notes if n.code.startswith("cliff."))
    assert note.code == "cliff.absorbed" and note.params["more"].amount == Decimal("1.00")


@pytest.mark.parametrize("case, bonus, threshold", [
    ({"tax_year": 2026, "identity": "foreign", "zone": "nansha", "talent": True, "wages": 1_200_000}, 150_000, 144_000),
    ({"tax_year": 2026, "identity": "mainland", "wages": 300_000}, 37_000, 36_000),
    ({"tax_year": 2024, "identity": "mainland", "wages": 1_000_000}, 1_000_000, 960_000),
    ({"tax_year": 2023, "identity": "hk", "zone": "gba", "talent": True, "wages": 500_000}, 145_000, 144_000),
])
def test_the_range_to_avoid_ends_at_the_first_bonus_that_keeps_as_much(case, bonus, threshold):
    r = calculate({**case, "bonus": bonus}, tables=T)
    c = bonus_cliff(r, T, Options())
    assert c is not None and c.threshold == threshold
    at_threshold = keep(case, threshold)
    assert keep(case, c.upper) >= at_threshold > keep(case, c.upper - Decimal("0.01"))
    assert c.loss == at_threshold - r.income_after_iit > 0


def test_a_relief_moves_the_end_of_the_range():
    """The GBA subsidy caps the bonus's tax at 15%: the range to avoid above 144,000 ends earlier
    than it does before relief (160,500)."""
    case = {"tax_year": 2026, "identity": "foreign", "zone": "nansha", "talent": True, "wages": 1_200_000}
    c = bonus_cliff(calculate({**case, "bonus": 150_000}, tables=T), T, Options())
    assert c.upper == Decimal("152717.65")
    plain = {**case, "zone": "none"}
    c2 = bonus_cliff(calculate({**plain, "bonus": 150_000}, tables=T), T, Options())
    assert c2.upper == Decimal("160500.00")


# -- what to weigh


def test_marks_for_the_hetao_example():
    r, s = lines(HETAO)
    found = {(m.table, m.key, m.mark) for m in s.marks}
    assert ("fx", "cny_per_hkd.2026", "placeholder") in found
    assert ("hongkong/2026-27", "allowances.married", "proposed") in found
    fx = next(m for m in s.marks if m.table == "fx")
    assert fx.figures[0] == "cny_per_hkd_used" and fx.citation.title.startswith("A public tax calculator")
    assert render(fx.message, "en") == ("the default exchange rate for 2026, 0.90322 CNY per HK$1, is a placeholder: "
                                        "give your own (cny_per_hkd)")


def test_no_exchange_rate_mark_when_the_rate_is_given():
    r, s = lines({**HETAO, "cny_per_hkd": "0.91"})
    assert not any(m.table == "fx" for m in s.marks)


def test_a_proposed_reduction_and_an_adviser_window():
    r, s = lines({**HETAO, "tax_year": 2025})
    assert any(m.key == "reduction.rate" and m.mark == "proposed" for m in s.marks)
    r, s = lines({"tax_year": 2026, "identity": "macao", "zone": "hengqin", "talent": True, "wages": 600_000})
    window = next(m for m in s.marks if m.key.endswith("last_year"))
    assert window.mark == "adviser" and window.figures == ("relief",)
    assert not any(m.table.startswith("hongkong") for m in s.marks)      # a Macao resident: the Macao side


def test_an_assumed_extension_is_marked():
    case = {"tax_year": 2027, "identity": "hk", "zone": "nansha", "talent": True, "wages": 900_000}
    opts = Options(assume_extended=True)
    r = calculate(case, tables=T, options=opts)
    assert r.relief_assumed_extended
    assert any(m.mark == "assumed" for m in marks(r, T, opts))


# -- capped inputs and the withholding schedule


def test_a_shared_elderly_support_above_the_cap_is_noted():
    r = calculate({**HETAO, "sad_elderly": "shared", "sad_elderly_share": 5000}, tables=T)
    note = next(n for n in r.notes if n.code == "note.capped")
    assert note.params["field"].value == "sad_elderly_share"
    assert note.params["used"].amount == 1500


def test_withholding_amounts_to_date_are_rounded_not_cut():
    from taxcalc import withholding

    w = withholding(HETAO, tables=T)
    assert w.months[0].cumulative_taxable == Decimal("64666.67")       # 776,000 / 12, half up (not 64,666.66)
    assert w.months[2].cumulative_taxable == Decimal("194000.00")
