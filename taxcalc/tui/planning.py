"""The plan tab's content: the case over several tax years (:func:`taxcalc.plan.plan`), as rows of
text in the UI language. No Textual here; nothing is summed, subtracted or rounded here: every
amount is a registry figure of a year's result, or a figure of the core's cash by calendar year
(:class:`taxcalc.plan.CashYear`), formatted with :func:`taxcalc.i18n.figure_text`.

The layout follows ``taxcalc plan`` (the command line): a column per calendar year; the cash
received in each calendar year first (the question the tab answers: when each yuan of relief
arrives), then each tax year's figures (the mainland job with its zone relief, the Hong Kong job,
the gap), then the inputs as grown; a row that depends on the zone policies is
followed by the same row on the other basis (``…, if renewed``) when the policies' renewal
changes some year's relief.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..engine import Options
from ..errors import InputErrors
from ..figures import BY_NAME
from ..i18n import N_, _, error_lines, figure_text, render, term
from ..messages import Term, msg
from ..plan import CASH_ROWS, MAX_YEARS, TABLE_FIGURES, Plan, parse_growth, plan, plan_notes
from ..scenario import LAST_YEAR
from ..tables import Tables

#: tax years after the last year of the zone policies that the plan shows (where a renewal matters)
AFTER_POLICIES = 2
#: the fewest tax years the plan shows
MIN_YEARS = 5
#: the growth fields: the plan's option, the field's label, what it grows
GROWTH_FIELDS = (("growth", N_("Growth a year: wages and bonus")), ("hk_growth", N_("HK offer")))

INTRO = N_("{first}–{last}: the cash of each calendar year (the zone relief arrives when it is settled), then "
           "each tax year's figures; “if renewed”: as if the zone policies were renewed; *: the last tables carried "
           "forward.")
GROWTH_HINT = N_("Growth: a rate a year such as 0.03 or 3%; the HK offer grows only when given (step 6), else it "
                 "follows the mainland income.")


def span(first: int, policies_last: int) -> range:
    """The plan's tax years: from the case's year to two years after the zone policies' last year,
    at least five years, at most the plan's limit."""
    last = max(policies_last + AFTER_POLICIES, first + MIN_YEARS - 1)
    return range(first, min(last, first + MAX_YEARS - 1, LAST_YEAR) + 1)


def plan_years(tables: Tables, tax_year: int) -> range:
    """The tax years the plan tab shows for a case of ``tax_year``."""
    last = max((p.last_year.value for _zone, p in tables.policies.values()), default=tax_year)
    return span(tax_year, last)


def read_growth(text: str, option: str) -> tuple[Decimal | None, str]:
    """A growth field read by the plan's grammar: (the rate, '') or (None, the message)."""
    try:
        return parse_growth(text, "--" + option.replace("_", "-")), ""
    except InputErrors as exc:
        return None, render(exc.errors[0].message, fields="label")


def compute(case: dict[str, Any], tables: Tables, options: Options, growth: Decimal,
            hk_growth: Decimal) -> tuple[Plan | None, list[str]]:
    """The plan of the case, or None and the problems in the UI language."""
    years = plan_years(tables, int(case["tax_year"]))
    try:
        return plan(case, years, growth=growth, hk_growth=hk_growth, tables=tables, options=options), []
    except InputErrors as exc:
        return None, error_lines(exc, fields="label")


@dataclass(frozen=True)
class Row:
    label: str
    cells: list[str]
    heading: bool = False
    key: str = ""          # the figure or cash row it shows ("" for a section, "group" for a group of figures);
                           # "…:other": the same row on the other basis


def table(p: Plan) -> tuple[list[str], list[Row]]:
    """The column headers (the label column, then each calendar year; ``2028*``: tables carried
    forward) and the rows, as ``taxcalc plan`` prints them but the cash first (when each yuan
    arrives: the tab's question), then each tax year's figures, then the inputs as grown."""
    by_year = {y.tax_year: y for y in p.years}
    cash = {c.year: c for c in p.cash}
    cash_other = {c.year: c for c in p.cash_other}
    years = sorted(set(cash) | set(cash_other) | set(by_year))
    other = "plan.if_renewed" if p.headline == "enacted" else "plan.as_enacted"
    both = p.renewal_matters
    headers = [_("Figure")] + [render(msg("plan.year_carried", year=y)) if y in by_year and by_year[y].carried_forward
                               else str(y) for y in years]
    rows: list[Row] = []

    def cells(get, f, signed=False) -> list[str]:
        return [figure_text(v, f, signed=signed) if (v := get(y)) is not None else "" for y in years]

    def figure(basis: str, name: str):
        return lambda y: getattr(getattr(by_year[y], basis), name) if y in by_year else None

    rows.append(Row(render(msg("plan.section_cash")), [], True))
    money = BY_NAME["take_home_cny"]
    for name, varies in CASH_ROWS:
        label, signed = render(msg(f"plan.{name}")), name in ("gap", "cumulative_gap")
        rows.append(Row(label, cells(lambda y, n=name: getattr(cash[y], n) if y in cash else None, money, signed),
                        key="cash:" + name))
        if varies and both:
            rows.append(Row(render(msg(other, label=label)),
                            cells(lambda y, n=name: getattr(cash_other[y], n) if y in cash_other else None, money,
                                  signed), key="cash:" + name + ":other"))
    rows.append(Row(render(msg("plan.section_figures")), [], True))
    for group in ("mainland", "hongkong", "gap"):
        rows.append(Row(term("group", group), [], True, key="group"))
        for name, varies in TABLE_FIGURES:
            f = BY_NAME[name]
            if f.group != group and not (group == "mainland" and f.group == "zone"):
                continue
            label, signed = term("figure", name), f.group == "gap"
            rows.append(Row(label, cells(figure("result", name), f, signed), key=name))
            if varies and both:
                rows.append(Row(render(msg(other, label=label)), cells(figure("other", name), f, signed),
                                key=name + ":other"))
    rows.append(Row(render(msg("plan.section_inputs")), [], True))
    for name in ("wages", "bonus", "hk_income"):
        values = [getattr(by_year[y].result.scenario, name) if y in by_year else None for y in years]
        if all(v in (None, 0) for v in values):
            continue
        f = BY_NAME["hk_assessable_income" if name == "hk_income" else "gross_income"]
        rows.append(Row(term("field", name), [figure_text(v, f) if v is not None else "" for v in values], key=name))
    return headers, rows


def policy_lines(p: Plan) -> list[str]:
    """Which relief each tax year gets, as runs of years (``2026-2027: Hetao: …``), on the plan's
    basis and, where the renewal matters, if renewed (the command line's messages)."""
    other = "plan.if_renewed" if p.headline == "enacted" else "plan.as_enacted"
    label = term("figure", "relief_policy")
    out = []
    for basis in (p.headline, p.other):
        if basis != p.headline and not p.renewal_matters:
            continue
        runs: list[list] = []                 # [first year, last year, policy]
        before = "none"                       # the year before's policy
        for y in p.years:
            policy = getattr(y, basis).relief_policy
            if policy != "none" and policy == before:
                runs[-1][1] = y.tax_year
            elif policy != "none":
                runs.append([y.tax_year, y.tax_year, policy])
            before = policy
        parts = [msg("plan.span", first=a, last=b, policy=Term("policy", pol)) if a != b
                 else msg("plan.span_one", year=a, policy=Term("policy", pol)) for a, b, pol in runs]
        joined = functools.reduce(lambda a, b: msg("summary.and", a=a, b=b), parts) if parts else msg("relief.none")
        heading = label if basis == p.headline else render(msg(other, label=label))
        out.append(render(msg("line.label_value", label=heading, value=render(joined, fields="label"))))
    return out


def notes(p: Plan) -> list[str]:
    """The plan's notes (tables carried forward: the years marked *; fallbacks), each once, with
    its years; then how the growth rates apply."""
    return [_("! {note}").format(note=render(n, fields="label")) for n in plan_notes(p)] + [_(GROWTH_HINT)]
