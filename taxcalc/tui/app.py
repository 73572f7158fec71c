"""The terminal UI: ``taxcalc`` with no command. Opens on the shipped example.

Only calls the core (taxcalc.api through Case); the core never imports Textual.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from ..engine import Options
from ..errors import TaxcalcError
from ..i18n import LANG_NAMES, LANGS, _, get_language, set_language, system_language
from ..tables import load_tables
from .case import EXAMPLES, HETAO_RESEARCHER, Case
from .commands import TaxcalcCommands
from .packages import Package, default_packages
from .screens.dialogs import PathDialog
from .screens.main import MainScreen, with_bindings


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
        self.case = Case(case if case is not None else HETAO_RESEARCHER, tables=self.tables, options=options or Options())
        self.packages: list[Package] = default_packages(self.case.result.scenario.model_dump())
        self.active_tab = "case"
        self.form_step = 0
        self.last_path: dict[str, str] = {}

    def on_mount(self) -> None:
        self.title = _("GBA tax: mainland and Hong Kong")
        self.push_screen(self._main_screen())

    def _main_screen(self) -> MainScreen:
        from .screens.main import NARROW

        return MainScreen(self.case, tab=self.active_tab, narrow=self.size.width < NARROW)

    @property
    def main(self) -> MainScreen:
        return next(s for s in self.screen_stack if isinstance(s, MainScreen))

    # -- language
    def set_lang(self, lang: str) -> None:
        set_language(lang)
        self._bindings = with_bindings(type(self)._merged_bindings, _app_bindings())
        self.title = _("GBA tax: mainland and Hong Kong")
        self.switch_screen(self._main_screen())
        self.notify(_("Language: {name}").format(name=LANG_NAMES[get_language()]))

    def action_next_language(self) -> None:
        self.set_lang(LANGS[(LANGS.index(get_language()) + 1) % len(LANGS)])

    def show_tab(self, tab: str) -> None:
        self.main.action_tab(tab)

    # -- cases
    def load_example(self, key: str) -> None:
        self.case.load(EXAMPLES[key][1])
        self.main.reload()

    def load_data(self, data: dict) -> None:
        self.case.load(data)
        self.main.reload()

    def action_save(self) -> None:
        default = self.last_path.get("json") or f"{self.case.result.scenario.id or 'case'}.json"

        def done(path: str | None) -> None:
            if path:
                try:
                    saved = self.case.save(path)
                except OSError as exc:
                    self.notify(_("Could not save: {error}").format(error=exc), severity="error")
                    return
                self.last_path["json"] = str(saved)
                self.notify(_("Saved {path}").format(path=saved))

        self.push_screen(PathDialog(_("Save the case as JSON"), default, _("Save")), done)

    def action_load(self) -> None:
        default = self.last_path.get("json") or "case.json"

        def done(path: str | None) -> None:
            if path:
                try:
                    self.load_data(Case.read(path))
                except (OSError, ValueError, TaxcalcError) as exc:
                    self.notify(_("Could not open: {error}").format(error=exc), severity="error")
                    return
                self.last_path["json"] = path
                self.notify(_("Opened {path}").format(path=path))

        self.push_screen(PathDialog(_("Open a case (JSON)"), default, _("Open")), done)

    def action_export(self, fmt: str = "md") -> None:
        from . import report

        stem = self.case.result.scenario.id or "taxcalc"
        default = self.last_path.get(fmt) or f"{stem}.{fmt}"

        def done(path: str | None) -> None:
            if not path:
                return
            text = report.markdown(self.case.result) if fmt == "md" else report.csv_text(self.case.result)
            try:
                target = Path(path).expanduser()
                target.write_text(text, encoding="utf-8")
            except OSError as exc:
                self.notify(_("Could not save: {error}").format(error=exc), severity="error")
                return
            self.last_path[fmt] = path
            self.notify(_("Saved {path}").format(path=target))

        title = _("Export the results as Markdown") if fmt == "md" else _("Export the results as CSV")
        self.push_screen(PathDialog(title, default, _("Save")), done)

    def action_quit(self) -> None:
        self.exit(0)


def run(lang: str | None = None, tables_dir: str | None = None) -> int:
    """Run the app; the exit status (0 after ctrl+q)."""
    app = TaxcalcApp(lang=lang, tables_dir=tables_dir)
    code = app.run()
    return int(code or 0) if app.return_code in (None, 0) else int(app.return_code)
