"""Social insurance and housing fund computed from wages (social_insurance_auto), take-home pay and
the employer's cost on both jobs.

The golden cases (tests/golden/social.toml) fix each city's floors, ceilings and rates; here: the
half-year mapping of contribution years, the rules, the deduction feeding the IIT, the batch path,
and the Hong Kong employer's MPF.
"""

from __future__ import annotations

import shutil
from decimal import Decimal as D
from pathlib import Path

import pytest

from taxcalc import calculate, calculate_many
from taxcalc.errors import InputErrors
from taxcalc.i18n import error_lines
from taxcalc.tables import SHIPPED_TABLES, Tables

HETAO = {"tax_year": 2025, "identity": "hk", "zone": "hetao", "social_insurance_auto": True}


def _errors(case) -> list[str]:
    with pytest.raises(InputErrors) as exc:
        calculate(case)
    return error_lines(exc.value)


def test_floor_ceiling_and_between():
    """Shenzhen 2024/25: 1,800 a month pays on every floor, 10,000 on itself, 50,000 on every ceiling."""
    low = calculate({**HETAO, "wages": 21600})
    mid = calculate({**HETAO, "wages": 120000})
    high = calculate({**HETAO, "wages": 600000})
    # pension 8%: 3,523 floor, 10,000 itself, 26,421 ceiling; x 12
    assert low.explanation.find("step.si_employee").children[0].amount() == D("3382.08")   # 12 x 281.84
    assert mid.explanation.find("step.si_employee").children[0].amount() == D("9600.00")
    assert high.explanation.find("step.si_employee").children[0].amount() == D("25364.16")  # 12 x 2,113.68
    # the employee's share is the IIT deduction: the same IIT as giving it
    given = calculate({k: v for k, v in {**HETAO, "wages": 600000}.items() if k != "social_insurance_auto"}
                      | {"social_insurance": high.social_insurance_employee_cny})
    assert given.iit == high.iit and given.iit_taxable == high.iit_taxable
    assert given.social_insurance_employer_cny == 0 and high.social_insurance_employer_cny > 0
    assert high.take_home_cny == high.gross_income - high.iit_net - high.social_insurance_employee_cny
    assert high.employer_cost_cny == D(600000) + high.social_insurance_employer_cny


def test_no_wages_no_contributions():
    r = calculate({**HETAO, "labour": 100000})
    assert r.social_insurance_employee_cny == r.social_insurance_employer_cny == 0


def test_the_bonus_is_in_the_base():
    a = calculate({**HETAO, "wages": 108000, "bonus": 12000})
    b = calculate({**HETAO, "wages": 120000})
    assert a.social_insurance_employee_cny == b.social_insurance_employee_cny == D("18240.00")


def _second_period(tmp_path: Path) -> Tables:
    """A user directory with a Shenzhen 2025/26 table whose pension floor is 4,000."""
    text = (SHIPPED_TABLES / "social" / "shenzhen" / "2024-25.toml").read_text()
    text = text.replace("year = 2024", "year = 2025").replace("value = 3523,", "value = 4000,")
    d = tmp_path / "social" / "shenzhen"
    d.mkdir(parents=True)
    (d / "2025-26.toml").write_text(text)
    return Tables((SHIPPED_TABLES, tmp_path))


def test_a_tax_year_is_two_halves_of_contribution_years(tmp_path):
    tables = _second_period(tmp_path)
    r = calculate({**HETAO, "wages": 21600}, tables=tables)
    pension = r.explanation.find("step.si_employee").children[0]
    # January-June on 2024/25 (floor 3,523), July-December on 2025/26 (floor 4,000)
    assert pension.amount() == 6 * D("281.84") + 6 * D("320.00")
    assert not [n for n in r.notes if n.code == "note.social_period_fallback"]
    # 2026: January-June on 2025/26, July-December falls back to it, with a note
    r26 = calculate({**HETAO, "tax_year": 2026, "wages": 21600}, tables=tables)
    assert r26.explanation.find("step.si_employee").children[0].amount() == 12 * D("320.00")
    notes = [str(n) for n in r26.notes if n.code == "note.social_period_fallback"]
    assert notes == ["Shenzhen: no social insurance table for the contribution year 2026/27; that of 2025/26 was used"]
    # 2024: January-June wants 2023/24, not tabled: the nearest (2024/25) is used, with a note
    r24 = calculate({**HETAO, "tax_year": 2024, "wages": 21600}, tables=tables)
    assert "2023/24" in str(next(n for n in r24.notes if n.code == "note.social_period_fallback"))


@pytest.mark.parametrize("case, words", [
    ({"social_insurance": 5000}, "give social_insurance or compute it with social_insurance_auto"),
    ({"zone": "gba", "identity": "foreign"}, "city: social_insurance_auto needs the city of work"),
    ({"city": "guangzhou"}, "city: Hetao Shenzhen Park lies in Shenzhen"),
    ({"housing_fund_rate": "0.13"}, "housing_fund_rate: Shenzhen takes a housing fund rate from 5% to 12%"),
    ({"housing_fund_rate": "0.04"}, "from 5% to 12% (contribution year 2024/25)"),
])
def test_rules(case, words):
    lines = _errors({**HETAO, "wages": 100000, **case})
    assert any(words in line for line in lines), lines


def test_city_and_rate_need_the_flag():
    assert _errors({"tax_year": 2025, "wages": 1, "city": "zhuhai"}) == ["city: used only with social_insurance_auto"]
    assert _errors({"tax_year": 2025, "wages": 1, "housing_fund_rate": 0.1}) == \
        ["housing_fund_rate: used only with social_insurance_auto"]


def test_the_housing_fund_rate_is_paid_by_both_sides():
    five = calculate({**HETAO, "wages": 120000})
    twelve = calculate({**HETAO, "wages": 120000, "housing_fund_rate": "0.12"})
    # 10,000 a month: 7 points of the housing fund more on each side, 700 a month
    assert twelve.social_insurance_employee_cny - five.social_insurance_employee_cny == D(8400)
    assert twelve.social_insurance_employer_cny - five.social_insurance_employer_cny == D(8400)


def test_the_city_comes_from_the_zone_or_is_given():
    nansha = calculate({"tax_year": 2025, "zone": "nansha", "wages": 120000, "social_insurance_auto": True})
    gz = calculate({"tax_year": 2025, "zone": "gba", "city": "guangzhou", "wages": 120000, "social_insurance_auto": True})
    none = calculate({"tax_year": 2025, "city": "guangzhou", "wages": 120000, "social_insurance_auto": True})
    assert nansha.social_insurance_employee_cny == gz.social_insurance_employee_cny == none.social_insurance_employee_cny


def test_many_rows_of_several_cities_equal_one_by_one(tables):
    cases = [{**HETAO, "wages": w} for w in (0, 21600, 120000, 600000)] + \
            [{"tax_year": y, "zone": z, "wages": 300000, "bonus": 50000, "social_insurance_auto": True}
             for y in (2024, 2025, 2027) for z in ("nansha", "hengqin", "qianhai")] + \
            [{"tax_year": 2025, "wages": 300000, "social_insurance": 12345}]
    many = calculate_many(cases, tables=tables)
    for case, r in zip(cases, many):
        one = calculate(case, tables=tables, explain=False)
        assert one.outputs() == r.outputs()


def test_the_batch_reads_the_new_columns(tmp_path, tables):
    from taxcalc import batch

    src = tmp_path / "in.csv"
    src.write_text("tax_year,zone,city,wages,social_insurance_auto,housing_fund_rate\n"
                   "2025,gba,Guangzhou,300000,yes,0.12\n2025,hetao,,300000,TRUE,\n2025,none,,300000,,\n"
                   "2025,gba,,300000,yes,\n")
    out = tmp_path / "out.csv"
    summary = batch.run(str(src), str(out), tables=tables)
    assert (summary.rows, summary.rejected) == (4, 1)
    import polars as pl

    got = pl.read_csv(out, infer_schema_length=0)
    want = [calculate({"tax_year": 2025, "zone": "gba", "city": "guangzhou", "wages": 300000,
                       "social_insurance_auto": True, "housing_fund_rate": "0.12"}, tables=tables),
            calculate({"tax_year": 2025, "zone": "hetao", "wages": 300000, "social_insurance_auto": True}, tables=tables)]
    assert got["social_insurance_employee_cny"].to_list()[:2] == [str(r.social_insurance_employee_cny) for r in want]
    assert "city" in (tmp_path / "out.errors.csv").read_text()


def test_the_wide_path_gives_the_same_contributions():
    """A tiny exchange rate sends the row down the Python-integer path: the contributions agree."""
    narrow = calculate({**HETAO, "wages": 600000})
    wide = calculate({**HETAO, "wages": 600000, "cny_per_hkd": "0.000001"})
    assert wide.social_insurance_employee_cny == narrow.social_insurance_employee_cny
    assert wide.social_insurance_employer_cny == narrow.social_insurance_employer_cny


def test_hong_kong_take_home_and_employer_cost():
    # below the HK$7,100 minimum: no employee contribution, the employer still pays 5%
    low = calculate({"tax_year": 2024, "hk_income": 80000})
    assert low.hk_take_home == D(80000) - low.hk_tax and low.hk_employer_cost == D(84000)
    # above HK$30,000 a month: both at HK$1,500 a month
    high = calculate({"tax_year": 2024, "hk_income": 600000})
    assert high.hk_take_home == D(600000) - high.hk_tax - 18000 and high.hk_employer_cost == D(618000)
    # MPF given: the take-home pay counts what is paid, the tax what is deductible
    given = calculate({"tax_year": 2024, "hk_income": 600000, "hk_mpf": 30000})
    assert given.hk_take_home == D(600000) - given.hk_tax - 30000 and given.hk_tax == high.hk_tax
    assert given.take_home_gap_cny == given.take_home_cny - given.hk_take_home_cny


def test_copying_a_table_directory_keeps_it_loadable(tmp_path):
    """The shipped tables can be copied whole as a user's own directory (file names carry the city)."""
    shutil.copytree(SHIPPED_TABLES, tmp_path / "t")
    t = Tables((SHIPPED_TABLES, tmp_path / "t"))
    assert sorted(t.social) == [("guangzhou", 2024), ("shenzhen", 2024), ("zhuhai", 2024)]


@pytest.mark.parametrize("case", [
    {**HETAO, "wages": 21600}, {**HETAO, "wages": 600000, "bonus": 90000, "housing_fund_rate": "0.07"},
    {"tax_year": 2024, "zone": "nansha", "wages": 150000, "social_insurance_auto": True},
    {"tax_year": 2026, "zone": "gba", "city": "zhuhai", "identity": "foreign", "talent": True, "wages": 2000000,
     "social_insurance_auto": True},
    {"tax_year": 2025, "residency": "nonresident", "identity": "foreign", "zone": "qianhai", "wages": 400000,
     "social_insurance_auto": True},
])
def test_the_explanation_shows_the_engine_figures(case, tmp_path):
    from .test_explain import _check_tree

    for tables in (None, _second_period(tmp_path)):
        r = calculate(case, tables=tables)
        assert _check_tree(r, r.explanation) > 20
        assert r.explanation.find("step.si").amount() == r.social_insurance_employee_cny
        assert r.explanation.find("step.take_home").amount() == r.take_home_cny
