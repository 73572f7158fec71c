"""HR tools: packages side by side, and the break-even wage between a Hong Kong and a mainland job.

Both stand on the one code path: :func:`taxcalc.api.calculate_many` for the comparison and
:func:`taxcalc.engine.compute` on columns of candidate wages for the solver.

**Comparison** (:func:`compare`): each package is one scenario; the rows are registry figures
(:data:`COMPARE_FIGURES`, units and labels from :mod:`taxcalc.figures`), with the exact
differences against the first package.

**Break-even** (:func:`breakeven_wages`, :func:`breakeven_hk_income`): for a case (any scenario
fields), the mainland wages whose income after IIT and the zone relief (counted in full, even
when it is settled the following year) reaches the Hong Kong offer's income after Salaries Tax in
CNY; or the reverse. After-tax income never falls as the income rises (every marginal rate is
below 100%, and the reliefs cap the tax by another tax that also rises more slowly than income),
so the answer is found by a search on whole fen (cents), evaluating many candidates in one call
of the vectorised engine; the search's upper bound comes from the tables' top marginal rates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import numpy as np

from . import columns as colmod
from .api import Result, calculate, calculate_many
from .engine import Options, compute
from .errors import InputError, InputErrors, TaxcalcError, json_text, visible
from .figures import BY_NAME
from .messages import Money, Number
from .money import MAX_AMOUNT, Column, own_decimal_context
from .scenario import FIELDS, Scenario
from .tables import Tables, load_tables
from .validate import read_json_file

# -------------------------------------------------------------------------------------------
# comparison


#: the figures a comparison shows, in order (their units, labels and meanings: taxcalc.figures)
COMPARE_FIGURES: tuple[str, ...] = (
    "gross_income", "iit", "relief", "relief_policy", "relief_paid_in", "iit_net", "income_after_iit",
    "effective_rate_mainland", "hk_assessable_income", "hk_tax", "hk_tax_reduction", "hk_tax_household", "hk_tax_cny",
    "hk_income_after_tax",
    "hk_income_after_tax_cny", "effective_rate_hk", "burden_gap_cny", "burden_gap_hkd", "macao_tax_cny",
    "burden_gap_macao_cny", "cny_per_hkd_used",
    "social_insurance_employee_cny", "social_insurance_employer_cny", "take_home_cny", "employer_cost_cny",
    "hk_take_home", "hk_employer_cost", "take_home_gap_cny",
)


@dataclass
class Comparison:
    """Packages (labels and results) and the figures of each, with differences against the first."""

    labels: list[str]
    results: list[Result]

    def rows(self) -> list[dict[str, Any]]:
        """One dict per figure: its registry entry, the values, and the differences against the
        first package (numbers only; exact, in the figure's unit)."""
        out = []
        for name in COMPARE_FIGURES:
            f = BY_NAME[name]
            values = [getattr(r, name) for r in self.results]
            diffs: list[Any] = [None] * len(values)
            if f.is_number:
                diffs = [None] + [v - values[0] for v in values[1:]]
            out.append({"key": name, "figure": f, "unit": f.unit, "values": values, "diffs": diffs})
        return out


def load_packages(paths: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """Packages from files: a .json file holds one scenario object (or a list of them); a .csv,
    .jsonl or .xlsx file (its first sheet) holds one package a row. Labels: the ``id`` if given, else the file name (and the
    row number for files of several rows)."""
    labels, packages = [], []
    for p in paths:
        path = Path(p)
        suffix = path.suffix.lower()
        if suffix == ".json":
            data = read_json_file(p)
            items = data if isinstance(data, list) else [data]
            if not items or not all(isinstance(d, dict) for d in items):
                raise TaxcalcError.coded("file.not_objects", path=p)
            rows = [(f"{path.stem}" if len(items) == 1 else f"{path.stem}:{k}", d) for k, d in enumerate(items, 1)]
        elif suffix in (".csv", ".jsonl", ".ndjson", ".xlsx"):
            rows = [(f"{path.stem}:{k}", d) for k, d in enumerate(_text_rows(p), 1)]
        else:
            raise TaxcalcError.coded("file.unknown_type", path=p)
        for label, d in rows:
            labels.append(str(d.get("id") or label))
            packages.append(d)
    if not packages:
        raise TaxcalcError.coded("file.no_packages")
    return labels, packages


def _text_rows(path: str) -> list[dict[str, Any]]:
    """Rows of a CSV or JSON Lines file as dicts of text, empty cells left out, read with the
    batch readers (so the same file rules apply); values made what the Scenario model takes."""
    from .batch import open_reader

    reader = open_reader(path)
    try:
        rows = []
        for df in reader:
            for row in df.iter_rows(named=True):
                rows.append({k: v for k, v in row.items() if k in FIELDS and v is not None})
        return rows
    finally:
        reader.close()


@own_decimal_context
def compare(packages: list[Mapping[str, Any]], labels: list[str] | None = None, *, tables: Tables | None = None,
            options: Options = Options()) -> Comparison:
    """Compute the packages in one pass and line them up."""
    results = calculate_many(packages, tables=tables, options=options)
    labels = labels or [f"package {k}" for k in range(1, len(results) + 1)]
    return Comparison(labels=labels, results=results)


def zone_packages(case: Mapping[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """The same case in every zone (none, gba, hetao, qianhai, nansha, hengqin): the zone codes and
    the packages. A zone that lies in one city implies it, so the case's ``city`` is dropped there;
    in zone none or gba a case that computes its social insurance keeps its city, or the city of
    its own zone."""
    from .scenario import ZONE
    from .social import ZONE_CITY

    own = ZONE_CITY.get(str(case.get("zone") or "").strip().lower())
    out = []
    for zone in ZONE:
        item = {k: v for k, v in case.items() if k != "zone"}
        item["zone"] = zone
        if zone in ZONE_CITY:
            item.pop("city", None)
        elif own and not item.get("city") and item.get("social_insurance_auto") not in (None, "", False):
            item["city"] = own
        out.append(item)
    return list(ZONE), out


def _md(text: str) -> str:
    """A cell of a Markdown table: | and line breaks escaped, control characters shown as ?."""
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    return visible(text)


def render_markdown(c: Comparison, lang: str = "en") -> str:
    """A Markdown table: figures down, packages across, then the differences against the first."""
    from .i18n import figure_text, render, term
    from .messages import msg

    labels = [_md(lab) for lab in c.labels]
    head = [render(msg("compare.figure"), lang), render(msg("compare.unit"), lang), *labels] + \
        [render(msg("compare.difference", a=lab, b=labels[0]), lang) for lab in labels[1:]]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * 2 + ["---:"] * (len(head) - 2)) + "|"]
    for row in c.rows():
        f = row["figure"]
        cells = [_md(term("figure", f.name, lang)), term("unit", f.unit, lang)]
        cells += [_md(figure_text(v, f, lang=lang)) for v in row["values"]]
        cells += [figure_text(d, f, signed=True, lang=lang) for d in row["diffs"][1:]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_csv(c: Comparison) -> str:
    """CSV with the same layout as the Markdown table; plain numbers (no thousands separators);
    text that a spreadsheet would run as a formula starts with a '."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    labels = [_safe(lab) for lab in c.labels]
    w.writerow(["figure", "unit", *labels] + [f"{lab} - {labels[0]}" for lab in labels[1:]])

    def plain(v: object) -> str:
        return "" if v is None else _safe(str(v))

    for row in c.rows():
        w.writerow([row["key"], row["unit"]] + [plain(v) for v in row["values"]] + [plain(d) for d in row["diffs"][1:]])
    return buf.getvalue()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str) -> str:
    """Spreadsheet formula text neutralised (a leading '), numbers left alone."""
    if text.startswith(_FORMULA_START):
        try:
            Decimal(text)
            return text
        except ArithmeticError:
            return "'" + text
    return text


def render_json(c: Comparison) -> str:
    """{"packages": [{"label", "inputs", figures...}], "differences": [{"label", figures...}]}:
    every figure by its registry name, in its unit (money as exact decimal text, rates as ratios)."""
    rows = c.rows()

    def val(v: object) -> object:
        return str(v) if isinstance(v, Decimal) else v

    packages = []
    for k, (label, r) in enumerate(zip(c.labels, c.results)):
        item = {"label": label, "inputs": r.scenario.model_dump(mode="json", exclude_none=True)}
        item.update({row["key"]: val(row["values"][k]) for row in rows})
        packages.append(item)
    diffs = [{"label": f"{c.labels[k]} - {c.labels[0]}",
              **{row["key"]: val(row["diffs"][k]) for row in rows if row["figure"].is_number}}
             for k in range(1, len(c.results))]
    return json_text({"packages": packages, "differences": diffs})


def write_xlsx(c: Comparison, path: str) -> None:
    """The CSV layout as an Excel workbook (sheet ``compare``): the header row and the figure
    column frozen; values and differences as numbers in the figure's format (money with 2 or 0
    decimals, rates as percentages, exchange rates with 6 decimals), flags as TRUE/FALSE, labels
    as text -- stored as text, never as a formula. Written under a temporary name and renamed
    into place (:class:`taxcalc.batch.writers.AtomicTarget`)."""
    import xlsxwriter

    from .batch.writers import AtomicTarget, writing
    from .batch.writers.xlsx import FORMAT_DIGITS, MAX_COLUMNS, figure_format

    labels = list(c.labels)
    header = ["figure", "unit", *labels] + [f"{lab} - {labels[0]}" for lab in labels[1:]]
    if len(header) > MAX_COLUMNS:       # xlsxwriter drops the cells beyond the last column without a word
        raise TaxcalcError.coded("compare.xlsx_too_wide", path=path, packages=Number(len(labels)),
                                 columns=Number(len(header)), max=Number(MAX_COLUMNS),
                                 other="--format csv, --format json")
    target = AtomicTarget(path)
    target.fh.close()
    try:
        with writing(path):
            book = xlsxwriter.Workbook(target.tmp, {"strings_to_formulas": False, "strings_to_numbers": False,
                                                    "strings_to_urls": False})
            sheet = book.add_worksheet("compare")
            bold, safe = book.add_format({"bold": True}), book.add_format({"quote_prefix": True})
            formats: dict[str, Any] = {}

            def exact(v: int | Decimal, number_format: str) -> bool:
                """A float holds the figure (below 2**53 of its last digit); past that it is written as text."""
                return bool(abs(v) < 2 ** 53 / 10 ** FORMAT_DIGITS[number_format])

            def text(row: int, col: int, value: str, fmt: Any = None) -> None:
                sheet.write_string(row, col, value, safe if value.startswith(_FORMULA_START) else fmt)

            for k, name in enumerate(header):
                text(0, k, name, bold)
            for r, row in enumerate(c.rows(), start=1):
                f = row["figure"]
                text(r, 0, row["key"])
                text(r, 1, row["unit"])
                number_format = figure_format(f.unit, f.decimals)
                fmt = formats.setdefault(number_format, book.add_format({"num_format": number_format})) \
                    if number_format else None
                for k, v in enumerate(list(row["values"]) + list(row["diffs"][1:]), start=2):
                    if v is None:
                        continue
                    if isinstance(v, bool):
                        sheet.write_boolean(r, k, v)
                    elif isinstance(v, (int, Decimal)) and number_format is not None and exact(v, number_format):
                        sheet.write_number(r, k, float(v), fmt)
                    else:
                        text(r, k, str(v))
            sheet.freeze_panes(1, 1)
            sheet.set_column(0, 0, 30)
            sheet.set_column(1, len(header) - 1, 16)
            book.close()
        target.commit()
    finally:
        target.abort()


# -------------------------------------------------------------------------------------------
# break-even

CANDIDATES = 256          # amounts evaluated in one engine call
MAX_MINOR = MAX_AMOUNT * 100


@dataclass(frozen=True)
class BreakEven:
    """A solved break-even: the amount found and the case's figures there."""

    solved_for: str          # "wages" (the mainland wages, CNY) or "hk_income" (the HK offer, HK$)
    amount: Decimal          # to the fen / cent
    result: Result           # the case with the amount filled in: both sides' figures
    evaluations: int         # engine calls used

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"solved_for": self.solved_for, self.solved_for: str(self.amount),
                               "tax_year": self.result.scenario.tax_year}
        out.update({k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.result.outputs().items()})
        return out


def _base(case: Mapping[str, Any], drop: str, tables: Tables, options: Options) -> tuple[Scenario, colmod.Columns]:
    """The case validated (without the amount solved for) and as columns."""
    from .api import row_errors, to_scenario

    s = to_scenario({k: v for k, v in case.items() if k != drop})
    cols = colmod.from_scenarios([s])
    problems = row_errors(cols, tables, options)
    if problems:
        raise InputErrors(problems)
    return s, {k: np.repeat(v, CANDIDATES) for k, v in cols.items()}


def _given(case: Mapping[str, Any], name: str) -> Decimal:
    """The amount the solver starts from, read with the one grammar (required)."""
    from .validate import FieldError, expected, field_error, parse_field

    try:
        value = parse_field(name, case.get(name))
    except FieldError as exc:
        raise InputErrors([field_error(name, exc, case.get(name))]) from None
    if value is None:
        raise InputErrors([InputError(name, "field.required", params={"expected": expected(name)})])
    return cast(Decimal, value)      # wages or hk_income: money fields, read as Decimal


def _top_rate(tables: Tables, year: int, side: str) -> Decimal:
    """The highest marginal rate of a side's tables for the year (bounds the search)."""
    if side == "mainland":
        t = tables.mainland[year]
        return max(b.rate for b in (*t.annual_table.brackets, *t.monthly_table.brackets))
    hk_year, _ = tables.hk_year_for(year)
    h = tables.hongkong[hk_year]
    return max(b.rate for b in (*h.progressive.bands, *h.standard_rate.bands))


def _search(net_of: Callable[[Column], Column], target: int, hi: int) -> tuple[int, int]:
    """The smallest x in [0, hi] (whole fen or cents) with net_of(x) >= target, for a non-decreasing
    vectorised ``net_of``; each call narrows the interval CANDIDATES-fold. Returns (x, calls)."""
    lo, calls = 0, 0
    # invariant: net(lo - 1) < target (or lo == 0) and net(hi) >= target
    while hi - lo > 0:
        step = max(1, -(-(hi - lo) // CANDIDATES))
        xs = np.arange(lo, hi, step, dtype=np.int64)
        nets = net_of(xs)
        calls += 1
        ok = np.nonzero(nets >= target)[0]
        if len(ok) == 0:
            lo = int(xs[-1]) + 1
        else:
            k = int(ok[0])
            if k == 0:
                return int(xs[0]), calls
            lo, hi = int(xs[k - 1]) + 1, int(xs[k])
    return hi, calls


def _solve(case: Mapping[str, Any], *, solve_for: str, given: str, tables: Tables | None, options: Options) -> BreakEven:
    tables = tables or load_tables()
    amount_given = _given(case, given)
    s, cols = _base(case, solve_for, tables, options)
    start = calculate({**s.model_dump(exclude_none=True), solve_for: 0}, tables=tables, options=options, explain=False)
    if solve_for == "wages":      # the HK offer is fixed: its income after Salaries Tax in CNY is the target
        net_fig = "income_after_iit"
        target = int(start.hk_income_after_tax_cny * 100)
        top = _top_rate(tables, s.tax_year, "mainland")
        hi = int(Decimal(target) / (1 - top)) + 100 if top < 1 else MAX_MINOR     # a 100% rate: search it all
    else:                         # the mainland wages are fixed: their income after IIT is the target
        net_fig = "hk_income_after_tax_cny"
        target = int(start.income_after_iit * 100)
        top = _top_rate(tables, s.tax_year, "hongkong")
        hi = int(Decimal(target) / start.cny_per_hkd_used / (1 - top)) + 100 if top < 1 else MAX_MINOR

    def net_of(xs: Column) -> Column:
        c = {k: v[: len(xs)] for k, v in cols.items()}
        c[solve_for] = xs
        return compute(c, tables, options, trace=False).figures[net_fig]

    hi = min(MAX_MINOR, hi)
    if net_of(np.array([hi], dtype=np.int64))[0] < target:
        most = Money(MAX_AMOUNT, "CNY" if solve_for == "wages" else "HKD", 0)
        raise InputErrors([InputError(given, "breakeven.none", amount_given, params={"max": most})])
    x, calls = _search(net_of, target, hi)
    amount = (Decimal(x) / 100).quantize(Decimal("0.01"))
    result = calculate({**s.model_dump(exclude_none=True), solve_for: amount}, tables=tables, options=options,
                       explain=False)
    return BreakEven(solve_for, amount, result, calls + 2)


@own_decimal_context
def breakeven_wages(case: Mapping[str, Any], *, tables: Tables | None = None, options: Options = Options()) -> BreakEven:
    """The mainland wages whose income after IIT and the zone relief (counted in full, even when
    settled the following year) reaches the Hong Kong offer's income after Salaries Tax in CNY.

    ``case`` is a scenario (the batch column keys) with ``hk_income``, the Hong Kong offer; its
    other fields (year, identity, zone, deductions, the HK family, the exchange rate or its
    default) apply to both sides. The answer is the smallest wages, to the fen, whose
    ``income_after_iit`` reaches ``hk_income_after_tax_cny``: equal, or one fen above where
    rounding steps over it."""
    return _solve(case, solve_for="wages", given="hk_income", tables=tables, options=options)


@own_decimal_context
def breakeven_hk_income(case: Mapping[str, Any], *, tables: Tables | None = None,
                        options: Options = Options()) -> BreakEven:
    """The reverse: the Hong Kong income (HK$, to the cent) whose income after Salaries Tax in
    CNY reaches the mainland ``wages``' income after IIT and the zone relief."""
    return _solve(case, solve_for="hk_income", given="wages", tables=tables, options=options)


def render_breakeven(b: BreakEven, lang: str = "en") -> str:
    """A short text answer with both sides' figures."""
    from .i18n import display_width, figure_text, render, term
    from .messages import msg

    r = b.result
    head = (msg("breakeven.wages", hk=Money(r.hk_assessable_income, "HKD"), amount=Money(b.amount, "CNY"))
            if b.solved_for == "wages" else
            msg("breakeven.hk_income", wages=Money(r.gross_income, "CNY"), amount=Money(b.amount, "HKD")))
    names = ("gross_income", "iit", "relief", "relief_policy", "relief_paid_in", "iit_net", "income_after_iit",
             "effective_rate_mainland", "hk_year_of_assessment", "hk_assessable_income", "hk_tax", "hk_tax_reduction",
             "hk_income_after_tax", "hk_income_after_tax_cny", "cny_per_hkd_used", "income_gap_cny")
    rows = [(term("figure", n, lang), figure_text(getattr(r, n), BY_NAME[n], lang=lang)) for n in names]
    width = max(display_width(k) for k, _ in rows)
    return "\n".join([render(head, lang), ""] + [f"{k}{' ' * (width - display_width(k))}  {v}" for k, v in rows])
