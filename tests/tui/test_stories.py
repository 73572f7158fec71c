"""Issue 10 as user stories with Pilot: the comparison the zone promises on the first screen, what
to weigh beside the figures, and each defect a new user hit, fixed."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys

import pytest
from textual.widgets import DataTable, Input, Select

from taxcalc import calculate
from taxcalc.figures import FIGURES
from taxcalc.i18n import set_language
from taxcalc.tui import report
from taxcalc.tui.app import TaxcalcApp
from taxcalc.tui.case import EXAMPLES, HETAO_RESEARCHER
from taxcalc.tui.widgets.results import ResultsPanel
from taxcalc.tui.wrap import CLOSING, OPENING, wrap_lines

from .test_app import panel, settle, shown, table_cells, text_of, type_into


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


def run(story, size=(120, 40), lang="en", app=None, notifications=False):
    async def main():
        a = app or TaxcalcApp(lang=lang)
        async with a.run_test(size=size, notifications=notifications) as pilot:
            await pilot.pause()
            await story(a, pilot)
        return a
    return asyncio.run(main())


def headline(app) -> str:
    return text_of(app, "#r-headline")


# ---------------------------------------------------------------------------------------------
# 1. the headline: what they pay, what the zone promises, what HK or Macao would take, why


def test_a_hetao_researcher_sees_the_cap_the_hk_job_and_why_they_differ():
    async def story(app, pilot):
        head = headline(app).splitlines()
        assert head[0] == "You pay CN¥87,716.21 in mainland IIT (CN¥195,470.00 before the zone relief)"
        assert head[1] == ("Hetao: no more than the HK tax: an exemption of CN¥107,753.79, settled at the "
                           "reconciliation in 2027")
        assert head[2].startswith("Hong Kong burden (zone rule): HK$97,115 (CN¥87,716.21); the mainland tax equals "
                                  "it: the cap holds")
        assert head[3].startswith("▲ A Hong Kong job pays HK$94,055 (CN¥84,952.36) Salaries Tax: the mainland "
                                  "takes CN¥2,763.85 (HK$3,060.00) more")
        assert head[4].startswith("Why the job pays HK$3,060 (CN¥2,763.85) less than the burden: it deducts "
                                  "HK$18,000.00 of MPF, the zone rule does not (HK$3,060 less)")
        # each amount is the registry figure, as the panel shows it
        assert shown(app, "hk_burden") == "HK$97,115" and shown(app, "hk_tax") == "HK$94,055"
        assert shown(app, "hk_burden_cny") == "CN¥87,716.21" == shown(app, "iit_net")
    run(story, size=(80, 24))


def test_a_macao_resident_in_hengqin_sees_the_macao_side():
    async def story(app, pilot):
        app.load_example("hengqin-macao-resident")
        await settle(pilot)
        head = headline(app)
        assert "Macao burden (zone rule): MOP" in head and "the cap holds" in head
        assert "Macao takes MOP" in head and "Professional Tax" in head and "refunded later" in head
        assert "Hong Kong job" not in head
        assert panel(app).order("macao")                               # the Macao section, in MOP and CNY
        assert shown(app, "macao_tax").startswith("MOP") and shown(app, "macao_tax_cny").startswith("CN¥")
        assert "Hengqin: no more than the Macao tax: in force until 2027, from an adviser" in text_of(app, "#r-weigh")
    run(story, size=(80, 24))


def test_a_foreign_talent_in_nansha_sees_the_subsidy_the_hk_job_and_the_bonus_cliff():
    async def story(app, pilot):
        app.load_example("nansha-foreign-talent")
        await settle(pilot)
        head = headline(app)
        assert "GBA talent subsidy above 15%: a subsidy of CN¥119,370.00, paid in 2027, itself tax-free" in head
        assert "A Hong Kong job pays HK$" in head
        assert "limits the mainland tax to 15% of taxable income" in head          # why the gap to Hong Kong stays
        assert ("⚠ bonus cliff: a bonus above CN¥144,000.00 and below CN¥152,717.65 keeps less after IIT and the "
                "zone relief than CN¥144,000.00") in head
        await app.screen.query_one("#form").goto_field("bonus")
        await pilot.pause()
        warn = str(app.screen.query_one("#row-bonus .field-warn").render())
        assert warn.startswith("⚠ bonus cliff") and app.screen.query_one("#row-bonus .field-warn").display
        await type_into(pilot, "bonus", "144000")                      # the better bonus: no warning
        assert not app.screen.query_one("#row-bonus .field-warn").display
        assert "bonus cliff" not in headline(app)
    run(story, size=(80, 24))


def test_a_cap_relief_that_absorbs_the_jump_is_not_flagged():
    async def story(app, pilot):
        await type_into(pilot, "wages", "300000")
        await type_into(pilot, "bonus", "36001")
        assert app.case.result.bonus_cliff                              # the engine's flag, before relief
        assert "bonus cliff" not in headline(app)
        assert not app.screen.query_one("#row-bonus .field-warn").display
        assert "keeps CN¥1.00 more than a bonus of CN¥36,000.00: no cliff" in text_of(app, "#r-reliefs")
    run(story)


# ---------------------------------------------------------------------------------------------
# 2. what to weigh, beside the figures it changes


def test_marks_beside_the_figures_and_in_the_list():
    async def story(app, pilot):
        weigh = text_of(app, "#r-weigh")
        assert "[1] the default exchange rate for 2026, 0.90322 CNY per HK$1, is a placeholder" in weigh
        assert "[2] Hong Kong 2026/27: Married person's allowance HK$290,000; Child allowances HK$140,000: proposed" \
            in weigh
        assert panel(app).label("cny_per_hkd_used") == "CNY per HK$1 [1]"
        assert panel(app).label("hk_tax") == "Salaries Tax [2][3]"
        assert re.search(r"the cap holds \[1\]\[2\]$", headline(app).splitlines()[2])
        await type_into(pilot, "cny_per_hkd", "0.91")                   # your own rate: no mark on it
        assert "placeholder" not in text_of(app, "#r-weigh")
        assert panel(app).label("cny_per_hkd_used") == "CNY per HK$1"
    run(story)


def test_capped_inputs_are_said_in_the_ui():
    async def story(app, pilot):
        await type_into(pilot, "hk_mpf", "2000000")
        assert "! MPF, HK$ a year: HK$2,000,000.00 given, HK$18,000.00 used (the year's cap)" in text_of(app, "#r-reliefs")
    run(story)


# ---------------------------------------------------------------------------------------------
# 3. the defects


def test_f3_then_f4_shows_the_chart_and_so_does_the_palette():
    async def story(app, pilot):
        tabs = app.screen.query_one("#tabs")
        await pilot.press("f3")
        await pilot.pause(0.2)
        assert tabs.active == "explain"
        await pilot.press("f4")
        await pilot.pause(0.2)
        assert tabs.active == "chart"
        await pilot.press("f3")
        await pilot.pause(0.2)
        app.show_tab("chart")                                           # what "view: Chart" runs
        await pilot.pause(0.2)
        assert tabs.active == "chart"
        await pilot.press("f6")
        await pilot.pause(0.2)
        await pilot.press("f5")
        await pilot.pause(0.2)
        assert tabs.active == "withholding"
    run(story)


def test_opening_a_year_without_tables_says_why_on_screen(tmp_path):
    target = tmp_path / "y2030.json"
    target.write_text(json.dumps({"tax_year": 2030, "wages": 100000}))

    async def story(app, pilot):
        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one("#dialog-path", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause(0.2)
        toasts = " ".join(str(t.render()) for t in app.screen.query("Toast"))
        assert "Tax year: no tables for this year; tables exist for 2019-2027" in toasts
        assert app.case.result.scenario.tax_year == 2026                  # nothing was loaded
    run(story, notifications=True)


def test_the_hong_kong_rows_keep_their_order():
    registry = list(report.PANEL["hongkong"])

    async def story(app, pilot):
        def order():
            shown_rows = panel(app).order("hongkong")
            assert shown_rows == [n for n in registry if n in shown_rows]
            return shown_rows
        first = order()
        await app.screen.query_one("#form").goto_field("tax_year")
        await pilot.pause()
        app.screen.query_one("#f-tax_year", Select).value = 2025        # a year with a one-off reduction
        await settle(pilot)
        with_reduction = order()
        assert "hk_tax_reduction" in with_reduction
        assert with_reduction.index("hk_tax_reduction") < with_reduction.index("hk_tax")
        await pilot.press("f8")
        await pilot.pause(0.3)
        assert order() == with_reduction
        app.screen.query_one("#f-tax_year", Select).value = 2026
        await settle(pilot)
        assert order() == first
    run(story)


def test_every_label_says_what_it_is():
    for lang in ("en", "zh_Hans", "zh_Hant"):
        labels = [report.term("figure", f.name, lang) for f in FIGURES]
        assert not any("Net income" in label or "净收入" in label or "淨收入" in label for label in labels)
    assert report.term("figure", "burden_gap_cny", "en") == "Tax: mainland − Hong Kong"
    assert report.term("figure", "income_gap_cny", "en") == "Income after tax: mainland − Hong Kong"


def test_an_exemption_never_reads_as_money_paid_out():
    from taxcalc.explain import relief_summary
    from taxcalc.i18n import render

    r = calculate(HETAO_RESEARCHER)
    assert r.relief_kind == "exemption"
    for lang in ("zh_Hans", "zh_Hant"):
        text = render(relief_summary(r), lang)
        assert "結算" in text or "结算" in text
        assert not re.search("兑现|兌現|发放|發放", text)
        assert not re.search("兑现|兌現", report.term("figure", "relief_paid_in", lang))


def test_the_focus_is_shown_by_characters():
    async def story(app, pilot):
        row = app.screen.query_one("#row-identity")
        assert app.focused.id == "f-identity"
        assert row.styles.border_left[0] == "thick"
        assert app.screen.query_one("#row-residency").styles.border_left[0] != "thick"
        app.screen.query_one(ResultsPanel).focus()
        await pilot.pause()
        assert app.screen.query_one(ResultsPanel).styles.border_left[0] == "thick"
        assert row.styles.border_left[0] != "thick"
    run(story)


def test_no_color_keeps_the_focus_bar():
    env = {**os.environ, "NO_COLOR": "1"}
    code = ("import asyncio\nfrom taxcalc.tui.app import TaxcalcApp\n"
            "async def m():\n  app=TaxcalcApp(lang='en')\n  async with app.run_test(size=(80,24)) as p:\n"
            "    await p.pause(); assert app.no_color\n"
            "    print(app.export_screenshot())\n"
            "asyncio.run(m())\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, check=False, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "█" in out.stdout                              # the thick bar: a character, not a colour


@pytest.mark.parametrize("width", [20, 31, 38, 44, 80])
def test_chinese_wraps_between_characters_never_before_closing_punctuation(width):
    from taxcalc.engine import Options
    from taxcalc.summary import summarize
    from taxcalc.tables import load_tables

    tables = load_tables()
    for key, (_title, data) in EXAMPLES.items():
        r = calculate(data, tables=tables)
        s = summarize(r, tables, Options())
        for lang in ("zh_Hans", "zh_Hant"):
            set_language(lang)
            text = "\n".join([t for _k, t in report.headline_lines(s)] + report.weigh_lines(s))
            for line in wrap_lines(text, width):
                assert len(line) <= width and line[:1] not in CLOSING, (key, lang, line)
                assert line.rstrip()[-1:] not in OPENING or len(line) >= width - 1, (key, lang, line)
            amounts = re.findall(r"(?:CN¥|¥|HK\$|MOP)[\d,]+(?:\.\d+)?", text)
            joined = "\n".join(wrap_lines(text, width))
            for a in amounts:
                if len(a) < width:
                    assert a in joined, (key, lang, a)           # never cut inside an amount
    set_language("en")


def test_chinese_at_80_columns_on_screen():
    async def story(app, pilot):
        head = app.screen.query_one("#r-headline")
        width = head.content_region.width
        lines = head.visual._content(width).plain.split("\n")
        assert all(line[:1] not in CLOSING for line in lines)
        assert any("¥87,716.21" in line for line in lines)
    run(story, size=(80, 24), lang="zh-Hans")


def test_saving_asks_before_replacing_and_says_the_full_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    existing = tmp_path / "mine.json"
    existing.write_text("{}")

    async def story(app, pilot):
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#dialog-path", Input).value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and "nothing was saved" in dialog.said        # an empty path is answered
        dialog.query_one("#dialog-path", Input).value = "mine.json"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is dialog and f"{existing} exists" in dialog.said       # asked, with the full path
        assert existing.read_text() == "{}"
        await pilot.press("enter")                                              # Replace
        await pilot.pause()
        assert json.loads(existing.read_text())["wages"] == 900000
        assert app.last_written == str(existing)
        # a path that cannot be written: a reason in words, never Python's
        await pilot.press("ctrl+e")
        await pilot.pause()
        app.screen.query_one("#dialog-path", Input).value = str(tmp_path / "no" / "dir" / "out.md")
        await pilot.press("enter")
        await pilot.pause()
        said = "\n".join(app.last_error)
        assert "no such directory" in said and "Errno" not in said and str(tmp_path / "no" / "dir") in said
    run(story)


def test_the_markdown_export_has_the_headline_the_marks_and_the_inputs(tmp_path):
    md = tmp_path / "case.md"

    async def story(app, pilot):
        await pilot.press("ctrl+e")
        await pilot.pause()
        app.screen.query_one("#dialog-path", Input).value = str(md)
        await pilot.press("enter")
        await pilot.pause()
        text = md.read_text()
        assert "- You pay CN¥87,716.21 in mainland IIT" in text
        assert "## What to weigh" in text and "source: A public tax calculator" in text
        assert "## Inputs" in text and '"wages": "900000"' in text
    run(story)


def test_packages_scroll_keep_their_labels_and_follow_the_case():
    async def story(app, pilot):
        await pilot.press("f6")
        await pilot.pause(0.3)
        pk = app.screen.query_one("#pk-table", DataTable)
        assert pk.fixed_columns == 1
        assert pk.virtual_size.width > pk.size.width                     # wider than 80 columns: it scrolls
        for _ in range(6):
            await pilot.press("right")
        await pilot.pause()
        assert pk.scroll_x > 0
        cells = table_cells(pk)
        assert cells["Gross income"][1] == "CN¥1,000,000.00"
        await pilot.press("f2")
        await type_into(pilot, "wages", "500000")                          # the packages follow the case
        await pilot.press("f6")
        await pilot.pause(0.3)
        cells = table_cells(pk)
        assert cells["Gross income"][1:4] == ["CN¥600,000.00"] * 3
        await pilot.press("c")                                             # your own list from now on
        await pilot.pause(0.3)
        assert app.packages == [] and app.own_packages == []
    run(story, size=(80, 24))


def test_the_monthly_tab_is_exact_to_the_fen():
    async def story(app, pilot):
        await pilot.press("f5")
        await pilot.pause(0.3)
        wh = app.screen.query_one("#wh-table", DataTable)
        first = [str(c) for c in wh.get_row_at(0)]
        assert first[2] == "CN¥64,666.67"                                  # 776,000 / 12, not cut to .66
    run(story)


def test_an_example_from_the_palette_starts_at_the_top_with_its_name():
    async def story(app, pilot):
        results = app.screen.query_one(ResultsPanel)
        results.scroll_end(animate=False)
        await pilot.pause()
        assert results.scroll_y > 0
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"mainland")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.case.result.scenario.id == "mainland-employee"
        assert app.screen.sub_title == "mainland-employee"
        assert app.screen.query_one(ResultsPanel).scroll_y == 0
    run(story, size=(80, 24))


def test_the_step_bar_names_every_step_when_wide():
    async def story(app, pilot):
        bar = str(app.screen.query_one("#steps").render())
        for name in ("1 Who", "2 Where", "3 When", "4 Income", "5 Deductions", "6 Hong Kong side"):
            assert name in bar
    run(story, size=(160, 50))

    async def narrow(app, pilot):
        bar = str(app.screen.query_one("#steps").render())
        assert "1 Who" in bar and "2 Where" not in bar
    run(narrow, size=(80, 24))


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant"])
@pytest.mark.parametrize("example", ["hetao-researcher", "hengqin-macao-resident", "nansha-foreign-talent"])
def test_the_headline_in_chinese_carries_no_english(lang, example):
    from .test_app import english_words

    async def story(app, pilot):
        app.load_example(example)
        await settle(pilot)
        text = panel(app).text()
        assert not english_words(text), english_words(text)
        await app.screen.query_one("#form").goto_field("bonus")
        await pilot.pause()
        assert not english_words(str(app.screen.query_one("#row-bonus .field-warn").render()))
    run(story, size=(80, 24), lang=lang)
