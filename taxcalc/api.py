"""The Python API: ``calculate`` for one scenario, ``calculate_many`` for many. One code path."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable, Mapping

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from . import columns as colmod
from .engine import Options, compute
from .errors import InputError, InputErrors
from .explain import ReliefOption, Step, explain_row, relief_options
from .results import RESULT_COLUMNS, result_arrays, to_python
from .scenario import FIELDS, Scenario, expected
from .tables import Tables, load_tables
from .zones import compiled_policies


class Result(BaseModel):
    """The result columns for one scenario, its explanation and any notes."""

    model_config = ConfigDict(frozen=True)

    scenario: Scenario
    iit_taxable: Decimal
    iit: Decimal
    bonus_method_used: str
    bonus_cliff: bool
    hk_year_of_assessment: str
    hk_tax: int
    hk_tax_reduction: int
    hk_burden_cny: Decimal
    macao_burden_cny: Decimal
    relief: Decimal
    relief_policy: str
    relief_kind: str
    relief_paid_in: int | None
    relief_assumed_extended: bool
    iit_net: Decimal
    effective_rate_mainland: Decimal
    effective_rate_hk: Decimal
    burden_gap_cny: Decimal
    # convenience figures for faces
    gross_income: Decimal
    net_income_mainland: Decimal
    hk_income: Decimal
    hk_net_income: Decimal
    cny_per_hkd: Decimal
    cny_per_mop: Decimal
    hk_tax_cny: Decimal
    reliefs: list[ReliefOption] = []   # every zone policy considered: amount, or why not
    explanation: Step | None = None
    notes: list[str] = []

    def outputs(self) -> dict[str, Any]:
        return {c.name: getattr(self, c.name) for c in RESULT_COLUMNS}


_PREFIX = {
    "greater_than_equal": "must not be negative; ",
    "greater_than": "too small; ",
    "less_than_equal": "too large; ",
    "decimal_max_places": "too many decimals; ",
}


def _message(field: str, e: dict) -> str:
    """The same words as the batch errors file: what went wrong, then what the field accepts."""
    kind = e["type"]
    if kind == "extra_forbidden":
        return "unknown field (the batch columns in the README are the valid keys)"
    if field not in FIELDS:
        return e["msg"]
    if kind == "missing":
        return f"required: {expected(field)}"
    return f"{_PREFIX.get(kind, '')}expected {expected(field)}"


def pydantic_errors(exc: ValidationError, row: int | None = None) -> list[InputError]:
    """pydantic's errors as :class:`InputError`: the field, what was expected, what was given."""
    out = []
    for e in exc.errors():
        field = ".".join(str(p) for p in e["loc"]) or "(scenario)"
        out.append(InputError(field, _message(field, e), e.get("input") if e["type"] != "missing" else None, row))
    return out


def to_scenario(data: Scenario | Mapping[str, Any]) -> Scenario:
    if isinstance(data, Scenario):
        return data
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as exc:
        raise InputErrors(pydantic_errors(exc)) from None


def check_years(years: np.ndarray, tables: Tables) -> np.ndarray:
    """Rows whose tax year has no mainland table."""
    known = tables.mainland_years()
    lookup = np.zeros(max(known) + 2, dtype=bool)
    lookup[known] = True
    inside = (years >= 0) & (years <= max(known))
    return ~(inside & lookup[np.where(inside, years, max(known) + 1)])


def calculate(scenario: Scenario | Mapping[str, Any], *, tables: Tables | None = None,
              options: Options = Options(), explain: bool = True) -> Result:
    """Compute one scenario: mainland IIT, HK Salaries Tax, the zone relief and the gap."""
    tables = tables or load_tables()
    s = to_scenario(scenario)
    cols = colmod.from_scenarios([s])
    problems = [InputError(field, msg) for mask, field, msg in colmod.cross_field_errors(cols)]
    if check_years(cols["tax_year"], tables)[0]:
        problems.append(InputError("tax_year", f"no tables for this year; available: {', '.join(map(str, tables.mainland_years()))}", s.tax_year))
    if problems:
        raise InputErrors(problems)
    r = compute(cols, tables, options)
    return _result(r, 0, s, tables, options, explain)


def _result(r, i, s: Scenario, tables, options, explain: bool) -> Result:
    policies = compiled_policies(tables)
    hk_year = int(r["hk_year"][i])
    ya = tables.hongkong[hk_year].year_of_assessment
    row = r if len(r["iit_fen"]) == 1 else {k: v[i:i + 1] for k, v in r.items()}
    raw = result_arrays(row, [p.policy.id for p in policies], np.array([ya], dtype=object))
    values = {c.name: to_python(c.kind, raw[c.name][0]) for c in RESULT_COLUMNS}
    notes = []
    if hk_year != s.tax_year:
        notes.append(f"Hong Kong: no table for {s.tax_year}/{(s.tax_year + 1) % 100:02d}; {ya} was used")
    if values["bonus_cliff"]:
        notes.append("the bonus lies in a cliff: a smaller bonus would leave more after tax")
    if values["relief_assumed_extended"]:
        notes.append("the relief assumes an expired policy was renewed")
    if s.residency == "nonresident" and (s.social_insurance or s.additional_deductions or s.other_deductions):
        notes.append("non-residents get no deductions beyond 5,000 a month: the deductions given were ignored")
    fen = lambda k: to_python("fen", r[k][i])  # noqa: E731
    reliefs = relief_options(r, i, s, policies)
    return Result(
        scenario=s, **values,
        gross_income=fen("gross_fen"), net_income_mainland=fen("net_income_mainland_fen"),
        hk_income=(Decimal(int(r["hk_income"][i])) / 10_000).quantize(Decimal("0.01")),
        hk_net_income=to_python("fen", r["hk_after_tax_cents"][i]),
        cny_per_hkd=Decimal(int(r["cny_per_hkd"][i])) / 1_000_000,
        cny_per_mop=Decimal(int(r["cny_per_mop"][i])) / 1_000_000,
        hk_tax_cny=fen("hk_tax_cny_fen"),
        reliefs=reliefs,
        explanation=explain_row(r, i, s, tables, options, policies, reliefs) if explain else None,
        notes=notes,
    )


def calculate_many(scenarios: Iterable[Scenario | Mapping[str, Any]], *, tables: Tables | None = None,
                   options: Options = Options(), explain: bool = False) -> list[Result]:
    """Compute many scenarios in one pass of the kernels. Raises on the first invalid scenario;
    use :func:`taxcalc.batch.run` to route bad rows to an errors file instead."""
    tables = tables or load_tables()
    items = []
    for k, data in enumerate(scenarios, start=1):
        try:
            items.append(to_scenario(data))
        except InputErrors as exc:
            for e in exc.errors:
                e.row = k
            raise InputErrors(exc.errors) from None
    if not items:
        return []
    cols = colmod.from_scenarios(items)
    problems = []
    for mask, field, msg in colmod.cross_field_errors(cols):
        problems += [InputError(field, msg, row=int(k) + 1) for k in np.nonzero(mask)[0]]
    for k in np.nonzero(check_years(cols["tax_year"], tables))[0]:
        problems.append(InputError("tax_year", "no tables for this year", items[k].tax_year, row=int(k) + 1))
    if problems:
        raise InputErrors(problems)
    r = compute(cols, tables, options)
    return [_result(r, k, s, tables, options, explain) for k, s in enumerate(items)]


class WithholdingMonth(BaseModel):
    month: int
    cumulative_income: Decimal
    cumulative_taxable: Decimal
    cumulative_tax: Decimal
    withheld: Decimal


class Withholding(BaseModel):
    """What payroll withholds each month (累计预扣法), against the annual result."""

    months: list[WithholdingMonth]
    withheld_total: Decimal
    annual_tax: Decimal
    settlement: Decimal   # positive: the person pays at reconciliation; negative: a refund


def withholding(scenario: Scenario | Mapping[str, Any], *, tables: Tables | None = None) -> Withholding:
    """The month-by-month cumulative withholding on a resident's wages, paid evenly, with the
    social insurance, special additional and other deductions spread evenly over 12 months.
    The bonus and the other income are left out (they are withheld apart); the settlement compares
    the withheld total with the annual tax on the same wages and deductions."""
    from .mainland import withholding_schedule
    from .params import year_params

    tables = tables or load_tables()
    s = to_scenario(scenario)
    if s.residency != "resident":
        raise InputError("residency", "the cumulative withholding schedule applies to residents")
    if check_years(np.array([s.tax_year]), tables)[0]:
        raise InputError("tax_year", "no tables for this year", s.tax_year)
    wage_only = s.model_copy(update={"bonus": Decimal(0), "labour": Decimal(0), "author": Decimal(0),
                                     "royalty": Decimal(0)})
    cols = colmod.from_scenarios([wage_only])
    r = compute(cols, tables)
    p = year_params(tables, s.tax_year).mainland
    per_month = lambda k: int(r[k][0]) // 12  # noqa: E731  (units; a remainder below a fen is dropped)
    wages_m = int(r["ml_wages"][0]) // 12
    m, inc, taxable, tax, withheld = withholding_schedule(wages_m, per_month("ml_social"), per_month("ml_additional"),
                                                          per_month("ml_other"), p)
    rows = [WithholdingMonth(month=int(m[k]), cumulative_income=to_python("fen", inc[k] // 100),
                             cumulative_taxable=to_python("fen", taxable[k] // 100),
                             cumulative_tax=to_python("fen", tax[k]), withheld=to_python("fen", withheld[k]))
            for k in range(len(m))]
    total = int(withheld.sum())
    annual = int(r["iit_fen"][0])
    return Withholding(months=rows, withheld_total=to_python("fen", total), annual_tax=to_python("fen", annual),
                       settlement=to_python("fen", annual - total))
