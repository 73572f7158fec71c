"""Packages side by side in one table (taxcalc.compare), with the differences from the first."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from ...i18n import _
from ..packages import INTRO, MAX_PACKAGES, table


class PackagesView(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static(_(INTRO), id="pk-intro", markup=False)
        yield DataTable(id="pk-table", cursor_type="column", zebra_stripes=True, header_height=2)
        yield Static("", id="pk-status", markup=False)

    def show(self, packages: list[dict], tables, options) -> None:
        t = self.query_one("#pk-table", DataTable)
        t.clear(columns=True)
        headers, rows = table(packages, tables, options)
        for k, h in enumerate(headers):
            t.add_column(Text(h), key=str(k))
        for row in rows:       # amounts right-aligned; the heading rows are Text already
            t.add_row(*[c if isinstance(c, Text) or k == 0 else Text(c, justify="right") for k, c in enumerate(row)])
        status = _("{n} of {max} packages").format(n=len(packages), max=MAX_PACKAGES)
        self.query_one("#pk-status", Static).update(status)

    def highlighted(self) -> int | None:
        """The package of the highlighted column (None on the labels or a difference)."""
        t = self.query_one("#pk-table", DataTable)
        col = t.cursor_column
        n = len(t.columns)
        packages = (n + 1) // 2 if n > 1 else 0      # label, n packages, n - 1 differences
        return col - 1 if 1 <= col <= packages else None
