"""Snapshots of the screens a person sees first (pytest-textual-snapshot; Textual is pinned): the
first screen, a Macao resident's case and the packages, at 80 x 24 and 160 x 50, in the three
languages; the plan tab at both sizes (English, and Simplified Chinese at 80 x 24); the household
step with a spouse's income; the explanation tree and a deductions step.

Update after an intended change, having looked at the screens (tmux, docs/tui.md):
pytest tests/tui/test_snapshots.py --snapshot-update
"""

import pytest

from taxcalc.i18n import set_language
from taxcalc.tui.app import TaxcalcApp

LANGS = ["en", "zh-Hans", "zh-Hant"]
SIZES = [(80, 24), (160, 50)]


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
def test_first_screen(snap_compare, lang, size):
    assert snap_compare(TaxcalcApp(lang=lang), terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
def test_macao_resident_in_hengqin(snap_compare, lang, size):
    async def macao(pilot):
        await pilot.pause()
        pilot.app.load_example("hengqin-macao-resident")
        await pilot.pause()

    assert snap_compare(TaxcalcApp(lang=lang), terminal_size=size, run_before=macao)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
def test_packages(snap_compare, lang, size):
    async def packages(pilot):
        await pilot.pause()
        await pilot.press("f6")
        await pilot.pause(0.2)

    assert snap_compare(TaxcalcApp(lang=lang), terminal_size=size, run_before=packages)


def test_deductions_step_traditional_chinese(snap_compare):
    async def to_deductions(pilot):
        await pilot.pause()
        await pilot.app.screen.query_one("#form").show_step(4, focus=False)
        await pilot.pause()

    assert snap_compare(TaxcalcApp(lang="zh-Hant"), terminal_size=(100, 32), run_before=to_deductions)


def test_explanation_tree(snap_compare):
    assert snap_compare(TaxcalcApp(lang="en"), terminal_size=(120, 40), press=["f3", "down", "down", "enter"])


PLAN_CASES = [("en", (80, 24)), ("en", (160, 50)), ("zh-Hans", (80, 24))]


@pytest.mark.parametrize("lang, size", PLAN_CASES, ids=[f"{lang}-{w}x{h}" for lang, (w, h) in PLAN_CASES])
def test_plan(snap_compare, lang, size):
    async def plan(pilot):
        await pilot.pause()
        await pilot.press("f7")
        await pilot.pause(0.3)

    assert snap_compare(TaxcalcApp(lang=lang), terminal_size=size, run_before=plan)


def test_household_step_with_a_spouse(snap_compare):
    async def household(pilot):
        await pilot.pause()
        pilot.app.screen.apply_edit("hk_spouse_income", "100000")
        await pilot.app.screen.query_one("#form").show_step(6)
        await pilot.pause()
        pilot.app.screen.query_one("#f-hk_spouse_income").focus()
        await pilot.pause(0.2)

    assert snap_compare(TaxcalcApp(lang="en"), terminal_size=(80, 24), run_before=household)
