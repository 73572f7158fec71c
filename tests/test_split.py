"""taxcalc split: the best split of a package between wages and the annual bonus (issue 12, part 3),
and the what-ifs of part 4.

The property: the split found never loses to any split on a 1-CNY grid near each cliff (the
thresholds x 12, or x 6 for a non-resident, 20,000 either side) and a 100-CNY grid elsewhere.
"""

from __future__ import annotations

import json
from decimal import Decimal as D

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taxcalc import calculate
from taxcalc import columns as colmod
from taxcalc.api import to_scenario
from taxcalc.cli import main
from taxcalc.engine import Options, compute
from taxcalc.errors import InputErrors
from taxcalc.i18n import error_lines
from taxcalc.split import best_split, render_split, whatifs

NEAR = 20_000          # CNY either side of a threshold searched yuan by yuan


def _grid(case: dict, package: D, tables) -> tuple[np.ndarray, np.ndarray]:
    """iit_net (fen) of every bonus on the test's grid (fen)."""
    s = to_scenario({**case, "wages": package, "bonus": 0})
    year = s.tax_year
    p, ex = int(package * 100), int(s.exempt_allowances * 100)
    top = p - ex
    t = tables.mainland[year]
    periods = 12 if s.residency == "resident" else int(t.bonus.nonresident_months.value)
    points = [np.arange(0, top + 1, 10_000, dtype=np.int64), np.array([top])]
    for b in t.monthly_table.brackets[:-1]:
        edge = int(b.upto * periods * 100)
        points.append(np.arange(max(0, edge - NEAR * 100), min(top, edge + NEAR * 100) + 1, 100, dtype=np.int64))
    bonuses = np.unique(np.concatenate(points))
    cols = colmod.from_scenarios([s])
    c = {k: np.repeat(v, len(bonuses)) for k, v in cols.items()}
    c["bonus"], c["wages"] = bonuses, p - bonuses
    return bonuses, compute(c, tables, Options(), trace=False).figures["iit_net"]


def _never_loses(case: dict, package: D, tables) -> None:
    sp = best_split({**case, "wages": package}, tables=tables)
    bonuses, iit_net = _grid(case, package, tables)
    k = int(iit_net.argmin())
    assert int(sp.result.iit_net * 100) <= iit_net[k], (case, package, sp.bonus, bonuses[k], iit_net[k])
    assert sp.wages + sp.bonus == package
    assert sp.result.outputs() == calculate({**case, "wages": sp.wages, "bonus": sp.bonus}, tables=tables,
                                            explain=False).outputs()
    assert sp.saving_vs_salary >= 0


CASES = [
    ({"tax_year": 2025}, D(350000)),
    ({"tax_year": 2025}, D("1234567.89")),
    ({"tax_year": 2025, "labour": 80000, "social_insurance": 30000, "sad_children": 2}, D(600000)),
    ({"tax_year": 2024, "identity": "foreign", "zone": "gba", "talent": True}, D(1500000)),
    ({"tax_year": 2024, "identity": "foreign", "zone": "hengqin", "talent": True}, D(2600000)),
    ({"tax_year": 2025, "identity": "hk", "zone": "qianhai"}, D(450000)),
    ({"tax_year": 2025, "identity": "macao", "zone": "hengqin"}, D(700000)),
    ({"tax_year": 2025, "residency": "nonresident", "identity": "foreign"}, D(500000)),
    ({"tax_year": 2022, "identity": "foreign", "exempt_allowances": 100000}, D(800000)),
    ({"tax_year": 2025, "zone": "hetao", "identity": "hk", "social_insurance_auto": True}, D(900000)),
    ({"tax_year": 2025, "identity": "foreign", "zone": "gba", "talent": True}, D(25000000)),   # the 5,000,000 cap
]


@pytest.mark.parametrize("case, package", CASES, ids=[f"{c.get('zone', 'none')}-{p}" for c, p in CASES])
def test_the_split_never_loses_to_the_grid(case, package, tables):
    _never_loses(case, package, tables)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(year=st.integers(2019, 2027), ident=st.sampled_from(["mainland", "hk", "macao", "foreign"]),
       zone=st.sampled_from(["none", "gba", "hetao", "qianhai", "nansha", "hengqin"]), talent=st.booleans(),
       resident=st.booleans(), package=st.integers(0, 2_000_000_00), si=st.integers(0, 60_000),
       labour=st.sampled_from([0, 0, 50_000]))
def test_random_cases_never_lose(tables, year, ident, zone, talent, resident, package, si, labour):
    case = {"tax_year": year, "identity": ident, "zone": zone, "talent": talent, "social_insurance": si,
            "labour": labour, "residency": "resident" if resident else "nonresident"}
    _never_loses(case, D(package) / 100, tables)


def test_the_cliff_is_avoided_and_savings(tables):
    sp = best_split({"tax_year": 2025, "wages": 500000, "bonus": 100000}, D(600000), tables=tables)
    # the bonus stops at 144,000 (10% a month up to 12,000), the rest taxed at 20% as wages
    assert sp.bonus == D(144000) and sp.wages == D(456000)
    assert not sp.result.bonus_cliff
    assert sp.saving_vs_salary == sp.all_salary.iit_net - sp.result.iit_net == D("27810.00")
    assert sp.current is not None and sp.saving_vs_current == D("7600.00")
    assert sp.irrelevant is None


def test_a_binding_cap_makes_the_split_irrelevant(tables):
    sp = best_split({"tax_year": 2025, "identity": "hk", "zone": "hetao", "wages": 900000, "bonus": 100000},
                    tables=tables)
    assert sp.irrelevant is not None and sp.irrelevant.code == "split.why.cap"
    assert sp.saving_vs_salary == 0 and sp.result.iit_net == sp.result.hk_burden_cny
    assert "makes no difference" in render_split(sp)


def test_combined_is_irrelevant(tables):
    sp = best_split({"tax_year": 2025, "wages": 300000, "bonus_method": "combined"}, tables=tables)
    assert sp.irrelevant.code == "split.why.combined" and sp.bonus == 0


def test_bad_package(tables):
    with pytest.raises(InputErrors) as exc:
        best_split({"tax_year": 2025}, "-5", tables=tables)
    assert error_lines(exc.value)[0].startswith("--package: must not be negative")
    with pytest.raises(InputErrors) as exc:
        best_split({"tax_year": 2025, "identity": "foreign", "exempt_allowances": 1000}, "500", tables=tables)
    assert "tax-exempt allowances" in error_lines(exc.value)[0]


def test_cli():
    r = CliRunner().invoke(main, ["split", "--tax-year", "2025", "--package", "600,000", "--bonus", "100000"])
    assert r.exit_code == 0 and "CN¥144,000.00" in r.output and "CN¥7,600.00" in r.output
    r = CliRunner().invoke(main, ["split", "--tax-year", "2025", "--package", "600000", "--json"])
    data = json.loads(r.output)
    assert data["bonus"] == "144000.00" and data["wages"] == "456000.00" and data["split_matters"]
    assert data["saving_vs_salary"] == "27810.00" and "current" not in data


def test_whatifs(tables):
    plain = whatifs({"tax_year": 2025, "wages": 500000}, tables=tables)
    assert [(w.field, w.amount, w.saving, w.net_cost) for w in plain] == [
        ("private_pension", D(12000), D("3600.00"), D("8400.00")), ("health_insurance", D(2400), D("720.00"), D("1680.00"))]
    # under a binding Hong Kong cap the deduction saves nothing after relief
    capped = whatifs({"tax_year": 2025, "wages": 500000, "identity": "hk", "zone": "hetao"}, tables=tables)
    assert [w.saving for w in capped] == [0, 0]
    # already at the cap: nothing to add
    full = whatifs({"tax_year": 2025, "wages": 500000, "private_pension": 20000}, tables=tables)
    assert full[0].amount == 0 and full[0].saving == 0
    r = CliRunner().invoke(main, ["whatif", "--tax-year", "2025", "--wages", "500000"])
    assert r.exit_code == 0 and "CN¥3,600.00" in r.output


def test_compare_zones(tmp_path):
    f = tmp_path / "case.json"
    f.write_text(json.dumps({"tax_year": 2025, "identity": "hk", "zone": "hetao", "wages": 800000,
                             "social_insurance_auto": True}))
    r = CliRunner().invoke(main, ["compare", "--zones", str(f), "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert [p["inputs"]["zone"] for p in data["packages"]] == ["none", "gba", "hetao", "qianhai", "nansha", "hengqin"]
    assert data["packages"][0]["inputs"]["city"] == "shenzhen"       # zone none keeps the case's city
    assert data["packages"][2]["relief_policy"] == "hetao_hk_cap"
    r = CliRunner().invoke(main, ["compare", "--zones", str(f), str(f)])
    assert r.exit_code == 2 and "--zones takes one case file" in r.output


@pytest.mark.parametrize("args, line", [
    (["whatif", "--tax-year", "2031"], "error: tax_year: no tables for this year; tables exist for 2019-2027\n"),
    (["whatif", "--tax-year", "2019", "--hk-burden-year", "previous"],
     "error: tax_year: no Hong Kong table for the year of assessment 2018/19 or earlier\n"),
    (["whatif", "--tax-year", "2026", "--social-insurance-auto"],
     "error: city: social_insurance_auto needs the city of work: give it, or a zone that lies in one city\n"),
])
def test_whatif_says_the_cases_mistake_once_without_row_numbers(args, line):
    """whatif computes the case and two variants: a mistake of the case came three times, as
    'row 1', 'row 2' and 'row 3' of a file the user never gave."""
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2 and r.stderr == line, r.stderr


def test_compare_zones_says_the_cases_mistake_once(tmp_path):
    f = tmp_path / "case.json"
    f.write_text('{"tax_year": 2019, "wages": 100000}')
    r = CliRunner().invoke(main, ["compare", "--zones", str(f), "--hk-burden-year", "previous"])
    assert r.exit_code == 2
    assert r.stderr == "error: tax_year: no Hong Kong table for the year of assessment 2018/19 or earlier\n"
    r = CliRunner().invoke(main, ["compare", str(f), str(f), "--hk-burden-year", "previous"])
    assert r.exit_code == 2 and r.stderr.count("\n") == 2 and r.stderr.startswith("error: row 1: tax_year")


def test_a_package_of_wages_and_bonus_past_the_largest_amount_names_the_package(tables):
    """Without --package the package is wages + bonus, which can pass 1,000,000,000 (each is at
    most that): the split then said "wages: too large ... (given: 1999340000.00)", an amount
    nobody gave, against a field given correctly."""
    with pytest.raises(InputErrors) as exc:
        best_split({"tax_year": 2025, "wages": 1_000_000_000, "bonus": 1_000_000_000}, tables=tables)
    assert error_lines(exc.value) == ["--package: too large; expected an amount (CNY a year) from 0 to 1,000,000,000 with "
                                      "at most 2 decimals, such as 1234.56 (given: 2000000000.00, wages + bonus)"]
    r = CliRunner().invoke(main, ["split", "--tax-year", "2025", "--wages", "1000000000", "--bonus", "1"])
    assert r.exit_code == 2 and r.stderr.startswith("error: --package: too large") and "1000000001.00, wages + bonus" in r.stderr
    assert best_split({"tax_year": 2025, "wages": 999_999_999, "bonus": 1}, tables=tables).result.gross_income == D(10**9)
