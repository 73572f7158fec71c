"""Command-palette commands: "language: 简体中文", "example: ...", "export: ...", "case: ...", "view: ..."."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..i18n import LANG_NAMES, LANGS, _, get_language
from .case import EXAMPLES


class TaxcalcCommands(Provider):
    def _commands(self):
        app = self.app
        lang_, example_, export_, case_, view_ = _("language"), _("example"), _("export"), _("case"), _("view")
        save_json, open_json = _("save as JSON"), _("open JSON")
        out = []
        for lang in LANGS:
            if lang != get_language():
                out.append((f"{lang_}: {LANG_NAMES[lang]}", partial(app.set_lang, lang),
                            _("Switch the interface language")))
        for key, (title, _data) in EXAMPLES.items():
            out.append((example_ + ": " + _(title), partial(app.load_example, key), _("Open a shipped example case")))
        out += [
            (f"{export_}: Markdown", partial(app.action_export, "md"), _("Save the results and the explanation as Markdown")),
            (f"{export_}: CSV", partial(app.action_export, "csv"), _("Save the inputs and results as one CSV row")),
            (f"{case_}: {save_json}", app.action_save, _("Save the case (batch column keys)")),
            (f"{case_}: {open_json}", app.action_load, _("Open a saved case")),
        ]
        for tab, label in (("case", _("Case")), ("explain", _("Explain")), ("chart", _("Chart")),
                           ("withholding", _("Monthly")), ("packages", _("Packages"))):
            out.append((f"{view_}: {label}", partial(app.show_tab, tab), ""))
        return out

    async def discover(self) -> Hits:
        for title, callback, help_ in self._commands():
            yield DiscoveryHit(title, callback, help=help_)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_ in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_)
