"""The case being edited: what was typed in each field, the last valid value, the messages.

No Textual here: the screens call this, the tests and the benchmark call it directly.
A bad field never blocks the others: the case computes with that field's last valid value
(or its default) and keeps the message beside the field until it is fixed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..api import Result, calculate, calculate_many
from ..engine import Options
from ..errors import InputError, InputErrors
from ..i18n import N_, _, number
from ..scenario import FIELDS, Scenario, field_default, field_kind
from ..tables import Tables, load_tables

#: the shipped example: a Hong Kong resident researcher in Hetao Shenzhen Park, tax year 2026
HETAO_RESEARCHER: dict[str, Any] = {
    "id": "hetao-researcher", "tax_year": 2026, "residency": "resident", "identity": "hk", "zone": "hetao",
    "talent": True, "work_days": "240", "wages": "900000", "bonus": "100000", "social_insurance": "40000",
    "sad_children": 1, "hk_married": True, "hk_children": 1,
}

EXAMPLES: dict[str, tuple[str, dict[str, Any]]] = {
    "hetao-researcher": (N_("Hetao researcher (HK resident, 2026)"), HETAO_RESEARCHER),
    "qianhai-engineer": (N_("Qianhai engineer (HK resident, 2026)"), {
        "tax_year": 2026, "identity": "hk", "zone": "qianhai", "talent": True, "wages": "600000", "bonus": "50000",
        "social_insurance": "30000", "sad_housing": "rent_tier1", "hk_married": False}),
    "mainland-employee": (N_("Shenzhen employee (mainland, no relief, 2026)"), {
        "tax_year": 2026, "identity": "mainland", "zone": "none", "wages": "360000", "bonus": "40000",
        "social_insurance": "45000", "sad_children": 1, "sad_elderly": "only_child", "sad_housing": "loan"}),
}

# pydantic error types -> a message in the user's language
_PYDANTIC_MESSAGES = {
    "greater_than_equal": N_("must be at least {ge}"),
    "greater_than": N_("must be more than {gt}"),
    "less_than_equal": N_("must be at most {le}"),
    "decimal_max_places": N_("at most {decimal_places} decimals"),
    "decimal_parsing": N_("not a number"),
    "int_parsing": N_("not a whole number"),
    "int_from_float": N_("not a whole number"),
    "literal_error": N_("not one of the choices"),
    "string_too_long": N_("too long"),
}
# the core's cross-field messages, so that they are translated where they are shown
# the core's cross-field messages (they name columns) in the words of the form
_CORE_MESSAGES = {
    "give the special additional deductions either as a total or as sad_ details, not both":
        N_("give the special deductions either as a total or in detail, not both"),
    "the tax-exempt allowances are part of wages, so they cannot exceed wages":
        N_("the tax-exempt allowances are part of wages, so they cannot exceed wages"),
    "only foreign individuals (including Hong Kong, Macao and Taiwan residents) have tax-exempt allowances":
        N_("only foreign individuals (including Hong Kong, Macao and Taiwan residents) have tax-exempt allowances"),
    "a resident chooses either the tax-exempt allowances or the special additional deductions, not both":
        N_("a resident chooses either the tax-exempt allowances or the special additional deductions, not both"),
    "cannot exceed hk_children": N_("cannot exceed the number of children"),
    "cannot exceed hk_parents_60": N_("cannot exceed the number of parents aged 60+"),
    "cannot exceed hk_parents_55": N_("cannot exceed the number of parents aged 55-59"),
    "the single parent allowance needs a child for whom a child allowance is claimed":
        N_("the single parent allowance needs a child for whom a child allowance is claimed"),
    "cannot be claimed with the married person's allowance": N_("cannot be claimed with the married person's allowance"),
    "only applies when sad_elderly is shared": N_("only applies when the support of parents is shared"),
}
_NUMERIC = ("money", "rate", "days", "count", "year")


def parse(name: str, raw: Any) -> Any:
    """What was typed, as the value the scenario expects (raises ValueError with a message id)."""
    kind = field_kind(name)
    if kind in ("bool",):
        return bool(raw)
    if kind == "choice_int":
        return int(raw)
    if kind == "choice":
        return raw
    if kind == "text":
        return None if raw in (None, "") else str(raw)
    text = "" if raw is None else str(raw)
    text = text.replace(",", "").replace("_", "").replace(" ", "").replace("，", "").strip()
    for sign in ("HK$", "CN¥", "¥", "$", "MOP"):
        text = text.replace(sign, "")
    if text == "":
        default = field_default(name)
        if default is None or kind in ("money", "count"):
            return default
        raise ValueError(N_("required"))
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(N_("not a number")) from None
    if not value.is_finite():
        raise ValueError(N_("not a number"))
    if kind in ("count", "year"):
        if value != value.to_integral_value():
            raise ValueError(N_("not a whole number"))
        return int(value)
    return value


def display(name: str, value: Any) -> Any:
    """A valid value as the form shows it (text for inputs, the value for choices and switches)."""
    kind = field_kind(name)
    if kind in ("bool", "choice", "choice_int"):
        return value
    if kind == "money" and value is not None:
        return f"{Decimal(value):,}"          # grouped (900,000); parse() takes the commas out again
    return "" if value is None else str(value)


@dataclass
class FieldState:
    raw: Any                    # what the form holds
    value: Any                  # the last valid value
    error: str = ""             # a message id (or a core message), translated where shown
    error_args: dict = field(default_factory=dict)

    def message(self) -> str:
        return _(self.error).format(**self.error_args) if self.error else ""


class Case:
    """The inputs of one case, validated field by field, and its result."""

    def __init__(self, data: dict[str, Any] | None = None, *, tables: Tables | None = None,
                 options: Options | None = None):
        self.tables = tables or load_tables()
        self.options = options or Options()
        self.fields: dict[str, FieldState] = {}
        self.result: Result | None = None
        self.cross_errors: dict[str, str] = {}
        self.load(data if data is not None else HETAO_RESEARCHER)

    # -- inputs
    def load(self, data: dict[str, Any]) -> None:
        """Replace every field (missing keys take their defaults); unknown keys are reported."""
        unknown = [k for k in data if k not in FIELDS]
        if unknown:
            raise InputErrors([InputError(k, "unknown field") for k in unknown])
        self.fields = {}
        for name in FIELDS:
            default = field_default(name) if name != "tax_year" else self.default_year()
            self.fields[name] = FieldState(raw=display(name, default), value=default)
        for name, raw in data.items():
            self.set(name, raw if field_kind(name) in ("bool", "choice", "choice_int") else display(name, raw)
                     if not isinstance(raw, str) else raw, compute=False)
            st = self.fields[name]
            if field_kind(name) == "money" and not st.error:
                st.raw = display(name, st.value)       # shown grouped: 900,000
        self.compute()

    def default_year(self) -> int:
        years = self.tables.mainland_years()
        from datetime import date

        return min(max(date.today().year, years[0]), years[-1])

    def set(self, name: str, raw: Any, *, compute: bool = True) -> str:
        """Set one field from what was typed; returns its message ('' when valid)."""
        st = self.fields[name]
        st.raw = raw
        st.error, st.error_args = "", {}
        try:
            value = parse(name, raw)
            probe = {"tax_year": self.fields["tax_year"].value, name: value}
            Scenario.model_validate(probe)
            if name == "tax_year" and value not in self.tables.mainland_years():
                years = self.tables.mainland_years()
                raise ValueError(N_("no tables for this year: {first} to {last}"), {"first": years[0], "last": years[-1]})
        except ValueError as exc:
            if isinstance(exc, ValidationError):
                e = exc.errors()[0]
                st.error = _PYDANTIC_MESSAGES.get(e["type"], e["msg"])
                st.error_args = {k: (number(v, 0) if isinstance(v, (int, Decimal)) and abs(v) >= 10_000 else v)
                                 for k, v in (e.get("ctx") or {}).items()}
            else:
                st.error = exc.args[0]
                st.error_args = exc.args[1] if len(exc.args) > 1 else {}
        else:
            st.value = value
        if compute:
            self.compute()
        return st.message()

    def data(self) -> dict[str, Any]:
        """The valid values of every field (the scenario the result is computed from)."""
        return {name: st.value for name, st in self.fields.items()}

    def scenario_json(self) -> dict[str, Any]:
        """The case as JSON (the batch column keys); only values that differ from the defaults."""
        out: dict[str, Any] = {}
        for name, st in self.fields.items():
            if name != "tax_year" and st.value == field_default(name):
                continue
            v = st.value
            out[name] = (int(v) if v == v.to_integral_value() else float(v)) if isinstance(v, Decimal) else v
        return out

    def errors(self) -> dict[str, str]:
        """Field -> message, for every field with a message (its own or a cross-field one)."""
        out = {n: st.message() for n, st in self.fields.items() if st.error}
        for n, msg in self.cross_errors.items():
            out.setdefault(n, _(_CORE_MESSAGES.get(msg, msg)))
        return out

    # -- result
    def compute(self) -> Result:
        data = self.data()
        self.cross_errors = {}
        for _attempt in range(len(FIELDS)):
            try:
                self.result = calculate(data, tables=self.tables, options=self.options, explain=True)
                return self.result
            except InputErrors as exc:
                for e in exc.errors:
                    self.cross_errors.setdefault(e.field, e.message)
                    if e.field in data:   # compute without the offending value
                        data[e.field] = field_default(e.field) if e.field != "tax_year" else self.default_year()
        raise RuntimeError("the case could not be computed")  # pragma: no cover

    def save(self, path: str | Path) -> Path:
        path = Path(path).expanduser()
        path.write_text(json.dumps(self.scenario_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return path

    @staticmethod
    def read(path: str | Path) -> dict[str, Any]:
        path = Path(path).expanduser()
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("expected one JSON object with the batch column keys")  # noqa: TRY004 (shown as a message)
        return data


def rate_curve(data: dict[str, Any], tables: Tables, options: Options | None = None, points: int = 48):
    """Effective rates against gross income for the case's circumstances, in one vectorised pass.

    Wages and bonus are scaled together (other income dropped) from near 0 to about twice the case's
    gross income (at least CNY 600,000). Returns (incomes, mainland before relief, after relief, HK),
    rates in percent."""
    base = {k: v for k, v in dict(data).items() if k != "id"}
    wages, bonus = Decimal(base.get("wages") or 0), Decimal(base.get("bonus") or 0)
    gross = wages + bonus + sum(Decimal(base.get(k) or 0) for k in ("labour", "author", "royalty"))
    top = max(Decimal(600_000), gross * 2)
    share = (bonus / (wages + bonus)) if wages + bonus else Decimal(0)
    base.update({"labour": 0, "author": 0, "royalty": 0, "exempt_allowances": 0, "hk_income": None,
                 "hk_mpf": None, "additional_deductions": base.get("additional_deductions") or 0})
    rows, incomes = [], []
    for k in range(1, points + 1):
        g = (top * k / points).quantize(Decimal(1))
        b = (g * share).quantize(Decimal(1))
        rows.append({**base, "wages": g - b, "bonus": b})
        incomes.append(float(g))
    results = calculate_many(rows, tables=tables, options=options or Options(), explain=False)
    before = [float(r.iit / r.gross_income * 100) if r.gross_income else 0.0 for r in results]
    after = [float(r.effective_rate_mainland * 100) for r in results]
    hk = [float(r.effective_rate_hk * 100) for r in results]
    return incomes, before, after, hk
