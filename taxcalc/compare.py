"""HR tools: packages side by side, and the break-even wage between a Hong Kong and a mainland job.

Both stand on the one code path: :func:`taxcalc.api.calculate_many` for the comparison and
:func:`taxcalc.engine.compute` on columns of candidate wages for the solver.

**Comparison** (:func:`compare`): each package is one scenario; the table shows, for each, the
gross income, the mainland IIT before relief, the zone relief and the year it is paid, the IIT
after relief, the net income and the effective rate, and the same for the Hong Kong alternative
(HK$ and CNY), with the differences against the first package.

**Break-even** (:func:`breakeven_wages`, :func:`breakeven_hk_income`): the annual mainland wages
(no bonus, no other income, no deductions) whose income after IIT and the zone relief (counted in
full, even when it is paid the following year) equals the Hong Kong job's income after Salaries
Tax (default MPF deduction, the year's one-off reduction applied) converted at the given rate; or
the reverse. After-tax income never falls as the income rises (every marginal rate is below
100%, and the reliefs cap the tax by another tax that also rises more slowly than income), so
the answer is found by a search on whole fen (cents), evaluating many candidates in one call of
the vectorised engine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from . import columns as colmod
from .api import Result, calculate, calculate_many
from .engine import Options, compute
from .errors import InputError, InputErrors, TaxcalcError
from .money import FX, MAX_AMOUNT, half_up_div
from .scenario import FIELDS, Scenario, field_kind
from .tables import Tables, load_tables

# -------------------------------------------------------------------------------------------
# comparison


@dataclass(frozen=True)
class Figure:
    """One line of the comparison: a label, its unit, and how to read it from a Result."""

    key: str
    label: str
    unit: str            # CNY, HK$, %, rate, year, text

    def value(self, r: Result):
        if self.key == "hk_net_income_cny":
            return (r.hk_net_income * r.cny_per_hkd).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        if self.key == "relief_paid_in":
            return r.relief_paid_in if r.relief_policy != "none" else None
        v = getattr(r, self.key)
        if self.unit == "%":
            return (v * 100).quantize(Decimal("0.01"))
        return v


FIGURES: tuple[Figure, ...] = (
    Figure("gross_income", "Gross mainland income", "CNY"),
    Figure("iit", "Mainland IIT before relief", "CNY"),
    Figure("relief", "Zone relief", "CNY"),
    Figure("relief_policy", "Relief policy", "text"),
    Figure("relief_paid_in", "Relief paid in", "year"),
    Figure("iit_net", "Mainland IIT after relief", "CNY"),
    Figure("net_income_mainland", "Net income, mainland", "CNY"),
    Figure("effective_rate_mainland", "Effective rate, mainland", "%"),
    Figure("hk_income", "Hong Kong income", "HK$"),
    Figure("hk_tax", "HK Salaries Tax", "HK$"),
    Figure("hk_tax_reduction", "  of which one-off reduction", "HK$"),
    Figure("hk_tax_cny", "HK Salaries Tax in CNY", "CNY"),
    Figure("hk_net_income", "Net income, Hong Kong", "HK$"),
    Figure("hk_net_income_cny", "Net income, Hong Kong, in CNY", "CNY"),
    Figure("effective_rate_hk", "Effective rate, Hong Kong", "%"),
    Figure("burden_gap_cny", "Burden gap (mainland IIT - HK tax)", "CNY"),
    Figure("cny_per_hkd", "Exchange rate (CNY per HK$)", "rate"),
)
NUMERIC_UNITS = ("CNY", "HK$", "%")


@dataclass
class Comparison:
    """Packages (labels and results) and the figures of each, with differences against the first."""

    labels: list[str]
    results: list[Result]

    def rows(self) -> list[dict[str, Any]]:
        """One dict per figure: label, unit, the values, and the differences (numeric figures)."""
        out = []
        for f in FIGURES:
            values = [f.value(r) for r in self.results]
            diffs = [None] * len(values)
            if f.unit in NUMERIC_UNITS:
                diffs = [None] + [v - values[0] for v in values[1:]]
            out.append({"key": f.key, "figure": f.label, "unit": f.unit, "values": values, "diffs": diffs})
        return out


def load_packages(paths: list[str]) -> tuple[list[str], list[dict]]:
    """Packages from files: a .json file holds one scenario object (or a list of them); a .csv or
    .jsonl file holds one package a row. Labels: the ``id`` if given, else the file name (and the
    row number for files of several rows)."""
    labels, packages = [], []
    for p in paths:
        path = Path(p)
        if not path.is_file():
            raise InputError("file", "no such file", p)
        suffix = path.suffix.lower()
        if suffix == ".json":
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise TaxcalcError(f"{p}: not valid JSON ({exc})") from None
            items = data if isinstance(data, list) else [data]
            if not all(isinstance(d, dict) for d in items):
                raise TaxcalcError(f"{p}: expected a JSON object with the batch column keys (or a list of them)")
            rows = [(f"{path.stem}" if len(items) == 1 else f"{path.stem}:{k}", d) for k, d in enumerate(items, 1)]
        elif suffix in (".csv", ".jsonl", ".ndjson"):
            rows = [(f"{path.stem}:{k}", d) for k, d in enumerate(_text_rows(p), 1)]
        else:
            raise TaxcalcError(f"{p}: unknown file type; use .json (one package), .csv or .jsonl (a package a row)")
        for label, d in rows:
            labels.append(str(d.get("id") or label))
            packages.append(d)
    if not packages:
        raise TaxcalcError("no packages: give one or more files")
    return labels, packages


def _text_rows(path: str) -> list[dict]:
    """Rows of a CSV or JSON Lines file as dicts of text, empty cells left out, read with the
    batch readers (so the same file rules apply); values made what the Scenario model takes."""
    from .batch import open_reader

    reader = open_reader(path)
    try:
        rows = []
        for df in reader:
            for row in df.iter_rows(named=True):
                rows.append({k: _model_value(k, v) for k, v in row.items()
                             if k in FIELDS and v is not None and str(v).strip() != ""})
        return rows
    finally:
        reader.close()


def _model_value(name: str, text: str):
    text = str(text).strip()
    if field_kind(name) == "choice_int" and text.isdigit():
        return int(text)
    if field_kind(name) == "choice":
        return text.lower()
    return text


def compare(packages: list[Mapping[str, Any]], labels: list[str] | None = None, *, tables: Tables | None = None,
            options: Options = Options()) -> Comparison:
    """Compute the packages in one pass and line them up."""
    results = calculate_many(packages, tables=tables, options=options)
    labels = labels or [f"package {k}" for k in range(1, len(results) + 1)]
    return Comparison(labels=labels, results=results)


def _fmt(value, unit: str, signed: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and unit == "HK$":          # Salaries Tax: whole dollars
        return f"{value:+,}" if signed else f"{value:,}"
    if unit in ("CNY", "HK$"):
        return f"{value:+,.2f}" if signed else f"{value:,.2f}"
    if unit == "%":
        return f"{value:+.2f}" if signed else f"{value:.2f}"
    return str(value)


def render_markdown(c: Comparison) -> str:
    """A Markdown table: figures down, packages across, then the differences against the first."""
    head = ["Figure", "Unit", *c.labels] + [f"{lab} - {c.labels[0]}" for lab in c.labels[1:]]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * 2 + ["---:"] * (len(head) - 2)) + "|"]
    for row in c.rows():
        cells = [row["figure"].strip(), row["unit"]] + [_fmt(v, row["unit"]) for v in row["values"]]
        cells += [_fmt(d, row["unit"], signed=True) for d in row["diffs"][1:]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_csv(c: Comparison) -> str:
    """CSV with the same layout as the Markdown table; plain numbers (no thousands separators)."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["figure", "unit", *c.labels] + [f"{lab} - {c.labels[0]}" for lab in c.labels[1:]])
    for row in c.rows():
        plain = lambda v: "" if v is None else str(v)  # noqa: E731
        w.writerow([row["key"], row["unit"]] + [plain(v) for v in row["values"]] + [plain(d) for d in row["diffs"][1:]])
    return buf.getvalue()


def render_json(c: Comparison) -> str:
    """{"packages": [{"label", "inputs", figures...}], "differences": [{"label", figures...}]}"""
    rows = c.rows()

    def val(v):
        return str(v) if isinstance(v, Decimal) else v

    packages = []
    for k, (label, r) in enumerate(zip(c.labels, c.results)):
        item = {"label": label, "inputs": r.scenario.model_dump(mode="json", exclude_none=True)}
        item.update({row["key"]: val(row["values"][k]) for row in rows})
        packages.append(item)
    diffs = [{"label": f"{c.labels[k]} - {c.labels[0]}",
              **{row["key"]: val(row["diffs"][k]) for row in rows if row["unit"] in NUMERIC_UNITS}}
             for k in range(1, len(c.results))]
    return json.dumps({"packages": packages, "differences": diffs}, ensure_ascii=False, indent=2)


# -------------------------------------------------------------------------------------------
# break-even

CANDIDATES = 256          # wages evaluated in one engine call
MAX_FEN = MAX_AMOUNT * 100


@dataclass(frozen=True)
class BreakEven:
    """A solved break-even: the amount found and both sides' figures."""

    solved_for: str          # "wages" (mainland) or "hk_income"
    amount: Decimal          # the wages (CNY) or the HK income (HK$), to the fen / cent
    mainland: Result
    hong_kong: Result
    mainland_net_cny: Decimal
    hk_net_cny: Decimal
    evaluations: int         # engine calls used

    @property
    def gap(self) -> Decimal:
        """Mainland net minus HK net in CNY: 0, or the one fen the rounding steps over."""
        return self.mainland_net_cny - self.hk_net_cny

    def as_dict(self) -> dict:
        m, h = self.mainland, self.hong_kong
        return {
            self.solved_for: str(self.amount),
            "tax_year": m.scenario.tax_year,
            "cny_per_hkd": str(m.cny_per_hkd),
            "mainland": {
                "wages": str(m.gross_income), "iit": str(m.iit), "relief": str(m.relief),
                "relief_policy": m.relief_policy,
                "relief_paid_in": m.relief_paid_in if m.relief_policy != "none" else None,
                "iit_net": str(m.iit_net), "net_income": str(self.mainland_net_cny),
                "effective_rate": str(m.effective_rate_mainland),
            },
            "hong_kong": {
                "hk_income": str(h.hk_income), "hk_tax": h.hk_tax, "hk_tax_reduction": h.hk_tax_reduction,
                "year_of_assessment": h.hk_year_of_assessment, "net_income_hkd": str(h.hk_net_income),
                "net_income_cny": str(self.hk_net_cny),
            },
            "difference_cny": str(self.gap),
        }


def _base_columns(base: Mapping[str, Any], n: int) -> colmod.Columns:
    s = Scenario.model_validate(dict(base))
    cols = colmod.from_scenarios([s])
    problems = [InputError(f, m) for mask, f, m in colmod.cross_field_errors(cols)]
    if problems:
        raise InputErrors(problems)
    return {k: np.repeat(v, n) for k, v in cols.items()}


def _check_year(tables: Tables, year: int) -> None:
    from .api import check_years

    if check_years(np.array([year], dtype=np.int64), tables)[0]:
        raise InputError("tax_year", f"no tables for this year; available: "
                         f"{', '.join(map(str, tables.mainland_years()))}", year)


def _search(net_of, target: int, hi: int) -> tuple[int, int]:
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


def _scenario(tax_year: int, identity: str, zone: str, talent: bool, cny_per_hkd, **extra) -> dict:
    d = {"tax_year": tax_year, "identity": identity, "zone": zone, "talent": talent,
         "cny_per_hkd": str(cny_per_hkd)}
    d.update({k: v for k, v in extra.items() if v is not None})
    return d


def breakeven_wages(*, tax_year: int, identity: str = "mainland", zone: str = "none", talent: bool = False,
                    hk_income, cny_per_hkd, residency: str = "resident", work_days=None,
                    tables: Tables | None = None, options: Options = Options()) -> BreakEven:
    """The mainland wages whose income after IIT and relief matches the HK job's after Salaries Tax.

    The HK side: ``hk_income`` (HK$) less Salaries Tax with the default MPF deduction and the
    one-off reduction, times ``cny_per_hkd``, to the fen (half up). The answer is the smallest
    wages, to the fen, whose mainland net income reaches that amount: equal to it, or one fen above
    where rounding steps over it.
    """
    tables = tables or load_tables()
    _check_year(tables, tax_year)
    hk_side = calculate(_scenario(tax_year, identity, zone, talent, cny_per_hkd, residency=residency,
                                  work_days=work_days, hk_income=str(hk_income)),
                        tables=tables, options=options, explain=False)
    rate = int(hk_side.cny_per_hkd * FX)
    hk_net_cents = int(hk_side.hk_net_income * 100)
    target = int(half_up_div(hk_net_cents * rate, FX))

    base = _scenario(tax_year, identity, zone, talent, cny_per_hkd, residency=residency, work_days=work_days)
    cols = _base_columns(base, CANDIDATES)

    def net_of(wages_fen: np.ndarray) -> np.ndarray:
        c = {k: v[: len(wages_fen)] for k, v in cols.items()}
        c["wages"] = wages_fen
        r = compute(c, tables, options)
        return r["net_income_mainland_fen"]

    hi = min(MAX_FEN, target * 100 // 55 + 100)     # every marginal rate is at most 45%
    if net_of(np.array([hi], dtype=np.int64))[0] < target:
        raise InputError("hk_income", "no mainland wages up to 1,000,000,000 give as much after tax", hk_income)
    wages_fen, calls = _search(net_of, target, hi)
    wages = (Decimal(wages_fen) / 100).quantize(Decimal("0.01"))
    mainland = calculate({**base, "wages": str(wages)}, tables=tables, options=options, explain=False)
    return BreakEven("wages", wages, mainland, hk_side, mainland.net_income_mainland,
                     (Decimal(target) / 100).quantize(Decimal("0.01")), calls + 1)


def breakeven_hk_income(*, tax_year: int, identity: str = "mainland", zone: str = "none", talent: bool = False,
                        mainland_wages, cny_per_hkd, residency: str = "resident", work_days=None,
                        tables: Tables | None = None, options: Options = Options()) -> BreakEven:
    """The reverse: the HK income (HK$, to the cent) whose income after Salaries Tax, converted at
    ``cny_per_hkd``, reaches the mainland wages' income after IIT and relief."""
    tables = tables or load_tables()
    _check_year(tables, tax_year)
    base = _scenario(tax_year, identity, zone, talent, cny_per_hkd, residency=residency, work_days=work_days)
    mainland = calculate({**base, "wages": str(mainland_wages)}, tables=tables, options=options, explain=False)
    target = int(mainland.net_income_mainland * 100)
    rate = int(mainland.cny_per_hkd * FX)
    cols = _base_columns(base, CANDIDATES)

    def net_of(hk_cents: np.ndarray) -> np.ndarray:
        c = {k: v[: len(hk_cents)] for k, v in cols.items()}
        c["hk_income"] = hk_cents
        r = compute(c, tables, options)
        return half_up_div(r["hk_after_tax_cents"] * rate, FX)

    hi = min(MAX_FEN, target * FX // max(rate, 1) * 100 // 80 + 100)   # Salaries Tax is at most 17% (16%)
    if net_of(np.array([hi], dtype=np.int64))[0] < target:
        raise InputError("mainland_wages", "no HK income up to 1,000,000,000 gives as much after tax", mainland_wages)
    cents, calls = _search(net_of, target, hi)
    hk_income = (Decimal(cents) / 100).quantize(Decimal("0.01"))
    hk_side = calculate({**base, "hk_income": str(hk_income)}, tables=tables, options=options, explain=False)
    hk_net_fen = int(half_up_div(int(hk_side.hk_net_income * 100) * rate, FX))
    hk_net_cny = (Decimal(hk_net_fen) / 100).quantize(Decimal("0.01"))
    return BreakEven("hk_income", hk_income, mainland, hk_side, mainland.net_income_mainland, hk_net_cny, calls + 1)


def render_breakeven(b: BreakEven) -> str:
    """A short text answer with both sides' figures."""
    m, h = b.mainland, b.hong_kong
    head = (f"Mainland wages that match HK$ {h.hk_income:,} in Hong Kong: CNY {b.amount:,}"
            if b.solved_for == "wages" else
            f"Hong Kong income that matches CNY {m.gross_income:,} of mainland wages: HK$ {b.amount:,}")
    relief = (f"CNY {m.relief:,} ({m.relief_policy}, paid in {m.relief_paid_in})" if m.relief_policy != "none"
              else "none applies")
    rows = [
        ("Tax year", f"{m.scenario.tax_year}; CNY {m.cny_per_hkd} per HK$"),
        ("Mainland wages", f"CNY {m.gross_income:,}"),
        ("  IIT before relief", f"CNY {m.iit:,}"),
        ("  zone relief", relief),
        ("  IIT after relief", f"CNY {m.iit_net:,}"),
        ("  net income", f"CNY {b.mainland_net_cny:,}"),
        (f"Hong Kong income ({h.hk_year_of_assessment})", f"HK$ {h.hk_income:,}"),
        ("  Salaries Tax", f"HK$ {h.hk_tax:,} (after the one-off reduction of HK$ {h.hk_tax_reduction:,})"),
        ("  net income", f"HK$ {h.hk_net_income:,} = CNY {b.hk_net_cny:,}"),
        ("Difference (mainland - HK)", f"CNY {b.gap:,}"),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join([head, ""] + [f"{k:<{width}}  {v}" for k, v in rows])
