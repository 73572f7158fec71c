"""taxcalc plan FILE -o OUT: a spreadsheet of candidates planned, a row per candidate and year (issue 12)."""

from __future__ import annotations

import csv
from decimal import Decimal as D
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from taxcalc import InputErrors, Options
from taxcalc.batch.errors import BatchFileError
from taxcalc.batch.plans import run_plans
from taxcalc.cli import main
from taxcalc.plan import parse_years, plan, plan_many, plan_rows, row_columns

HEADER = "id,tax_year,identity,zone,city,talent,wages,bonus,hk_income,social_insurance_auto,housing_fund_rate,note\n"
ROWS = [
    "ann,2025,foreign,gba,shenzhen,true,900000,100000,1000000,true,0.1,=HYPERLINK(\"x\")\n",
    "ben,2025,hk,hetao,,false,800000,,,,,\n",
    "cat,2026,macao,hengqin,,,abc,,,,,\n",            # wages not a number: refused
    ",,,,,,,,,,,\n",                                  # empty: skipped
    "dee,2024,mainland,nansha,,,300000,36001,,,,\n",
    "=evil,2025,hk,qianhai,,,1200000,200000,1500000,,,\n",
]
CASES = {
    "ann": {"tax_year": 2025, "identity": "foreign", "zone": "gba", "city": "shenzhen", "talent": True, "wages": 900000,
            "bonus": 100000, "hk_income": 1000000, "social_insurance_auto": True, "housing_fund_rate": "0.1"},
    "ben": {"tax_year": 2025, "identity": "hk", "zone": "hetao", "talent": False, "wages": 800000},
    "dee": {"tax_year": 2024, "identity": "mainland", "zone": "nansha", "wages": 300000, "bonus": 36001},
    "=evil": {"tax_year": 2025, "identity": "hk", "zone": "qianhai", "wages": 1200000, "bonus": 200000,
              "hk_income": 1500000},
}


@pytest.fixture
def people(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(HEADER + "".join(ROWS), encoding="utf-8")
    return path


DIGITS = {name: decimals for name, unit, decimals in row_columns() if unit in ("CNY", "HKD", "rate", "fx")}


def _text(name: str, v: object) -> str:
    """A plan row's value as the CSV shows it: money to its digits, true/false, empty for none."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if name in DIGITS:
        return f"{D(v):.{DIGITS[name]}f}"
    return str(v)


def test_each_candidate_is_its_own_plan_row_for_row(people, tmp_path, tables):
    out = tmp_path / "plans.csv"
    s = run_plans(str(people), str(out), years=parse_years("2025-2029"), growth=D("0.03"), tables=tables)
    assert (s.rows, s.computed, s.rejected, s.skipped) == (6, 4, 1, 1)
    with out.open(encoding="utf-8", newline="") as fh:
        got = list(csv.DictReader(fh))
    assert list(got[0]) == ["id", "note"] + [name for name, _, _ in row_columns()][1:]   # other columns kept
    assert [r["note"] for r in got if r["id"] == "ann"][0] == "'=HYPERLINK(\"x\")"           # as text
    for label, case in CASES.items():
        expected = plan_rows(plan(case, parse_years("2025-2029"), growth=D("0.03"), tables=tables), label)
        mine = [r for r in got if r["id"] in (label, "'" + label)]
        assert len(mine) == len(expected) >= 5
        for row, want in zip(mine, expected):
            assert {k: v for k, v in row.items() if k not in ("id", "note")} == \
                   {k: _text(k, v) for k, v in want.items() if k != "id"}
    # a formula in the id is text in the output, never live
    assert {r["id"] for r in got} == {"ann", "ben", "dee", "'=evil"}


def test_refused_rows_go_to_the_errors_file_with_their_row(people, tmp_path, tables):
    out = tmp_path / "plans.csv"
    run_plans(str(people), str(out), years=parse_years("2025-2026"), tables=tables)
    errors = list(csv.DictReader((tmp_path / "plans.errors.csv").open(encoding="utf-8")))
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [("3", "wages", "abc")]
    assert "not a number" in errors[0]["message"]


def test_a_year_after_the_span_carries_only_the_relief_that_arrives_then(tables):
    case = CASES["ann"]                       # the GBA subsidy of a tax year is paid the year after
    p = plan(case, parse_years("2025-2026"), tables=tables)
    rows = plan_rows(p, "ann")
    assert [r["year"] for r in rows] == [2025, 2026, 2027]
    last = rows[-1]
    assert last["tax_year"] is None and last["iit"] is None and last["wages"] is None
    assert last["relief_received"] == p.years[1].result.relief > 0
    assert last["cash"] == last["relief_received"] and last["cash_gap"] == last["relief_received"]
    assert last["cumulative_gap"] == rows[1]["cumulative_gap"] + last["relief_received"]


def test_plan_many_equals_plan_and_one_bad_case_does_not_stop_the_others(tables):
    spans = [parse_years("2025-2027")] * 3
    bad = {**CASES["ben"], "wages": "-5"}
    out = plan_many([CASES["ann"], bad, CASES["ben"]], spans, tables=tables)
    assert out[1].errors[0].field == "wages"
    for got, case in ((out[0], CASES["ann"]), (out[2], CASES["ben"])):
        want = plan(case, spans[0], tables=tables)
        assert [y.result.outputs() for y in got.years] == [y.result.outputs() for y in want.years]
        assert got.cash == want.cash and got.cash_other == want.cash_other


def test_options_of_calc_apply_to_every_row_and_assume_extended_names_the_other_basis(people, tmp_path, tables):
    out = tmp_path / "plans.parquet"
    run_plans(str(people), str(out), years=parse_years("2027-2028"), tables=tables, overrides={"zone": "none"},
              options=Options(assume_extended=True))
    df = pl.read_parquet(out)
    assert set(df["relief_policy"].drop_nulls()) <= {"none"}
    assert "as_enacted_relief" in df.columns and set(df["basis"]) == {"renewed"}
    assert df.schema["relief"] == pl.Decimal(20, 2) and df.schema["hk_tax"] == pl.Int64


def test_xlsx_round_trip_equals_the_csv(people, tmp_path, tables):
    runner = CliRunner()
    for name in ("plans.csv", "plans.xlsx"):
        r = runner.invoke(main, ["plan", str(people), "--years", "2025-2028", "-o", str(tmp_path / name), "--quiet"])
        assert r.exit_code == 3, r.output              # one row refused
    text = pl.read_csv(tmp_path / "plans.csv", infer_schema=False)
    book = pl.read_excel(tmp_path / "plans.xlsx")
    assert book.columns == text.columns and book.height == text.height
    assert book["note"].to_list() == [v.removeprefix("'") if v else None for v in text["note"].to_list()]
    for name, unit, decimals in row_columns():
        if unit in ("CNY", "HKD"):
            assert [None if v is None else D(v) for v in text[name].to_list()] == \
                   [None if v is None else D(str(v)).quantize(D(1).scaleb(-decimals)) for v in book[name].to_list()], name
    assert book["id"].to_list() == [v.removeprefix("'") for v in text["id"].to_list()]


def test_the_command_line(people, tmp_path):
    runner = CliRunner()
    r = runner.invoke(main, ["plan", str(people)])
    assert r.exit_code == 2 and "-o OUTPUT" in r.output
    r = runner.invoke(main, ["plan", str(people), "-o", str(people)])
    assert r.exit_code == 2 and "input" in r.output
    assert people.read_text(encoding="utf-8") == HEADER + "".join(ROWS)        # nothing destroyed
    r = runner.invoke(main, ["plan", str(people), "-o", str(tmp_path / "p.csv"), "--years", "2031-2020"])
    assert r.exit_code == 2 and "--years" in r.output
    r = runner.invoke(main, ["plan", str(people), "-o", str(tmp_path / "p.csv")])
    assert r.exit_code == 3 and "4 planned, 1 rejected" in r.output
    r = runner.invoke(main, ["plan", "--tax-year", "2025", "--wages", "1", "-o", str(tmp_path / "x.csv")])
    assert r.exit_code == 2 and "file of candidates" in r.output
    header_only = tmp_path / "none.csv"
    header_only.write_text(HEADER, encoding="utf-8")
    r = runner.invoke(main, ["plan", str(header_only), "-o", str(tmp_path / "none-out.csv")])
    assert r.exit_code == 0
    assert Path(tmp_path / "none-out.csv").read_text(encoding="utf-8").splitlines() == \
           [",".join(["id", "note"] + [name for name, _, _ in row_columns()][1:])]


def test_without_years_each_candidate_plans_from_its_own_year_up_to_the_last_year(tmp_path, tables):
    src = tmp_path / "late.csv"
    src.write_text("id,tax_year,wages\na,2024,100000\nb,2099,100000\nc,,5\n", encoding="utf-8")
    s = run_plans(str(src), str(tmp_path / "late-out.csv"), tables=tables)
    assert (s.computed, s.rejected) == (2, 1)
    out = pl.read_csv(tmp_path / "late-out.csv", infer_schema=False)
    assert out.filter(pl.col("id") == "a")["tax_year"].to_list() == [str(y) for y in range(2024, 2030)]
    assert out.filter(pl.col("id") == "b")["tax_year"].to_list() == ["2099", "2100"]
    errors = pl.read_csv(tmp_path / "late-out.errors.csv", infer_schema=False)
    assert errors.select("row", "column").rows() == [("3", "tax_year")]
    assert errors["message"][0].startswith("required")


def test_a_column_named_as_a_plan_column_is_refused_and_a_row_of_other_cells_is_not_skipped(tmp_path, tables):
    src = tmp_path / "c.csv"
    src.write_text("id,tax_year,wages,cash\na,2025,1,5\n", encoding="utf-8")
    with pytest.raises(BatchFileError, match="cash: named as a column of the plans"):
        run_plans(str(src), str(tmp_path / "o.csv"), tables=tables)
    assert not (tmp_path / "o.csv").exists()
    src.write_text("id,tax_year,wages,team\n,,,physics\n", encoding="utf-8")
    s = run_plans(str(src), str(tmp_path / "o.csv"), tables=tables)
    assert (s.rejected, s.skipped) == (1, 0)              # tax_year is missing: said, not skipped


def test_a_tax_year_a_plan_cannot_start_from_is_that_rows_error_not_a_crash(tmp_path, tables):
    """Without --years each candidate plans from its own tax_year; a tax_year after the last year
    a plan covers (2101 to 9999, which the field takes) was an IndexError traceback that stopped
    the whole file, and one before the tables was reported against "--years" (which nobody gave)."""
    src = tmp_path / "years.csv"
    src.write_text("id,tax_year,wages\na,2025,100000\nb,9999,1\nc,2101,5\nd,2018,3\ne,1,4\n", encoding="utf-8")
    s = run_plans(str(src), str(tmp_path / "years-out.csv"), tables=tables)
    assert (s.computed, s.rejected) == (1, 4)
    errors = pl.read_csv(tmp_path / "years-out.errors.csv", infer_schema=False)
    assert errors.select("row", "column", "value").rows() == [("2", "tax_year", "9999"), ("3", "tax_year", "2101"),
                                                             ("4", "tax_year", "2018"), ("5", "tax_year", "1")]
    assert set(errors["message"]) == {"a plan starts in a tax year from 2019 to 2100"}
    out = pl.read_csv(tmp_path / "years-out.csv", infer_schema=False)
    assert out["id"].unique().to_list() == ["a"]


def test_a_signal_says_what_reached_standard_output(tmp_path):
    """SIGTERM while `plan FILE -o -` wrote its rows said "nothing written" when thousands of rows
    had gone out; batch says how many (README: what a run leaves)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    src = tmp_path / "many.csv"
    src.write_text("id,tax_year,identity,zone,wages\n" + "".join(f"p{k},2025,hk,hetao,{100000 + k}\n" for k in range(6000)),
                   encoding="utf-8")
    out = tmp_path / "stdout.csv"
    cmd = [sys.executable, "-c", "import sys; from taxcalc.cli import main; sys.argv[0] = 'taxcalc'; main()",
           "plan", str(src), "--years", "2025-2030", "--quiet"]
    with open(out, "wb") as f:
        p = subprocess.Popen([*cmd, "-o", "-", "--errors", str(tmp_path / "e.csv")], stdout=f, stderr=subprocess.PIPE,
                             start_new_session=True, cwd=Path(__file__).resolve().parent.parent)
        end = time.monotonic() + 60
        while out.stat().st_size < 200_000 and p.poll() is None and time.monotonic() < end:
            time.sleep(0.01)
        p.send_signal(signal.SIGTERM)
        err = p.stderr.read().decode()
        assert p.wait() == 143, err
    lines = out.read_bytes().count(b"\n") - 1
    assert err == f"stopped by SIGTERM: {lines:,} rows had been written to standard output (incomplete); nothing " \
                  f"renamed into place ({tmp_path / 'e.csv'} not replaced; temporary files removed)\n", (lines, err)
    assert not (tmp_path / "e.csv").exists() and not [n for n in os.listdir(tmp_path) if n.endswith((".tmp", ".lock"))]


@pytest.mark.parametrize("span", [range(0), range(2025, 2025), range(2099, 2103), range(2025, 2070), range(2025, 2031, 2),
                                  range(2030, 2024, -1)])
def test_plan_many_refuses_a_span_the_years_option_refuses(tables, span):
    """plan_many (the Python face of plan) took any range: an empty one was an IndexError, one past
    2100 computed years taxcalc plan --years refuses, a stepped one gave cash rows for years that
    were never computed."""
    (out,) = plan_many([CASES["ben"]], [span], tables=tables)
    assert isinstance(out, InputErrors) and str(out).startswith("--years: not a span of tax years"), out
