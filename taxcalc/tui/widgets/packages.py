"""Packages side by side in one table, with the differences from the first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from ...i18n import _
from ..packages import MAX_PACKAGES, Package, table


class PackagesView(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static(_("Up to four offers side by side, all in CNY a year. a: add the current case; "
                       "h: add its Hong Kong side; d: remove the highlighted column; c: clear."),
                     id="pk-intro", markup=False)
        yield DataTable(id="pk-table", cursor_type="column", zebra_stripes=True)
        yield Static("", id="pk-status", markup=False)

    def show(self, packages: list[Package], tables, options) -> None:
        t = self.query_one("#pk-table", DataTable)
        t.clear(columns=True)
        headers, rows = table(packages, tables, options)
        for k, h in enumerate(headers):
            t.add_column(h, key=str(k))
        for row in rows:
            t.add_row(*row)
        status = _("{n} of {max} packages").format(n=len(packages), max=MAX_PACKAGES)
        self.query_one("#pk-status", Static).update(status)

    def highlighted(self) -> int | None:
        t = self.query_one("#pk-table", DataTable)
        col = t.cursor_column
        return col - 1 if col >= 1 else None
