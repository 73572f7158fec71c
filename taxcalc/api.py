"""The Python API: ``calculate`` for one scenario, ``calculate_many`` for many. One code path.

:class:`Result` is generated from the figure registry (:mod:`taxcalc.figures`): one attribute per
figure, in its unit, plus the scenario, the reliefs considered, the explanation and the notes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, SupportsInt

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from . import columns as colmod
from .engine import Computation, Options, compute
from .errors import InputError, InputErrors, shown_value
from .explain import ReliefOption, Step, explain_row, relief_options
from .figures import FIGURES, python_type, python_value
from .messages import Money, Msg, Term, msg
from .money import Column, own_decimal_context
from .scenario import FIELDS, Scenario
from .tables import Tables, load_tables
from .validate import expected, in_domain, table_errors


class ResultBase(BaseModel):
    """The parts of a result that are not figures."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    scenario: Scenario
    reliefs: list[ReliefOption] = []   # every zone policy considered: amount, or why not
    explanation: Step | None = None
    notes: list[Msg] = []

    def outputs(self) -> dict[str, Any]:
        """Every figure, by its registry name, in registry order."""
        return {f.name: getattr(self, f.name) for f in FIGURES}

    if TYPE_CHECKING:
        # the figures are fields made from the registry at run time (create_model below): to the type
        # checker each is Any (its Python type is figures.python_type)
        def __getattr__(self, name: str) -> Any: ...


if TYPE_CHECKING:
    Result = ResultBase
else:
    Result = create_model("Result", __base__=ResultBase, __module__=__name__,
                          __doc__="A scenario's figures (taxcalc.figures), reliefs, explanation and notes.",
                          **{f.name: (python_type(f), ...) for f in FIGURES})


def pydantic_errors(exc: ValidationError, row: int | None = None) -> list[InputError]:
    """A scenario's validation errors as :class:`InputError`, with the one grammar's codes."""
    out = []
    for e in exc.errors():
        field = ".".join(str(p) for p in e["loc"]) or "(case)"
        kind = e["type"]
        given = e.get("input")
        if kind == "extra_forbidden":        # the key as a value is shown: cut, no control characters
            out.append(InputError(shown_value(field), "field.unknown", None, row))
        elif kind in ("missing", "field.required"):
            out.append(InputError(field, "field.required", None, row, params={"expected": expected(field)}))
        elif "." in kind:
            out.append(InputError(field, kind, given, row, params=dict(e.get("ctx") or {})))
        elif field in FIELDS:   # a constraint the grammar did not check first (should not happen)
            out.append(InputError(field, "field.not_choice" if kind == "literal_error" else "field.too_large",
                                  given, row, params={"expected": expected(field)}))
        else:
            out.append(InputError(shown_value(field), "field.unknown", None, row))
    return out


@own_decimal_context
def to_scenario(data: Scenario | Mapping[str, Any], row: int | None = None) -> Scenario:
    """A validated scenario from a mapping of the batch column keys (text, JSON or Python values)."""
    if isinstance(data, Scenario):
        if in_domain(data):
            return data
        data = dict(data.__dict__)      # made without validation (model_copy(update=...), model_construct): validated now
    if not isinstance(data, Mapping):
        raise InputErrors([InputError("(case)", "case.not_object", None, row)])
    try:
        return Scenario.model_validate(dict(data))
    except ValidationError as exc:
        raise InputErrors(pydantic_errors(exc, row)) from None


def row_errors(cols: colmod.Columns, tables: Tables, options: Options, rows: Column | None = None) -> list[InputError]:
    """The rules across fields and the tables' rules, for validated scenarios as columns."""
    problems = []
    for mask, field, message in colmod.cross_field_errors(cols) + table_errors(cols, tables, options):
        for k in np.flatnonzero(mask):
            row = int(rows[k]) if rows is not None else None
            problems.append(InputError(field, message.code, None, row, params=dict(message.params)))
    return problems


def _arguments(tables: object, options: object) -> Tables:
    """The tables to use; a TypeError that says what is expected for an argument of another kind
    (a path for ``tables``, a dict for ``options``), not an AttributeError from deep inside."""
    if tables is not None and not isinstance(tables, Tables):
        raise TypeError(f"tables: expected the tables of taxcalc.load_tables(DIR) (or None), not {type(tables).__name__}")
    if not isinstance(options, Options):
        raise TypeError(f"options: expected a taxcalc.Options(...), not {type(options).__name__}")
    return tables or load_tables()


@own_decimal_context
def calculate(scenario: Scenario | Mapping[str, Any], *, tables: Tables | None = None,
              options: Options = Options(), explain: bool = True) -> Result:
    """Compute one scenario: mainland IIT, HK Salaries Tax, Macao tax, the zone relief, the gaps."""
    tables = _arguments(tables, options)
    s = to_scenario(scenario)
    cols = colmod.from_scenarios([s])
    problems = row_errors(cols, tables, options)
    if problems:
        raise InputErrors(problems)
    comp = compute(cols, tables, options, trace=True)
    return _result(comp, 0, s, tables, options, explain)


@own_decimal_context
def calculate_many(scenarios: Iterable[Scenario | Mapping[str, Any]], *, tables: Tables | None = None,
                   options: Options = Options(), explain: bool = False) -> list[Result]:
    """Compute many scenarios in one pass of the kernels. Raises with every invalid scenario's
    errors (``row`` is its 1-based position); :func:`taxcalc.batch.run` routes bad rows to an
    errors file instead."""
    tables = _arguments(tables, options)
    if isinstance(scenarios, (Mapping, Scenario, str, bytes)):
        raise TypeError("calculate_many takes a list of cases (mappings or Scenarios); for one case, calculate()")
    items, problems = [], []
    for k, data in enumerate(scenarios, start=1):
        try:
            items.append(to_scenario(data, row=k))
        except InputErrors as exc:
            problems += exc.errors
    if problems:
        raise InputErrors(problems)
    if not items:
        return []
    cols = colmod.from_scenarios(items)
    problems = row_errors(cols, tables, options, rows=np.arange(1, len(items) + 1))
    if problems:
        raise InputErrors(problems)
    comp = compute(cols, tables, options, trace=True)
    return [_result(comp, k, s, tables, options, explain) for k, s in enumerate(items)]


def figure_values(comp: Computation, i: int) -> dict[str, Any]:
    """Row ``i``'s figures as the API shows them."""
    return {f.name: python_value(f, comp.figures[f.name][i], comp.vocab.get(f.name)) for f in FIGURES}


def _result(comp: Computation, i: int, s: Scenario, tables: Tables, options: Options, explain: bool) -> Result:
    values = figure_values(comp, i)
    reliefs = relief_options(comp, i, s, tables, options)
    return Result(
        scenario=s, **values, reliefs=reliefs,
        explanation=explain_row(comp, i, s, tables, options, reliefs) if explain else None,
        notes=_notes(comp, i, s, values, tables, options),
    )


def _notes(comp: Computation, i: int, s: Scenario, v: dict[str, Any], tables: Tables, options: Options) -> list[Msg]:
    """What the person should know about this result: fallbacks, cliffs, caps, assumptions."""
    col = comp.columns
    notes = []
    hk_year = int(col["hk_year"][i])
    if hk_year != s.tax_year:
        notes.append(msg("note.hk_year_fallback", wanted=f"{s.tax_year}/{(s.tax_year + 1) % 100:02d}",
                         used=v["hk_year_of_assessment"]))
    mo_year = int(col["mo_year"][i])
    if mo_year != s.tax_year:
        notes.append(msg("note.macao_year_fallback", wanted=s.tax_year, used=mo_year))
    if v["bonus_cliff"]:
        notes.append(msg("note.bonus_cliff", threshold=Money(v["bonus_cliff_threshold"], "CNY"),
                         loss=Money(v["bonus_cliff_loss"], "CNY")))
    if v["relief_assumed_extended"]:
        opt = next(o for o in relief_options(comp, i, s, tables, options) if o.chosen)
        notes.append(msg("note.assumed_extended", policy=Term("policy", opt.policy), last=opt.last_year))
    if s.residency == "nonresident" and (s.social_insurance or s.additional_deductions or s.other_deductions
                                         or s.private_pension or s.health_insurance or s.social_insurance_auto):
        monthly = tables.mainland[s.tax_year].deductions.basic_monthly_nonresident.value
        notes.append(msg("note.nonresident_deductions", monthly=Money(monthly, "CNY", 0)))
    notes += _capped(comp, i, s)
    notes += _social_notes(comp, i, s)
    return notes


def _social_notes(comp: Computation, i: int, s: Scenario) -> list[Msg]:
    """social_insurance_auto: a contribution year the city's tables lack, and the one used instead."""
    from .scenario import CITY
    from .social import city_codes
    from .tables import year_of_assessment

    col = comp.columns
    if not s.social_insurance_auto or "si_year_a" not in col:
        return []
    city = CITY[int(city_codes({"city": col_value(s, "city"), "zone": col_value(s, "zone")})[0])]
    out = []
    for key, wanted in (("si_year_a", s.tax_year - 1), ("si_year_b", s.tax_year)):
        used = int(col[key][i])
        if used != wanted:
            out.append(msg("note.social_period_fallback", city=Term("choice:city", city),
                           wanted=year_of_assessment(wanted), used=year_of_assessment(used)))
    return out


def col_value(s: Scenario, name: str) -> NDArray[np.int8]:
    """One choice field of a scenario as a one-row code column."""
    from .scenario import ENUMS

    return np.array([ENUMS[name].index(getattr(s, name))], dtype=np.int8)


def _capped(comp: Computation, i: int, s: Scenario) -> list[Msg]:
    """Inputs the law caps, where the amount given was more than the amount used."""
    col = comp.columns
    out = []
    pairs = [("hk_mpf", s.hk_mpf, "hk_mpf", "HKD"), ("private_pension", s.private_pension, "ml_pension", "CNY"),
             ("health_insurance", s.health_insurance, "ml_health", "CNY")]
    for field, given, column, currency in pairs:
        if given is None or column not in col:
            continue
        used = Decimal(int(col[column][i])) / 10_000
        if given > used:
            out.append(msg("note.capped", field=Term("field", field), given=Money(given, currency),
                           used=Money(used, currency)))
    if s.sad_elderly_share is not None and "ml_sad_elderly" in col:    # CNY a month, capped by the year's amount
        used = Decimal(int(col["ml_sad_elderly"][i])) / 12 / 10_000
        if s.sad_elderly_share > used:
            out.append(msg("note.capped", field=Term("field", "sad_elderly_share"), given=Money(s.sad_elderly_share, "CNY"),
                           used=Money(used, "CNY")))
    return out


# ---------------------------------------------------------------------------------------------
# withholding


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


@own_decimal_context
def withholding(scenario: Scenario | Mapping[str, Any], *, tables: Tables | None = None) -> Withholding:
    """The month-by-month cumulative withholding on a resident's wages, paid evenly, with the
    social insurance, special additional and other deductions spread evenly over 12 months.
    The bonus and the other income are left out (they are withheld apart); the settlement compares
    the withheld total with the annual tax on the same wages and deductions."""
    from .mainland import withholding_schedule
    from .params import year_params

    tables = _arguments(tables, Options())
    s = to_scenario(scenario)
    if s.residency != "resident":
        raise InputErrors([InputError("residency", "withholding.residents")])
    wage_only = s.model_copy(update={"bonus": Decimal(0), "labour": Decimal(0), "author": Decimal(0),
                                     "royalty": Decimal(0)})
    cols = colmod.from_scenarios([wage_only])
    problems = row_errors(cols, tables, Options())
    if problems:
        raise InputErrors(problems)
    comp = compute(cols, tables, trace=True)
    r = comp.columns
    p = year_params(tables, s.tax_year).mainland

    def per_month(k: str) -> int:
        return int(r[k][0]) // 12      # units; a remainder below a fen is dropped

    def fen(v: SupportsInt) -> Decimal:
        return (Decimal(int(v)) / 100).quantize(Decimal("0.01"))

    def to_fen(v: SupportsInt) -> int:
        return (int(v) + 50) // 100    # an amount to date, to the fen, half up

    wages_m = int(r["ml_wages"][0]) // 12
    m, inc, taxable, tax, withheld = withholding_schedule(wages_m, per_month("ml_social"), per_month("ml_additional"),
                                                          per_month("ml_other"), p)
    rows = [WithholdingMonth(month=int(m[k]), cumulative_income=fen(to_fen(inc[k])),
                             cumulative_taxable=fen(to_fen(taxable[k])),
                             cumulative_tax=fen(tax[k]), withheld=fen(withheld[k]))
            for k in range(len(m))]
    total = int(withheld.sum())
    annual = int(comp.figures["iit"][0])
    return Withholding(months=rows, withheld_total=fen(total), annual_tax=fen(annual), settlement=fen(annual - total))
