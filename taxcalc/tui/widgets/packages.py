"""Packages side by side in one table (taxcalc.compare), with the differences from the first."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable

from ...errors import TaxcalcError
from ...i18n import _, error_lines
from ..packages import FOLLOWING, INTRO, MAX_PACKAGES, NOT_COMPUTED, NOT_COMPUTED_NOTE, table
from .prose import Prose
from .table import CELL_WIDTH, ColumnTable, label_width, wrapped


class PackagesView(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Prose(_(INTRO), id="pk-intro")
        # the labels stay in view while the columns scroll (arrow keys): four packages and their
        # differences are wider than 80 columns
        yield ColumnTable(id="pk-table", cursor_type="column", zebra_stripes=True, header_height=2, fixed_columns=1)
        yield Prose("", id="pk-status")

    def show(self, packages: list[dict], tables, options, following: bool = False) -> None:
        t = self.query_one("#pk-table", DataTable)
        t.clear(columns=True)
        try:
            headers, rows = table(packages, tables, options)
        except TaxcalcError as exc:       # a package the rules refuse: said, never a crash
            self.query_one("#pk-status", Prose).say("\n".join(error_lines(exc, fields="label")))
            return
        width = label_width(self.app.size.width, narrow=22)
        for k, h in enumerate(headers):
            t.add_column(Text(h), key=str(k), width=width if k == 0 else None)
        for row in rows:       # labels wrapped to their column, amounts right-aligned; the heading rows are Text already
            label = wrapped(row[0].plain, "bold", width) if isinstance(row[0], Text) else wrapped(row[0], width)
            cells = [c if isinstance(c, Text) else wrapped(c, CELL_WIDTH, justify="right") for c in row[1:]]
            t.add_row(label, *cells, height=max(len(c.plain.split("\n")) for c in (label, *cells)))
        status = _("{n} of {max} packages").format(n=len(packages), max=MAX_PACKAGES)
        if any(c == NOT_COMPUTED for row in rows for c in row[1:]):
            status += "\n" + _(NOT_COMPUTED_NOTE)
        if following:
            status += "\n" + _(FOLLOWING)
        self.query_one("#pk-status", Prose).say(status)

    def highlighted(self) -> int | None:
        """The package of the highlighted column (None on the labels or a difference)."""
        t = self.query_one("#pk-table", DataTable)
        col = t.cursor_column
        n = len(t.columns)
        packages = (n + 1) // 2 if n > 1 else 0      # label, n packages, n - 1 differences
        return col - 1 if 1 <= col <= packages else None
