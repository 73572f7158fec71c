"""The case behind the form: the one grammar field by field, the same messages as the command
line, rules across fields, save and load (all or nothing), the exports."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from taxcalc import calculate
from taxcalc.curve import rate_curve
from taxcalc.errors import InputErrors
from taxcalc.i18n import error_lines, render, set_language
from taxcalc.scenario import FIELDS
from taxcalc.tui import report
from taxcalc.tui.case import HETAO_RESEARCHER, Case
from taxcalc.tui.fields import FORM_FIELDS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


def cli_message(field, raw):
    """What the command line says for the same value: the message after the field's name."""
    with pytest.raises(InputErrors) as exc:
        calculate({**HETAO_RESEARCHER, field: raw})
    (e,) = [e for e in exc.value.errors if e.field == field]
    line = error_lines(InputErrors([e]), fields="label")[0]
    return render(e.message, fields="label"), line


def test_shipped_example_matches_the_file():
    data = json.loads((ROOT / "examples" / "hetao-researcher.json").read_text())
    a = calculate(data)
    b = Case(HETAO_RESEARCHER).result
    assert a.outputs() == b.outputs()
    assert b.relief_policy == "hetao_hk_cap" and b.scenario.tax_year == 2026


def test_form_covers_every_input_field():
    assert set(FORM_FIELDS) == set(FIELDS) - {"id"}


def test_bad_field_keeps_last_valid_value_and_others_still_count(tables):
    c = Case(tables=tables)
    before = c.result.iit
    message = c.set("wages", "abc")
    assert message.startswith("not a number; expected an amount")
    assert c.result.iit == before                       # computed with the last valid wages
    assert c.used_text("wages") == "the results use 900,000, its last valid value"
    assert c.status() == "⚠ 1 field(s) need attention: computed with their last valid values"
    assert c.set("bonus", "0") == ""
    assert c.result.iit < before                        # the other field still counts
    assert c.errors() == {"wages": message}
    assert c.set("wages", "1,200,000") == ""
    assert c.fields["wages"].value == Decimal(1200000)
    assert c.errors() == {} and c.status() == ""


@pytest.mark.parametrize("field, raw", [
    ("wages", "abc"), ("wages", "1,5"), ("wages", "HK$100"), ("wages", "100.555"), ("bonus", "-5"),
    ("work_days", "400"), ("hk_children", "2.5"), ("cny_per_hkd", "0"), ("cny_per_hkd", "1.1234567"),
    ("identity", "alien"), ("talent", "maybe"), ("wages", "1e400"),
])
def test_same_message_as_the_command_line(tables, field, raw):
    c = Case(tables=tables)
    message, cli_line = cli_message(field, raw)
    assert c.set(field, raw) == message
    assert message in cli_line                          # the CLI line: the field's label, the message, the value given


@pytest.mark.parametrize("lang", ["zh_Hans", "zh_Hant"])
def test_messages_in_the_ui_language(tables, lang):
    c = Case(tables=tables)
    set_language(lang)
    message, _line = cli_message("wages", "abc")
    assert c.set("wages", "abc") == message


@pytest.mark.parametrize("field, raw, value", [
    ("wages", "1,200,000", Decimal(1200000)), ("wages", "１２０００００", Decimal(1200000)),
    ("wages", "１，２００，０００．５０", Decimal("1200000.5")), ("wages", " 900000 ", Decimal(900000)),
    ("wages", "2E+5", Decimal(200000)), ("identity", "HK", "hk"),
    ("zone", " Qianhai ", "qianhai"), ("talent", "Yes", True), ("talent", "off", False),
    ("bonus", "", Decimal(0)), ("cny_per_hkd", "", None), ("tax_year", 2025, 2025),
])
def test_the_one_grammar(tables, field, raw, value):
    c = Case(tables=tables)
    assert c.set(field, raw) == ""
    assert c.fields[field].value == value


def test_empty_tax_year_is_required(tables):
    c = Case(tables=tables)
    assert c.set("tax_year", "").startswith("required")
    assert c.result.scenario.tax_year == 2026           # the last valid year


def test_cross_field_message_beside_the_field(tables):
    c = Case(tables=tables)
    c.set("hk_newborns", "3")
    with pytest.raises(InputErrors) as exc:
        calculate({**HETAO_RESEARCHER, "hk_newborns": 3})
    assert c.errors()["hk_newborns"] == render(exc.value.errors[0].message, fields="label")
    assert "Children" in c.errors()["hk_newborns"]       # the other field named by its label, not its column
    assert c.result.hk_tax == 94055                      # computed without the offending value ...
    assert c.used_text("hk_newborns") == "the results use 0, its default"     # ... and it says so
    assert c.status() == "⚠ 1 field(s) need attention: computed with their defaults"


def test_save_and_load_round_trip(tmp_path, tables):
    c = Case(tables=tables)
    c.set("wages", "880000.50")
    c.set("cny_per_hkd", "0.912345")
    path = c.save(tmp_path / "case.json")
    data = json.loads(path.read_text())
    assert data["wages"] == 880000.5 and data["zone"] == "hetao" and data["cny_per_hkd"] == 0.912345
    d = Case(data, tables=tables)
    assert d.result.outputs() == c.result.outputs()


@pytest.mark.parametrize("data", [
    {"tax_year": 2026, "wages": {"a": 1}}, {"tax_year": 2026, "wages": True}, {"tax_year": 2026, "identity": "alien"},
    {"tax_year": 2026, "zone": "mars"}, {"tax_year": 1990}, {"tax_year": 2026, "colour": "red"}, {"wages": 1},
    {"tax_year": 2026, "hk_children": 1, "hk_newborns": 2}, ["not", "an", "object"],
])
def test_loading_a_bad_case_changes_nothing(tables, data):
    c = Case(tables=tables)
    before = (c.data(), c.result.outputs())
    with pytest.raises(InputErrors) as exc:
        c.load(data)
    assert error_lines(exc.value, fields="label")
    assert (c.data(), c.result.outputs()) == before


def test_loading_reports_every_bad_field(tables):
    c = Case(tables=tables)
    with pytest.raises(InputErrors) as exc:
        c.load({"tax_year": 2026, "wages": True, "identity": "alien", "zone": "mars"})
    assert {e.field for e in exc.value.errors} == {"wages", "identity", "zone"}
    lines = error_lines(exc.value, fields="label")
    assert any(line.startswith("Wages and salaries: not a number") for line in lines)
    assert any(line.startswith("Zone: not one of the choices") for line in lines)


def test_exports(tables):
    r = Case(tables=tables).result
    md = report.markdown(r, tables)
    assert "| IIT after relief | CN¥87,716.21 |" in md
    assert "Hetao: no more than the HK tax: an exemption of CN¥107,753.79" in md
    assert "hetao_hk_cap" not in md.split("```json")[0]  # policy ids nowhere in the text
    lines = report.csv_text(r).splitlines()
    row = dict(zip(lines[0].split(","), lines[1].split(",")))
    assert row["iit_net"] == "87716.21" and row["relief_policy"] == "hetao_hk_cap" and row["talent"] == "true"
    assert row["burden_gap_hkd"] == str(r.burden_gap_hkd)


def test_exports_chinese(tables):
    r = Case(tables=tables).result
    set_language("zh_Hans")
    md = report.markdown(r, tables)
    assert "¥87,716.21" in md and "CN¥" not in md


def test_rate_curve_is_registry_figures(tables):
    r = Case(tables=tables).result
    points = rate_curve(r, tables=tables)
    assert len(points) == 48
    incomes = [p.gross_income for p in points]
    assert incomes == sorted(incomes) and incomes[-1] == 2 * r.gross_income
    assert all(p.effective_rate_mainland <= p.effective_rate_before_relief for p in points)
    again = calculate({**points[10].scenario.model_dump(exclude_none=True)})
    assert again.effective_rate_hk == points[10].effective_rate_hk


def test_rate_curve_at_the_largest_amounts(tables):
    from taxcalc.money import MAX_AMOUNT

    r = Case({"tax_year": 2026, "wages": str(MAX_AMOUNT - 1), "bonus": "1"}, tables=tables).result
    points = rate_curve(r, tables=tables)
    assert points[-1].gross_income == MAX_AMOUNT


def test_core_and_tui_logic_import_no_textual():
    """The core never imports Textual; nor do the UI's own logic modules (case, report, packages)."""
    import subprocess
    import sys

    code = ("import sys, taxcalc.api, taxcalc.i18n, taxcalc.curve, taxcalc.tui.case, taxcalc.tui.report, "
            "taxcalc.tui.packages, taxcalc.tui.hints, taxcalc.tui.fields; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'textual_plotext', 'plotext')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_packages_show_a_dash_where_the_employer_side_is_not_computed(tables):
    """The employer's social insurance and cost are computed only with social_insurance_auto: a
    package that gives its social insurance as an amount shows a dash there (the results panel
    hides those rows), never CN¥0.00 and an employer's cost equal to the pay; a difference with
    such a package is a dash too. The other packages' figures are the comparison's."""
    from taxcalc.compare import compare
    from taxcalc.figures import BY_NAME
    from taxcalc.i18n import figure_text, term
    from taxcalc.tui.packages import NOT_COMPUTED, table

    given = {"tax_year": 2025, "identity": "hk", "zone": "qianhai", "wages": 600000, "social_insurance": 40000}
    auto = {"tax_year": 2025, "identity": "hk", "zone": "qianhai", "wages": 600000, "social_insurance_auto": True,
            "city": "shenzhen"}
    for packages, dashed in (([auto, given], [False, True]), ([given, auto], [True, False])):
        _, rows = table(packages, tables)
        results = compare(packages, tables=tables).results
        for name in ("social_insurance_employer_cny", "employer_cost_cny", "hk_employer_cost"):
            row = next(r for r in rows if r[0] == term("figure", name))
            for k, dash in enumerate(dashed):
                want = NOT_COMPUTED if dash else figure_text(getattr(results[k], name), BY_NAME[name])
                assert row[1 + k] == want, (name, k)
            assert row[3] == NOT_COMPUTED                   # the difference involves a package without it
        row = next(r for r in rows if r[0] == term("figure", "iit"))
        assert NOT_COMPUTED not in row
