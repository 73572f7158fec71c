"""The case behind the form: field-by-field validation, cross-field messages, save and load."""

import json
from decimal import Decimal
from pathlib import Path

from taxcalc import calculate
from taxcalc.scenario import FIELDS
from taxcalc.tui import report
from taxcalc.tui.case import HETAO_RESEARCHER, Case, rate_curve
from taxcalc.tui.fields import FORM_FIELDS

ROOT = Path(__file__).resolve().parents[2]


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
    assert c.set("wages", "abc") == "not a number"
    assert c.result.iit == before                       # computed with the last valid wages
    assert c.set("bonus", "0") == ""
    assert c.result.iit < before                        # the other field still counts
    assert c.errors() == {"wages": "not a number"}
    assert c.set("wages", "1,200,000") == ""
    assert c.fields["wages"].value == Decimal(1200000)
    assert c.errors() == {}


def test_range_messages(tables):
    c = Case(tables=tables)
    assert c.set("bonus", "-5") == "must be at least 0"
    assert c.set("work_days", "400") == "must be at most 366"
    assert c.set("hk_children", "2.5") == "not a whole number"
    assert c.set("cny_per_hkd", "0") == "must be more than 0"
    assert c.set("cny_per_hkd", "") == ""                # empty: the default rate
    assert c.result.cny_per_hkd == Decimal("0.9043")


def test_cross_field_message_beside_the_field(tables):
    c = Case(tables=tables)
    c.set("hk_newborns", "3")
    assert c.errors()["hk_newborns"] == "cannot exceed the number of children"
    assert c.result.hk_tax == 93830                     # computed without the offending value


def test_save_and_load_round_trip(tmp_path, tables):
    c = Case(tables=tables)
    c.set("wages", "880000.50")
    path = c.save(tmp_path / "case.json")
    data = json.loads(path.read_text())
    assert data["wages"] == 880000.5 and data["zone"] == "hetao"
    d = Case(Case.read(path), tables=tables)
    assert d.result.outputs() == c.result.outputs()


def test_exports(tables):
    r = Case(tables=tables).result
    md = report.markdown(r)
    assert "CN¥87,617.63" in md and "| Tax after relief |" in md and "hetao_hk_cap" in md
    lines = report.csv_text(r).splitlines()
    row = dict(zip(lines[0].split(","), lines[1].split(",")))
    assert row["iit_net"] == "87617.63" and row["relief_policy"] == "hetao_hk_cap" and row["talent"] == "true"


def test_rate_curve_one_pass(tables):
    incomes, before, after, hk = rate_curve(Case(tables=tables).result.scenario.model_dump(), tables)
    assert len(incomes) == len(before) == len(after) == len(hk) == 48
    assert all(a <= b + 1e-9 for a, b in zip(after, before))
    assert incomes == sorted(incomes)


def test_explanation_labels_translated(tables):
    from taxcalc.i18n import set_language
    from taxcalc.tui.explain_labels import step_label

    r = Case(tables=tables).result
    try:
        set_language("zh_Hans")
        top = [step_label(s.label) for depth, s in r.explanation.walk() if depth <= 2]
        untranslated = [t for t in top if t.isascii()]
        assert not untranslated, untranslated
        assert step_label(r.explanation.label) == "纳税年度 2026：香港居民，居民个人，河套深圳园区"
        assert step_label("something new") == "something new"
    finally:
        set_language("en")


def test_core_and_tui_logic_import_no_textual():
    """The core never imports Textual; nor do the UI's own logic modules (case, report, packages)."""
    import subprocess
    import sys

    code = ("import sys, taxcalc.api, taxcalc.i18n, taxcalc.tui.case, taxcalc.tui.report, taxcalc.tui.packages, "
            "taxcalc.tui.hints, taxcalc.tui.explain_labels; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'textual_plotext', 'plotext')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
