"""The monthly withholding on the mainland wages (累计预扣法) against the annual result."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable

from ...api import withholding
from ...errors import TaxcalcError
from ...figures import BY_NAME
from ...i18n import _, figure_text, money
from ..report import relief_line
from .prose import Prose

#: the withholding schedule's amounts are CNY to the fen, shown as the registry's CNY figures are
_CNY = BY_NAME["iit"]


def cny(v) -> str:
    return money(v, "CNY")


class WithholdingView(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Prose("", id="wh-intro")
        yield Prose("", id="wh-summary")       # the answer first, the months below
        yield DataTable(id="wh-table", zebra_stripes=True, cursor_type="row")

    def show(self, scenario, tables, result=None) -> None:
        table = self.query_one("#wh-table", DataTable)
        table.clear(columns=True)
        intro = self.query_one("#wh-intro", Prose)
        summary = self.query_one("#wh-summary", Prose)
        try:
            w = withholding(scenario, tables=tables)
        except TaxcalcError:
            intro.say(_("The cumulative withholding schedule applies to mainland tax residents only."))
            summary.say("")
            return
        intro.say(_("What payroll withholds from the wages each month (cumulative method), with the "
                       "deductions spread evenly; the bonus and other income are withheld apart."))
        table.add_columns(_("Month"), _("Income to date"), _("Taxable to date"), _("Tax to date"), _("Withheld"))
        for m in w.months:
            table.add_row(str(m.month), cny(m.cumulative_income), cny(m.cumulative_taxable), cny(m.cumulative_tax),
                          cny(m.withheld), key=str(m.month))
        signed = figure_text(w.settlement, _CNY, signed=True)
        if w.settlement > 0:
            settle = _("▲ top-up at the annual reconciliation: {amount}").format(amount=signed)
        elif w.settlement < 0:
            settle = _("▼ refund at the annual reconciliation: {amount}").format(amount=signed)
        else:
            settle = _("= nothing to settle at the annual reconciliation")
        lines = [
            _("Withheld in the year: {amount}").format(amount=cny(w.withheld_total)),
            _("Annual tax on the same wages: {amount}").format(amount=cny(w.annual_tax)),
            settle,
        ]
        if result is not None and result.relief:
            lines.append(_("Zone relief on top: {relief}").format(relief=relief_line(result)))
        summary.say("\n".join(lines))
