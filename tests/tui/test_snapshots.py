"""A few snapshots of the main screens (pytest-textual-snapshot; Textual is pinned).

Update after an intended change: pytest tests/tui/test_snapshots.py --snapshot-update
"""

import pytest

from taxcalc.i18n import set_language
from taxcalc.tui.app import TaxcalcApp


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


def test_case_screen_80x24(snap_compare):
    assert snap_compare(TaxcalcApp(lang="en"), terminal_size=(80, 24))


def test_case_screen_simplified_chinese_wide(snap_compare):
    assert snap_compare(TaxcalcApp(lang="zh-Hans"), terminal_size=(160, 50))


def test_deductions_step_traditional_chinese(snap_compare):
    async def to_deductions(pilot):
        await pilot.app.screen.query_one("#form").show_step(4, focus=False)
        await pilot.pause()

    assert snap_compare(TaxcalcApp(lang="zh-Hant"), terminal_size=(100, 32), run_before=to_deductions)


def test_explanation_tree(snap_compare):
    assert snap_compare(TaxcalcApp(lang="en"), terminal_size=(120, 40), press=["f3", "down", "down", "enter"])


def test_packages(snap_compare):
    assert snap_compare(TaxcalcApp(lang="en"), terminal_size=(100, 24), press=["f6"])
