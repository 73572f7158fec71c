"""Command-palette commands: "language: 简体中文", "example: ...", "export: ...", "case: ...", "view: ...".

Titles are shown in the UI language; the search also matches the English words, so "export" or
"language" finds the command in every language."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..i18n import LANG_NAMES, LANGS, N_, _, get_language
from .case import EXAMPLES

_LANGUAGE, _EXAMPLE, _EXPORT, _CASE, _VIEW = N_("language"), N_("example"), N_("export"), N_("case"), N_("view")
_TITLE = N_("{category}: {name}")


class TaxcalcCommands(Provider):
    def _commands(self):
        """(shown title, English title, callback, help)."""
        app = self.app
        out = []

        def add(category: str, name: str, callback, help_: str = "", proper_name: bool = False, english: str = ""):
            """``name`` is a message id, or a proper name shown as it is (a language, a file format)."""
            shown = name if proper_name else _(name)
            out.append((_(_TITLE).format(category=_(category), name=shown),
                        f"{category}: {english or name}", callback, _(help_) if help_ else ""))

        for lang in LANGS:
            if lang != get_language():
                add(_LANGUAGE, LANG_NAMES[lang], partial(app.set_lang, lang), N_("Switch the interface language"),
                    proper_name=True, english=f"{LANG_NAMES[lang]} {lang}")
        for key, (title, _data) in EXAMPLES.items():
            add(_EXAMPLE, title, partial(app.open_example, key), N_("Open a shipped example case"))
        add(_EXPORT, "Markdown", partial(app.action_export, "md"),
            N_("Save the results and the explanation as Markdown"), proper_name=True)
        add(_EXPORT, "CSV", partial(app.action_export, "csv"), N_("Save the inputs and results as one CSV row"),
            proper_name=True)
        add(_EXPORT, N_("Plan (CSV)"), partial(app.action_export, "plan"),
            N_("Save the plan: a row per calendar year, the cash and when each relief arrives"), english="Plan CSV")
        add(_CASE, N_("save as JSON"), app.action_save, N_("Save the case (batch column keys)"))
        add(_CASE, N_("open JSON"), app.action_load, N_("Open a saved case"))
        for tab, label in (("case", N_("Case")), ("explain", N_("Explain")), ("chart", N_("Chart")),
                           ("withholding", N_("Monthly")), ("packages", N_("Packages")), ("plan", N_("Plan"))):
            add(_VIEW, label, partial(app.show_tab, tab))
        return out

    async def discover(self) -> Hits:
        for title, _english, callback, help_ in self._commands():
            yield DiscoveryHit(title, callback, help=help_)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, english, callback, help_ in self._commands():
            score = max(matcher.match(title), matcher.match(english))
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, text=title, help=help_)
