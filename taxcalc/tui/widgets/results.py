"""The results beside the form, built from the figure registry: a section per group (the mainland,
the zone relief, the Hong Kong job, the Macao side where it matters, the gaps), updated on every
edit. Each value is a Static with id ``r-<figure name>``, its label ``l-<figure name>``."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.widgets import Static

from ...api import Result
from ...i18n import _
from ...tables import Tables
from .. import report


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
    """Every figure the panel can show has its widgets from the start; rows that matter only
    sometimes (the bonus cliff, the HK reduction, the burdens, the Macao side) are hidden, never
    mounted or removed, so an update is only text."""

    can_focus = True

    def __init__(self, result: Result, tables: Tables | None = None, **kw):
        super().__init__(**kw)
        self.result = result
        self.tables = tables

    def compose(self) -> ComposeResult:
        yield Static("", id="r-status", markup=False)
        yield Static("", id="r-headline", markup=False)
        for group, title, rows in report.sections(self.result, self.tables):
            yield Static(title, id=f"r-title-{group}", classes="results-title", markup=False)
            with Grid(classes="results-grid", id=f"r-grid-{group}"):
                for row in rows:
                    yield Static(row.label, id=f"l-{row.name}", classes="results-label", markup=False)
                    yield Static(row.value, id=f"r-{row.name}", classes="results-value", markup=False)
            if group == "zone":
                yield Static("", id="r-relief-line", classes="results-text", markup=False)
        yield Static("", id="r-gap-text", classes="results-text", markup=False)
        yield Static(_("Reliefs considered"), classes="results-title")
        yield Static("", id="r-reliefs", classes="results-text", markup=False)
        yield Static("", id="r-notes", classes="results-text", markup=False)

    def on_mount(self) -> None:
        self.show(self.result)

    def show(self, result: Result, status: str = "") -> None:
        """Update every figure in place (fast enough to run on each keystroke)."""
        self.result = result
        for group, title, rows in report.sections(result, self.tables):
            any_shown = any(row.shown for row in rows)
            set_shown(self.query_one(f"#r-title-{group}"), any_shown)
            set_shown(self.query_one(f"#r-grid-{group}"), any_shown)
            set_text(self.query_one(f"#r-title-{group}", Static), title)
            for row in rows:
                label, value = self.query_one(f"#l-{row.name}", Static), self.query_one(f"#r-{row.name}", Static)
                set_shown(label, row.shown)
                set_shown(value, row.shown)
                set_text(label, row.label)
                set_text(value, row.value)
        set_text(self.query_one("#r-relief-line", Static), _("→ {relief}").format(relief=report.relief_line(result)))
        set_text(self.query_one("#r-headline", Static), report.headline(result) + "\n" + report.gap_text(result))
        set_text(self.query_one("#r-gap-text", Static), report.gap_text(result))
        set_text(self.query_one("#r-reliefs", Static), "\n".join(report.reliefs_considered(result)))
        set_text(self.query_one("#r-notes", Static), "\n".join(_("! {note}").format(note=n) for n in report.notes(result)))
        widget = self.query_one("#r-status", Static)
        set_text(widget, status)
        if widget.has_class("shown") != bool(status):
            widget.set_class(bool(status), "shown")
