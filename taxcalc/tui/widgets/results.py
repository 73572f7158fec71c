"""The results beside the form: the headline first (what you pay, what the zone promises, what
Hong Kong or Macao would take, why a gap remains: :mod:`taxcalc.summary`), the values to weigh,
then a section per group of the figure registry (a label and a value per row, in registry order,
always the same), the reliefs considered and the notes. Five widgets, updated in place.

The tests read what a figure shows with :meth:`ResultsPanel.value` and :meth:`ResultsPanel.label`."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from ...api import Result
from ...i18n import _
from ...summary import Summary
from ...tables import Tables
from .. import report
from .prose import Prose, Sections


def set_text(widget: Static, text: str) -> None:
    """Update only on a change: each update re-lays out the screen."""
    if getattr(widget, "_shown", None) != text:
        widget._shown = text
        widget.update(text)


def set_shown(widget, on: bool) -> None:
    """Show or hide only on a change."""
    if widget.display != on:
        widget.display = on


class ResultsPanel(VerticalScroll):
    """The results; focusable, so that it scrolls with the keys (the focus is shown by a bar)."""

    can_focus = True

    def __init__(self, result: Result, tables: Tables | None = None, summary: Summary | None = None, **kw):
        super().__init__(**kw)
        self.result = result
        self.tables = tables
        self.summary = summary
        self._sections: dict[str, tuple[str, tuple[report.Row, ...]]] = {}

    def _state(self, result: Result, summary: Summary | None) -> dict[str, str]:
        """What each widget says for a result; also keeps the rows (for :meth:`value` and :meth:`label`)."""
        self._sections = {group: (title, tuple(rows)) for group, title, rows in report.sections(result, self.tables, summary)}
        if summary is not None:
            headline = "\n".join(text for _k, text in report.headline_lines(summary))
            weigh = report.weigh_lines(summary)
            weigh_text = "\n".join([_("What to weigh (the numbers in brackets beside the figures):"), *weigh]) if weigh else ""
        else:
            headline, weigh_text = report.gap_text(result), ""
        notes = [_("! {note}").format(note=n) for n in report.notes(result, summary)]
        return {"headline": headline, "weigh": weigh_text,
                "reliefs": "\n".join([_("Reliefs considered"), *report.reliefs_considered(result), *notes])}

    def _body(self) -> Sections:
        return Sections([(title, [(row.label, row.value) for row in rows if row.shown])
                         for title, rows in self._sections.values()])

    def compose(self) -> ComposeResult:
        """The widgets with their first content (nothing to update after mounting: a faster first frame)."""
        texts = self._state(self.result, self.summary)
        yield Static("", id="r-status", markup=False)
        yield Prose(texts["headline"], id="r-headline", styles={0: "bold"})
        yield Prose(texts["weigh"], id="r-weigh", classes="results-text", styles={0: "bold"})
        body = Static(self._body(), id="r-body", classes="results-text")
        body._rows = self._rows_key()
        yield body
        yield Prose(texts["reliefs"], id="r-reliefs", classes="results-text", styles={0: "bold $accent"})

    def _rows_key(self) -> tuple:
        return tuple((title, rows) for title, rows in self._sections.values())

    # -- what the tests and the exports read
    def value(self, name: str) -> str:
        """The text a figure shows ('' when its row is hidden)."""
        return next((row.value for _t, rows in self._sections.values() for row in rows
                     if row.name == name and row.shown), "")

    def label(self, name: str) -> str:
        return next((row.label for _t, rows in self._sections.values() for row in rows
                     if row.name == name and row.shown), "")

    def order(self, group: str) -> list[str]:
        """The figures a section shows, in the order shown ([] when the section is hidden)."""
        return [row.name for row in self._sections.get(group, ("", ()))[1] if row.shown]

    def text(self) -> str:
        """Everything the panel shows, as text (status, headline, marks, sections, reliefs, notes)."""
        parts = [str(self.query_one("#r-status", Static).render()), self.query_one("#r-headline", Prose).text,
                 self.query_one("#r-weigh", Prose).text, str(self._body()), self.query_one("#r-reliefs", Prose).text]
        return "\n".join(p for p in parts if p)

    def show(self, result: Result, status: str = "", summary: Summary | None = None) -> None:
        """Update in place (fast enough to run on each keystroke): only what changed is redrawn."""
        self.result = result
        self.summary = summary
        texts = self._state(result, summary)
        body = self.query_one("#r-body", Static)
        key = self._rows_key()
        if getattr(body, "_rows", None) != key:
            body._rows = key
            body.update(self._body())
        self.query_one("#r-headline", Prose).say(texts["headline"], styles={0: "bold"})
        self.query_one("#r-weigh", Prose).say(texts["weigh"], styles={0: "bold"})
        self.query_one("#r-reliefs", Prose).say(texts["reliefs"], styles={0: "bold $accent"})
        widget = self.query_one("#r-status", Static)
        set_text(widget, status)
        if widget.has_class("shown") != bool(status):
            widget.set_class(bool(status), "shown")
