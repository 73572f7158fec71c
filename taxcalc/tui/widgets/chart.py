"""Effective tax rate against gross income: mainland before and after relief, Hong Kong."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from ...api import Result
from ...i18n import number, percent

#: tick steps on the income axis (CNY); the first that gives at most 6 ticks is used
_STEPS = (50_000, 100_000, 200_000, 250_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000)


class RateChart(PlotextPlot):
    """Three series told apart by marker (x, o, +), not colour alone; the case's income is a
    vertical line. Points are the registry's figures of each income (taxcalc.curve); the tick
    labels are formatted for the language (grouped amounts, percentages). Text (title, legend,
    axis names) lives outside the plot, in the UI language: plotext counts every character as one
    cell, so CJK text inside it breaks the frame; the tick labels are digits and signs only."""

    def draw(self, points: list[Result], mark: Result) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        xs = [float(p.gross_income) for p in points]
        series = {name: [float(getattr(p, name)) for p in points]
                  for name in ("effective_rate_before_relief", "effective_rate_mainland", "effective_rate_hk")}
        plt.plot(xs, series["effective_rate_before_relief"], marker="x")
        plt.plot(xs, series["effective_rate_hk"], marker="+")
        plt.plot(xs, series["effective_rate_mainland"], marker="o")
        plt.vline(float(mark.gross_income))
        # layout: the axes' extent and ticks (positions on the screen, not figures)
        top = max([*series["effective_rate_before_relief"], *series["effective_rate_hk"], 0.01])
        plt.ylim(0, top * 1.1)
        ystep = next(s for s in (0.01, 0.02, 0.05, 0.1, 0.2) if top / s <= 6)
        yticks = [k * ystep for k in range(int(top / ystep) + 1)]
        plt.yticks(yticks, [percent(f"{t:.2f}", 0) for t in yticks])
        span = max(xs) if xs else 1.0
        step = next((s for s in _STEPS if span / s <= 6), _STEPS[-1])
        ticks = [step * k for k in range(int(span // step) + 1)]
        plt.xticks(ticks, [number(t, 0) for t in ticks])
        self.refresh()
