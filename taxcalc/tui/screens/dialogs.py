"""A small dialog that asks for a file path.

It says what it will do before it does it: an empty path is answered in the dialog (nothing is
written or opened), and, when saving, a path that exists is replaced only after a second
confirmation (the button then reads "Replace"), and a table file or a file of the program never is
(as on the command line); the full path is shown."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from ...i18n import N_, _
from ...tables import table_dirs
from ..widgets.footer import QuietFooter
from ..widgets.prose import Prose
from .main import with_bindings

#: what a save says of a path it never writes over (taxcalc.batch.writers.files.protected)
PROTECTED = {"table": N_("{path} is a table file: a save never replaces one (the next run would read it). "
                         "Type another name."),
             "package": N_("{path} is a file of the taxcalc program: a save never replaces one. Type another name.")}


def full_path(path: str) -> str:
    """The path as the system will use it: ~ expanded, made absolute (not resolved through links)."""
    try:
        return str(Path(path).expanduser().absolute())
    except (OSError, ValueError, RuntimeError):
        return path


class Dialog(ModalScreen[str | None]):
    """A dialog with its own key bar: its keys (Escape cancels), never the keys of the screen under
    it, which do nothing while it asks (the palette waits too: TaxcalcApp.action_command_palette)."""

    def __init__(self) -> None:
        super().__init__()
        self._bindings = with_bindings(type(self)._merged_bindings, [Binding("escape", "cancel", _("Cancel"))])

    def key_bar(self) -> QuietFooter:
        return QuietFooter(show_command_palette=False)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PathDialog(Dialog):
    def __init__(self, title: str, path: str, ok: str, *, saving: bool = False, note: str = ""):
        super().__init__()
        self.title_text, self.path, self.ok = title, path, ok
        self.saving = saving
        self.note = note                         # said before anything is typed (what the file will hold)
        self.confirmed: str | None = None        # the existing path the user agreed to replace
        self.said = ""                           # the last thing the dialog said (for the tests)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title", markup=False)
            yield Input(self.path, id="dialog-path")
            yield Prose(self.note, id="dialog-message", classes="shown" if self.note else "")
            with Horizontal(id="dialog-buttons"):
                yield Button(self.ok, variant="primary", id="dialog-ok")
                yield Button(_("Cancel"), id="dialog-cancel")
        yield self.key_bar()

    def say(self, text: str) -> None:
        text = text or self.note
        self.said = text
        self.query_one("#dialog-message", Prose).say(text)
        self.query_one("#dialog-message").set_class(bool(text), "shown")

    def submit(self, value: str) -> None:
        path = value.strip()
        if not path:
            self.say(_("Type a file name or a path: nothing was saved.") if self.saving
                     else _("Type a file name or a path: nothing was opened."))
            return
        full = full_path(path)
        if self.saving and self.confirmed != full:
            try:
                exists, is_dir = Path(full).exists(), Path(full).is_dir()
            except (OSError, ValueError):
                exists = is_dir = False
            if is_dir:                           # nothing to replace: a directory is never written over
                self.say(_("{path} is a directory: type a file name in it.").format(path=full))
                return
            from ...batch.writers.files import protected  # at save time: the batch package loads polars

            what = protected(full, table_dirs(getattr(self.app, "tables_dir", None)))
            if what is not None:                 # the command line's rule: never a table or the program
                self.say(_(PROTECTED[what]).format(path=full))
                return
            if exists:
                self.confirmed = full
                self.query_one("#dialog-ok", Button).label = _("Replace")
                self.say(_("{path} exists. Press Replace to write over it, or change the name.").format(path=full))
                return
        self.dismiss(path)

    def on_input_changed(self, event: Input.Changed) -> None:
        """A new name: ask again before replacing anything."""
        if self.confirmed is not None and full_path(event.value.strip()) != self.confirmed:
            self.confirmed = None
            self.query_one("#dialog-ok", Button).label = self.ok
            self.say("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit(event.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "dialog-ok":
            self.submit(self.query_one("#dialog-path", Input).value)
        else:
            self.dismiss(None)


class ConfirmDialog(Dialog):
    """Asks before the case on the screen is replaced or the app quits while the case has changes
    that are not saved: save it first, go on without saving, or stay (Escape). Dismissed with the
    chosen button's id ("save", "go") or None."""

    def __init__(self, title: str, message: str, go: str, *, purpose: str = ""):
        super().__init__()
        self.title_text, self.message, self.go = title, message, go
        self.purpose = purpose                   # "quit", "example": what going on does

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title", markup=False)
            yield Prose(self.message, id="dialog-message", classes="shown")
            with Horizontal(id="dialog-buttons"):
                yield Button(_("Save…"), variant="primary", id="confirm-save")
                yield Button(self.go, variant="error", id="confirm-go")
                yield Button(_("Cancel"), id="confirm-cancel")
        yield self.key_bar()

    def on_mount(self) -> None:
        self.query_one("#confirm-save", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss({"confirm-save": "save", "confirm-go": "go"}.get(event.button.id or ""))
