"""Plans for a file of candidates: ``taxcalc plan people.xlsx --years 2025-2030 -o plans.xlsx``.

Each row of the input (any batch format: CSV, JSON Lines, Parquet, an Excel sheet; the batch
columns) is one candidate's offer; :func:`run_plans` plans every candidate over the years
(:func:`taxcalc.plan.plan_many`: each year equals ``calc`` for that year) and writes a table with
one row per candidate and calendar year (:func:`taxcalc.plan.row_columns`): the year's figures on
both bases, the cash received that year and the running gap against the Hong Kong job. A row the
rules refuse goes to the errors file (row, column, value, message), as in a batch; the other
candidates are planned. The same files guarantees as a batch: the paths checked before anything
is read, both targets locked, written under temporary names and renamed into place at the end
(the errors file first), nothing replaced when a run fails.

Candidates are planned :data:`GROUP` at a time (one pass of the engine for each basis), and
their rows written as they are done, so memory stays flat over a long file. Planning costs about
a third of a millisecond a candidate-year and basis (about 250 candidates a second over six years).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import polars as pl

from ..api import to_scenario
from ..engine import Options
from ..errors import InputErrors
from ..money import own_decimal_context
from ..plan import Plan, default_span, other_prefix, plan_many, plan_rows, row_columns
from ..scenario import FIELDS
from ..tables import Tables, load_tables
from .errors import BatchFileError
from .readers import file_format
from .runner import BatchSummary, commit_files, run_files
from .writers import ErrorsWriter, check_paths, default_errors_path, open_writer

#: candidates planned in one pass of the engine
GROUP = 500


@own_decimal_context
def run_plans(input_path: str, output_path: str, errors_path: str | None = None, *, years: range | None = None,
              growth: Decimal = Decimal(0), hk_growth: Decimal = Decimal(0), tables: Tables | None = None,
              options: Options = Options(), sheet: str | None = None,
              overrides: Mapping[str, Any] | None = None) -> BatchSummary:
    """Plan every candidate (row) of ``input_path`` over ``years`` (None: each candidate's
    ``tax_year`` and the five after it) into ``output_path``; refused rows into ``errors_path``.
    ``overrides`` (the command line's scenario options) replace those cells in every row.
    ``summary.rows`` counts candidates (computed: planned). Raises as :func:`taxcalc.batch.run`
    does for refused paths, unreadable files and failed writes."""
    tables = tables or load_tables()
    started = time.perf_counter()
    errors_path = errors_path or default_errors_path(output_path)
    check_paths(input_path, output_path, errors_path)
    file_format(output_path)
    if errors_path not in ("-stderr", "-") and file_format(errors_path) != "csv":
        raise BatchFileError(f"{errors_path}: the errors file is CSV; give a .csv name")
    headline = "renewed" if options.assume_extended else "enacted"
    summary = BatchSummary(output=output_path,
                           errors_path={"-stderr": "standard error", "-": "standard output"}.get(errors_path, errors_path))
    with run_files(summary, input_path, output_path, errors_path, sheet) as (reader, opened, signals):
        columns = row_columns(headline)
        extra = [c for c in reader.columns if c not in FIELDS and c != "id"]    # passed through, as text
        clash = [c for c in extra if c in {name for name, _, _ in columns}]
        if clash:
            raise BatchFileError(f"{input_path}: {', '.join(clash[:5])}: named as a column of the plans; "
                                 "rename it in the file of candidates")
        units = {"id": ("text", 0), **dict.fromkeys(extra, ("text", 0)),
                 **{name: (unit, decimals) for name, unit, decimals in columns[1:]}}
        writer = open_writer(output_path, [], units)
        free_text = _free_text(headline, extra)
        opened.append(writer)
        summary.written = lambda: writer.rows        # rows written so far (to standard output, if it stops)
        errw = ErrorsWriter(errors_path)
        opened.append(errw)
        schema = _schema(units)
        wrote = False
        for group in _groups(_candidates(reader, summary, overrides or {}, extra), GROUP):
            rows = [row for row, _, _ in group]
            cases = [case for _, case, _ in group]
            plans = _plan_group(cases, rows, years, growth, hk_growth, tables, options, errw)
            table = [{**r, **kept} for (row, case, (label, kept)), p in zip(group, plans) if p is not None
                     for r in plan_rows(p, label)]
            summary.computed += sum(p is not None for p in plans)
            summary.rejected += sum(p is None for p in plans)
            if table:
                writer.write_frame(pl.DataFrame(table, schema=schema), free_text)
                wrote = True
        if not wrote:                       # no candidate at all: the header (Parquet: the schema)
            writer.write_frame(pl.DataFrame(schema=schema), free_text)
        commit_files(opened, signals)           # the errors file first, the output last
    summary.seconds = time.perf_counter() - started
    return summary


def _candidates(reader: Any, summary: BatchSummary, overrides: Mapping[str, Any], extra: list[str]
                ) -> Iterator[tuple[int, dict[str, Any], tuple[str, dict[str, Any]]]]:
    """(data row number, the row's known cells, (its label: the id or the row number, its other
    cells as read)) for each row with a cell; rows of empty cells are skipped and counted."""
    row = 0
    for df in reader:
        names = [c for c in df.columns if c in FIELDS or c == "id"]
        for values in df.select(names + extra).iter_rows():
            row += 1
            summary.rows += 1
            if all(v is None or str(v) == "" for v in values):
                summary.skipped += 1
                continue
            case = {k: v for k, v in zip(names, values) if v is not None and str(v).strip() != ""}
            kept = dict(zip(extra, values[len(names):]))
            label = str(case.get("id") or row)
            yield row, {**case, **overrides}, (label, kept)


def _groups(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    group: list[Any] = []
    for item in items:
        group.append(item)
        if len(group) == size:
            yield group
            group = []
    if group:
        yield group


def _plan_group(cases: list[dict[str, Any]], rows: list[int], years: range | None, growth: Decimal,
                hk_growth: Decimal, tables: Tables, options: Options, errw: ErrorsWriter) -> list[Plan | None]:
    """Each case's plan, or None with its errors written (their ``row`` the data row)."""
    out: list[Plan | None] = [None] * len(cases)
    errors: list[dict[str, Any]] = []
    good: list[int] = []
    spans: list[range] = []
    for k, case in enumerate(cases):
        try:
            s = to_scenario(case, row=rows[k])
            span = years or default_span(s.tax_year)
        except InputErrors as exc:
            errors += [{**e.as_dict(), "row": rows[k]} for e in exc.errors]
            continue
        good.append(k)
        spans.append(span)
    for k, p in zip(good, plan_many([cases[k] for k in good], spans, growth=growth, hk_growth=hk_growth,
                                    tables=tables, options=options)):
        if isinstance(p, InputErrors):
            errors += [{**e.as_dict(), "row": rows[k]} for e in p.errors]
        else:
            out[k] = p
    if errors:
        errors.sort(key=lambda e: e["row"])
        errw.write(pl.DataFrame(errors, schema={"row": pl.Int64, "column": pl.String, "value": pl.String,
                                                "message": pl.String}))
    return out


def plan_csv(p: Plan, label: str) -> str:
    """One plan as the CSV a file of candidates gives (:func:`run_plans`): a row per calendar
    year, the columns of :func:`taxcalc.plan.row_columns`, text cells formula-safe. The terminal
    UI's plan export."""
    from .writers import neutralise_formulas

    columns = row_columns(p.headline)
    schema = _schema({name: (unit, decimals) for name, unit, decimals in columns})
    frame = neutralise_formulas(pl.DataFrame(plan_rows(p, label), schema=schema), _free_text(p.headline, []))
    return frame.write_csv()


def _free_text(headline: str, extra: list[str]) -> list[str]:
    """The plan columns that can hold a user's text (formula-safe in CSV): the id, the file's own
    columns, and the policy labels (a user's tables may name a policy)."""
    return ["id", *extra, "relief_policy", other_prefix(headline) + "relief_policy"]


def _schema(units: dict[str, tuple[str, int]]) -> dict[str, pl.DataType]:
    """The polars type of each plan column: exact decimals for money and ratios, integers for
    whole dollars and years, booleans, text."""
    def dtype(unit: str, decimals: int) -> pl.DataType:
        if unit in ("CNY", "HKD", "MOP", "rate", "fx"):
            return pl.Decimal(20, decimals) if decimals else pl.Int64()
        return {"year": pl.Int64(), "bool": pl.Boolean()}.get(unit, pl.String())
    return {name: dtype(unit, decimals) for name, (unit, decimals) in units.items()}


__all__: Sequence[str] = ["GROUP", "plan_csv", "run_plans"]
