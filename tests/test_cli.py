"""The command line: calc, breakeven, tables; errors without tracebacks; --lang; the CLI computes
nothing and imports only what the package declares."""

from __future__ import annotations

import ast
import csv
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from taxcalc import calculate
from taxcalc.cli import main
from taxcalc.engine import Options
from taxcalc.explain import relief_summary, render_text
from taxcalc.figures import BY_NAME, FIGURES
from taxcalc.i18n import figure_text, render, term

ROOT = Path(__file__).resolve().parent.parent
CLI_SOURCE = ROOT / "taxcalc" / "cli.py"
HETAO = ["--tax-year", "2026", "--identity", "hk", "--zone", "hetao", "--talent", "--wages", "900000",
         "--bonus", "100000"]
HETAO_CASE = {"tax_year": 2026, "identity": "hk", "zone": "hetao", "talent": True, "wages": 900000, "bonus": 100000}


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def fails(r, *fragments):
    """Exit 2 with error lines only on stderr: no traceback, no Python repr."""
    assert r.exit_code == 2, (r.exit_code, r.output)
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), r.stderr
    for bad in ("Traceback", "Decimal(", "{'", "<class", "Error("):
        assert bad not in r.stderr
    for fragment in fragments:
        assert fragment in r.stderr, (fragment, r.stderr)
    return lines


# ---------------------------------------------------------------------------------------------
# calc: the text is the registry's figures, as the faces format them


def test_calc_prints_every_group_of_figures_from_the_registry():
    r = run("calc", *HETAO)
    assert r.exit_code == 0, r.output
    res = calculate(HETAO_CASE, explain=False)
    lines = r.stdout.splitlines()
    assert lines[0] == "Tax year 2026: Hong Kong resident, Resident, Hetao Shenzhen Park, Recognised talent"
    for group in ("Mainland", "Zone relief", "Hong Kong", "Macao", "Gap", "Exchange rates"):
        assert group in lines
    for name in ("gross_income", "iit", "relief", "iit_net", "income_after_iit", "hk_tax", "hk_tax_cny",
                 "macao_tax", "cny_per_hkd_used", "effective_rate_mainland"):
        f = BY_NAME[name]
        label, value = term("figure", name, "en"), figure_text(getattr(res, name), f, lang="en")
        marks = r"( (\[\d+\])+)?"                         # the numbers of the marks that change it
        assert any(re.fullmatch(rf"  {re.escape(label)}{marks} +{re.escape(value)}", line) for line in lines), name
    gap = BY_NAME["income_gap_cny"]
    assert figure_text(res.income_gap_cny, gap, signed=True, lang="en") in r.stdout     # gaps are signed
    assert render(relief_summary(res), "en") in r.stdout
    assert "Hetao: no more than the HK tax: an exemption of CN¥86,392.78, settled at the reconciliation in 2027" \
        in r.stdout


def test_calc_shows_the_cliff_after_relief_and_notes_rendered():
    from taxcalc.summary import summarize
    from taxcalc.tables import load_tables

    r = run("calc", "--tax-year", "2024", "--wages", "300000", "--bonus", "36001")
    assert r.exit_code == 0, r.output
    res = calculate({"tax_year": 2024, "wages": 300000, "bonus": 36001}, explain=False)
    s = summarize(res, load_tables(), Options())
    assert res.bonus_cliff and s.cliff is not None and "Notes" in r.stdout
    assert ("bonus cliff: a bonus above CN¥36,000.00 and below CN¥38,566.67 keeps less after IIT and the zone relief "
            "than CN¥36,000.00") in r.stdout
    for n in s.notes:
        assert f"  - {render(n, 'en')}" in r.stdout
    r = run("calc", "--tax-year", "2024", "--wages", "300000")
    assert "bonus cliff" not in r.stdout and "Bonus taxed" not in r.stdout
    # a cap relief absorbs the jump: the text says so, nothing is flagged
    r = run("calc", "--tax-year", "2024", "--identity", "hk", "--zone", "hetao", "--talent", "--wages", "300000",
            "--bonus", "36001")
    assert "bonus cliff:" not in r.stdout and "no cliff" in r.stdout


def test_calc_headline_and_marks():
    r = run("calc", "--input", str(ROOT / "examples" / "hetao-researcher.json"))
    lines = r.stdout.splitlines()
    assert lines[2] == "You pay CN¥87,716.21 in mainland IIT (CN¥195,470.00 before the zone relief)"
    assert lines[4].startswith("Hong Kong burden (zone rule): HK$97,115 (CN¥87,716.21); the mainland tax equals it: "
                               "the cap holds")
    assert lines[6].startswith("Why the job pays HK$3,060 (CN¥2,763.85) less than the burden: it deducts HK$18,000.00 "
                               "of MPF")
    assert "What to weigh" in lines
    assert "  [1] the default exchange rate for 2026, 0.90322 CNY per HK$1, is a placeholder: give your own (cny_per_hkd)" \
        in lines
    assert re.search(r"^  CNY per HK\$1 \[1\] +0\.90322$", r.stdout, re.M)            # beside the figure it changes
    out = json.loads(run("calc", "--input", str(ROOT / "examples" / "hetao-researcher.json"), "--json").stdout)
    assert [h["line"] for h in out["headline"]] == ["pay", "relief", "burden", "alternative", "why"]
    assert out["marks"][0]["table"] == "fx" and out["marks"][0]["mark"] == "placeholder"
    assert out["marks"][0]["figures"][0] == "cny_per_hkd_used" and out["marks"][0]["source"].startswith("A public tax calculator")


def test_capped_inputs_are_said():
    r = run("calc", "--tax-year", "2026", "--wages", "900000", "--hk-mpf", "2000000")
    assert "  - hk_mpf: HK$2,000,000.00 given, HK$18,000.00 used (the year's cap)" in r.stdout
    r = run("calc", "--tax-year", "2026", "--wages", "900000", "--sad-elderly", "shared", "--sad-elderly-share", "5000")
    assert "  - sad_elderly_share: CN¥5,000.00 given, CN¥1,500.00 used (the year's cap)" in r.stdout


def test_calc_json_has_every_figure_reliefs_notes_and_explanation():
    r = run("calc", "--tax-year", "2024", "--identity", "foreign", "--zone", "gba", "--talent", "--wages", "1000000",
            "--json", "--explain")
    assert r.exit_code == 0
    out = json.loads(r.stdout)
    assert [k for k in out if k in BY_NAME] == [f.name for f in FIGURES]
    assert out["iit"] == "243080.00" and out["relief"] == "102080.00" and out["relief_policy"] == "gba_subsidy"
    assert out["hk_tax"] == int(out["hk_tax"]) and out["relief_paid_in"] == 2025
    assert out["inputs"]["wages"] == "1000000" and out["inputs"]["tax_year"] == 2024     # not 1E+6
    chosen = [o for o in out["reliefs_considered"] if o["chosen"]]
    assert len(chosen) == 1 and chosen[0]["policy"] == "gba_subsidy" and chosen[0]["settled_in"] == 2025
    assert set(chosen[0]) >= {"policy", "kind", "first_year", "last_year", "reason", "why", "why_code", "amount",
                              "chosen", "settled_in", "extended"}
    hetao = next(o for o in out["reliefs_considered"] if o["policy"] == "hetao_hk_cap")
    assert hetao["why_code"] == "reason.identity" and hetao["why"].startswith("not for Foreign national")
    assert all(set(n) == {"code", "text"} for n in out["notes"])
    assert "粤财税〔2019〕2号" in json.dumps(out["explanation"], ensure_ascii=False)
    assert "explanation" not in json.loads(run("calc", "--tax-year", "2024", "--json").stdout)


def test_calc_explain_text_is_the_core_trace():
    r = run("calc", "--tax-year", "2024", "--identity", "hk", "--zone", "hetao", "--wages", "800000", "--explain")
    assert r.exit_code == 0
    assert "source: 深财规〔2025〕2号" in r.stdout and "- Chosen: Hetao: no more than the HK tax" in r.stdout
    res = calculate({"tax_year": 2024, "identity": "hk", "zone": "hetao", "wages": 800000})
    assert r.stdout.rstrip("\n").endswith(render_text(res.explanation, "en"))


def test_calc_from_json_file_with_flag_override(tmp_path):
    f = tmp_path / "case.json"
    f.write_text(json.dumps({"tax_year": 2024, "wages": 96000, "talent": True}))
    assert json.loads(run("calc", "--input", str(f), "--json").stdout)["iit"] == "1080.00"
    out = json.loads(run("calc", "--input", str(f), "--wages", "204000", "--no-talent", "--json").stdout)
    assert out["iit"] == "11880.00" and out["inputs"]["talent"] is False
    out = json.loads(run("calc", "--input", "-", "--json", input='{"tax_year": 2024, "wages": "96,000"}').stdout)
    assert out["iit"] == "1080.00"


def test_calc_of_the_shipped_example():
    r = run("calc", "--input", str(ROOT / "examples" / "hetao-researcher.json"))
    assert r.exit_code == 0 and r.stdout.startswith("hetao-researcher: Tax year 2026")


# ---------------------------------------------------------------------------------------------
# --lang


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_lang_renders_labels_values_notes_and_explanation(lang):
    code = lang.replace("-", "_")
    res = calculate(HETAO_CASE)
    for args in (["--lang", lang, "calc", *HETAO], ["calc", *HETAO, "--lang", lang]):
        r = run(*args)
        assert r.exit_code == 0, r.output
        for name in ("gross_income", "relief", "hk_tax"):
            assert term("figure", name, code) in r.stdout
            assert figure_text(getattr(res, name), BY_NAME[name], lang=code) in r.stdout
        assert term("group", "hongkong", code) in r.stdout and render(relief_summary(res), code) in r.stdout
    r = run("--lang", lang, "calc", *HETAO, "--explain")
    assert render_text(res.explanation, code) in r.stdout
    out = json.loads(run("--lang", lang, "calc", *HETAO, "--json", "--explain").stdout)
    assert out["explanation"] == res.explanation.to_dict(code)
    assert [o["why"] for o in out["reliefs_considered"]] == [render(o.why, code) for o in res.reliefs]


def test_lang_renders_errors():
    from taxcalc.errors import InputErrors
    from taxcalc.i18n import error_lines

    r = CliRunner().invoke(main, ["--lang", "zh-Hans", "calc", "--tax-year", "2024", "--wages", "x"])
    with pytest.raises(InputErrors) as exc:
        calculate({"tax_year": 2024, "wages": "x"})
    assert fails(r) == [f"error: {line}" for line in error_lines(exc.value, "zh_Hans")]


def test_every_command_takes_lang_after_its_name(tmp_path):
    """docs/cli.md: --lang is common to every command, before or after it; batch refused it after
    ("No such option '--lang'")."""
    src = tmp_path / "in.csv"
    src.write_text("tax_year,wages\n2024,100\n")
    r = CliRunner().invoke(main, ["batch", str(src), "-o", str(tmp_path / "out.csv"), "--quiet", "--lang", "zh-Hans"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["batch", str(src), "-o", str(tmp_path / "out.csv"), "--lang", "fr"])
    assert r.exit_code == 2 and "en, zh-Hans, zh-Hant" in r.output


def test_unknown_language_is_a_usage_error():
    r = CliRunner().invoke(main, ["--lang", "fr", "tables"])
    assert r.exit_code == 2 and "en, zh-Hans, zh-Hant" in r.output


# ---------------------------------------------------------------------------------------------
# errors: the core's messages, one line each, exit 2


@pytest.mark.parametrize("args, field", [
    (["--tax-year", "2024", "--wages", "-5"], "wages: must not be negative"),
    (["--tax-year", "2024", "--wages", "abc"], "wages: not a number"),
    (["--tax-year", "2030", "--wages", "1"], "tax_year: no tables for this year; tables exist for 2019-2027"),
    (["--tax-year", "twenty", "--wages", "1"], "tax_year: not a number"),
    (["--tax-year", "2024", "--wages", "1.234"], "wages: too many decimals"),
    (["--tax-year", "2024", "--hk-children", "12"], "hk_children: too large"),
    (["--tax-year", "2024", "--identity", "hk", "--wages", "100", "--exempt-allowances", "200"], "exempt_allowances"),
    (["--wages", "100"], "tax_year: required"),
    (["--tax-year", "2024", "--identity", "martian"], "identity: not one of the choices; expected one of mainland"),
])
def test_bad_input_exits_2_naming_the_field(args, field):
    fails(CliRunner().invoke(main, ["calc", *args]), f"error: {field}")


def test_choices_are_read_by_the_grammar():
    out = json.loads(run("calc", "--tax-year", "2024", "--zone", " Hetao ", "--identity", "HK", "--sad-housing",
                         "rent-tier1", "--json").stdout)
    assert out["inputs"]["zone"] == "hetao" and out["inputs"]["identity"] == "hk"
    assert out["inputs"]["sad_housing"] == "rent_tier1"


def _hostile_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Files a user (or an attacker) may hand over, and a part of the one-line message each gets."""
    d = tmp_path / "hostile"
    d.mkdir()
    files = {}

    def put(name, data: bytes, fragment):
        p = d / name
        p.write_bytes(data)
        files[name] = (p, fragment)

    put("object.json", b'{"tax_year": 2024, "wages": {"a": 1}}', 'wages: expected an amount')
    put("bool.json", b'{"tax_year": 2024, "wages": true}', "wages: not a number")
    put("alien.json", b'{"tax_year": 2024, "identity": "alien"}', "identity: not one of the choices")
    put("mars.json", b'{"tax_year": 2024, "zone": "mars"}', "zone: not one of the choices")
    put("deep.json", b"[" * 100_000, "nested too deeply")
    put("duplicate.json", b'{"tax_year": 2024, "wages": 100, "wages": 900000}', "the key wages appears twice")
    put("huge-integer.json", b'{"tax_year": 2024, "wages": ' + b"9" * 5000 + b"}", "wages: too large")
    put("duplicate-nested.json", b'[{"tax_year": 2024, "id": "a", "id": "b"}]', "the key id appears twice")
    put("binary.json", bytes(range(256)) * 16, "not UTF-8 text")
    put("latin1.json", '{"tax_year": 2024, "id": "café"}'.encode("latin-1"), "not UTF-8 text")
    big = d / "big.json"
    with big.open("wb") as fh:
        fh.write(b'{"tax_year": 2024, "id": "')
        fh.seek(50 * 1024 * 1024)
        fh.write(b'"}')
    files["big.json"] = (big, "larger than 1,048,576 bytes")
    (d / "dir.json").mkdir()
    files["dir.json"] = (d / "dir.json", "is a directory")
    files["missing.json"] = (d / "missing.json", "no such file")
    return files


HOSTILE = ["object.json", "bool.json", "alien.json", "mars.json", "deep.json", "binary.json", "latin1.json",
           "big.json", "dir.json", "missing.json", "duplicate.json", "duplicate-nested.json", "huge-integer.json"]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_case_files_give_one_line_and_exit_2(tmp_path, name):
    path, fragment = _hostile_files(tmp_path)[name]
    for args in (["calc", "--input", str(path)], ["compare", str(path)]):
        lines = fails(CliRunner().invoke(main, args), fragment)
        assert len(lines) == 1, lines
    if name == "object.json":
        assert '(given: {"a": 1})' in lines[0]


def test_case_file_that_is_not_an_object(tmp_path):
    f = tmp_path / "list.json"
    f.write_text("[1, 2]")
    fails(CliRunner().invoke(main, ["calc", "--input", str(f)]), "expected one JSON object")
    fails(CliRunner().invoke(main, ["calc", "--input", "-"], input="[1]"), "error: -: expected one JSON object")


def test_a_key_given_twice_in_a_case_file_is_refused_not_read_as_either(tmp_path):
    """{"wages": 100, "wages": 900000}: JSON leaves open which counts (Python takes the last, polars
    the first); every command that reads a case refuses it."""
    f = tmp_path / "dup.json"
    f.write_text('{"tax_year": 2024, "identity": "hk", "wages": 100, "wages": 900000}')
    for args in (["calc", "--input", str(f)], ["plan", str(f)], ["split", "--input", str(f)],
                 ["whatif", "--input", str(f)], ["breakeven", "--input", str(f)], ["compare", "--zones", str(f)]):
        fails(CliRunner().invoke(main, args), "dup.json: the key wages appears twice in one object")
    fails(CliRunner().invoke(main, ["calc", "--input", "-"], input=f.read_text()), "error: -: the key wages appears twice")
    r = CliRunner().invoke(main, ["--lang", "zh-Hans", "calc", "--input", str(f)])
    assert r.exit_code == 2 and "键 wages 在同一对象中出现两次" in r.stderr


def test_bad_json_file(tmp_path):
    f = tmp_path / "case.json"
    f.write_text("{not json")
    fails(CliRunner().invoke(main, ["calc", "--input", str(f)]), "not valid JSON")


def test_unknown_key_in_json_file(tmp_path):
    f = tmp_path / "case.json"
    f.write_text(json.dumps({"tax_year": 2024, "salary": 5}))
    fails(CliRunner().invoke(main, ["calc", "--input", str(f)]), "salary: unknown field")


def test_no_traceback_in_a_real_process():
    p = subprocess.run([sys.executable, "-m", "taxcalc.cli", "calc", "--tax-year", "2024", "--wages", "x"],
                       capture_output=True, text=True)
    assert p.returncode == 2 and "Traceback" not in p.stderr and p.stderr.startswith("error: wages: ")


# ---------------------------------------------------------------------------------------------
# one grammar: a flag reads like a batch cell


@pytest.mark.parametrize("value", ["12,000", "９００，０００", "2E+05", "+5", " 96000 ", "1,000.5",
                                   "1_000", "٣", "0x10", "1,5", "12,0000", "1.005", "-1"])
def test_a_flag_reads_like_a_batch_cell(tmp_path, value):
    from taxcalc.validate import FieldError, parse_field

    src, out, err = tmp_path / "in.csv", tmp_path / "out.csv", tmp_path / "err.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["tax_year", "wages"], ["2024", value]])
    batch = CliRunner().invoke(main, ["batch", str(src), "-o", str(out), "--errors", str(err), "--quiet"])
    flag = CliRunner().invoke(main, ["calc", "--tax-year", "2024", "--wages", value, "--json"])
    try:
        expected = parse_field("wages", value)
    except FieldError:
        expected = None
    if expected is None:
        assert batch.exit_code == 3
        message = list(csv.DictReader(err.open(encoding="utf-8")))[0]["message"]
        fails(flag, f"error: wages: {message} (given: ")
    else:
        assert batch.exit_code == 0 and flag.exit_code == 0
        row = list(csv.DictReader(out.open(encoding="utf-8")))[0]
        assert row["gross_income"] == json.loads(flag.stdout)["gross_income"]


def test_child_share_given_as_text():
    r = run("calc", "--tax-year", "2024", "--wages", "300000", "--sad-children", "1", "--sad-child-share", "50", "--json")
    assert json.loads(r.stdout)["iit_taxable"] == "228000.00"


# ---------------------------------------------------------------------------------------------
# tables


def test_tables_summary_one_line_per_jurisdiction():
    r = run("tables")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert len(lines) == 6
    assert re.fullmatch(r"Mainland +2019-2027", lines[0])
    assert lines[1].startswith("Hong Kong") and "2019/20-2026/27" in lines[1]
    assert "proposed, not yet enacted: 2025/26-2026/27" in lines[1]
    assert "uncertain: 2024, 2026-2027" in lines[2]
    assert "a placeholder: 2026-2027" in lines[3] and "uncertain: 2019-2024" in lines[3]
    assert "gba, hengqin, hetao, nansha, qianhai" in lines[4]
    assert lines[5].startswith("Social insurance") and "Shenzhen 2024/25" in lines[5]
    assert "uncertain: Shenzhen 2024/25, Zhuhai 2024/25" in lines[5]


def test_tables_sources_and_json():
    r = run("tables", "--sources")
    assert r.exit_code == 0
    assert "2025/26" in r.stdout and "财税〔2024〕5号" in r.stdout and "mainland" in r.stdout
    assert "hongkong/2025-26: proposed, not yet enacted: reduction.rate, reduction.cap" in r.stdout
    rows = json.loads(run("tables", "--json").stdout)
    assert {"jurisdiction", "year", "title", "file", "sources"} <= set(rows[0])


# ---------------------------------------------------------------------------------------------
# help


def test_help_names_macao_and_exit_codes():
    r = run("--help")
    assert "Macao Professional Tax" in r.stdout and "3 batch rows rejected" in r.stdout


@pytest.mark.parametrize("command", ["calc", "breakeven"])
def test_scenario_options_read_as_text_with_metavars(command):
    r = run(command, "--help")
    text = re.sub(r"\s+", " ", r.stdout)
    for option in ("--tax-year YEAR", "--wages AMOUNT", "--cny-per-hkd RATE", "--sad-children COUNT",
                   "--work-days DAYS", "--zone CHOICE", "--talent / --no-talent",
                   "--id TEXT a name for the case"):
        assert option in text, option
    assert "row number" not in text and "--mainland-wages" not in text


# ---------------------------------------------------------------------------------------------
# architecture: no arithmetic in the command line; imports are declared


#: helpers whose numbers are not figures: display widths of text, runs of table years, a byte limit
NOT_FIGURES = {"_width", "_columns", "_span", "_tables_summary", "_read_case"}


ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.MatMult)


def _text_like(node: ast.AST) -> bool:
    """An operand of + that makes it joining text or lists, not adding numbers."""
    if isinstance(node, (ast.JoinedStr, ast.List, ast.ListComp, ast.Tuple)):
        return True
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and (_text_like(node.left)
                                                                             or _text_like(node.right))


def _arithmetic(tree: ast.AST) -> list[str]:
    """Arithmetic and rounding in the command line, outside the helpers whose numbers are not figures."""
    found = []

    def visit(node, where):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            where = node.name
        if where not in NOT_FIGURES:
            if isinstance(node, ast.BinOp) and isinstance(node.op, ARITHMETIC) and not (
                    isinstance(node.op, ast.Add) and (_text_like(node.left) or _text_like(node.right))):
                found.append(f"{where}:{node.lineno} {type(node.op).__name__}")
            if isinstance(node, ast.AugAssign) and isinstance(node.op, ARITHMETIC) and not (
                    isinstance(node.op, ast.Add) and _text_like(node.value)):
                found.append(f"{where}:{node.lineno} {type(node.op).__name__}=")
            if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and not isinstance(node.operand,
                                                                                                 ast.Constant):
                found.append(f"{where}:{node.lineno} minus")
        if isinstance(node, ast.Call) and where not in NOT_FIGURES:
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            if name in ("Decimal", "quantize", "round", "float", "sum", "scaleb", "to_integral_value"):
                found.append(f"{where}:{node.lineno} {name}(")
        for child in ast.iter_child_nodes(node):
            visit(child, where)

    visit(tree, "<module>")
    return found


def test_the_command_line_computes_nothing():
    tree = ast.parse(CLI_SOURCE.read_text())
    assert _arithmetic(tree) == []
    # the scan does catch what it is for
    assert _arithmetic(ast.parse("def f(r):\n    return r.iit - r.relief\n")) == ["f:2 Sub"]
    assert _arithmetic(ast.parse("def f(r):\n    return Decimal(r.iit).quantize(q)\n")) == ["f:2 quantize(",
                                                                                               "f:2 Decimal("]
    assert _arithmetic(ast.parse("def f(r):\n    return r.iit + r.relief\n")) == ["f:2 Add"]
    assert _arithmetic(ast.parse("def f(r):\n    x = r.iit\n    x *= 2\n    return -x\n")) == ["f:3 Mult=", "f:4 minus"]


def _declared() -> set[str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for extra, items in meta.get("optional-dependencies", {}).items():
        if extra != "dev":                       # the dask extra serves taxcalc/dask_engine.py
            reqs += items
    return {re.split(r"[\s<>=!~\[;]", r, maxsplit=1)[0].lower().replace("_", "-") for r in reqs}


def _imported() -> dict[str, str]:
    """Top-level modules imported anywhere in taxcalc/ (absolute imports), with a file that does."""
    out = {}
    for path in sorted((ROOT / "taxcalc").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                out.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return out


def test_every_import_is_declared_or_stdlib():
    from importlib.metadata import packages_distributions

    dists = packages_distributions()
    declared = _declared()
    undeclared = []
    for module, where in _imported().items():
        if module in sys.stdlib_module_names or module in ("__future__", "taxcalc"):
            continue
        names = {d.lower().replace("_", "-") for d in dists.get(module, [])}
        if not names & declared:
            undeclared.append(f"{module} ({where}; distribution {sorted(names) or 'not installed'})")
    assert undeclared == []
    assert "click" in declared and "typer" not in declared and "rich" in declared
    assert "typer" not in _imported()


@pytest.mark.parametrize("lang", ["en", "zh-Hans"])
@pytest.mark.parametrize("rate", ["50", "100", "1E+1"])
def test_calc_shows_a_whole_exchange_rate_as_a_plain_number(rate, lang):
    """An exchange rate of 50 reads 50, not 5E+1 (the figure is Decimal('50.000000'))."""
    r = run("--lang", lang, "calc", "--tax-year", "2025", "--wages", "100000", "--cny-per-hkd", rate)
    assert r.exit_code == 0, r.output
    assert "E+" not in r.stdout
    shown = str(int(float(rate)))
    assert any(line.split()[-1] == shown for line in r.stdout.splitlines() if line.strip()), r.stdout
    assert figure_text(calculate({"tax_year": 2025, "cny_per_hkd": rate}).cny_per_hkd_used, BY_NAME["cny_per_hkd_used"]) == shown


def test_an_id_with_control_characters_cannot_drive_the_terminal(tmp_path):
    """A case file's id is printed as the header of calc and a column of compare: an escape
    sequence, a bell or a NUL in it are shown as ?, not sent to the terminal."""
    f = tmp_path / "esc.json"
    f.write_text(json.dumps({"id": "\x1b]0;owned\x07\x1b[2Jx\x00y", "tax_year": 2024, "wages": 100}))
    g = tmp_path / "plain.json"
    g.write_text('{"tax_year": 2024, "wages": 200}')
    for args in (["calc", "--input", str(f)], ["compare", str(f), str(g)]):
        r = run(*args)
        assert r.exit_code == 0
        assert not any(ch in r.stdout for ch in "\x1b\x07\x00"), r.stdout[:200]
    assert run("calc", "--input", str(f)).stdout.startswith("?]0;owned??[2Jx?y: Tax year 2024")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["tables"], ["calc", "--tax-year", "2024", "--wages", "1", "--explain"], ["--version"]])
def test_standard_output_on_a_full_disk_is_one_line_and_exit_4(args):
    """`taxcalc calc ... > /dev/full` was an OSError traceback (exit 1), as batch is not."""
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-c", "import sys; from taxcalc.cli import main; sys.argv[0] = 'taxcalc'; "
                            "main()", *args], stdout=full, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert p.returncode == 4 and p.stderr == "error: cannot write standard output: No space left on device\n", p.stderr


@pytest.mark.parametrize("args", [["tables"], ["calc", "--tax-year", "2024", "--wages", "1"], ["--version"],
                                  ["plan", "--tax-year", "2025", "--wages", "1", "--json"],
                                  ["breakeven", "--tax-year", "2025", "--hk-income", "900000"]])
def test_a_closed_standard_output_is_one_line_and_exit_4(args):
    """`taxcalc calc ... >&-`: click drops what it cannot print, so the answer was lost and the
    exit status 0 said it was given."""
    p = subprocess.run([sys.executable, "-c", "import sys; from taxcalc.cli import main; sys.argv[0] = 'taxcalc'; "
                        "main()", *args], stderr=subprocess.PIPE, text=True, cwd=ROOT, preexec_fn=lambda: os.close(1))
    assert p.returncode == 4 and p.stderr == "error: cannot write standard output: Bad file descriptor\n", p.stderr


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])     # ascii: click writes UTF-8 itself
@pytest.mark.parametrize("args", [["calc", "--tax-year", "2025", "--wages", "900000", "--identity", "hk", "--zone", "hetao"],
                                  ["--lang", "zh-Hans", "calc", "--tax-year", "2025", "--wages", "900000"],
                                  ["--lang", "zh-Hant", "plan", "--tax-year", "2025", "--wages", "900000", "--json"]])
def test_a_terminal_that_is_not_utf8_gets_every_figure_not_a_traceback(encoding, args):
    """A standard output in latin-1 or cp1252 (an old locale, a Windows console): the ▲ of calc's
    headline, the Chinese of --lang, were a UnicodeEncodeError traceback (exit 1). What the
    encoding cannot show is written as a \\u escape, as Python writes standard error."""
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    p = subprocess.run([sys.executable, "-c", "import sys; from taxcalc.cli import main; sys.argv[0] = 'taxcalc'; "
                        "main()", *args], capture_output=True, cwd=ROOT, env=env)
    assert p.returncode == 0 and p.stderr == b"", p.stderr.decode(errors="replace")[-300:]
    text = p.stdout.decode(encoding)
    assert "208,080.00" in text or '"208080.00"' in text
    if "--json" in args:
        assert json.loads(text)["years"][0]["iit"] == "208080.00"


def test_a_closed_standard_output_does_not_stop_a_batch_to_a_file(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("tax_year,wages\n2025,1\n", encoding="utf-8")
    for args in (["batch", str(src), "-o", str(tmp_path / "out.csv"), "--quiet"],
                 ["batch", str(src), "-o", "-", "--quiet"]):
        p = subprocess.run([sys.executable, "-c", "import sys; from taxcalc.cli import main; sys.argv[0] = 'taxcalc'; "
                            "main()", *args], stderr=subprocess.PIPE, text=True, cwd=ROOT, preexec_fn=lambda: os.close(1))
        if args[3] == "-":
            assert p.returncode == 2 and p.stderr == "error: -: standard output is closed; give an output file with -o\n"
        else:
            assert p.returncode == 0 and p.stderr == "", p.stderr
            assert (tmp_path / "out.csv").read_text(encoding="utf-8").startswith("id,")


@pytest.mark.parametrize("args", [["calc", "--input", "-"], ["plan", "-"], ["compare", "--zones", "-"]])
def test_a_closed_standard_input_is_one_line(args):
    """`taxcalc calc --input - <&-`: AttributeError ('NoneType' object has no attribute 'buffer')."""
    p = subprocess.run([sys.executable, "-c", "import sys; from taxcalc.cli import main; sys.argv[0] = 'taxcalc'; "
                        "main()", *args], stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=ROOT,
                       preexec_fn=lambda: os.close(0))
    assert p.returncode == 2 and p.stderr == "error: -: cannot be read (standard input is closed)\n", p.stderr


def test_a_file_name_with_an_escape_sequence_does_not_reach_the_terminal(tmp_path):
    """A file name is printed in the error lines and the summary of batch, plan and the tables: a
    name holding an escape sequence (``*.csv`` in a folder of downloads) drove the terminal (here:
    set its title), as a case file's name and an id no longer do."""
    evil = "q\x1b]0;owned\x07"
    src = tmp_path / f"{evil}.csv"
    src.write_text("tax_year,wages\n2025,1\n2025,x\n", encoding="utf-8")
    tables = tmp_path / f"t{evil}"
    tables.mkdir()
    (tables / f"b{evil}.toml").write_text('jurisdiction = "x"\n', encoding="utf-8")
    runs = [["batch", str(src), "-o", str(src)], ["batch", str(tmp_path / f"nx{evil}.csv"), "-o", str(tmp_path / "o.csv")],
            ["batch", str(src), "-o", str(tmp_path / f"{evil}.out.csv")],
            ["plan", str(src), "--years", "2025", "-o", str(tmp_path / f"{evil}.toml")],
            ["--tables", str(tables), "tables"]]
    for args in runs:
        r = run(*args)
        assert r.exit_code in (2, 3), (args, r.exit_code, r.stderr)
        assert "owned" in r.stderr and not any(ch in r.stderr for ch in "\x1b\x07"), (args, r.stderr)


def test_compare_never_writes_over_a_table_file_or_the_package(tmp_path):
    """`compare a.json -o tables/fx.toml` replaced the table file with a Markdown table (the next run
    failed on it); `-o taxcalc/cli.py` would have replaced the program. compare's -o takes any name
    (batch and plan take .csv, .jsonl, .parquet, .xlsx only)."""
    import taxcalc
    from taxcalc.tables import SHIPPED_TABLES

    case = tmp_path / "a.json"
    case.write_text('{"tax_year": 2025, "wages": 900000}', encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "fx.toml").write_text((SHIPPED_TABLES / "fx.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "link.toml").symlink_to(mine / "fx.toml")
    package = Path(taxcalc.__file__).resolve().parent
    before = {p: p.read_bytes() for p in (mine / "fx.toml", SHIPPED_TABLES / "fx.toml", package / "cli.py")}
    for out, what in ((mine / "fx.toml", "a table file"), (tmp_path / "link.toml", "a table file"),
                      (mine / "mainland" / "2030.toml", "a table file"), (SHIPPED_TABLES / "fx.toml", "a table file"),
                      (package / "cli.py", "a file of the taxcalc package"),
                      (package / "notes.md", "a file of the taxcalc package")):
        (mine / "mainland").mkdir(exist_ok=True)
        r = run("--tables", str(mine), "compare", str(case), "-o", str(out))
        assert r.exit_code == 2 and r.stderr == f"error: {out}: {what}; an output never replaces one: give another -o path\n", \
            r.stderr
    assert {p: p.read_bytes() for p in before} == before and not (package / "notes.md").exists()
    assert not (mine / "mainland" / "2030.toml").exists()
    assert run("--tables", str(mine), "compare", str(case), "-o", str(mine / "offers.md")).exit_code == 0


def test_no_command_without_a_terminal_is_an_error_not_a_wait(tmp_path):
    """``taxcalc`` alone opens the terminal UI; with standard input or output not a terminal
    (``taxcalc > file``, a pipe, a script) the UI would wait for keys forever: one error line,
    exit 2, in the language asked for."""
    import subprocess
    import sys

    code = "import sys; from taxcalc.cli import main; sys.argv[0] = 'taxcalc'; main()"
    for args in ([], ["--lang", "zh-Hans"]):
        r = subprocess.run([sys.executable, "-c", code, *args], stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 2, r
        assert r.stdout == ""
        assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: ")
        assert ("needs a terminal" in r.stderr) == (not args), r.stderr


def test_json_output_escapes_what_could_drive_a_terminal(tmp_path):
    """--json prints ids and labels from files: a C1 control (U+009B is a CSI), DEL, a line
    separator or a bidi override in them comes out as a \\u escape -- the same JSON value, nothing
    a terminal acts on; Chinese stays as it is."""
    import json

    hostile = "x\x9b31mred\x7f\u202etxt\u2028中"
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"id": hostile, "tax_year": 2025, "wages": 300000}))
    for args in (["calc", "--input", str(case), "--json"], ["compare", str(case), str(case), "--format", "json"]):
        r = CliRunner().invoke(main, args)
        assert r.exit_code == 0, r.output
        assert not any(ch in r.output for ch in "\x9b\x7f\u202e\u2028"), args
        assert "中" in r.output and "\\u009b" in r.output
        data = json.loads(r.output)
        assert hostile in json.dumps(data, ensure_ascii=False)
