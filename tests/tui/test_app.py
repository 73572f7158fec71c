"""User stories with Pilot: open on the example, fill the form, read the figures, switch language."""

import asyncio
import json
import os
import subprocess
import sys

import pytest
from textual.widgets import DataTable, Input, Select, Static

from taxcalc import calculate
from taxcalc.i18n import set_language
from taxcalc.tui.app import TaxcalcApp
from taxcalc.tui.case import HETAO_RESEARCHER
from taxcalc.tui.screens.main import Recomputed
from taxcalc.tui.widgets.explain import ExplainTree


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


def shown(app, key: str) -> str:
    return str(app.screen.query_one(f"#r-{key}", Static).render())


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
    await pilot.click(f"#f-{field}")
    inp = pilot.app.screen.query_one(f"#f-{field}", Input)
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
        assert shown(app, "relief") == "CN¥107,852.37"
        assert shown(app, "iit_net") == "CN¥87,617.63"
        assert shown(app, "hk_tax") == "HK$93,830.00"
        assert shown(app, "burden_gap_cny") == "CN¥2,767.16"
        assert "Hetao: no more than the HK tax: exemption, paid in 2027" in str(app.screen.query_one("#r-relief-line").render())
        assert "▲ the mainland takes CN¥2,767.16" in str(app.screen.query_one("#r-gap-text").render())
        reliefs = str(app.screen.query_one("#r-reliefs").render())
        assert "GBA talent subsidy above 15%: CN¥69,280.00, applies, but smaller" in reliefs
        assert "not for this identity" in reliefs
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
        assert shown(app, "hk_tax") == f"HK${expected.hk_tax:,}.00"
        assert expected.relief_policy == "qianhai_hk_cap"
        assert "Qianhai" in str(app.screen.query_one("#r-relief-line").render())
    run(story, messages=messages)
    results = [m for m in messages if isinstance(m, Recomputed)]
    assert results and results[-1].result.scenario.zone == "qianhai" and not results[-1].errors


def test_bad_field_shows_message_and_does_not_block_others():
    async def story(app, pilot):
        await type_into(pilot, "wages", "x12", every_key=True)
        row = app.screen.query_one("#row-wages")
        assert "not a number" in str(row.query_one(".field-error").render())
        assert row.has_class("invalid")
        assert "1 field(s) need attention" in str(app.screen.query_one("#r-status").render())
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
        assert str(app.screen.query_one("#l-iit_net").render()) == "优惠后税款"
        assert shown(app, "iit_net") == "¥87,617.63"
        await pilot.press("f8")
        await pilot.pause()
        assert str(app.screen.query_one("#l-iit_net").render()) == "優惠後稅款"
        assert shown(app, "hk_tax") == "HK$93,830.00"
        app.set_lang("en")
        await pilot.pause()
        assert str(app.screen.query_one("#l-iit_net").render()) == "Tax after relief"
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
        assert str(app.screen.query_one("#l-iit_net").render()) == "優惠後稅款"
        assert "HK$" in shown(app, "hk_tax")
    run(story, lang="zh-Hant")


def test_tabs_explanation_chart_withholding_packages():
    async def story(app, pilot):
        await pilot.press("f3")
        await pilot.pause()
        tree = app.screen.query_one(ExplainTree)
        labels = [str(n.label) for n in tree.root.children]
        assert any(l.startswith("Mainland individual income tax: 195,470.00") for l in labels)
        await pilot.press("f4")
        await pilot.pause()
        assert "8.76%" in str(app.screen.query_one("#chart-note").render())
        await pilot.press("f5")
        await pilot.pause()
        wh = app.screen.query_one("#wh-table", DataTable)
        assert wh.row_count == 12
        assert "nothing to settle" in str(app.screen.query_one("#wh-summary").render())
        await pilot.press("f6")
        await pilot.pause()
        pk = app.screen.query_one("#pk-table", DataTable)
        assert len(pk.columns) == 4                              # label + 3 packages
        await pilot.press("a")
        await pilot.pause()
        assert len(pk.columns) == 5
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
        assert "| Tax after relief |" in md.read_text()
    run(story)


def test_palette_commands():
    async def story(app, pilot):
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"language")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert str(app.screen.query_one("#l-iit_net").render()) in ("优惠后税款", "優惠後稅款")
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
            "    await p.pause(); assert app.no_color; print(app.screen.query_one('#r-iit_net').render())\n"
            "asyncio.run(m())\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, check=False, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "CN¥87,617.63" in out.stdout


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
        assert "assumes the policy is renewed" in str(app.screen.query_one("#r-relief-line").render())
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
