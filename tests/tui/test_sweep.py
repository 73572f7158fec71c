"""Defects found using the terminal UI as a user would (80x24 and 160x50, en and zh-Hans, NO_COLOR),
each as a Pilot story that failed before its fix."""

from __future__ import annotations

import json
import re

import pytest
from textual.widgets import Button, DataTable, Input

from taxcalc.i18n import set_language
from taxcalc.tui.screens.dialogs import PathDialog

from .test_app import run, type_into


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


AMOUNT = re.compile(r"^[−+-]?(CN¥|HK\$|MOP)\d{1,3}(,\d{3})*(\.\d\d)?$")
EXACT = re.compile(r"^[−+-]?(CN¥|HK\$|MOP)\d{1,3}(,\d{3})*(\.\d+)?$")      # the explanation's exact values


def screen_lines(table: DataTable) -> list[str]:
    """The table's lines as the terminal shows them (its scrollbar covers the last cells)."""
    width = table.scrollable_content_region.width
    return [table.render_line(y).crop(0, width).text for y in range(table.size.height)]


def cut_amounts(lines: list[str], amount: re.Pattern = AMOUNT) -> list[str]:
    """The amounts shown in part: a token with a currency sign that is not a whole amount (a sign
    alone is a word, ``in HK$:``, unless the edge cut the line there)."""
    cut = []
    for line in lines:
        tokens = line.split()
        for k, tok in enumerate(tokens):
            tok = tok.strip("()[],;:§")
            at_edge = k == len(tokens) - 1 and not line.endswith(" ")
            if ("¥" in tok or "$" in tok) and (any(c.isdigit() for c in tok) or at_edge) and not amount.match(tok):
                cut.append(tok)
    return cut


def test_packages_at_80_columns_show_no_column_in_part():
    """Two packages stood whole beside the labels at 80 columns only in the docs: the second was
    cut at the right edge (``CN¥1,000,000.0``, ``Hong Kong residen``), and at the end of the
    scroll the fixed labels cut a column at its left (``nt`` of ``Hong Kong resident``)."""
    async def story(app, pilot):
        await pilot.press("f6")
        await pilot.pause(0.3)
        pk = app.screen.query_one("#pk-table", DataTable)
        lines = screen_lines(pk)
        assert not cut_amounts(lines), lines
        gross = next(line for line in lines if line.lstrip().startswith("Gross income"))
        assert gross.split().count("CN¥1,000,000.00") == 2, gross              # two packages, whole
        headers = {w for c in pk.ordered_columns for w in c.label.plain.split()}
        for _ in range(8):
            await pilot.press("right")
            await pilot.pause()
            lines = screen_lines(pk)
            assert not cut_amounts(lines), lines
            assert set(lines[0].split()) | set(lines[1].split()) <= headers, lines[:2]
    run(story, size=(80, 24))


def test_plan_at_80_columns_shows_no_year_in_part():
    async def story(app, pilot):
        await pilot.press("f7")
        await pilot.pause(0.5)
        plan = app.screen.query_one("#plan-table", DataTable)
        for _ in range(6):
            lines = screen_lines(plan)
            assert not cut_amounts(lines), lines
            assert all(re.fullmatch(r"\d{4}\*?|Figure", w) for w in lines[0].split()), lines[0]
            await pilot.press("right")
            await pilot.pause()
    run(story, size=(80, 24))


def test_saving_to_a_directory_is_said_in_the_dialog_not_offered_as_a_replace(tmp_path):
    """Typing a directory as the path asked "exists. Press Replace to write over it", and pressing
    Replace only then said it was a directory."""
    async def story(app, pilot):
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#dialog-path", Input).value = str(tmp_path)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PathDialog)                          # still asking
        assert dialog.said == f"{tmp_path} is a directory: type a file name in it.", dialog.said
        assert str(dialog.query_one("#dialog-ok", Button).label) == "Save"  # nothing to replace
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PathDialog) and not app.last_error
        assert tmp_path.is_dir()
    run(story, size=(80, 24))


def test_saving_with_a_bad_field_says_what_the_file_will_hold(tmp_path):
    """A field in error is saved with its last valid value (the results' value), not with what was
    typed: the dialog said nothing of it, and the notice only "written"."""
    target = tmp_path / "case.json"

    async def story(app, pilot):
        await type_into(pilot, "wages", "abc")
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = app.screen
        message = str(dialog.query_one("#dialog-message").render())
        assert "1 field(s) need attention: the file will hold the values the results use" in message, message
        assert dialog.query_one("#dialog-message").has_class("shown")
        dialog.query_one("#dialog-path", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert json.loads(target.read_text())["wages"] == 900000          # the value the results use
    run(story, size=(80, 24))


def test_saving_a_good_case_says_nothing_more():
    async def story(app, pilot):
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not app.screen.query_one("#dialog-message").has_class("shown")
    run(story, size=(80, 24))


def test_the_tables_labels_follow_a_resize():
    """The packages' and the plan's label columns kept the width of the window they were first drawn
    in (22 cells after a start at 80 columns, at 160 too)."""
    async def story(app, pilot):
        for tab, table_id, narrow in (("f6", "#pk-table", 22), ("f7", "#plan-table", 24)):
            await pilot.press(tab)
            await pilot.pause(0.5)
            table = app.screen.query_one(table_id, DataTable)
            assert table.ordered_columns[0].width == narrow
            await pilot.resize_terminal(160, 50)
            await pilot.pause(0.5)
            table = app.screen.query_one(table_id, DataTable)
            assert table.ordered_columns[0].width == 36
            await pilot.resize_terminal(80, 24)
            await pilot.pause(0.5)
    run(story, size=(80, 24))


@pytest.mark.parametrize("size", [(80, 24), (60, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_explanation_never_cuts_a_value_at_the_edge(size):
    """At 80 columns the tree showed ``Net assessable income (after deductions, before allowances):
    HK$1,089,`` (the value cut by the edge); a long label is now shortened before its value."""
    async def story(app, pilot):
        await pilot.press("f3")
        await pilot.pause(0.5)
        tree = app.screen.query_one("#explain-tree")
        tree.root.expand_all()
        await pilot.pause()
        width, height = tree.scrollable_content_region.width, tree.scrollable_content_region.height
        seen = []
        for top in range(0, tree.virtual_size.height, height):
            tree.scroll_to(y=top, animate=False, force=True)
            await pilot.pause()
            lines = [tree.render_line(y).crop(0, width).text for y in range(height)]
            seen += lines
            assert not cut_amounts(lines, EXACT), [line for line in lines if cut_amounts([line], EXACT)]
        assert any("Net assessable income" in line and "HK$1,089,149.97" in line for line in seen)
    run(story, size=size)


def test_the_palette_waits_while_a_dialog_asks():
    """ctrl+p over the save dialog opened the palette: "language: 简体中文" left the dialog in
    English over a Chinese screen, "example: …" saved another case under the first one's name."""
    async def story(app, pilot):
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, PathDialog)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+p")                                        # on the main screen it opens
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"
    run(story, size=(80, 24))


def test_the_plan_growth_field_in_focus_shows_a_bar_with_no_color():
    """The growth fields showed their focus by a background and bold only (with NO_COLOR a "0" a
    shade lighter); now a bar on their left, as the form's fields."""
    async def story(app, pilot):
        await pilot.press("f7")
        await pilot.pause(0.5)
        growth, hk = app.screen.query_one("#plan-growth", Input), app.screen.query_one("#plan-hk_growth", Input)
        growth.focus()
        await pilot.pause()
        assert growth.styles.border_left[0] == "thick" and hk.styles.border_left[0] != "thick"
        hk.focus()
        await pilot.pause()
        assert hk.styles.border_left[0] == "thick" and growth.styles.border_left[0] != "thick"
        assert growth.region.x + growth.region.width <= hk.region.x                # no field moves over another
    run(story, size=(80, 24))


@pytest.mark.parametrize("tab, view", [("f5", "#wh-view"), ("f6", "#pk-view"), ("f7", "#plan-view"),
                                       ("f3", "#explain-detail-box")])
@pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_tab_never_lands_on_an_invisible_focus(tab, view, size):
    """Tab reaches each tab's scrolling view (it scrolls with the keys), which showed nothing when it
    had the focus: with NO_COLOR, a Tab press seemed lost."""
    async def story(app, pilot):
        await pilot.press(tab)
        await pilot.pause(0.5)
        widget = app.screen.query_one(view)
        edge = "border_top" if view == "#explain-detail-box" and size[0] < 100 else "border_left"
        assert getattr(widget.styles, edge)[0] != "thick"
        before = widget.region
        widget.focus()
        await pilot.pause()
        assert app.focused is widget and getattr(widget.styles, edge)[0] == "thick"
        assert widget.region == before                                     # nothing moves
    run(story, size=size)


def test_the_key_bar_keeps_its_order_as_the_focus_moves():
    """The key bar read "^s Save ^o Open ^e Export" on a choice and "^e Export ^s Save ^o Open" on an
    amount (an Input binds ctrl+e itself): the keys jumped about as Tab moved."""
    from textual.widgets._footer import FooterKey

    async def story(app, pilot):
        orders = set()
        for field in ("identity", "wages", "sad_elderly", "hk_children"):
            await app.screen.query_one("#form").goto_field(field)
            await pilot.pause()
            app.screen.query_one(f"#f-{field}").focus()
            await pilot.pause(0.2)
            orders.add(tuple(k.key for k in app.screen.query(FooterKey)))
        assert len(orders) == 1, orders
        assert next(iter(orders))[:3] == ("ctrl+s", "ctrl+o", "ctrl+e")
    run(story, size=(80, 24))


@pytest.mark.parametrize("text, reason", [("", "此处应有一个值"), ("{tax_year: 2026}", "此处应有带双引号的键"),
                                          ('{"tax_year": 2026} x', "值之后还有多余内容")])
def test_a_file_that_is_not_json_is_said_without_english(tmp_path, text, reason):
    """"不是有效的 JSON（Expecting value，第1行）": Python's reason, in English, on a Chinese screen."""
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")

    async def story(app, pilot):
        assert not app.open_case(str(bad))
        said = "\n".join(app.last_error)
        assert reason in said and "Expecting" not in said and "Extra data" not in said, said
    run(story, size=(80, 24), lang="zh-Hans")


@pytest.mark.parametrize("which", ["shipped table", "user table", "package"])
def test_saving_never_replaces_a_table_file_or_a_file_of_the_program(tmp_path, monkeypatch, which):
    """The command line refuses -o on a table file or a file of taxcalc (the next run would read a
    case or a Markdown report as a table); the save and export dialogs refuse them too, even when
    asked twice (no Replace), and the file is untouched."""
    from pathlib import Path

    import taxcalc
    from taxcalc.tables import SHIPPED_TABLES

    user = tmp_path / "tables"
    user.mkdir()
    (user / "fx.toml").write_bytes((SHIPPED_TABLES / "fx.toml").read_bytes())      # a user's copy
    monkeypatch.setenv("TAXCALC_TABLES", str(user))
    target = {"shipped table": SHIPPED_TABLES / "fx.toml", "user table": user / "fx.toml",
              "package": Path(taxcalc.__file__).parent / "figures.py"}[which]
    before = target.read_bytes()

    async def story(app, pilot):
        for key in ("ctrl+s", "ctrl+e"):
            await pilot.press(key)
            await pilot.pause()
            dialog = app.screen
            dialog.query_one("#dialog-path", Input).value = str(target)
            for _ in range(2):
                await pilot.press("enter")
                await pilot.pause()
                assert isinstance(app.screen, PathDialog)                  # still asking
                assert dialog.said.startswith(f"{target} is a "), dialog.said
                assert "never replaces" in dialog.said
                assert str(dialog.query_one("#dialog-ok", Button).label) != "Replace"
            await pilot.press("escape")
            await pilot.pause()
        assert target.read_bytes() == before
    run(story)
