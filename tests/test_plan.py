"""taxcalc plan: an offer over several tax years (issue 12, part 1)."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest
from click.testing import CliRunner

from taxcalc import Options, calculate
from taxcalc.cli import main
from taxcalc.errors import InputErrors
from taxcalc.i18n import error_lines
from taxcalc.plan import (
    grown,
    parse_growth,
    parse_years,
    plan,
    plan_tables,
    render_plan,
)

GBA = {"tax_year": 2025, "identity": "foreign", "zone": "gba", "city": "shenzhen", "talent": True, "wages": 900000,
       "bonus": 100000, "social_insurance_auto": True, "hk_income": 1000000}
HETAO = {"tax_year": 2025, "identity": "hk", "zone": "hetao", "wages": 800000}


def test_each_year_equals_calculate_for_that_year(tables):
    p = plan(GBA, parse_years("2025-2030"), growth=D("0.03"), hk_growth=D("0.025"), tables=tables)
    pt = plan_tables(tables, 2030)
    assert [y.tax_year for y in p.years] == list(range(2025, 2031))
    for k, y in enumerate(p.years):
        case = {**GBA, "tax_year": y.tax_year, "wages": grown(D(900000), D("0.03"), k),
                "bonus": grown(D(100000), D("0.03"), k), "hk_income": grown(D(1000000), D("0.025"), k)}
        assert y.enacted.outputs() == calculate(case, tables=pt, explain=False).outputs()
        assert y.renewed.outputs() == calculate(case, tables=pt, options=Options(assume_extended=True),
                                                explain=False).outputs()
    # the years with tables are calculate with the shipped tables themselves
    assert p.years[0].enacted.outputs() == calculate({**GBA}, tables=tables, explain=False).outputs()


def test_growth_is_year_on_year_to_the_fen():
    assert grown(D("333333.33"), D("0.03"), 1) == D("343333.33")     # 343,333.3299 half up
    assert grown(D(100000), D("0.05"), 2) == D("110250.00")
    assert grown(D("0.01"), D("0.4"), 1) == D("0.01")                # 0.014 half up
    assert grown(None, D("0.03"), 3) is None
    assert parse_growth("3%") == parse_growth("0.03") == D("0.03")
    assert parse_growth("-0.5") == D("-0.5") and parse_growth(None) == 0
    for bad in ("1.5", "-1", "0.00001", "abc", "3%%"):
        with pytest.raises(InputErrors):
            parse_growth(bad)


def test_years():
    assert parse_years("2025-2030") == range(2025, 2031) == parse_years("2025..2030") == parse_years("２０２５-２０３０")
    assert parse_years("2026") == range(2026, 2027)
    for bad in ("2030-2025", "2018-2020", "x", "2025-2030-2031", "2025-2100",
                "2_025-2030", "2025-20_30", "٢٠٢٥-٢٠٣٠", "２０２５-２٠٣٠"):    # int() takes these; the grammar's digits do not
        with pytest.raises(InputErrors) as exc:
            parse_years(bad)
        assert error_lines(exc.value)[0].startswith("--years: not a span of tax years")


def test_without_years_the_span_comes_from_tax_year_and_its_errors_name_it():
    """No --years: a missing or bad tax_year is that field's mistake, not "--years: ... (given: )";
    a tax year near the last one plans up to it."""
    assert parse_years(None, default_from={"tax_year": "2026"}) == range(2026, 2032)
    assert parse_years("", default_from={"tax_year": 2098}) == range(2098, 2101)
    for case, line in (({}, "tax_year: required"), ({"tax_year": "abc"}, "tax_year: not a number")):
        with pytest.raises(InputErrors) as exc:
            parse_years(None, default_from=case)
        assert error_lines(exc.value)[0].startswith(line), error_lines(exc.value)
    r = CliRunner().invoke(main, ["plan"])
    assert r.exit_code == 2 and r.stderr.startswith("error: tax_year: required") and "--years" not in r.stderr
    assert CliRunner().invoke(main, ["plan", "--tax-year", "2100", "--wages", "1"]).exit_code == 0


def test_the_subsidy_is_cash_the_year_after(tables):
    p = plan(GBA, parse_years("2025-2027"), tables=tables)
    cash = {c.year: c for c in p.cash}
    y25, y26, y27 = (y.result for y in p.years)
    assert y25.relief_policy == "gba_subsidy" and y25.relief_paid_in == 2026 and y25.relief > 0
    assert cash[2025].relief_received == 0
    assert cash[2026].relief_received == y25.relief and cash[2027].relief_received == y26.relief
    assert cash[2028].relief_received == y27.relief and cash[2028].pay_after_withholding == 0    # after the plan
    # during the year the IIT is withheld in full, before the relief
    assert cash[2025].pay_after_withholding == y25.gross_income - y25.iit - y25.social_insurance_employee_cny
    assert cash[2025].hk_take_home_cny == y25.hk_take_home_cny
    running = D(0)
    for c in p.cash:
        assert c.cash == c.pay_after_withholding + c.relief_received and c.gap == c.cash - c.hk_take_home_cny
        running += c.gap
        assert c.cumulative_gap == running
    # over the whole plan the cash adds up to the take-home pay the years count
    assert sum(c.cash for c in p.cash) == sum(y.result.take_home_cny for y in p.years)


def test_an_exemption_is_refunded_at_the_next_reconciliation(tables):
    p = plan(HETAO, parse_years("2025-2026"), tables=tables)
    y25 = p.years[0].result
    assert y25.relief_policy == "hetao_hk_cap" and y25.relief_kind == "exemption" and y25.relief_paid_in == 2026
    assert {c.year: c.relief_received for c in p.cash}[2026] == y25.relief


def test_after_a_policy_ends_the_relief_is_zero_unless_renewed(tables):
    p = plan(HETAO, parse_years("2026-2029"), tables=tables)
    by = {y.tax_year: y for y in p.years}
    assert by[2027].enacted.relief > 0 and by[2028].enacted.relief == 0
    assert by[2028].renewed.relief > 0 and by[2028].renewed.relief_assumed_extended
    assert p.renewal_matters and p.headline == "enacted"
    assert by[2028].carried_forward and by[2028].tables_year == 2027
    assert [n.code for n in p.notes] == ["note.plan_carried_forward"] * 2
    ext = plan(HETAO, parse_years("2026-2029"), tables=tables, options=Options(assume_extended=True))
    assert ext.headline == "renewed" and ext.years[2].result.relief == by[2028].renewed.relief
    assert ext.cash == p.cash_renewed and ext.cash_other == p.cash_enacted


def test_nansha_ends_a_year_earlier(tables):
    p = plan({"tax_year": 2026, "identity": "hk", "zone": "nansha", "wages": 800000}, parse_years("2026-2027"),
             tables=tables)
    assert p.years[0].enacted.relief_policy == "nansha_hk_cap" and p.years[1].enacted.relief == 0
    assert p.years[1].renewed.relief_policy == "nansha_hk_cap"


def test_json_and_table(tables):
    p = plan(GBA, parse_years("2026-2028"), growth=D("0.03"), tables=tables)
    data = p.as_dict()
    assert data["tax_years"] == [2026, 2027, 2028] and data["basis"] == "enacted"
    y = data["years"][2]
    assert y["tax_year"] == 2028 and y["carried_forward"] and y["tables_year"] == 2027
    assert y["relief"] == "0.00" and y["if_renewed"]["relief"] != "0.00"
    assert {"iit", "relief", "relief_paid_in", "iit_net", "hk_tax", "take_home_cny", "employer_cost_cny"} <= set(y)
    assert data["cash"][-1]["year"] == 2028 and data["cash_if_renewed"][-1]["year"] == 2029
    text = render_plan(p)
    assert "2028*" in text and "Zone relief, if renewed" in text and "Cumulative: mainland − Hong Kong" in text
    zh = render_plan(p, "zh_Hans")
    assert "2028*" in zh


def test_errors_name_the_year(tables):
    with pytest.raises(InputErrors) as exc:
        plan({**HETAO, "wages": 900_000_000}, parse_years("2025-2030"), growth=D("0.1"), tables=tables)
    assert error_lines(exc.value) == ["wages: grows to 1,089,000,000 by 2027, more than 1,000,000,000 (given: 900000000)"]
    with pytest.raises(InputErrors) as exc:
        plan({**HETAO, "wages": -1}, parse_years("2025-2026"), tables=tables)
    assert error_lines(exc.value)[0].startswith("wages: must not be negative")


def test_cli(tmp_path):
    f = tmp_path / "case.json"
    f.write_text(json.dumps({**GBA, "wages": "900,000"}))
    r = CliRunner().invoke(main, ["plan", str(f), "--years", "2025-2030", "--growth", "0.03", "--hk-growth", "3%"])
    assert r.exit_code == 0, r.output
    assert "2030*" in r.output and "if renewed" in r.output
    r = CliRunner().invoke(main, ["plan", str(f), "--years", "2025-2026", "--json", "--wages", "500000"])
    data = json.loads(r.output)
    assert data["years"][0]["inputs"]["wages"] == "500000" and len(data["years"]) == 2
    r = CliRunner().invoke(main, ["plan", str(f), "--json"])                   # default: the case's year and 5 more
    assert json.loads(r.output)["tax_years"] == list(range(2025, 2031))
    r = CliRunner().invoke(main, ["plan", str(f), "--years", "2025-2026", "--growth", "x"])
    assert r.exit_code == 2 and "--growth: not a growth rate" in r.output
    r = CliRunner().invoke(main, ["--lang", "zh-Hans", "plan", str(f), "--years", "2025-2026"])
    assert r.exit_code == 0


@pytest.mark.parametrize("year", ["2018", "1", "2101", "9999"])
def test_a_tax_year_a_plan_cannot_start_from_names_tax_year_not_years(year):
    """`taxcalc plan --tax-year 9999` said "--years: not a span ... (given: 9999-2100)": a span
    nobody typed, against an option nobody gave."""
    with pytest.raises(InputErrors) as exc:
        parse_years(None, default_from={"tax_year": year})
    assert error_lines(exc.value) == [f"tax_year: a plan starts in a tax year from 2019 to 2100 (given: {year})"]
    r = CliRunner().invoke(main, ["plan", "--tax-year", year, "--wages", "1"])
    assert r.exit_code == 2 and r.stderr == f"error: tax_year: a plan starts in a tax year from 2019 to 2100 (given: {year})\n"


def test_a_bad_tax_year_is_said_even_when_years_give_the_span():
    """`taxcalc plan --tax-year abc --years 2025` planned 2025 and said nothing of "abc" (a file of
    candidates refuses the same cell)."""
    with pytest.raises(InputErrors) as exc:
        plan({"tax_year": "abc", "wages": 1}, parse_years("2025"))
    assert error_lines(exc.value) == ["tax_year: not a number; expected a year with tables (see taxcalc tables) (given: abc)"]
    r = CliRunner().invoke(main, ["plan", "--tax-year", "abc", "--years", "2025", "--wages", "1"])
    assert r.exit_code == 2 and r.stderr.startswith("error: tax_year: not a number"), r.stderr
    assert plan({"wages": 1}, parse_years("2025")).years[0].tax_year == 2025      # none given: --years is the span
    assert plan({"tax_year": 2030, "wages": 1}, parse_years("2025")).years[0].tax_year == 2025
