"""The best split of a fixed annual package between wages and the annual one-off bonus, and the
marginal saving of the deductions people ask about (private pension, commercial health insurance).

One code path: every candidate split is a row of columns run through :func:`taxcalc.engine.compute`
(many at once), and the answer is recomputed by :func:`taxcalc.api.calculate`.

**Why the candidates suffice.** For a package P split into bonus b and wages P - b, the person
keeps P - iit_net(b) - the employee's contributions, and the contributions do not depend on the
split (their base is (wages + bonus) / 12), so the best split is the one with the least IIT after
relief. Before rounding, every tax is piecewise linear in b: the bonus taxed apart, b x r_k - q_k,
jumps at 12 x each monthly-table threshold (6 x for a non-resident) and is linear between; the tax
on the rest of the comprehensive income is a convex function of P - b with kinks where the taxable
income crosses an annual-table threshold (or zero); the combined method does not depend on b at
all; the 15% rule adds kinks where a category's tax crosses 15% of its taxable income; the Hong
Kong and Macao caps are constants. Between neighbouring breakpoints each piece is linear (or the
minimum of linear pieces, which is concave), so a minimum lies at a breakpoint, at the end of a
piece, or where the engine switches between the separate and the combined method. The search
therefore evaluates (1) every breakpoint the tables give (the thresholds x 12 or x 6, one fen
above each, the annual thresholds' and zero's pre-images, the 15% crossings, 0 and P), (2) an even
grid of the whole range, then (3) a finer grid around the best points of (1) and (2), and (4)
every fen within :data:`WINDOW` fen of the best points found, which covers the rounding of each
tax to the fen (its noise is at most a fen a side, while every sloped piece moves by at least a fen
per 100 fen of b when the rates are whole percents). A test compares the answer with every split
on a 1-CNY grid around each threshold and a 100-CNY grid elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from . import columns as colmod
from .api import Result, calculate, row_errors, to_scenario
from .engine import Options, compute
from .errors import InputError, InputErrors
from .messages import Money, Msg, Rate, Term, msg
from .money import FEN, MAX_AMOUNT, UNIT, Column, own_decimal_context
from .tables import Tables, load_tables
from .zones import compiled_policies

if TYPE_CHECKING:
    from .scenario import Scenario

GRID = 1024          # points of the even grid over the whole range
REFINE = 256         # points of each finer grid
BEST = 8             # best points refined
WINDOW = 200         # fen either side of the best points evaluated one by one


@dataclass(frozen=True)
class Split:
    """The best split of ``package`` and how it compares."""

    package: Decimal
    bonus: Decimal
    wages: Decimal
    result: Result                 # the case at the best split (calculate)
    all_salary: Result             # the whole package as wages
    current: Result | None         # the case's own bonus, when it gives one
    irrelevant: Msg | None         # why the split makes no difference, when it makes none
    evaluations: int               # candidate splits computed

    @property
    def saving_vs_salary(self) -> Decimal:
        saving: Decimal = self.all_salary.iit_net - self.result.iit_net
        return saving

    @property
    def saving_vs_current(self) -> Decimal | None:
        return None if self.current is None else self.current.iit_net - self.result.iit_net

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        from .i18n import render

        out: dict[str, Any] = {"tax_year": self.result.scenario.tax_year, "package": str(self.package),
                               "bonus": str(self.bonus), "wages": str(self.wages)}
        for name in ("iit", "relief", "relief_policy", "iit_net", "take_home_cny", "bonus_method_used"):
            v = getattr(self.result, name)
            out[name] = str(v) if isinstance(v, Decimal) else v
        out["all_salary"] = {"iit": str(self.all_salary.iit), "iit_net": str(self.all_salary.iit_net)}
        out["saving_vs_salary"] = str(self.saving_vs_salary)
        if self.current is not None:
            out["current"] = {"bonus": str(self.current.scenario.bonus), "wages": str(self.current.scenario.wages),
                              "iit": str(self.current.iit), "iit_net": str(self.current.iit_net)}
            out["saving_vs_current"] = str(self.saving_vs_current)
        out["split_matters"] = self.irrelevant is None
        if self.irrelevant is not None:
            out["why_not"] = {"code": self.irrelevant.code, "text": render(self.irrelevant, lang)}
        out["evaluations"] = self.evaluations
        return out


def _zeros(fen: int) -> int:
    """Trailing zeros of an amount in fen (0 counts as the roundest)."""
    if fen == 0:
        return 99
    n = 0
    while fen % 10 == 0:
        fen //= 10
        n += 1
    return n


def _fen(value: Decimal) -> int:
    return int(value * 100)


def _money(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(Decimal("0.01"))


def structural_candidates(tables: Tables, year: int, resident: bool, package: int, exempt: int, untaxed_at_zero: int,
                          rates_bp: list[int]) -> Column:
    """The bonuses (fen) where a tax changes slope or jumps, from the year's tables: the bonus
    thresholds (and a fen above each), the pre-images of the annual thresholds and of zero taxable
    income, the 15% crossings of each category; 0 and the largest bonus. ``untaxed_at_zero``: the
    taxable income (units, before the floor at 0) with the whole package as wages."""
    t = tables.mainland[year]
    monthly = list(t.monthly_table.brackets)
    annual = list(t.annual_table.brackets)
    top = package - exempt
    points: list[float] = [0, top]
    periods = 12 if resident else int(t.bonus.nonresident_months.value)
    for upto in t.monthly_table.uppers():
        edge = int(upto * periods * 100)
        points += [edge, edge + 1]
    a = untaxed_at_zero / FEN          # fen
    if resident:
        thresholds = [int(upto * 100) for upto in t.annual_table.uppers()]
        points += [a] + [a - x for x in thresholds]
        for rho in rates_bp:
            r = Decimal(rho) / 10_000
            for b in annual:
                if b.rate > r:
                    points.append(a - float(b.quick_deduction * 100 / (b.rate - r)))
            for b in monthly:
                if b.rate > r:
                    points.append(float(b.quick_deduction * 100 / (b.rate - r)))
    else:
        points += [a] + [a - int(upto * 12 * 100) for upto in t.monthly_table.uppers()]
    out = set()
    for p in points:
        for q in (int(np.floor(p)), int(np.ceil(p))):
            if 0 <= q <= top:
                out.add(q)
    return np.array(sorted(out), dtype=np.int64)


@own_decimal_context
def best_split(case: Mapping[str, Any], package: Decimal | str | int | None = None, *, tables: Tables | None = None,
               options: Options = Options()) -> Split:
    """The split of ``package`` (wages + bonus, CNY a year; default: the case's wages + bonus)
    that leaves the least IIT after the zone relief, exact to the fen. The case's other fields
    (year, identity, zone, deductions, ...) apply to every split; its bonus, when given, is the
    current split compared with."""
    from .validate import FieldError, expected, field_error, parse_field

    tables = tables or load_tables()
    given = to_scenario(case)
    if package is None or (isinstance(package, str) and not package.strip()):
        total = given.wages + given.bonus
        if total > MAX_AMOUNT:          # each at most the largest amount, the two together not: say so of the package
            raise InputErrors([InputError("--package", "field.too_large", f"{total:.2f}, wages + bonus",
                                          params={"expected": expected("wages")})])
    else:
        try:
            parsed = cast("Decimal | None", parse_field("wages", package))    # a money field: a Decimal
        except FieldError as exc:
            raise InputErrors([field_error("--package", exc, package)]) from None
        if parsed is None:
            raise InputErrors([InputError("--package", "field.required", params={"expected": expected("wages")})])
        total = parsed
    if total < given.exempt_allowances:
        raise InputErrors([InputError("--package", "split.below_exempt", str(total),
                                      params={"exempt": Money(given.exempt_allowances, "CNY")})])
    base = given.model_copy(update={"wages": total, "bonus": Decimal(0)})
    cols = colmod.from_scenarios([base])
    problems = row_errors(cols, tables, options)
    if problems:
        raise InputErrors(problems)
    year, p = base.tax_year, _fen(total)
    exempt = _fen(given.exempt_allowances)
    top = p - exempt

    def evaluate(bonuses: Column) -> Column:
        n = len(bonuses)
        c = {k: np.repeat(v, n) for k, v in cols.items()}
        c["bonus"] = bonuses
        c["wages"] = p - bonuses
        return compute(c, tables, options, trace=False).figures["iit_net"]

    at_zero = compute(cols, tables, options, trace=True).columns
    untaxed = int(at_zero["ml_comprehensive"][0] - at_zero["ml_deductions"][0]) if base.residency == "resident" \
        else int(at_zero["ml_wages"][0]) - 12 * int(tables.mainland[year].deductions.basic_monthly_nonresident.value * UNIT)
    rates = sorted({cp.rate_bp for cp in compiled_policies(tables) if cp.policy.formula == "rate_cap"})
    seen: dict[int, int] = {}

    def run(bonuses: Column) -> None:
        b = np.unique(np.clip(np.asarray(bonuses, dtype=np.int64), 0, top))
        b = b[~np.isin(b, np.fromiter(seen, dtype=np.int64, count=len(seen)))] if seen else b
        if len(b):
            for x, v in zip(b.tolist(), evaluate(b).tolist()):
                seen[x] = v

    def best_points(k: int) -> list[int]:
        """The k best bonuses; among equal IIT the roundest (most trailing zeros), then the smallest."""
        items = sorted(seen.items(), key=lambda kv: (kv[1], -_zeros(kv[0]), kv[0]))
        return [x for x, _ in items[:k]]

    run(structural_candidates(tables, year, base.residency == "resident", p, exempt, untaxed, rates))
    run(np.linspace(0, top, GRID + 1).round().astype(np.int64))
    step = max(1, top // GRID)
    for x in best_points(BEST):
        run(np.linspace(x - step, x + step, REFINE + 1).round().astype(np.int64))
    fine = max(1, (2 * step) // REFINE)
    for x in best_points(BEST):
        run(np.linspace(x - fine, x + fine, REFINE + 1).round().astype(np.int64))
    for x in best_points(BEST):
        run(np.arange(x - WINDOW, x + WINDOW + 1, dtype=np.int64))
    bonus_fen = best_points(1)[0]
    values = np.fromiter(seen.values(), dtype=np.int64, count=len(seen))

    def at(bonus: int) -> Result:
        return calculate({**base.model_dump(exclude_none=True), "wages": _money(p - bonus), "bonus": _money(bonus)},
                         tables=tables, options=options, explain=False)

    result = at(bonus_fen)
    all_salary = at(0)
    current = None
    if given.bonus and given.bonus <= total - given.exempt_allowances:
        current = at(_fen(given.bonus))
    irrelevant = None
    if values.min() == values.max():
        irrelevant = _why_not(result, base, tables)
    return Split(total, _money(bonus_fen), _money(p - bonus_fen), result, all_salary, current, irrelevant, len(seen))


def _why_not(r: Result, s: Scenario, tables: Tables) -> Msg:
    """Why every split leaves the same IIT after relief."""
    policy = tables.policies.get(r.relief_policy, (None, None))[1]
    if policy is not None and policy.formula in ("hk_burden", "macao_burden"):
        burden = r.hk_burden_cny if policy.formula == "hk_burden" else r.macao_burden_cny
        return msg("split.why.cap", policy=Term("policy", policy.id), burden=Money(burden, "CNY"))
    if s.bonus_method == "combined" or not tables.mainland[s.tax_year].bonus.separate_allowed.value:
        return msg("split.why.combined", year=s.tax_year)
    return msg("split.why.same")


def render_split(sp: Split, lang: str = "en") -> str:
    """The answer as text: the split, its IIT, the savings, and why the split does not matter
    when it does not."""
    from .figures import BY_NAME
    from .i18n import display_width, figure_text, render, term

    r = sp.result
    lines = [render(msg("split.best", year=r.scenario.tax_year, package=Money(sp.package, "CNY")), lang), ""]
    rows = [(term("field", "bonus", lang, fields="label"), figure_text(sp.bonus, BY_NAME["gross_income"], lang=lang)),
            (term("field", "wages", lang, fields="label"), figure_text(sp.wages, BY_NAME["gross_income"], lang=lang))]
    for name in ("bonus_method_used", "iit", "relief", "relief_policy", "iit_net", "take_home_cny"):
        rows.append((term("figure", name, lang), figure_text(getattr(r, name), BY_NAME[name], lang=lang)))
    rows.append((render(msg("split.saving_salary"), lang),
                 figure_text(sp.saving_vs_salary, BY_NAME["iit_net"], lang=lang)))
    if sp.current is not None:
        rows.append((render(msg("split.saving_current", bonus=Money(sp.current.scenario.bonus, "CNY")), lang),
                     figure_text(sp.saving_vs_current, BY_NAME["iit_net"], lang=lang)))
    width = max(display_width(k) for k, _ in rows)
    lines += [f"{k}{' ' * (width - display_width(k))}  {v}" for k, v in rows]
    if sp.irrelevant is not None:
        lines += ["", render(msg("split.irrelevant", why=sp.irrelevant), lang)]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# what-ifs: the marginal saving of a deduction


@dataclass(frozen=True)
class WhatIf:
    """The case with one more deduction: its amount (the year's cap), the IIT after relief before
    and after, the saving, and what the contribution costs once the saving is counted."""

    field: str
    amount: Decimal
    before: Result
    after: Result

    @property
    def saving(self) -> Decimal:
        saving: Decimal = self.before.iit_net - self.after.iit_net
        return saving

    @property
    def net_cost(self) -> Decimal:
        return self.amount - self.saving

    @property
    def rate(self) -> Decimal:
        """The saving per yuan contributed (6 decimals, half up)."""
        from decimal import ROUND_HALF_UP

        return (self.saving / self.amount).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP) if self.amount else Decimal(0)

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "amount": str(self.amount), "iit_net_before": str(self.before.iit_net),
                "iit_net_after": str(self.after.iit_net), "saving": str(self.saving), "net_cost": str(self.net_cost),
                "saving_rate": str(self.rate)}


WHATIF_FIELDS = (("private_pension", "private_pension"), ("health_insurance", "health_insurance"))


@own_decimal_context
def whatifs(case: Mapping[str, Any], *, tables: Tables | None = None, options: Options = Options()) -> list[WhatIf]:
    """For each of the private pension and the commercial health insurance: the case with the
    contribution raised to the year's cap (12,000 and 2,400 in the shipped tables), against the
    case as given. Both go through one :func:`taxcalc.api.calculate_many` call."""
    from .api import calculate_many

    tables = tables or load_tables()
    s = to_scenario(case)
    caps = tables.mainland[s.tax_year].other_caps if s.tax_year in tables.mainland else None
    cases = [s]
    amounts = []
    for fname, cap_key in WHATIF_FIELDS:
        cap = getattr(caps, cap_key).value if caps is not None else Decimal(0)
        extra = max(Decimal(cap) - getattr(s, fname), Decimal(0))
        amounts.append(extra)
        cases.append(s.model_copy(update={fname: getattr(s, fname) + extra}))
    try:
        results = calculate_many(cases, tables=tables, options=options)
    except InputErrors as exc:              # the case's own mistakes, once: not "row 1", "row 2", "row 3"
        raise exc.one_case(len(cases)) from None
    return [WhatIf(fname, amount, results[0], r) for (fname, _), amount, r in zip(WHATIF_FIELDS, amounts, results[1:])]


def render_whatifs(items: list[WhatIf], lang: str = "en") -> str:
    from .i18n import render

    lines = []
    for w in items:
        if not w.amount:
            lines.append(render(msg("whatif.at_cap", field=Term("field", w.field)), lang, fields="label"))
            continue
        lines.append(render(msg("whatif.line", field=Term("field", w.field), amount=Money(w.amount, "CNY"),
                                saving=Money(w.saving, "CNY"), rate=Rate(w.rate), cost=Money(w.net_cost, "CNY")),
                            lang, fields="label"))
    return "\n".join(lines)
