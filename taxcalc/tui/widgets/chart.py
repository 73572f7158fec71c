"""Effective tax rate against gross income: mainland before and after relief, Hong Kong."""

from __future__ import annotations

from textual_plotext import PlotextPlot


class RateChart(PlotextPlot):
    """Three series told apart by marker (x, o, +), not colour alone; the case's income is a
    vertical line. Text (title, legend, axis name) lives outside the plot, in the UI language:
    plotext counts every character as one cell, so CJK text inside it breaks the frame."""

    def draw(self, incomes, before, after, hk, mark: float) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        xs = [x / 1000 for x in incomes]
        plt.plot(xs, before, marker="x")
        plt.plot(xs, hk, marker="+")
        plt.plot(xs, after, marker="o")
        plt.vline(mark / 1000)
        top = max([*before, *after, *hk, 1.0])
        plt.ylim(0, top * 1.1)
        span = max(xs) if xs else 1.0
        step = next(s for s in (50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000) if span / s <= 6)
        ticks = [step * k for k in range(int(span // step) + 1)]
        plt.xticks(ticks, [f"{t:,.0f}" for t in ticks])
        plt.xlabel("k CNY")
        plt.ylabel("%")
        self.refresh()
