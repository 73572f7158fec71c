"""Effective tax rate against gross income: mainland before and after relief, Hong Kong."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from ...i18n import _, money


class RateChart(PlotextPlot):
    """Three series told apart by marker and label, not colour alone; the case's income is a
    vertical line and named in the title."""

    def draw(self, incomes, before, after, hk, mark: float) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        xs = [x / 1000 for x in incomes]
        plt.plot(xs, before, marker="x", label=_("x mainland before relief"))
        plt.plot(xs, after, marker="o", label=_("o mainland after relief"))
        plt.plot(xs, hk, marker="+", label=_("+ Hong Kong"))
        plt.vline(mark / 1000)
        plt.title(_("Effective tax rate (%) by gross income; | your income {income}").format(
            income=money(mark, "CNY", decimals=False)))
        plt.xlabel(_("gross income, thousand CNY a year"))
        top = max([*before, *after, *hk, 1.0])
        plt.ylim(0, top * 1.1)
        self.refresh()
