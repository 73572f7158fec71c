"""The results beside the form: both sides, the relief and the gap, updated on every edit."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import Static

from ...api import Result
from ...i18n import _
from .. import report

_KEYS = ("gross_income", "iit_taxable", "iit", "relief", "iit_net", "net_income_mainland", "effective_rate_mainland",
         "hk_income", "hk_tax", "hk_tax_reduction", "hk_tax_cny", "hk_net_income", "effective_rate_hk", "burden_gap_cny")


def set_text(widget: Static, text: str) -> None:
    """Update only on a change: each update re-lays out the screen."""
    if getattr(widget, "_shown", None) != text:
        widget._shown = text
        widget.update(text)


class ResultsPanel(VerticalScroll):
    """Figures as label/value pairs; each value is a Static with id ``r-<result column>``."""

    can_focus = True

    def __init__(self, result: Result, **kw):
        super().__init__(**kw)
        self.result = result

    def compose(self) -> ComposeResult:
        yield Static("", id="r-status", markup=False)
        yield Static("", id="r-headline", markup=False)
        for k, (title, rows) in enumerate(report.summary(self.result)):
            yield Static(title, id=f"r-title-{k}", classes="results-title", markup=False)
            with Grid(classes="results-grid"):
                for key, label, value in rows:
                    yield Static(label, id=f"l-{key}", classes="results-label", markup=False)
                    yield Static(value, id=f"r-{key}", classes="results-value", markup=False)
            if k == 0:
                yield Static("", id="r-relief-line", classes="results-text", markup=False)
        yield Static("", id="r-gap-text", classes="results-text", markup=False)
        yield Static(_("Reliefs considered"), classes="results-title")
        yield Static("", id="r-reliefs", classes="results-text", markup=False)
        yield Static("", id="r-notes", classes="results-text", markup=False)

    def on_mount(self) -> None:
        self.show(self.result)

    def show(self, result: Result, problems: int = 0) -> None:
        """Update every figure in place (no remount: fast enough to run on each keystroke)."""
        self.result = result
        sections = report.summary(result)
        for k, (title, rows) in enumerate(sections):
            set_text(self.query_one(f"#r-title-{k}", Static), title)
            present = set()
            for key, label, value in rows:
                present.add(key)
                try:
                    set_text(self.query_one(f"#r-{key}", Static), value)
                    set_text(self.query_one(f"#l-{key}", Static), label)
                except NoMatches:   # a row that appears only sometimes (the HK reduction)
                    grid = self.query(".results-grid")[k]
                    grid.mount(Static(label, id=f"l-{key}", classes="results-label", markup=False),
                               Static(value, id=f"r-{key}", classes="results-value", markup=False))
        for key in _KEYS:
            if not any(key == r[0] for _t, rows in sections for r in rows):
                for w in self.query(f"#r-{key}, #l-{key}"):
                    w.remove()
        set_text(self.query_one("#r-relief-line", Static), "→" + report.relief_line(result))
        set_text(self.query_one("#r-headline", Static),
                 _("Mainland {ml} · Hong Kong {hk}").format(ml=report.cny(result.iit_net), hk=report.hkd(result.hk_tax))
                 + "\n" + report.gap_text(result))
        set_text(self.query_one("#r-gap-text", Static), report.gap_text(result))
        lines = [f"{'✓' if why == _('chosen') else '·'} {p}: {a}, {why}" for p, a, why in report.other_reliefs(result)]
        set_text(self.query_one("#r-reliefs", Static), "\n".join(lines))
        set_text(self.query_one("#r-notes", Static), "\n".join("! " + n for n in report.notes(result)))
        status = self.query_one("#r-status", Static)
        set_text(status, _("⚠ {n} field(s) need attention: computed with their last valid values").format(n=problems)
             if problems else "")
        if status.has_class("shown") != bool(problems):
            status.set_class(bool(problems), "shown")
