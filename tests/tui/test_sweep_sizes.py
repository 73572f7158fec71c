"""Defects found using the terminal UI as a user would at 80x24, 100x30, 120x36 and 200x60 (journeys:
a Hong Kong resident offered a Qianhai job against a Hong Kong offer, married with two children;
overseas talent in Nansha with a bonus; a Macao resident in Hengqin), each as a Pilot story that
failed before its fix."""

from __future__ import annotations

import json

import pytest
from textual.widgets import Button

from taxcalc.i18n import set_language
from taxcalc.tui.screens.dialogs import ConfirmDialog, PathDialog

from .test_app import run, type_into


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


def test_quit_with_unsaved_changes_asks_first():
    """ctrl+q left at once after an edit: the case typed in was lost without a word."""
    async def story(app, pilot):
        await type_into(pilot, "wages", "850000")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog), app.screen
        assert app.is_running
        await pilot.press("escape")                        # stay: the case is as it was
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
        assert app.case.data()["wages"] == 850000
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.click("#confirm-go")                   # the mouse too
        await pilot.pause()
        assert not app.is_running
    app = run(story, size=(80, 24))
    assert app.return_value == 0


def test_quit_can_save_first(tmp_path):
    target = tmp_path / "offer.json"

    async def story(app, pilot):
        await type_into(pilot, "hk_children", "2")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.screen.focused is app.screen.query_one("#confirm-save", Button)
        await pilot.press("enter")                         # Save…: the path dialog
        await pilot.pause()
        assert isinstance(app.screen, PathDialog)
        app.screen.query_one("#dialog-path").value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert not app.is_running
    app = run(story, size=(100, 30))
    assert app.return_value == 0
    assert json.loads(target.read_text(encoding="utf-8"))["hk_children"] == 2


def test_quit_after_saving_asks_nothing(tmp_path):
    async def story(app, pilot):
        await type_into(pilot, "bonus", "200000")
        await pilot.press("ctrl+s")
        await pilot.pause()
        app.screen.query_one("#dialog-path").value = str(tmp_path / "saved.json")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running
    run(story, size=(120, 36))


def test_an_example_from_the_palette_asks_before_replacing_unsaved_changes():
    async def story(app, pilot):
        await type_into(pilot, "wages", "123456")
        app.open_example("hengqin-macao-resident")         # what the palette's "example: ..." runs
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert app.case.data()["wages"] == 123456 and app.case.data()["identity"] == "hk"
        app.open_example("hengqin-macao-resident")
        await pilot.pause()
        await pilot.click("#confirm-go")
        await pilot.pause()
        assert app.case.data()["identity"] == "macao"
        app.open_example("nansha-foreign-talent")          # nothing changed since: no question
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
        assert app.case.data()["identity"] == "foreign"
    run(story, size=(200, 60))


def test_the_open_dialog_says_unsaved_changes_would_be_replaced():
    async def story(app, pilot):
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.screen.query_one("#dialog-message").text == ""     # nothing changed: nothing to say
        await pilot.press("escape")
        await type_into(pilot, "wages", "650000")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, PathDialog)
        assert "not saved" in app.screen.query_one("#dialog-message").text
    run(story, size=(80, 24))


@pytest.mark.parametrize("step", range(7))
def test_the_form_controls_fit_beside_the_scrollbar_at_80_columns(step):
    """At 80 columns a step that scrolls left 28 columns for controls 30 wide: a choice lost its ▼
    (``2025`` with no sign it is a list) and an amount its last two cells."""
    async def story(app, pilot):
        form = app.screen.query_one("#form")
        await form.show_step(step)
        await pilot.pause(0.2)
        body = app.screen.query_one("#form-body")
        room = body.scrollable_content_region
        for ctl in body.query(f"#step-{form.query('.form-section').last().id[5:]} .field-control"):
            if ctl.display and ctl.region.width:
                assert ctl.region.right <= room.right, (ctl.id, ctl.region, room)
    run(story, size=(80, 24))


@pytest.mark.parametrize("lang", ["en", "zh-Hans"])
@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 36)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("tab", ["f2", "f6"])
def test_the_key_bar_shows_whole_keys_and_the_tabs_own(size, lang, tab):
    """On the Packages tab the key bar was cut at the right edge: ``c Clear  ^`` at 100 columns,
    and at 80 columns Remove, Clear and Quit were not there at all."""
    from textual.widgets._footer import FooterKey

    async def story(app, pilot):
        await pilot.press(tab)
        await pilot.pause(0.5)
        keys = list(app.screen.query(FooterKey))
        palette = next(k for k in keys if k.has_class("-command-palette"))
        shown = [k for k in keys if k is not palette]
        for k in shown:
            assert k.region.width and k.region.right <= palette.region.x, (k.key, k.region, palette.region)
        wanted = {"ctrl+q"} | ({"a", "d", "c"} if tab == "f6" else {"ctrl+s"})
        assert wanted <= {k.key for k in shown}, [k.key for k in shown]
    run(story, size=size, lang=lang)


def test_the_key_bar_follows_a_resize():
    from textual.widgets._footer import FooterKey

    async def story(app, pilot):
        await pilot.press("f6")
        await pilot.pause(0.5)
        assert "ctrl+n" not in {k.key for k in app.screen.query(FooterKey)}
        await pilot.resize_terminal(200, 60)
        await pilot.pause(0.5)
        assert {"ctrl+n", "f8", "a", "d", "c", "ctrl+q"} <= {k.key for k in app.screen.query(FooterKey)}
    run(story, size=(80, 24))


@pytest.mark.parametrize("keys", [("ctrl+s",), ("ctrl+e",), ("ctrl+o",)])
def test_a_dialog_shows_its_own_keys_not_the_screens_under_it(keys):
    """The save dialog's key bar was the main screen's: Save, Open, Export, Next, Language, which do
    nothing while the dialog asks, and not Escape, which cancels."""
    from textual.widgets._footer import FooterKey

    async def story(app, pilot):
        await pilot.press(*keys)
        await pilot.pause(0.3)
        assert isinstance(app.screen, PathDialog)
        shown = [(k.key, k.description) for k in app.screen.query(FooterKey)]
        assert shown == [("escape", "Cancel")], shown
        bar = list(app.screen._compositor.render_strips())[-1].text
        assert "esc Cancel" in bar and "Save" not in bar and "Commands" not in bar, bar
    run(story, size=(80, 24))


@pytest.mark.parametrize("lang", ["en", "zh_Hans"])
def test_the_step_bar_is_one_line_on_every_step_at_80_columns(lang):
    """At 80 columns the step bar named the current step in full and wrapped ("6 Hong Kong / side"
    on two lines, pushing the form down); it now keeps to one line: the current step's number only
    when its name does not fit (the name is the heading just below)."""
    from rich.text import Text

    from taxcalc.tui.fields import SECTIONS

    async def story(app, pilot):
        for k in range(len(SECTIONS)):
            bar = app.screen.query_one("#steps")
            await pilot.pause()
            assert Text.from_markup(bar._shown).cell_len <= bar.content_region.width, (k, bar._shown)
            assert bar.size.height == 1, (k, bar._shown)
            await pilot.press("ctrl+n")
            await pilot.pause()
    run(story, size=(80, 24), lang=lang)
