"""Plan an offer over several tax years: each year's figures, the cash received each calendar year,
and the cumulative gap against the Hong Kong job.

One code path: each year is the case with that ``tax_year`` and the grown amounts, computed by
:func:`taxcalc.api.calculate_many` (so each year equals :func:`taxcalc.api.calculate` for that
year's scenario, with :func:`plan_tables`). Every year is computed twice: as the policies stand
(an expired zone policy gives nothing) and as if every expired policy were renewed
(``assume_extended``); ``Options.assume_extended`` says which of the two is the plan's headline,
the other is kept beside it.

Decisions (docs/assumptions.md P1-P6):

* **Growth** (``growth``, ``hk_growth``): year on year, wages and bonus (mainland) and
  ``hk_income`` (the Hong Kong job, when given) are the previous year's amount x (1 + rate),
  half up to the fen (cent) each year; the first year is the case as given. Other income and
  every deduction stay as given.
* **Years without tables** (after the last mainland table): the last year's mainland tables are
  carried forward (:func:`plan_tables`), as the engine already does for Hong Kong, Macao, the
  exchange rate and the social insurance tables, and the year is flagged (``carried_forward``, a
  note). The annual bonus is then still taxed apart, as in the last tabled year.
* **Cash**: during the year the employer withholds the IIT before any zone relief (the measures
  settle the exemptions at the annual reconciliation) and the employee's contributions, so the
  year's pay in hand is ``gross_income - iit - social_insurance_employee_cny``; the relief of a
  tax year arrives in ``relief_paid_in`` (the reconciliation refund of an exemption, March-June of
  the next year; the GBA subsidy after the city's application window). The Hong Kong job's
  take-home pay counts in the year it is earned (its Salaries Tax as if paid that year: the
  provisional-tax cycle is not modelled). Calendar years run from the first tax year to the last
  year a relief arrives.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from .api import Result, calculate_many, to_scenario
from .engine import Options
from .errors import InputError, InputErrors
from .figures import FIGURES, Figure, Value
from .messages import Msg, Number, Term, msg
from .money import MAX_AMOUNT, own_decimal_context
from .scenario import FIRST_YEAR, LAST_YEAR, Scenario
from .tables import Tables, load_tables

#: the most tax years one plan covers; the span without --years
MAX_YEARS = 40
DEFAULT_SPAN = 6
#: the inputs that grow, and the rate each follows
GROWING = (("wages", "growth"), ("bonus", "growth"), ("hk_income", "hk_growth"))
CENT = Decimal("0.01")


# ---------------------------------------------------------------------------------------------
# the options


@own_decimal_context
def parse_years(text: Any, default_from: Mapping[str, Any] | None = None) -> range:
    """A span of tax years: ``2025-2030`` (also ``2025..2030``, ``2025 to 2030``), or one year.
    Nothing given: the case's ``tax_year`` (``default_from``) and the :data:`DEFAULT_SPAN` - 1
    years after it."""
    from .validate import FieldError, expected, field_error, normalize_text, parse_field

    if (text is None or not str(text).strip()) and default_from is not None:
        given = default_from.get("tax_year")
        try:
            first = parse_field("tax_year", given)
        except FieldError as exc:        # the span comes from tax_year: its own message, not --years'
            raise InputErrors([field_error("tax_year", exc, given)]) from None
        if not isinstance(first, int):         # None: not given (a year is read as an int)
            raise InputErrors([InputError("tax_year", "field.required", params={"expected": expected("tax_year")})])
        return default_span(first)
    raw = normalize_text(str(text if text is not None else ""))
    parts = [p.strip() for p in raw.replace("..", "-").replace(" to ", "-").split("-")]
    try:
        if not all(p.isascii() and p.isdigit() for p in parts):   # int() also takes 2_025 and other scripts' digits
            raise ValueError(raw)
        if len(parts) == 1:
            first = last = int(parts[0])
        elif len(parts) == 2:
            first, last = int(parts[0]), int(parts[1])
        else:
            raise ValueError(raw)
    except ValueError:
        raise _option_error("--years", raw, "plan.years") from None
    if not (FIRST_YEAR <= first <= last <= LAST_YEAR) or last - first + 1 > MAX_YEARS:
        raise _option_error("--years", raw, "plan.years")
    return range(first, last + 1)


def default_span(tax_year: int) -> range:
    """The span without ``--years``: ``tax_year`` and the :data:`DEFAULT_SPAN` - 1 years after it,
    up to the last year a plan covers. A tax year a plan cannot start from (the field takes 1 to
    9999) is that field's mistake, said against ``tax_year`` with the year given."""
    if not FIRST_YEAR <= tax_year <= LAST_YEAR:
        raise InputErrors([InputError("tax_year", "plan.first_year", tax_year,
                                      params={"first": FIRST_YEAR, "last": LAST_YEAR})])
    return range(tax_year, min(tax_year + DEFAULT_SPAN, LAST_YEAR + 1))


@own_decimal_context
def parse_growth(text: Any, option: str = "--growth") -> Decimal:
    """A yearly growth rate: a ratio more than -1 and at most 1, at most 4 decimals (0.03 is 3%);
    a trailing % reads as a percentage (3%). Read by the one grammar's number rules."""
    from .validate import NUMBER, normalize_text

    if text is None or (isinstance(text, str) and not text.strip()):
        return Decimal(0)
    raw = normalize_text(str(text))
    percent = raw.endswith("%")
    body = raw[:-1].strip() if percent else raw
    m = NUMBER.fullmatch(body)
    if m is None or not (m["int"] or m["frac"]):
        raise _option_error(option, raw, "plan.growth")
    try:
        value = Decimal(body.replace(",", ""))
    except ArithmeticError:
        raise _option_error(option, raw, "plan.growth") from None
    if percent:
        value = value / 100
    if not (-1 < value <= 1) or value != value.quantize(Decimal("0.0001")):
        raise _option_error(option, raw, "plan.growth")
    return value.normalize() if value else Decimal(0)


def _option_error(option: str, given: str, code: str) -> InputErrors:
    return InputErrors([InputError(option, code, given, params={"first": FIRST_YEAR, "last": LAST_YEAR,
                                                                 "max": MAX_YEARS})])


# ---------------------------------------------------------------------------------------------
# tables for the years after the last one


@lru_cache(maxsize=8)
def plan_tables(tables: Tables, last_year: int) -> Tables:
    """``tables``, with each mainland year up to ``last_year`` that has no table filled by the
    latest earlier table carried forward (its ``year`` changed, every value and citation kept).
    The same object when nothing is missing."""
    known = sorted(tables.mainland)
    missing = [y for y in range(known[0], last_year + 1) if y not in tables.mainland]
    if not missing:
        return tables
    out = copy.copy(tables)
    out.mainland = dict(tables.mainland)
    out._citations = {}
    for y in missing:
        source = max(k for k in tables.mainland if k < y)
        out.mainland[y] = tables.mainland[source].model_copy(update={"year": y})
    out.carried_from = {y: max(k for k in tables.mainland if k < y) for y in missing}   # type: ignore[attr-defined]
    return out


def carried_from(tables: Tables, year: int) -> int | None:
    """The tabled year whose mainland tables ``plan_tables`` carried forward to ``year``, or None."""
    return getattr(tables, "carried_from", {}).get(year)


# ---------------------------------------------------------------------------------------------
# the plan


@dataclass(frozen=True)
class PlanYear:
    """One tax year of a plan: the scenario's figures as the policies stand (``enacted``) and as if
    every expired policy were renewed (``renewed``); ``result`` is the plan's headline basis."""

    tax_year: int
    tables_year: int               # the mainland tables used: the tax year's, or the year carried forward
    enacted: Result
    renewed: Result
    headline: str                  # "enacted" or "renewed"

    @property
    def carried_forward(self) -> bool:
        return self.tables_year != self.tax_year

    @property
    def result(self) -> Result:
        return self.renewed if self.headline == "renewed" else self.enacted

    @property
    def other(self) -> Result:
        return self.enacted if self.headline == "renewed" else self.renewed


@dataclass(frozen=True)
class CashYear:
    """What the person has in hand in one calendar year (CNY, exact to the fen)."""

    year: int
    pay_after_withholding: Decimal      # gross income less the IIT withheld (before relief) and the employee's contributions
    relief_received: Decimal            # zone reliefs settled in this year (earlier tax years')
    cash: Decimal                       # the two together
    hk_take_home_cny: Decimal           # the Hong Kong job's take-home pay earned this year
    gap: Decimal                        # cash - hk_take_home_cny
    cumulative_gap: Decimal             # the gaps summed from the first year

    def as_dict(self) -> dict[str, object]:
        return {"year": self.year, **{k: str(getattr(self, k)) for k in
                                      ("pay_after_withholding", "relief_received", "cash", "hk_take_home_cny", "gap",
                                       "cumulative_gap")}}


@dataclass
class Plan:
    """A multi-year plan: the years, the cash by calendar year on both bases, and the notes."""

    case: dict[str, Any]
    years: list[PlanYear]
    growth: Decimal
    hk_growth: Decimal
    headline: str                               # "enacted" or "renewed"
    cash_enacted: list[CashYear]
    cash_renewed: list[CashYear]
    notes: list[Msg] = field(default_factory=list)

    @property
    def cash(self) -> list[CashYear]:
        return self.cash_renewed if self.headline == "renewed" else self.cash_enacted

    @property
    def cash_other(self) -> list[CashYear]:
        return self.cash_enacted if self.headline == "renewed" else self.cash_renewed

    @property
    def other(self) -> str:
        return "enacted" if self.headline == "renewed" else "renewed"

    @property
    def renewal_matters(self) -> bool:
        """Some year's relief differs between the two bases."""
        return any(y.enacted.relief != y.renewed.relief for y in self.years)

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        """JSON: each year's inputs and every registry figure (``years``) on the headline basis, the
        other basis's figures under ``if_renewed`` (or ``as_enacted``), the cash by calendar year
        on both bases, and the notes rendered in ``lang``."""
        from .i18n import render

        other_key = "if_renewed" if self.headline == "enacted" else "as_enacted"

        def figures(r: Result) -> dict[str, Any]:
            return {f.name: _plain(getattr(r, f.name)) for f in FIGURES}

        years = []
        for y in self.years:
            item: dict[str, Any] = {"tax_year": y.tax_year, "tables_year": y.tables_year,
                                    "carried_forward": y.carried_forward,
                                    "inputs": {k: _plain(v) for k, v in y.result.scenario.model_dump(exclude_none=True).items()}}
            item.update(figures(y.result))
            item["notes"] = [{"code": n.code, "text": render(n, lang)} for n in y.result.notes]
            item[other_key] = figures(y.other)
            years.append(item)
        return {"tax_years": [y.tax_year for y in self.years], "growth": str(self.growth), "hk_growth": str(self.hk_growth),
                "basis": self.headline, "years": years,
                "cash": [c.as_dict() for c in self.cash], f"cash_{other_key}": [c.as_dict() for c in self.cash_other],
                "notes": [{"code": n.code, "text": render(n, lang)} for n in self.notes]}


def _plain(v: object) -> object:
    return format(v, "f") if isinstance(v, Decimal) else v


def grown(amount: Decimal | None, rate: Decimal, years: int) -> Decimal | None:
    """``amount`` after ``years`` years of growth at ``rate``, each year half up to the fen."""
    if amount is None:
        return None
    for _ in range(years):
        amount = (amount * (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    return amount


def year_cases(case: Mapping[str, Any], years: range, growth: Decimal, hk_growth: Decimal) -> list[Scenario]:
    """The scenario of each tax year: ``tax_year`` set, wages and bonus grown at ``growth``,
    ``hk_income`` (when given) at ``hk_growth``, from the first year's amounts. The case is
    validated once; each year is a copy with those fields replaced, each read by the grammar
    (the same values a validated dict would hold; the rules across fields and the tables' rules
    are checked per year by the engine's caller)."""
    from .validate import FieldError, field_error, parse_field

    try:                                 # the span replaces a tax_year given, which must still be one
        parse_field("tax_year", case.get("tax_year"))
    except FieldError as exc:
        raise InputErrors([field_error("tax_year", exc, case.get("tax_year"))]) from None
    base = to_scenario({**case, "tax_year": years[0]})
    rates = {"growth": growth, "hk_growth": hk_growth}
    out = []
    for k, y in enumerate(years):
        update: dict[str, Any] = {"tax_year": y}
        for name, which in GROWING:
            value = grown(getattr(base, name), rates[which], k)
            if value is not None:
                if value > MAX_AMOUNT:
                    raise InputErrors([InputError(name, "plan.grown_too_large", str(getattr(base, name)),
                                                  params={"year": y, "amount": Number(value),
                                                          "max": Number(MAX_AMOUNT)})])
                update[name] = value
        try:
            update = {name: parse_field(name, value) for name, value in update.items()}
        except FieldError as exc:        # a year past the last one a scenario takes
            raise InputErrors([field_error("tax_year", exc, y)]) from None
        out.append(base.model_copy(update=update))
    return out


@own_decimal_context
def plan(case: Mapping[str, Any], years: range, *, growth: Decimal = Decimal(0), hk_growth: Decimal = Decimal(0),
         tables: Tables | None = None, options: Options = Options()) -> Plan:
    """The case over ``years``: each year's figures on both bases, the cash by calendar year and
    the cumulative gap against the Hong Kong job. Raises :class:`~taxcalc.errors.InputErrors`
    for a bad case (the field named, and the year when the error comes from growth)."""
    (out,) = plan_many([case], [years], growth=growth, hk_growth=hk_growth, tables=tables, options=options)
    if isinstance(out, InputErrors):
        raise out
    return out


@own_decimal_context
def plan_many(cases: Sequence[Mapping[str, Any]], spans: Sequence[range], *, growth: Decimal = Decimal(0),
              hk_growth: Decimal = Decimal(0), tables: Tables | None = None,
              options: Options = Options()) -> list[Plan | InputErrors]:
    """:func:`plan` for many cases (``spans``: each case's tax years) in one pass of the engine a
    basis: a :class:`Plan` for each case, or the :class:`~taxcalc.errors.InputErrors` that stop
    it (a bad case does not stop the others). ``taxcalc plan FILE`` plans a spreadsheet of
    candidates so; :func:`plan` is the one-case face of it."""
    tables = tables or load_tables()
    out: list[Plan | InputErrors | None] = [None] * len(cases)
    if not cases:
        return []
    first_table = min(tables.mainland)
    for i, years in enumerate(spans):       # the spans parse_years gives: consecutive years, 2019-2100, at most 40
        if not (len(years) and years.step == 1 and years[0] >= FIRST_YEAR and years[-1] <= LAST_YEAR
                and len(years) <= MAX_YEARS):
            shown = f"{years[0]}-{years[-1]}" if len(years) else ""
            out[i] = _option_error("--years", shown, "plan.years")
    live_spans = [s for i, s in enumerate(spans) if out[i] is None]
    ptables = plan_tables(tables, max(s[-1] for s in live_spans)) if live_spans else tables
    todo: dict[int, list[Scenario]] = {}                 # case index -> its year scenarios
    for i, (case, years) in enumerate(zip(cases, spans)):
        if out[i] is not None:
            continue
        if years[0] < first_table:
            out[i] = _option_error("--years", f"{years[0]}-{years[-1]}", "plan.before_tables")
            continue
        try:
            todo[i] = year_cases(case, years, growth, hk_growth)
        except InputErrors as exc:
            out[i] = exc
    results: dict[str, dict[int, list[Result]]] = {}
    for basis, extended in (("enacted", False), ("renewed", True)):
        opts = Options(assume_extended=extended, hk_burden_reduction=options.hk_burden_reduction,
                       hk_burden_year=options.hk_burden_year, macao_refund=options.macao_refund)
        results[basis] = _compute_cases(todo, spans, ptables, opts, out)
    headline = "renewed" if options.assume_extended else "enacted"
    for i in todo:
        if out[i] is not None:              # rejected by the tables of one of its years
            continue
        years = spans[i]
        plan_years = [PlanYear(y, carried_from(ptables, y) or y, results["enacted"][i][k], results["renewed"][i][k],
                               headline) for k, y in enumerate(years)]
        notes = [msg("note.plan_carried_forward", year=y.tax_year, used=y.tables_year)
                 for y in plan_years if y.carried_forward]
        out[i] = Plan(case=dict(cases[i]), years=plan_years, growth=growth, hk_growth=hk_growth, headline=headline,
                      cash_enacted=cash_by_year([y.enacted for y in plan_years]),
                      cash_renewed=cash_by_year([y.renewed for y in plan_years]), notes=notes)
    done = [o for o in out if o is not None]
    assert len(done) == len(cases), "every case planned or refused"
    return done


def _compute_cases(todo: Mapping[int, list[Scenario]], spans: Sequence[range], tables: Tables, options: Options,
                   out: list[Plan | InputErrors | None]) -> dict[int, list[Result]]:
    """Every year case of the cases in ``todo`` not yet rejected (``out[i]`` None) through one
    :func:`~taxcalc.api.calculate_many`; a case whose year the tables refuse gets its errors in
    ``out`` (with the year) and the others are computed again without it."""
    while True:
        live = [i for i in todo if out[i] is None]
        flat = [c for i in live for c in todo[i]]
        owner = [(i, k) for i in live for k in range(len(todo[i]))]
        try:
            done = calculate_many(flat, tables=tables, options=options, explain=False)
        except InputErrors as exc:
            bad: dict[int, list[InputError]] = {}
            for e in exc.errors:
                i, k = owner[e.row - 1] if e.row else (live[0], 0)
                bad.setdefault(i, []).append(InputError(e.field, "plan.in_year", e.value,
                                                        params={"year": spans[i][k], "message": e.message}))
            for i, errors in bad.items():
                out[i] = InputErrors(errors)
            continue
        by_case: dict[int, list[Result]] = {}
        for (i, _), r in zip(owner, done):
            by_case.setdefault(i, []).append(r)
        return by_case


def cash_by_year(results: list[Result]) -> list[CashYear]:
    """The cash of each calendar year from the first tax year to the last year a relief arrives:
    the year's pay after withholding (IIT before relief, the employee's contributions), the reliefs
    settled in it, the Hong Kong job's take-home pay, the gap and its running sum."""
    first = results[0].scenario.tax_year
    by_year = {r.scenario.tax_year: r for r in results}
    arrivals: dict[int, Decimal] = {}
    for res in results:
        if res.relief and res.relief_paid_in:
            arrivals[res.relief_paid_in] = arrivals.get(res.relief_paid_in, Decimal(0)) + res.relief
    last = max([*by_year, *arrivals])
    out, running = [], Decimal(0)
    zero = Decimal("0.00")
    for y in range(first, last + 1):
        r = by_year.get(y)
        pay = (r.gross_income - r.iit - r.social_insurance_employee_cny) if r is not None else zero
        relief = arrivals.get(y, zero)
        hk = r.hk_take_home_cny if r is not None else zero
        cash = pay + relief
        running += cash - hk
        out.append(CashYear(y, pay, relief, cash, hk, cash - hk, running))
    return out


def plan_notes(p: Plan) -> list[Msg]:
    """The plan's notes and each year's, the same note for several years once: notes that differ
    only in the year they are about (``wanted``, ``year``) become one, with the years listed."""
    from .messages import Terms

    # a note's code, the parameter that names its year (if any) and its other parameters, shown
    Key = tuple[str, str | None, tuple[tuple[str, str], ...]]
    groups: dict[Key, tuple[Msg, list[object]]] = {}
    order: list[Key] = []
    for n in [*p.notes, *(n for y in p.years for n in y.result.notes)]:
        which = "wanted" if "wanted" in n.params else "year" if "year" in n.params else None
        rest = tuple(sorted((k, repr(v)) for k, v in n.params.items() if k != which))
        key = (n.code, which, rest)
        if key not in groups:
            groups[key] = (n, [])
            order.append(key)
        if which is not None and n.params[which] not in groups[key][1]:
            groups[key][1].append(n.params[which])
    out = []
    for key in order:
        n, values = groups[key]
        which = key[1]
        if which is None or len(values) == 1:
            out.append(n)
        else:
            out.append(Msg(n.code, {**n.params, which: Terms("word", tuple(values))}))
    return out


# ---------------------------------------------------------------------------------------------
# the plan as a table of text (the command line)

#: the registry figures the table shows, by year; those marked True also on the other basis
TABLE_FIGURES = (("gross_income", False), ("iit", False), ("relief", True), ("relief_paid_in", True), ("iit_net", True),
                 ("social_insurance_employee_cny", False), ("take_home_cny", True), ("employer_cost_cny", False),
                 ("hk_tax", False), ("hk_take_home_cny", False), ("hk_employer_cost", False), ("take_home_gap_cny", True))
CASH_ROWS = (("pay_after_withholding", False), ("relief_received", True), ("cash", True), ("hk_take_home_cny", False),
             ("gap", True), ("cumulative_gap", True))


def render_plan(p: Plan, lang: str = "en") -> str:
    """The plan as text: a column per calendar year; the grown inputs, each tax year's figures (the
    mainland job, the Hong Kong job, the gap), then the cash received each year; the rows that
    depend on the zone policies also on the other basis (as the policies stand / if renewed) when
    it differs; the policy of each year's relief; then the notes."""
    from .figures import BY_NAME
    from .i18n import display_width, figure_text, render, term

    by_year = {y.tax_year: y for y in p.years}
    cash = {c.year: c for c in p.cash}
    cash_other = {c.year: c for c in p.cash_other}
    cal = sorted(set(cash) | set(cash_other))
    other = "plan.if_renewed" if p.headline == "enacted" else "plan.as_enacted"
    both = p.renewal_matters
    head = [render(msg("plan.year_carried", year=y), lang) if y in by_year and by_year[y].carried_forward else str(y)
            for y in cal]
    rows: list[tuple[str, list[str]]] = [("", head)]
    blank = [""] * len(cal)

    def cells(get: Callable[[int], Value], f: Figure, signed: bool = False) -> list[str]:
        return [figure_text(v, f, signed=signed, lang=lang) if (v := get(y)) is not None else "" for y in cal]

    def year_value(basis: str, name: str) -> Callable[[int], Value]:
        return lambda y: getattr(getattr(by_year[y], basis), name) if y in by_year else None

    def cash_value(by: dict[int, CashYear], name: str) -> Callable[[int], Value]:
        return lambda y: getattr(by[y], name) if y in by else None

    rows.append((render(msg("plan.section_inputs"), lang), blank))
    for name in ("wages", "bonus", "hk_income"):
        values = [getattr(by_year[y].result.scenario, name) if y in by_year else None for y in cal]
        if all(v in (None, 0) for v in values):
            continue
        f = BY_NAME["hk_assessable_income" if name == "hk_income" else "gross_income"]
        rows.append(("  " + term("field", name, lang, fields="label"),
                     [figure_text(v, f, lang=lang) if v is not None else "" for v in values]))
    for group in ("mainland", "hongkong", "gap"):
        rows.append((term("group", group, lang), blank))
        for name, varies in TABLE_FIGURES:
            f = BY_NAME[name]
            if f.group != group and not (group == "mainland" and f.group == "zone"):
                continue
            label = term("figure", name, lang)
            signed = f.group == "gap"
            rows.append(("  " + label, cells(year_value("result", name), f, signed)))
            if varies and both:
                rows.append(("  " + render(msg(other, label=label), lang), cells(year_value("other", name), f, signed)))
    rows.append((render(msg("plan.section_cash"), lang), blank))
    money = BY_NAME["take_home_cny"]
    for name, varies in CASH_ROWS:
        label = render(msg(f"plan.{name}"), lang)
        signed = name in ("gap", "cumulative_gap")
        rows.append(("  " + label, cells(cash_value(cash, name), money, signed)))
        if varies and both:
            rows.append(("  " + render(msg(other, label=label), lang), cells(cash_value(cash_other, name), money, signed)))
    widths = [max(display_width(r[1][k]) for r in rows) for k in range(len(cal))]
    lw = max(display_width(label) for label, _ in rows)
    lines = []
    for label, row in rows:
        line = label + " " * (lw - display_width(label))
        for cell, w in zip(row, widths):
            line += "  " + " " * (w - display_width(cell)) + cell
        lines.append(line.rstrip())
    lines.append("")
    for basis, code in ((p.headline, "plan.policies"), (p.other, other)):
        if basis != p.headline and not both:
            continue
        spans = _policy_spans([getattr(y, basis) for y in p.years])
        parts = [msg("plan.span", first=a, last=b, policy=Term("policy", pol)) if a != b else
                 msg("plan.span_one", year=a, policy=Term("policy", pol)) for a, b, pol in spans]
        joined = functools.reduce(lambda a, b: msg("summary.and", a=a, b=b), parts) if parts else msg("relief.none")
        text = render(joined, lang)
        label = term("figure", "relief_policy", lang)
        heading = render(msg(code, label=label), lang) if basis != p.headline else label
        lines.append(render(msg("line.label_value", label=heading, value=text), lang))
    notes = plan_notes(p)
    if notes:
        lines += ["", term("group", "notes", lang)] + [f"  - {render(n, lang)}" for n in notes]
    return "\n".join(lines)


def _policy_spans(results: list[Result]) -> list[tuple[int, int, str]]:
    """Runs of consecutive years with the same relief policy (years without a relief left out)."""
    spans: list[list[Any]] = []        # [first year, last year, policy]
    for r in results:
        y, pol = r.scenario.tax_year, r.relief_policy
        if pol == "none":
            continue
        if spans and spans[-1][2] == pol and spans[-1][1] == y - 1:
            spans[-1][1] = y
        else:
            spans.append([y, y, pol])
    return [(a, b, pol) for a, b, pol in spans]


# ---------------------------------------------------------------------------------------------
# the plan as rows of a table (taxcalc plan FILE -o OUT: a spreadsheet of candidates)

#: the figures of each tax year in a plan table; those marked True also on the other basis
ROW_FIGURES = (*TABLE_FIGURES[:2], ("relief_policy", True), *TABLE_FIGURES[2:])
#: the cash of each calendar year in a plan table: (column, CashYear attribute, also on the other basis)
ROW_CASH = (("pay_after_withholding", "pay_after_withholding", False), ("relief_received", "relief_received", True),
            ("cash", "cash", True), ("cash_gap", "gap", True), ("cumulative_gap", "cumulative_gap", True))


def other_prefix(headline: str) -> str:
    """The prefix of the other basis's columns: ``if_renewed_`` (or ``as_enacted_``)."""
    return "if_renewed_" if headline == "enacted" else "as_enacted_"


def row_columns(headline: str = "enacted") -> list[tuple[str, str, int]]:
    """The columns of a plan table, in order, each with its unit and digits (as the figure
    registry gives them): ``id``, ``basis`` (the headline: enacted or renewed), the calendar
    ``year``, that year's ``tax_year`` (empty in a year where only a relief arrives), the tables
    used, the grown inputs, each tax year's figures (those that depend on the zone policies also
    on the other basis, prefixed :func:`other_prefix`), then the cash received in the calendar
    year and the running gap against the Hong Kong job (CNY)."""
    from .figures import BY_NAME

    other = other_prefix(headline)
    cols: list[tuple[str, str, int]] = [("id", "text", 0), ("basis", "text", 0), ("year", "year", 0),
                                        ("tax_year", "year", 0), ("tables_year", "year", 0),
                                        ("carried_forward", "bool", 0), ("wages", "CNY", 2), ("bonus", "CNY", 2),
                                        ("hk_income", "HKD", 2)]
    for name, _ in ROW_FIGURES:
        f = BY_NAME[name]
        cols.append((name, f.unit, f.decimals))
    for name, varies in ROW_FIGURES:
        if varies:
            f = BY_NAME[name]
            cols.append((other + name, f.unit, f.decimals))
    cols += [(name, "CNY", 2) for name, _, _ in ROW_CASH]
    cols += [(other + name, "CNY", 2) for name, _, varies in ROW_CASH if varies]
    return cols


def plan_rows(p: Plan, label: str) -> list[dict[str, Value]]:
    """The plan as table rows, one per calendar year (the columns of :func:`row_columns`): a year
    of the plan's span carries its inputs and figures; the year after it, when a relief arrives
    then, carries only the cash. ``label`` is the ``id`` column."""
    other = other_prefix(p.headline)
    by_year = {y.tax_year: y for y in p.years}
    cash = {c.year: c for c in p.cash}
    cash_other = {c.year: c for c in p.cash_other}
    rows: list[dict[str, Value]] = []
    for year in sorted(set(cash) | set(cash_other)):
        row: dict[str, Value] = {name: None for name, _, _ in row_columns(p.headline)}
        row.update(id=label, basis=p.headline, year=year)
        py = by_year.get(year)
        if py is not None:
            s = py.result.scenario
            row.update(tax_year=py.tax_year, tables_year=py.tables_year, carried_forward=py.carried_forward,
                       wages=s.wages, bonus=s.bonus, hk_income=s.hk_income)
            for name, varies in ROW_FIGURES:
                row[name] = getattr(py.result, name)
                if varies:
                    row[other + name] = getattr(py.other, name)
        for by, prefix, only_varying in ((cash, "", False), (cash_other, other, True)):
            c = by.get(year)
            if c is None:
                continue
            for name, attr, varies in ROW_CASH:
                if varies or not only_varying:
                    row[prefix + name] = getattr(c, attr)
        rows.append(row)
    return rows
