"""Command-palette commands: "language: 简体中文", "example: ...", "export: ...", "case: ...", "view: ..."."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..i18n import LANG_NAMES, LANGS, _, get_language
from .case import EXAMPLES


class TaxcalcCommands(Provider):
    def _commands(self):
        app = self.app
        out = []
        for lang in LANGS:
            if lang != get_language():
                out.append((f"{_('language')}: {LANG_NAMES[lang]}", partial(app.set_lang, lang),
                            _("Switch the interface language")))
        for key, (title, _data) in EXAMPLES.items():
            out.append((f"{_('example')}: {_(title)}", partial(app.load_example, key), _("Open a shipped example case")))
        out += [
            (f"{_('export')}: Markdown", partial(app.action_export, "md"), _("Save the results and the explanation as Markdown")),
            (f"{_('export')}: CSV", partial(app.action_export, "csv"), _("Save the inputs and results as one CSV row")),
            (f"{_('case')}: {_('save as JSON')}", app.action_save, _("Save the case (batch column keys)")),
            (f"{_('case')}: {_('open JSON')}", app.action_load, _("Open a saved case")),
        ]
        for tab, label in (("case", _("Case")), ("explain", _("Explain")), ("chart", _("Chart")),
                           ("withholding", _("Monthly")), ("packages", _("Packages"))):
            out.append((f"{_('view')}: {label}", partial(app.show_tab, tab), ""))
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
