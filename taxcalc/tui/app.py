"""The terminal UI: ``taxcalc`` with no command. Opens on the shipped example.

Only calls the core (taxcalc.api through Case); the core never imports Textual.
"""

from __future__ import annotations

import errno
from decimal import Decimal
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from ..engine import Options
from ..errors import TaxcalcError
from ..i18n import LANG_NAMES, LANGS, N_, _, error_lines, get_language, render, set_language, system_language
from ..messages import msg
from ..tables import load_tables
from ..validate import read_case_file
from .case import EXAMPLES, HETAO_RESEARCHER, Case
from .commands import TaxcalcCommands
from .screens.dialogs import ConfirmDialog, PathDialog
from .screens.main import MainScreen, with_bindings

#: what the system says when a file cannot be written, in words the catalogs translate
OS_REASONS = {errno.ENOENT: N_("no such directory"), errno.EACCES: N_("permission denied"),
              errno.EPERM: N_("permission denied"), errno.EISDIR: N_("it is a directory"),
              errno.ENOTDIR: N_("a part of the path is not a directory"), errno.ENOSPC: N_("no space left"),
              errno.EROFS: N_("read-only file system"), errno.ENAMETOOLONG: N_("the name is too long")}


def os_reason(exc: BaseException) -> str:
    """Why a file could not be read or written, in the UI language where the reason is known."""
    code = getattr(exc, "errno", None)
    if code in OS_REASONS:
        return _(OS_REASONS[code])
    if isinstance(exc, ValueError):          # a path with a NUL character
        return _("not a valid path")
    return getattr(exc, "strerror", None) or type(exc).__name__


def _app_bindings() -> list[Binding]:
    return [Binding("ctrl+q", "quit", _("Quit"), priority=True),
            Binding("ctrl+p", "command_palette", _("Commands"), priority=True, show=False)]


class TaxcalcApp(App[int]):
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {TaxcalcCommands}
    TITLE = "taxcalc"

    def __init__(self, lang: str | None = None, tables_dir: str | None = None, case: dict | None = None,
                 options: Options | None = None):
        set_language(lang or system_language())
        super().__init__()
        self._bindings = with_bindings(type(self)._merged_bindings, _app_bindings())
        self.tables = load_tables(tables_dir)
        self.tables_dir = tables_dir              # the table files a save never replaces (with the shipped ones)
        self.case = Case(case if case is not None else HETAO_RESEARCHER, tables=self.tables, options=options or Options())
        self.own_packages: list[dict] | None = None   # None: the packages follow the current case
        self.plan_rates: dict[str, str] = {"growth": "", "hk_growth": ""}   # the plan tab's growth fields, as typed
        self.active_tab = "case"
        self.form_step = 0
        self.last_path: dict[str, str] = {}
        self.last_error: list[str] = []      # the last error said (title and lines), for the tests
        self.last_written = ""               # the full path of the last file written
        self._saved = self._case_state()     # the case as last opened or saved: quitting or replacing it asks

        self.title = _("GBA tax: mainland and Hong Kong")

    def get_default_screen(self) -> MainScreen:
        """The main screen is the first screen (no blank screen is drawn before it)."""
        return self._main_screen()

    def _main_screen(self) -> MainScreen:
        return MainScreen(self.case, tab=self.active_tab, width=self.size.width)

    @property
    def packages(self) -> list[dict]:
        """The packages compared: the user's own list once they add, remove or clear, else the
        current case in its zone and in two others (following every edit)."""
        from .packages import default_packages

        if self.own_packages is not None:
            return self.own_packages
        return default_packages(self.case.result.scenario.model_dump(exclude_none=True))

    def keep_packages(self) -> list[dict]:
        """The list the user edits (from now on the packages stop following the case)."""
        if self.own_packages is None:
            self.own_packages = self.packages
        return self.own_packages

    @property
    def main(self) -> MainScreen:
        return next(s for s in self.screen_stack if isinstance(s, MainScreen))

    # -- language
    def set_lang(self, lang: str) -> None:
        set_language(lang)
        self._bindings = with_bindings(type(self)._merged_bindings, _app_bindings())
        self.title = _("GBA tax: mainland and Hong Kong")
        self.call_next(self.main.relabel)
        self.notify(_("Language: {name}").format(name=LANG_NAMES[get_language()]), markup=False)

    def action_next_language(self) -> None:
        self.set_lang(LANGS[(LANGS.index(get_language()) + 1) % len(LANGS)])

    def show_tab(self, tab: str) -> None:
        self.main.action_tab(tab)

    # -- cases
    def _case_state(self) -> tuple:
        """What saving keeps (the values the results use) and the fields in error (what was typed there)."""
        return self.case.scenario_json(), tuple(sorted(self.case.errors()))

    def unsaved(self) -> bool:
        """True when the case has changes since it was last opened or saved (or since the app started)."""
        return self._case_state() != self._saved

    def mark_saved(self) -> None:
        self._saved = self._case_state()

    def confirm_discard(self, purpose: str, go_on, detail: str = "") -> None:
        """Run ``go_on()`` now when the case has no unsaved changes; else ask first: save the case
        (then go on), go on without saving, or stay (Escape)."""
        if not self.unsaved():
            go_on()
            return
        title, go = {"quit": (_("Quit without saving?"), _("Quit")),
                     "example": (_("Open the example without saving?"), _("Open the example"))}[purpose]
        message = _("The case on the screen has changes that are not saved: they would be lost.")
        if detail:
            message = _("{hint} {more}").format(hint=message, more=detail)

        def done(choice: str | None) -> None:
            if choice == "go":
                go_on()
            elif choice == "save":
                self.action_save(then=go_on)

        self.push_screen(ConfirmDialog(title, message, go, purpose=purpose), done)

    def load_example(self, key: str) -> None:
        self.case.load(EXAMPLES[key][1])
        self.main.reload()
        self.mark_saved()

    def open_example(self, key: str) -> None:
        """The palette's ``example: ...``: asks first when the case has unsaved changes."""
        self.confirm_discard("example", lambda: self.load_example(key), detail=_(EXAMPLES[key][0]))

    def load_data(self, data: dict) -> None:
        self.case.load(data)
        self.main.reload()
        self.mark_saved()

    def open_case(self, path: str) -> bool:
        """Open a case file. A file that cannot be read, or a case with any bad field, leaves the
        case as it was and says what was wrong: every field's message, in the UI language."""
        try:
            p = Path(path).expanduser()
            if p.exists() and not p.is_dir() and not p.is_file():    # a FIFO or a device: reading could block
                raise TaxcalcError.coded("file.unreadable", path=path, reason=_("not a regular file"))
            data = read_case_file(path)
            self.case.load(data)
        except TaxcalcError as exc:
            self.say_error(_("Could not open {path}").format(path=path), error_lines(exc, fields="label"))
            return False
        except (OSError, ValueError, RecursionError) as exc:   # a path the core's reader does not expect
            self.say_error(_("Could not open {path}").format(path=path),
                           [render(msg("file.unreadable", path=path, reason=os_reason(exc)))])
            return False
        self.main.reload()
        self.mark_saved()
        self.last_path["json"] = path
        from .screens.dialogs import full_path

        self.notify(_("Opened {path}").format(path=full_path(path)), markup=False)
        return True

    def say_error(self, title: str, lines: list[str]) -> None:
        self.last_error = [title, *lines]
        self.notify("\n".join(lines), title=title, severity="error", markup=False, timeout=12)

    def write_file(self, path: str, write) -> Path | None:
        """Write a file with ``write(path)``; a path that cannot be written is said, not raised.
        Says the full path written."""
        from .screens.dialogs import full_path

        shown = full_path(path)
        try:
            target = Path(shown)
            write(target)
        except (OSError, ValueError) as exc:
            self.say_error(_("Could not save"), [render(msg("file.cannot_write", path=shown, reason=os_reason(exc)))])
            return None
        self.last_written = shown
        self.notify(render(msg("file.written", path=shown)), markup=False)
        return target

    def action_save(self, then=None) -> None:
        """Save the case as JSON; ``then()`` once it is written (a quit or a replacement that asked to save first)."""
        default = self.last_path.get("json") or f"{self.case.result.scenario.id or 'case'}.json"

        def done(path: str | None) -> None:
            if path and self.write_file(path, self.case.save):
                self.last_path["json"] = path
                self.mark_saved()
                if then is not None:
                    then()

        # a field in error is saved with the value the results use, not with what was typed: say so first
        n = len(self.case.errors())
        note = _("⚠ {n} field(s) need attention: the file will hold the values the results use, "
                 "as said beside them.").format(n=n) if n else ""
        self.push_screen(PathDialog(_("Save the case as JSON"), default, _("Save"), saving=True, note=note), done)

    def action_load(self) -> None:
        default = self.last_path.get("json") or "case.json"

        def done(path: str | None) -> None:
            if path:
                self.open_case(path)

        # the open dialog is already a question: it says what opening replaces
        note = _("⚠ The case on the screen has changes that are not saved: opening another replaces them.") \
            if self.unsaved() else ""
        self.push_screen(PathDialog(_("Open a case (JSON)"), default, _("Open"), note=note), done)

    def action_export(self, fmt: str = "md") -> None:
        from . import report

        stem = self.case.result.scenario.id or "taxcalc"
        default = self.last_path.get(fmt) or f"{stem}.{fmt}"

        if fmt == "plan":
            default = self.last_path.get(fmt) or f"{stem}-plan.csv"

        def done(path: str | None) -> None:
            if not path:
                return
            r = self.case.result
            if fmt == "plan":
                text = self.plan_csv()
                if text is None:
                    return
            else:
                text = report.markdown(r, self.case.tables, self.case.summary) if fmt == "md" else report.csv_text(r)
            if self.write_file(path, lambda target: target.write_text(text, encoding="utf-8")):
                self.last_path[fmt] = path

        title = {"md": _("Export the results as Markdown"), "csv": _("Export the results as CSV"),
                 "plan": _("Export the plan as CSV (a row per calendar year)")}[fmt]
        self.push_screen(PathDialog(title, default, _("Save"), saving=True), done)

    def plan_csv(self) -> str | None:
        """The plan tab's plan of the case (its years, the growth fields' valid rates) as CSV, the
        rows ``taxcalc plan FILE`` writes for a candidate; None, with the problem said, when the
        case cannot be planned."""
        from ..batch.plans import plan_csv
        from . import planning

        rates = {}
        for option, _label in planning.GROWTH_FIELDS:
            value, _error = planning.read_growth(self.plan_rates.get(option, ""), option)
            rates[option] = value if value is not None else Decimal(0)
        r = self.case.result
        p, problems = planning.compute(r.scenario.model_dump(exclude_none=True), self.case.tables, self.case.options,
                                       rates["growth"], rates["hk_growth"])
        if p is None:
            self.say_error(_("Could not plan the case"), problems)
            return None
        return plan_csv(p, r.scenario.id or "case")

    def action_command_palette(self) -> None:
        """Not while a dialog asks (a path, or what to do with unsaved changes): a language or an example
        chosen under it would leave the dialog in the old language, or save another case under the first
        one's name."""
        if isinstance(self.screen, (PathDialog, ConfirmDialog)):
            self.bell()
            return
        super().action_command_palette()

    def action_quit(self) -> None:
        """Quit (exit status 0); with unsaved changes, ask first (ctrl+q again in that dialog quits)."""
        if isinstance(self.screen, ConfirmDialog) and self.screen.purpose == "quit":
            self.exit(0)
            return
        self.confirm_discard("quit", lambda: self.exit(0))


def run(lang: str | None = None, tables_dir: str | None = None) -> int:
    """Run the app; the exit status (0 after ctrl+q)."""
    app = TaxcalcApp(lang=lang, tables_dir=tables_dir)
    code = app.run()
    return int(code or 0) if app.return_code in (None, 0) else int(app.return_code)
