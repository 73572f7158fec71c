"""The plan tab: the case over several tax years (taxcalc.plan), the cash by calendar year first,
with and without the zone policies' renewal; two growth rates above the table."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from ...i18n import _, render, value_text
from ...messages import Rate, msg
from .. import planning
from .prose import Prose
from .table import ColumnTable, label_width, wrapped

DEBOUNCE = 0.08


class PlanView(VerticalScroll):
    """Growth fields, the relief policy of each year, the plan's table and its notes."""

    class Changed(Message):
        """A growth field changed to a valid rate: the plan is stale."""

    def __init__(self, rates: dict[str, str], **kw):
        super().__init__(**kw)
        self.rates = rates                  # the growth fields' text, kept by the app across language switches
        self.valid: dict[str, Decimal] = {}
        for option, _label in planning.GROWTH_FIELDS:
            value, _error = planning.read_growth(rates.get(option, ""), option)
            self.valid[option] = value if value is not None else Decimal(0)
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Prose("", id="plan-intro")
        with Horizontal(id="plan-rates"):
            for option, label in planning.GROWTH_FIELDS:
                yield Static(_(label), classes="plan-label", markup=False)
                yield Input(self.rates.get(option, ""), id=f"plan-{option}", compact=True, placeholder="0",
                            classes="plan-input", select_on_focus=True)
        yield Prose("", id="plan-error", classes="field-error")
        # the labels stay in view while the years scroll (arrow keys), the years while the rows scroll
        yield ColumnTable(id="plan-table", cursor_type="column", zebra_stripes=True, fixed_columns=1)
        yield Prose("", id="plan-policies")
        yield Prose("", id="plan-notes")

    # -- the growth fields
    def on_input_changed(self, event: Input.Changed) -> None:
        """A growth field read by the plan's grammar; a bad one is said, the plan keeps its last
        valid rate (and says so)."""
        event.stop()
        self.rates[(event.input.id or "").removeprefix("plan-")] = event.value
        errors = []
        for name, label in planning.GROWTH_FIELDS:
            value, error = planning.read_growth(self.rates.get(name, ""), name)
            self.query_one(f"#plan-{name}", Input).set_class(value is None, "invalid")
            if value is None:
                said = render(msg("line.label_value", label=_(label), value=error))
                used = _("the results use {value}, its last valid value").format(value=value_text(Rate(self.valid[name])))
                errors.append(_("⚠ {message}").format(message=said) + "\n" + used)
            elif value != self.valid[name]:
                self.valid[name] = value
                self._stale()
        error = self.query_one("#plan-error", Prose)
        error.say("\n".join(errors))
        error.set_class(bool(errors), "shown")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.screen.focus_next()

    def _stale(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, self._changed)

    def _changed(self) -> None:
        self._timer = None
        self.post_message(self.Changed())

    # -- the plan
    def show(self, case: dict, tables, options) -> None:
        """Compute the plan of the case at the growth rates and show it."""
        p, problems = planning.compute(case, tables, options, self.valid["growth"], self.valid["hk_growth"])
        t = self.query_one("#plan-table", DataTable)
        t.clear(columns=True)
        policies = self.query_one("#plan-policies", Prose)
        notes = self.query_one("#plan-notes", Prose)
        if p is None:                 # said above the table, where the plan would be
            self.query_one("#plan-intro", Prose).say("\n".join(_("⚠ {message}").format(message=m) for m in problems))
            policies.say("")
            notes.say("")
            return
        years = [y.tax_year for y in p.years]
        self.query_one("#plan-intro", Prose).say(_(planning.INTRO).format(first=years[0], last=years[-1]))
        headers, rows = planning.table(p)
        width = label_width(self.app.size.width)
        t.add_column(Text(headers[0]), key="label", width=width)
        for k, h in enumerate(headers[1:], start=1):
            t.add_column(Text(h, justify="right"), key=str(k))
        for row in rows:
            style = "bold underline" if row.heading and row.key != "group" else "bold" if row.heading else ""
            label = wrapped(row.label, width, style=style)
            cells = [Text(c, justify="right") for c in row.cells] or [""] * (len(headers) - 1)
            t.add_row(label, *cells, height=len(label.plain.split("\n")), key=None if row.heading else row.key)
        policies.say("\n".join(planning.policy_lines(p)), styles={0: "bold"})
        notes.say("\n".join(planning.notes(p)))

    def row(self, key: str) -> list[str]:
        """The cells of a row by its key (``cash:relief_received``, ``relief:other`` ...), for the tests."""
        t = self.query_one("#plan-table", DataTable)
        return [str(c) for c in t.get_row(key)]
