"""User stories with Pilot: open on the example, fill the form, read the figures, switch language."""

import asyncio
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select

from taxcalc import calculate
from taxcalc.figures import BY_NAME
from taxcalc.i18n import figure_text, set_language, term
from taxcalc.tui.app import TaxcalcApp
from taxcalc.tui.case import HETAO_RESEARCHER
from taxcalc.tui.screens.main import Recomputed
from taxcalc.tui.widgets.explain import ExplainTree
from taxcalc.tui.widgets.results import ResultsPanel


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


def panel(app) -> ResultsPanel:
    return app.screen.query_one(ResultsPanel)


def shown(app, key: str) -> str:
    """What the results panel shows for a figure ('' when its row is hidden)."""
    return panel(app).value(key)


def label(app, key: str) -> str:
    return panel(app).label(key)


def table_cells(table) -> dict[str, list[str]]:
    """A table's rows by their label, each cell's text with its wrapped lines joined again."""
    rows = [[" ".join(str(v).split()) for v in table.get_row_at(k)] for k in range(table.row_count)]
    return {row[0]: row for row in rows}


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def run(story, size=(120, 40), lang="en", messages=None):
    async def main():
        app = TaxcalcApp(lang=lang)
        hook = messages.append if messages is not None else None
        async with app.run_test(size=size, message_hook=hook) as pilot:
            await pilot.pause()
            await story(app, pilot)
        return app
    return asyncio.run(main())


async def settle(pilot):
    """Wait for the debounced recompute to have run."""
    await pilot.pause()
    for _ in range(100):
        if getattr(pilot.app.screen, "_timer", None) is None:
            break
        await pilot.pause(0.02)
    await pilot.pause()


async def type_into(pilot, field: str, text: str, every_key: bool = False):
    """Go to the field's step, focus it and type; all but the last key are pasted unless every_key."""
    await pilot.app.screen.query_one("#form").goto_field(field)
    await pilot.pause()
    inp = pilot.app.screen.query_one(f"#f-{field}", Input)
    inp.focus()                                                 # the form scrolls to it
    await pilot.pause()
    inp.action_select_all()
    if every_key:
        await pilot.press(*list(text))
    else:
        inp.value = text[:-1]
        inp.cursor_position = len(inp.value)
        await pilot.press(text[-1])
    await settle(pilot)


def test_opens_on_the_example_with_results():
    async def story(app, pilot):
        assert shown(app, "iit") == "CN¥195,470.00"
        assert shown(app, "relief") == "CN¥107,753.79"
        assert shown(app, "iit_net") == "CN¥87,716.21"
        assert shown(app, "hk_tax") == "HK$94,055"
        assert shown(app, "burden_gap_cny") == "+CN¥2,763.85"
        assert shown(app, "burden_gap_hkd") == "+HK$3,060.00"                 # the registry's figure, not a UI sum
        assert shown(app, "hk_income_after_tax_cny") == "CN¥915,047.64"
        assert shown(app, "effective_rate_before_relief") == "19.547%"
        head = text_of(app, "#r-headline")
        assert ("Hetao: no more than the HK tax: an exemption of CN¥107,753.79, settled at the reconciliation in 2027"
                in head)
        assert ("▲ A Hong Kong job pays HK$94,055 (CN¥84,952.36) Salaries Tax: the mainland takes CN¥2,763.85 "
                "(HK$3,060.00) more" in head)
        reliefs = text_of(app, "#r-reliefs")
        assert "✓ Hetao: no more than the HK tax: CN¥107,753.79, chosen" in reliefs
        assert "GBA talent subsidy above 15%: CN¥69,280.00, applies, but smaller" in reliefs
        assert "not for Hong Kong resident; for Macao resident" in reliefs
        # sections by the registry's groups; the Macao side only where it matters
        assert panel(app).order("hongkong")
        assert not panel(app).order("macao")
        assert shown(app, "bonus_cliff_loss") == ""
    run(story)


def test_fill_the_form_and_read_the_figures():
    messages = []

    async def story(app, pilot):
        await type_into(pilot, "wages", "600000")
        await type_into(pilot, "bonus", "0")
        await app.screen.query_one("#form").goto_field("zone")
        await pilot.pause()
        sel = app.screen.query_one("#f-zone", Select)
        sel.value = "qianhai"
        await settle(pilot)
        await app.screen.query_one("#form").goto_field("hk_married")
        await pilot.pause()
        app.screen.query_one("#f-hk_married").value = False
        await settle(pilot)
        expected = calculate({**HETAO_RESEARCHER, "wages": 600000, "bonus": 0, "zone": "qianhai", "hk_married": False})
        assert shown(app, "iit") == f"CN¥{expected.iit:,}"
        assert shown(app, "iit_net") == f"CN¥{expected.iit_net:,}"
        assert shown(app, "hk_tax") == figure_text(expected.hk_tax, BY_NAME["hk_tax"])
        assert expected.relief_policy == "qianhai_hk_cap"
        assert "Qianhai: no more than the HK tax" in text_of(app, "#r-headline")
    run(story, messages=messages)
    results = [m for m in messages if isinstance(m, Recomputed)]
    assert results and results[-1].result.scenario.zone == "qianhai" and not results[-1].errors


def test_bad_field_shows_message_and_does_not_block_others():
    async def story(app, pilot):
        await type_into(pilot, "wages", "x12", every_key=True)
        row = app.screen.query_one("#row-wages")
        error = str(row.query_one(".field-error").render())
        assert error.startswith("⚠ not a number; expected an amount")
        assert "the results use 900,000, its last valid value" in error
        assert row.has_class("invalid")
        assert ("1 field(s) need attention: computed with their last valid values"
                in str(app.screen.query_one("#r-status").render()))
        assert shown(app, "iit") == "CN¥195,470.00"                 # last valid wages
        await type_into(pilot, "bonus", "0")                         # another field still updates
        assert shown(app, "iit") == "CN¥185,680.00"
        await type_into(pilot, "wages", "900000")
        assert not row.has_class("invalid")
        assert str(app.screen.query_one("#r-status").render()) == ""
    run(story)


def test_language_switch_is_live():
    async def story(app, pilot):
        await pilot.press("f8")
        await pilot.pause()
        assert label(app, "iit_net") == term("figure", "iit_net", "zh_Hans")
        assert shown(app, "iit_net") == "¥87,716.21"
        await pilot.press("f8")
        await pilot.pause()
        assert label(app, "iit_net") == term("figure", "iit_net", "zh_Hant")
        assert shown(app, "hk_tax") == "HK$94,055"
        app.set_lang("en")
        await pilot.pause()
        assert label(app, "iit_net") == "IIT after relief"
        # the step of the form and the tab survive a switch
        await app.screen.query_one("#form").show_step(3)
        await pilot.press("f8")
        await pilot.pause()
        assert app.screen.query_one("#form").step == 3 and app.screen.query("#row-wages")
        await pilot.press("f5")
        await pilot.press("f8")
        await pilot.pause()
        assert app.screen.query_one("#tabs").active == "withholding"
        assert app.screen.query_one("#wh-table").row_count == 12
    run(story)


def test_opens_in_the_asked_language():
    async def story(app, pilot):
        assert label(app, "iit_net") == term("figure", "iit_net", "zh_Hant")
        assert "HK$" in shown(app, "hk_tax")
    run(story, lang="zh-Hant")


def test_tabs_explanation_chart_withholding_packages():
    async def story(app, pilot):
        await pilot.press("f3")
        await pilot.pause()
        tree = app.screen.query_one(ExplainTree)
        labels = [str(n.label) for n in tree.root.children]
        assert any(lab.startswith("Mainland individual income tax: CN¥195,470.00") for lab in labels)
        await pilot.press("f4")
        await pilot.pause()
        note = str(app.screen.query_one("#chart-note").render())
        assert "mainland 19.547% before relief (x), 8.7716% after relief (o); Hong Kong 8.4952% (+)" in note
        await pilot.press("f5")
        await pilot.pause()
        wh = app.screen.query_one("#wh-table", DataTable)
        assert wh.row_count == 12
        assert "nothing to settle" in str(app.screen.query_one("#wh-summary").render())
        await pilot.press("f6")
        await pilot.pause()
        pk = app.screen.query_one("#pk-table", DataTable)
        assert len(pk.columns) == 6                              # label + 3 packages + 2 differences
        headers = [str(c.label) for c in pk.columns.values()]
        assert headers[1] == "1. Hetao Shenzhen Park\n2026, Hong Kong resident"
        assert headers[4:] == ["2 − 1", "3 − 1"]
        cells = table_cells(pk)
        assert cells["Zone relief"][1:] == ["CN¥107,753.79", "CN¥107,753.79", "CN¥0.00", "CN¥0.00", "−CN¥107,753.79"]
        assert cells["Income after Salaries Tax in CNY"][1] == "CN¥915,047.64"   # the HK job in every column
        await pilot.press("a")
        await pilot.pause()
        assert len(pk.columns) == 8
        await pilot.press("a")
        await pilot.pause()
        assert len(app.packages) == 4                            # at most four
        await pilot.press("c")
        await pilot.pause()
        assert app.packages == []
    run(story)


def test_save_load_export(tmp_path):
    target = tmp_path / "mine.json"
    md = tmp_path / "mine.md"

    async def story(app, pilot):
        await type_into(pilot, "wages", "700000")
        await pilot.press("ctrl+s")
        await pilot.pause()
        dlg = app.screen.query_one("#dialog-path", Input)
        dlg.value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert json.loads(target.read_text())["wages"] == 700000
        await type_into(pilot, "wages", "100")
        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one("#dialog-path", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.screen.query_one("#f-wages", Input).value == "700,000"
        assert app.case.result.gross_income == 800000
        await pilot.press("ctrl+e")
        await pilot.pause()
        app.screen.query_one("#dialog-path", Input).value = str(md)
        await pilot.press("enter")
        await pilot.pause()
        assert "| IIT after relief | CN¥" in md.read_text()
    run(story)


def test_palette_commands():
    async def story(app, pilot):
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"language")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert label(app, "iit_net") in (term("figure", "iit_net", "zh_Hans"),
                                                                     term("figure", "iit_net", "zh_Hant"))
        app.load_example("mainland-employee")
        await pilot.pause()
        assert app.case.result.relief_policy == "none"
        await app.screen.query_one("#form").goto_field("identity")
        await pilot.pause()
        assert app.screen.query_one("#f-identity", Select).value == "mainland"
    run(story)


def test_ctrl_q_exits_zero():
    async def main():
        app = TaxcalcApp(lang="en")
        async with app.run_test() as pilot:
            await pilot.pause()
            await pilot.press("ctrl+q")
            await pilot.pause()
        return app
    app = asyncio.run(main())
    assert app.return_value == 0


def test_no_color():
    env = {**os.environ, "NO_COLOR": "1"}
    code = ("import asyncio\nfrom taxcalc.tui.app import TaxcalcApp\n"
            "async def m():\n  app=TaxcalcApp(lang='en')\n  async with app.run_test() as p:\n"
            "    await p.pause(); assert app.no_color; print(app.screen.query_one('#results').value('iit_net'))\n"
            "asyncio.run(m())\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, check=False, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "CN¥87,716.21" in out.stdout


def test_assumption_switch_changes_the_relief():
    async def story(app, pilot):
        form = app.screen.query_one("#form")
        await form.goto_field("zone")
        await pilot.pause()
        app.screen.query_one("#f-zone", Select).value = "nansha"
        await settle(pilot)
        await form.goto_field("tax_year")
        await pilot.pause()
        app.screen.query_one("#f-tax_year", Select).value = 2027
        await settle(pilot)
        assert app.case.result.relief_policy != "nansha_hk_cap"          # Nansha's measure ends in 2026
        box = app.screen.query_one("#o-assume_extended")
        assert str(box.label) == "no"
        box.value = True
        await settle(pilot)
        assert str(box.label) == "yes"
        assert app.case.result.relief_policy == "nansha_hk_cap" and app.case.result.relief_assumed_extended
        assert "Nansha: no more than the HK tax" in text_of(app, "#r-headline")
        assert "was renewed" in text_of(app, "#r-reliefs")
    run(story)


def test_keyboard_only_flow():
    """Steps with ctrl+n, fields with Tab, typing replaces the focused value; no mouse."""
    async def story(app, pilot):
        for _ in range(3):
            await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.screen.query_one("#form").step == 3
        assert app.focused.id == "f-wages"
        await pilot.press(*"600000", "enter", "0")        # wages, Enter moves on, then the bonus
        await settle(pilot)
        assert app.focused.id == "f-bonus"
        expected = calculate({**HETAO_RESEARCHER, "wages": 600000, "bonus": 0})
        assert shown(app, "iit") == f"CN¥{expected.iit:,}"
        assert shown(app, "iit_net") == f"CN¥{expected.iit_net:,}"
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert app.screen.query_one("#form").step == 2
    run(story)


# -- opening a file never crashes the UI (issue 8 §4): the case stays as it was, the error is said

def _hostile(tmp_path):
    big = tmp_path / "huge.json"
    with big.open("wb") as f:
        f.write(b'{"tax_year": 2026, "id": "' + b"x" * (3 << 20) + b'"}')
    (tmp_path / "a-directory").mkdir()
    return {
        "wages_object": ('{"tax_year": 2026, "wages": {"a": 1}}', "Wages and salaries: expected"),
        "wages_true": ('{"tax_year": 2026, "wages": true}', "Wages and salaries: not a number"),
        "identity_alien": ('{"tax_year": 2026, "identity": "alien"}', "Identity: not one of the choices"),
        "zone_mars": ('{"tax_year": 2026, "zone": "mars"}', "Zone: not one of the choices"),
        "no_year": ('{"wages": 1}', "Tax year: required"),
        "year_1990": ('{"tax_year": 1990}', "Tax year: no tables for this year"),
        "unknown_key": ('{"tax_year": 2026, "colour": "red"}', "colour: unknown field"),
        "rule_broken": ('{"tax_year": 2026, "hk_children": 1, "hk_newborns": 2}', "Of whom newborn: cannot exceed"),
        "nested": ("[" * 100_000, "nested too deeply"),
        "list": ("[1, 2]", "expected one JSON object"),
        "not_json": ("{tax_year: 2026}", "not valid JSON"),
        "binary": (bytes(range(256)) * 4, "not UTF-8"),
        "latin1": ('{"id": "café", "tax_year": 2026}'.encode("latin-1"), "not UTF-8"),
        "huge": (big, "larger than"),
        "directory": (tmp_path / "a-directory", "is a directory"),
        "missing": (tmp_path / "nowhere" / "case.json", "no such file"),
        "nul_in_path": ("\x00", ""),
        "fifo": (None, "not a regular file"),
    }


@pytest.mark.parametrize("kind", ["wages_object", "wages_true", "identity_alien", "zone_mars", "no_year", "year_1990",
                                  "unknown_key", "rule_broken", "nested", "list", "not_json", "binary", "latin1",
                                  "huge", "directory", "missing", "nul_in_path", "fifo"])
def test_opening_a_hostile_file_keeps_the_case(tmp_path, kind):
    content, expected = _hostile(tmp_path)[kind]
    if kind == "nul_in_path":
        path = str(tmp_path / "bad\x00name.json")
    elif kind == "fifo":
        path = str(tmp_path / "pipe.json")
        os.mkfifo(path)
    elif isinstance(content, Path):
        path = str(content)
    else:
        target = tmp_path / f"{kind}.json"
        (target.write_bytes if isinstance(content, bytes) else target.write_text)(content)
        path = str(target)

    async def story(app, pilot):
        before = (app.case.data(), app.case.result.outputs(), app.screen.query_one("#f-identity", Select).value)
        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one("#dialog-path", Input).value = path
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert app.is_running
        assert (app.case.data(), app.case.result.outputs(), app.screen.query_one("#f-identity", Select).value) == before
        assert app.last_error and app.last_error[0].startswith("Could not open")
        assert expected in "\n".join(app.last_error)
        assert shown(app, "iit_net") == "CN¥87,716.21"
        assert str(app.screen.query_one("#r-status").render()) == ""
        # the app still works after it
        await type_into(pilot, "bonus", "0")
        assert shown(app, "iit") == "CN¥185,680.00"
    run(story)


def test_a_bad_file_says_every_field_in_the_ui_language(tmp_path):
    from taxcalc.errors import InputErrors
    from taxcalc.i18n import error_lines

    target = tmp_path / "bad.json"
    data = {"tax_year": 2026, "wages": True, "identity": "alien", "zone": "mars"}
    target.write_text(json.dumps(data))

    async def story(app, pilot):
        assert not app.open_case(str(target))
        try:
            calculate(data)
        except InputErrors as exc:
            expected = error_lines(exc, "zh_Hans", fields="label")
        assert app.last_error[1:] == expected and len(expected) == 3
    run(story, lang="zh-Hans")


def test_a_good_file_opens(tmp_path):
    target = tmp_path / "good.json"
    target.write_text(json.dumps({"tax_year": 2025, "identity": "macao", "zone": "hengqin", "wages": "500,000"}))

    async def story(app, pilot):
        assert app.open_case(str(target))
        await pilot.pause()
        assert app.case.result.scenario.zone == "hengqin" and app.last_error == []
        assert panel(app).order("macao")                                # the Macao side for a Macao resident
        assert shown(app, "macao_tax") == figure_text(app.case.result.macao_tax, BY_NAME["macao_tax"])
        assert shown(app, "burden_gap_macao_cny").startswith(("+", "−", "CN¥0"))
    run(story)


def test_saving_to_a_path_that_cannot_be_written(tmp_path):
    async def story(app, pilot):
        assert app.write_file(str(tmp_path / "no" / "such" / "dir.json"), app.case.save) is None
        assert app.is_running and "no such directory" in app.last_error[1]
        assert app.write_file(str(tmp_path), app.case.save) is None
        assert "it is a directory" in app.last_error[1]
    run(story)


# -- Chinese screens carry no English (proper names aside)

#: what a Chinese screen may show in ASCII letters: currency signs, units a user types, keys,
#: file formats, the chart's markers, the example's case name, and MPF (the scheme's name)
ALLOWED_ASCII = re.compile(r"HK\$|CN¥|MOP\$?|MPF|JSON|CSV|Markdown|F\d|\b[acdhxo]\b|\bctrl\+\w\b|hetao-researcher"
                           r"|English|\btaxcalc\b|docs/assumptions\.md|--[a-z-]+|cny_per_hkd|cny_per_mop")


def english_words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{2,}", ALLOWED_ASCII.sub(" ", text))


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
def test_chinese_screens_carry_no_english(lang):
    """Every text the UI composes is a message; the figures' labels, notes, reasons, steps,
    formulas and the palette's commands come from the catalogs. Citations (document titles,
    proper names as published) are left out. Fails while a catalog misses a message."""
    texts = {}

    async def story(app, pilot):
        from taxcalc.tui.commands import TaxcalcCommands
        from taxcalc.tui.widgets.explain import ExplainTree

        await type_into(pilot, "hk_newborns", "3")         # a message beside a field, the status line
        texts["results"] = panel(app).text()
        texts["steps"] = str(app.screen.query_one("#steps").render())
        for row in app.screen.query(".field-row"):
            text = "\n".join(str(w.render()) for w in row.query("Static, Label"))
            if row.id == "row-cny_per_hkd":                 # the default rate's source: a document title
                for source in app.case.tables.fx.sources.values():
                    text = text.replace(source.title, "")
            texts[row.id] = text
        await pilot.press("f3")
        await pilot.pause()
        tree = app.screen.query_one(ExplainTree)

        def walk(node):
            yield node
            for child in node.children:
                yield from walk(child)
        texts["tree"] = "\n".join(str(n.label) for n in walk(tree.root))
        for tab in ("f4", "f5", "f6", "f7"):
            await pilot.press(tab)
            await pilot.pause(0.2)
        for w in app.screen.query("#chart-title, #chart-note, #wh-intro, #wh-summary, #pk-intro, #pk-status, "
                                  "#plan-intro, #plan-policies, #plan-notes, .plan-label"):
            texts[w.id or str(w.render())] = str(w.render())
        for key in ("pk", "plan"):
            table = app.screen.query_one(f"#{key}-table", DataTable)
            texts[key] = "\n".join([str(c.label) for c in table.columns.values()] +
                                   [str(table.get_row_at(k)[0]) for k in range(table.row_count)])
        provider = TaxcalcCommands(app.screen)
        texts["palette"] = "\n".join(f"{title} {help_}" for title, _e, _c, help_ in provider._commands())

    run(story, lang=lang)
    found = {k: english_words(v) for k, v in texts.items() if english_words(v)}
    assert not found, found


def test_largest_amounts_on_every_tab():
    async def story(app, pilot):
        await type_into(pilot, "wages", "999,999,999")
        assert shown(app, "gross_income") == "CN¥1,000,099,999.00"
        for key in ("f3", "f4", "f5", "f6", "a"):
            await pilot.press(key)
            await pilot.pause(0.2)
        assert app.is_running
        assert "CN¥1,000,099,999.00" in str(app.screen.query_one("#chart-note").render())
    run(story)


def test_the_plan_exports_as_the_rows_a_file_of_candidates_gives(tmp_path):
    import csv as csvmod

    from taxcalc.plan import plan, plan_rows
    from taxcalc.tui import planning

    target = tmp_path / "mine-plan.csv"

    async def story(app, pilot):
        await type_into(pilot, "wages", "700000")
        app.plan_rates["growth"] = "3%"
        app.action_export("plan")
        await pilot.pause()
        app.screen.query_one("#dialog-path", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        s = app.case.result.scenario
        p = plan(s.model_dump(exclude_none=True), planning.plan_years(app.case.tables, s.tax_year),
                 growth=Decimal("0.03"), tables=app.case.tables, options=app.case.options)
        want = plan_rows(p, s.id or "case")
        got = list(csvmod.DictReader(target.open(encoding="utf-8")))
        assert len(got) == len(want) >= 5
        assert [r["year"] for r in got] == [str(w["year"]) for w in want]
        assert [r["relief"] for r in got] == ["" if w["relief"] is None else f"{w['relief']:.2f}" for w in want]
        assert [r["cumulative_gap"] for r in got] == \
               ["" if w["cumulative_gap"] is None else f"{w['cumulative_gap']:.2f}" for w in want]
        assert got[1]["wages"] == "721000.00"                  # grown 3% in the second year
    run(story)
