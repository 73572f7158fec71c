"""The command line: calc, tables, errors without tracebacks."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from taxcalc.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_calc_prints_a_breakdown():
    r = run("calc", "--tax-year", "2024", "--wages", "420000", "--labour", "50000", "--social-insurance", "60000",
            "--additional-deductions", "24000")
    assert r.exit_code == 0
    assert "CNY 316,000.00" in r.output and "CNY 47,080.00" in r.output


def test_calc_json_and_explain():
    r = run("calc", "--tax-year", "2024", "--identity", "foreign", "--zone", "gba", "--talent", "--wages", "1000000",
            "--json", "--explain")
    assert r.exit_code == 0
    out = json.loads(r.output)
    assert out["iit"] == "243080.00" and out["relief"] == "102080.00" and out["relief_policy"] == "gba_subsidy"
    labels = json.dumps(out["explanation"], ensure_ascii=False)
    assert "粤财税〔2019〕2号" in labels


def test_calc_explain_text_has_citations():
    r = run("calc", "--tax-year", "2024", "--identity", "hk", "--zone", "hetao", "--wages", "800000", "--explain")
    assert r.exit_code == 0
    assert "source: 深财规〔2025〕2号" in r.output and "chosen: hetao_hk_cap" in r.output


def test_calc_from_json_file_with_flag_override(tmp_path):
    f = tmp_path / "case.json"
    f.write_text(json.dumps({"tax_year": 2024, "wages": 96000}))
    r = run("calc", "--input", str(f), "--json")
    assert json.loads(r.output)["iit"] == "1080.00"
    r = run("calc", "--input", str(f), "--wages", "204000", "--json")
    assert json.loads(r.output)["iit"] == "11880.00"


@pytest.mark.parametrize("args, field", [
    (["--tax-year", "2024", "--wages", "-5"], "wages"),
    (["--tax-year", "2024", "--wages", "abc"], "wages"),
    (["--tax-year", "2030", "--wages", "1"], "tax_year"),
    (["--tax-year", "2024", "--wages", "1.234"], "wages"),
    (["--tax-year", "2024", "--hk-children", "12"], "hk_children"),
    (["--tax-year", "2024", "--identity", "hk", "--wages", "100", "--exempt-allowances", "200"], "exempt_allowances"),
    (["--wages", "100"], "tax_year"),
])
def test_bad_input_exits_2_naming_the_field(args, field):
    r = CliRunner().invoke(main, ["calc", *args])
    assert r.exit_code == 2
    assert field in r.output
    assert "Traceback" not in r.output


def test_unknown_identity_is_refused_with_the_choices():
    r = CliRunner().invoke(main, ["calc", "--tax-year", "2024", "--identity", "martian"])
    assert r.exit_code == 2 and "mainland" in r.output and "foreign" in r.output


def test_bad_json_file(tmp_path):
    f = tmp_path / "case.json"
    f.write_text("{not json")
    r = CliRunner().invoke(main, ["calc", "--input", str(f)])
    assert r.exit_code == 2 and "not valid JSON" in r.output


def test_unknown_key_in_json_file(tmp_path):
    f = tmp_path / "case.json"
    f.write_text(json.dumps({"tax_year": 2024, "salary": 5}))
    r = CliRunner().invoke(main, ["calc", "--input", str(f)])
    assert r.exit_code == 2 and "salary: unknown field" in r.output


def test_tables_lists_jurisdictions_years_and_sources():
    r = run("tables")
    assert r.exit_code == 0
    assert "2025/26" in r.output and "财税〔2024〕5号" in r.output and "mainland" in r.output


def test_no_traceback_in_a_real_process():
    p = subprocess.run([sys.executable, "-m", "taxcalc.cli", "calc", "--tax-year", "2024", "--wages", "x"],
                       capture_output=True, text=True)
    assert p.returncode == 2 and "Traceback" not in p.stderr and "wages" in p.stderr


def test_core_never_imports_a_face():
    code = ("import sys, taxcalc, taxcalc.api, taxcalc.engine, taxcalc.explain; "
            "taxcalc.calculate({'tax_year': 2024, 'wages': 1}); "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'click', 'typer') or m.startswith('taxcalc.tui') or m == 'taxcalc.cli']; "
            "print(bad); sys.exit(1 if bad else 0)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.mark.parametrize("value", ["1_000", "٣", "12,000", "0x10"])
def test_numbers_must_be_plain_as_in_batch_files(value):
    r = CliRunner().invoke(main, ["calc", "--tax-year", "2024", "--wages", value])
    assert r.exit_code == 2 and "wages: expected an amount (CNY a year)" in r.output


def test_child_share_given_as_text():
    r = run("calc", "--tax-year", "2024", "--wages", "300000", "--sad-children", "1", "--sad-child-share", "50", "--json")
    assert json.loads(r.output)["iit_taxable"] == "228000.00"
