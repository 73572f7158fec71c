"""Package comparison and the break-even solver."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from taxcalc import calculate
from taxcalc.cli import main
from taxcalc.compare import (
    COMPARE_FIGURES,
    breakeven_hk_income,
    breakeven_wages,
    compare,
    load_packages,
    render_breakeven,
    render_csv,
    render_json,
    render_markdown,
)
from taxcalc.i18n import render
from taxcalc.messages import msg

ROOT = Path(__file__).resolve().parent.parent
OFFERS = [str(ROOT / "examples" / f"batch-offer-{n}.json") for n in ("shenzhen", "hetao", "guangzhou")]


def test_compare_lines_up_calculate_and_differences(tables):
    labels, packages = load_packages(OFFERS)
    assert labels == ["Shenzhen (Qianhai)", "Hetao talent", "Guangzhou (no zone)"]
    c = compare(packages, labels, tables=tables)
    rows = {r["key"]: r for r in c.rows()}
    for k, pkg in enumerate(packages):
        r = calculate(pkg, tables=tables, explain=False)
        for name in COMPARE_FIGURES:                      # every value is the registry figure itself
            assert rows[name]["values"][k] == getattr(r, name)
    net = rows["income_after_iit"]
    assert net["diffs"][0] is None and net["diffs"][2] == net["values"][2] - net["values"][0]
    assert rows["relief_paid_in"]["values"][2] is None               # no relief, no settlement year
    assert rows["effective_rate_mainland"]["unit"] == "rate"        # one unit per name, on every face
    md = render_markdown(c)
    assert md.splitlines()[0].startswith("| Figure | Unit | Shenzhen (Qianhai) | Hetao talent |")
    assert "Guangzhou (no zone) − Shenzhen (Qianhai)" in md and "| Zone relief | CNY |" in md
    data = json.loads(render_json(c))
    assert data["packages"][1]["relief_policy"] == rows["relief_policy"]["values"][1]
    assert data["packages"][1]["effective_rate_mainland"] == str(rows["effective_rate_mainland"]["values"][1])
    assert data["differences"][1]["iit_net"] == str(rows["iit_net"]["diffs"][2])
    assert render_csv(c).splitlines()[1].startswith("gross_income,CNY,900000.00,900000.00,900000.00,0.00,0.00")


def test_compare_neutralises_formulas_and_markdown_pipes(tables):
    pkgs = [{"tax_year": 2024, "wages": 100000}, {"tax_year": 2024, "wages": 200000}]
    c = compare(pkgs, ["=evil()", "a | b"], tables=tables)
    assert render_csv(c).splitlines()[0].startswith("figure,unit,'=evil(),a | b,")
    md = render_markdown(c).splitlines()
    bars = [line.count("|") - line.count("\\|") for line in md]
    assert len(set(bars)) == 1 and bars[0] == 6


def test_compare_one_file_of_rows_and_cli(tmp_path):
    f = tmp_path / "offers.csv"
    f.write_text("id,tax_year,identity,zone,wages,sad_child_share,sad_children,hk_income,cny_per_hkd\n"
                 "A,2024,hk,qianhai,800000,,,900000,0.92\nB,2024,hk,none,\"800,000\",50,1,900000,0.92\n")
    r = CliRunner().invoke(main, ["compare", str(f), "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == "figure,unit,A,B,B - A"
    r = CliRunner().invoke(main, ["compare", str(f), "--lang", "zh-Hans"])
    assert r.exit_code == 0 and r.stdout.startswith("| " + render(msg("compare.figure"), "zh_Hans") + " | ")
    assert r.stdout == CliRunner().invoke(main, ["--lang", "zh-Hans", "compare", str(f)]).stdout
    data = json.loads(CliRunner().invoke(main, ["compare", str(f), "--format", "json"]).stdout)
    assert [p["label"] for p in data["packages"]] == ["A", "B"]
    assert data["packages"][1]["inputs"]["wages"] == "800000"          # as typed, not 8E+5
    for args, fragment in (([str(f), str(tmp_path / "missing.json")], "missing.json: no such file"),
                           ([str(tmp_path / "offers.txt")], "offers.txt: unknown file type"),
                           ([str(tmp_path)], "unknown file type")):
        r = CliRunner().invoke(main, ["compare", *args])
        assert r.exit_code == 2 and r.stderr.startswith("error: ") and fragment in r.stderr, r.output
        assert "Traceback" not in r.output and r.stdout == ""
    (tmp_path / "bad.json").write_text('{"tax_year": 2024, "wages": -1}')
    r = CliRunner().invoke(main, ["compare", str(tmp_path / "bad.json")])
    assert r.exit_code == 2 and r.stderr == "error: row 1: wages: must not be negative; expected an amount (CNY a year) " \
        "from 0 to 1,000,000,000 with at most 2 decimals, such as 1234.56 (given: -1)\n"
    (tmp_path / "list.json").write_text('[{"tax_year": 2024}, 5]')
    r = CliRunner().invoke(main, ["compare", str(tmp_path / "list.json")])
    assert r.exit_code == 2 and "list.json: expected a JSON object with the batch column keys, or a list" in r.stderr


CASES = [
    dict(tax_year=2024, identity="hk", zone="qianhai", hk_income=Decimal(900000), cny_per_hkd=Decimal("0.92")),
    dict(tax_year=2024, identity="mainland", zone="none", hk_income=Decimal("654321.99"), cny_per_hkd=Decimal("0.9123")),
    dict(tax_year=2026, identity="hk", zone="hetao", talent=True, hk_income=Decimal(2500000), cny_per_hkd=Decimal("0.91")),
    dict(tax_year=2025, identity="foreign", zone="gba", talent=True, hk_income=Decimal(120000), cny_per_hkd=Decimal("0.93")),
    dict(tax_year=2021, identity="macao", zone="hengqin", hk_income=Decimal(50000000), cny_per_hkd=Decimal("0.85")),
    dict(tax_year=2024, identity="hk", zone="none", residency="nonresident", hk_income=Decimal(400000),
         cny_per_hkd=Decimal("0.92")),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['tax_year']}-{c['identity']}-{c['zone']}")
def test_breakeven_wages_is_the_smallest_that_matches(case, tables):
    b = breakeven_wages(case, tables=tables)
    hk = calculate({"tax_year": case["tax_year"], "hk_income": str(case["hk_income"]),
                    "cny_per_hkd": str(case["cny_per_hkd"])}, tables=tables, explain=False)
    target = (hk.hk_income_after_tax * case["cny_per_hkd"]).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert b.result.hk_income_after_tax_cny == target

    def net(wages: Decimal) -> Decimal:
        s = {k: v for k, v in case.items() if k != "hk_income"}
        s.update(wages=str(wages), cny_per_hkd=str(case["cny_per_hkd"]))
        r = calculate(s, tables=tables, explain=False)
        return r.gross_income - r.iit + r.relief                 # relief counted even when settled later

    assert net(b.amount) == b.result.income_after_iit
    assert Decimal(0) <= net(b.amount) - target <= Decimal("0.01")       # equal, within a fen
    assert b.result.income_gap_cny == net(b.amount) - target
    if b.amount > 0:
        assert net(b.amount - Decimal("0.01")) < target                  # and no smaller wage does it


def test_breakeven_reverse_and_round_trip(tables):
    fwd = breakeven_wages(CASES[0], tables=tables)
    back = breakeven_hk_income({**{k: v for k, v in CASES[0].items() if k != "hk_income"}, "wages": fwd.amount},
                               tables=tables)
    # Salaries Tax is rounded down to the dollar, so HK net income moves in steps: the smallest
    # HK income with the same net can lie a dollar or so below the one we started from
    assert CASES[0]["hk_income"] - 2 <= back.amount <= CASES[0]["hk_income"]
    assert Decimal("-0.01") <= back.result.income_gap_cny <= Decimal(0)


def test_breakeven_bad_input_names_the_field(tables):
    from taxcalc.errors import InputErrors

    for case, field in (({"tax_year": 2024, "hk_income": "x"}, "hk_income"), ({"tax_year": 2024}, "hk_income"),
                        ({"tax_year": 1999, "hk_income": 1}, "tax_year")):
        with pytest.raises(InputErrors) as exc:
            breakeven_wages(case, tables=tables)
        assert exc.value.errors[0].field == field
        assert "Decimal(" not in str(exc.value)


def test_after_tax_income_never_falls_as_wages_rise(tables):
    """The solver's premise, on a grid across the brackets, caps and zones."""
    from taxcalc import columns as colmod
    from taxcalc.engine import compute
    from taxcalc.scenario import Scenario

    wages = np.unique(np.concatenate([np.arange(0, 6_000_000_00, 997_31), np.arange(35_990_00, 36_010_00, 1)]))
    for base in ({"identity": "hk", "zone": "qianhai"}, {"identity": "macao", "zone": "hengqin"},
                 {"identity": "foreign", "zone": "gba", "talent": True}, {"identity": "mainland"},
                 {"identity": "hk", "zone": "hetao", "residency": "nonresident"}):
        cols = colmod.from_scenarios([Scenario(tax_year=2025, cny_per_hkd="0.92", **base)])
        cols = {k: np.repeat(v, len(wages)) for k, v in cols.items()}
        cols["wages"] = wages
        net = compute(cols, tables, trace=False).figures["income_after_iit"]
        assert (np.diff(net) >= 0).all(), base


def test_breakeven_cli(tmp_path):
    args = ["breakeven", "--tax-year", "2024", "--identity", "hk", "--zone", "qianhai", "--cny-per-hkd", "0.92"]
    r = CliRunner().invoke(main, [*args, "--hk-income", "900,000", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    b = breakeven_wages(CASES[0])
    assert data == json.loads(json.dumps(b.as_dict()))
    assert data["solved_for"] == "wages" and Decimal(data["income_gap_cny"]) in (0, Decimal("0.01"))
    r = CliRunner().invoke(main, [*args, "--hk-income", "900000"])
    assert r.exit_code == 0 and r.stdout.startswith(render_breakeven(b, "en"))
    assert r.stdout.startswith("Mainland wages that match HK$900,000.00 in Hong Kong: CN¥")
    for flag in ("--wages", "--mainland-wages"):                       # --mainland-wages: the old name, hidden
        r = CliRunner().invoke(main, ["breakeven", "--tax-year", "2024", flag, "500,000", "--cny-per-hkd", "0.92"])
        assert r.exit_code == 0 and "Hong Kong income that matches CN¥500,000.00 of mainland wages" in r.stdout
    r = CliRunner().invoke(main, ["--lang", "zh-Hans", *args, "--hk-income", "900000"])
    assert r.stdout.startswith(render_breakeven(b, "zh_Hans"))
    # the exchange rate defaults to the tables', as in calc
    r = CliRunner().invoke(main, ["breakeven", "--tax-year", "2025", "--identity", "hk", "--zone", "hetao",
                                  "--hk-income", "900000", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["cny_per_hkd_used"] == str(
        calculate({"tax_year": 2025, "wages": 1}, explain=False).cny_per_hkd_used)
    # a case file, with a flag saying what to solve for
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"tax_year": 2024, "identity": "hk", "zone": "qianhai", "wages": 1, "hk_income": 2,
                                "cny_per_hkd": "0.92"}))
    r = CliRunner().invoke(main, ["breakeven", "--input", str(case), "--hk-income", "900000", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["wages"] == data["wages"]
    one_of = "error: give exactly one of these options: --hk-income, --wages\n"
    for extra, message in ((["--hk-income", "x"], None), ([], one_of), (["--hk-income", "1", "--wages", "1"], one_of),
                           (["--input", str(case)], one_of), (["--wages", "1", "--mainland-wages", "1"], one_of)):
        r = CliRunner().invoke(main, [*args, *extra])
        assert r.exit_code == 2 and "Traceback" not in r.output and r.stdout == ""
        if message:
            assert r.stderr == message
    # the same mistake, the same message as calc
    for flag in ("--hk-income", "--wages"):
        be = CliRunner().invoke(main, [*args, flag, "9,00"])
        calc = CliRunner().invoke(main, ["calc", "--tax-year", "2024", flag, "9,00"])
        assert be.exit_code == calc.exit_code == 2 and be.stderr == calc.stderr
        assert "not a number" in be.stderr and "(given: 9,00)" in be.stderr


@pytest.mark.parametrize("fmt", ["markdown", "csv", "json", "xlsx"])
@pytest.mark.parametrize("how", ["same", "symlink", "hardlink", "zones"])
def test_compare_refuses_an_output_that_is_one_of_its_input_files(tmp_path, fmt, how):
    """compare -o a.json (or a link to it) would replace the package file it reads: refused, the
    file kept as it was."""
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    text = '{"tax_year": 2024, "wages": 100000}'
    a.write_text(text)
    b.write_text('{"tax_year": 2024, "wages": 200000}')
    out = a
    if how == "symlink":
        out = tmp_path / "link.json"
        out.symlink_to(a)
    elif how == "hardlink":
        out = tmp_path / "hard.json"
        out.hardlink_to(a)
    files = [str(a)] if how == "zones" else [str(b), str(a)]
    r = CliRunner().invoke(main, ["compare", *files, *(["--zones"] if how == "zones" else []),
                                  "--format", fmt, "-o", str(out)])
    assert r.exit_code == 2 and r.stdout == "", r.output
    assert r.stderr.startswith("error: ") and "the output is the input file" in r.stderr and "Traceback" not in r.stderr
    assert a.read_text() == text
    r = CliRunner().invoke(main, ["--lang", "zh-Hans", "compare", *files, "-o", str(out)])
    assert r.exit_code == 2 and "输出即输入文件" in r.stderr and a.read_text() == text


@pytest.mark.parametrize("fmt", ["markdown", "csv", "json", "xlsx"])
def test_compare_with_an_empty_output_name_says_so(tmp_path, fmt):
    """-o '' (an empty shell variable): a ValueError traceback from the temporary file's name."""
    a = tmp_path / "a.json"
    a.write_text('{"tax_year": 2024, "wages": 100000}')
    r = CliRunner().invoke(main, ["compare", str(a), "--format", fmt, "-o", ""])
    assert r.exit_code == 2 and r.stderr == "error: (empty): no file name; give a file name\n", r.output


def test_compare_xlsx_refuses_more_columns_than_a_sheet_holds(tmp_path, monkeypatch):
    """10,000 packages need 20,001 columns: xlsxwriter dropped every cell past 16,384 and the
    command said nothing (exit 0). Refused instead, nothing written."""
    from taxcalc.batch.writers import xlsx

    monkeypatch.setattr(xlsx, "MAX_COLUMNS", 6)          # 3 packages: figure, unit, 3 values, 2 differences
    f = tmp_path / "three.json"
    f.write_text(json.dumps([{"tax_year": 2024, "wages": w} for w in (1, 2, 3)]))
    out = tmp_path / "c.xlsx"
    r = CliRunner().invoke(main, ["compare", str(f), "--format", "xlsx", "-o", str(out)])
    assert r.exit_code == 2 and not out.exists(), r.output
    assert r.stderr == (f"error: {out}: 3 packages need 7 columns; a sheet of a workbook holds at most 6: "
                        "use --format csv, --format json\n")
    assert CliRunner().invoke(main, ["compare", str(f), "--format", "csv", "-o", str(tmp_path / "c.csv")]).exit_code == 0
    monkeypatch.setattr(xlsx, "MAX_COLUMNS", 7)
    assert CliRunner().invoke(main, ["compare", str(f), "--format", "xlsx", "-o", str(out)]).exit_code == 0
