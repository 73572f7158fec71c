"""Effective rates against gross income for one case's circumstances (the terminal UI's chart).

The curve is a batch of one case at other incomes, run through the one code path
(:func:`taxcalc.api.calculate_many`), so every point is a registry figure: ``gross_income``,
``effective_rate_before_relief``, ``effective_rate_mainland`` and ``effective_rate_hk`` of a
:class:`~taxcalc.api.Result`. Only the inputs are built here, never a figure.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from .api import Result, calculate_many
from .engine import Options
from .money import MAX_AMOUNT
from .tables import Tables, load_tables

#: the curve reaches at least this gross income (CNY a year), else twice the case's
MIN_TOP = Decimal(600_000)


def rate_curve(result: Result, *, tables: Tables | None = None, options: Options = Options(),
               points: int = 48) -> list[Result]:
    """The case of ``result`` at ``points`` gross incomes from near 0 to twice its gross income
    (at least CNY 600,000, at most the largest amount a field takes), in one vectorised pass.

    Wages and the bonus keep the case's proportions (whole yuan); labour, author's remuneration,
    royalties and the tax-exempt allowances are dropped, the Hong Kong income and MPF take their
    defaults (the same income converted), every other field (year, identity, zone, deductions, the
    family) stays. Returns the results in order of income, without explanations."""
    tables = tables or load_tables()
    s = result.scenario
    top = min(max(MIN_TOP, result.gross_income * 2), Decimal(MAX_AMOUNT))
    paid = s.wages + s.bonus
    base = s.model_dump(exclude_none=True)
    base.pop("id", None)
    base.update({"labour": 0, "author": 0, "royalty": 0, "exempt_allowances": 0})
    base.pop("hk_income", None)
    base.pop("hk_mpf", None)
    rows = []
    for k in range(1, points + 1):
        gross = (top * k / points).quantize(Decimal(1), ROUND_HALF_UP)
        bonus = (gross * s.bonus / paid).quantize(Decimal(1), ROUND_HALF_UP) if paid else Decimal(0)
        rows.append({**base, "wages": gross - bonus, "bonus": bonus})
    return calculate_many(rows, tables=tables, options=options, explain=False)
