"""The case being edited: what was typed in each field, the last valid value, the messages.

No Textual here: the screens call this, the tests and the benchmark call it directly.

Every field is read with the one grammar (:func:`taxcalc.validate.parse_field`), the same as the
command line's flags, the JSON case files and the batch cells, so the same text means the same
value and the same mistake gets the same message (a code, rendered in the UI language with the
field labels). A bad field never blocks the others: the case computes with that field's last
valid value, or with its default where a rule across fields or the tables rejects the value, and
says which beside the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..api import Result, calculate
from ..engine import Options
from ..errors import InputError, InputErrors
from ..i18n import N_, _, render, term
from ..messages import Msg, Term, msg
from ..scenario import FIELDS, field_default, field_kind
from ..summary import Summary, summarize
from ..tables import Tables, load_tables
from ..validate import FieldError, expected, parse_field

#: the shipped example: a Hong Kong resident researcher in Hetao Shenzhen Park, tax year 2026
HETAO_RESEARCHER: dict[str, Any] = {
    "id": "hetao-researcher", "tax_year": 2026, "residency": "resident", "identity": "hk", "zone": "hetao",
    "talent": True, "work_days": "240", "wages": "900000", "bonus": "100000", "social_insurance": "40000",
    "sad_children": 1, "hk_married": True, "hk_children": 1,
}

EXAMPLES: dict[str, tuple[str, dict[str, Any]]] = {
    "hetao-researcher": (N_("Hetao researcher (HK resident, 2026)"), HETAO_RESEARCHER),
    "qianhai-engineer": (N_("Qianhai engineer (HK resident, 2026)"), {
        "id": "qianhai-engineer", "tax_year": 2026, "identity": "hk", "zone": "qianhai", "talent": True,
        "wages": "600000", "bonus": "50000", "social_insurance": "30000", "sad_housing": "rent_tier1", "hk_married": False}),
    "mainland-employee": (N_("Shenzhen employee (mainland, no relief, 2026)"), {
        "id": "mainland-employee", "tax_year": 2026, "identity": "mainland", "zone": "none",
        "wages": "360000", "bonus": "40000", "social_insurance": "45000", "sad_children": 1,
        "sad_elderly": "only_child", "sad_housing": "loan"}),
    "hengqin-macao-resident": (N_("Hengqin professional (Macao resident, 2026)"), {
        "id": "hengqin-macao-resident", "tax_year": 2026, "identity": "macao", "zone": "hengqin", "talent": True,
        "wages": "600000", "bonus": "60000", "social_insurance": "30000"}),
    "nansha-foreign-talent": (N_("Nansha engineer (foreign talent, 2026)"), {
        "id": "nansha-foreign-talent", "tax_year": 2026, "identity": "foreign", "zone": "nansha", "talent": True,
        "wages": "1200000", "bonus": "150000", "social_insurance": "36000", "exempt_allowances": "120000"}),
}

LAST_VALID, DEFAULT = "last", "default"


def display(name: str, value: Any) -> Any:
    """A valid value as the form holds it: text for inputs (amounts grouped, 900,000, which the
    grammar reads back), the value itself for choices and switches."""
    kind = field_kind(name)
    if kind in ("bool", "choice", "choice_int"):
        return value
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, ",f" if kind == "money" else "f")
    return str(value)


def value_words(name: str, value: Any) -> str:
    """A field's value in the UI language, for the messages beside it (``the results use ...``)."""
    kind = field_kind(name)
    if value is None:
        return _("empty")
    if kind == "bool":
        return term("word", "yes" if value else "no")
    if kind in ("choice", "choice_int"):
        return term(f"choice:{name}", value)
    return str(display(name, value))


@dataclass
class FieldState:
    raw: Any                    # what the form holds
    value: Any                  # the last valid value
    error: Msg | None = None    # the field's own message (a code of the one grammar)


class Case:
    """The inputs of one case, validated field by field, and its result."""

    def __init__(self, data: Mapping[str, Any] | None = None, *, tables: Tables | None = None,
                 options: Options | None = None):
        self.tables = tables or load_tables()
        self.options = options or Options()
        self.fields: dict[str, FieldState] = {}
        self.result: Result | None = None
        self.summary: Summary | None = None       # the headline, the marks, the bonus cliff after relief
        self.cross_errors: dict[str, Msg] = {}    # rules across fields and the tables' rules, by field
        self.used: dict[str, tuple[str, Any]] = {}  # bad fields: (LAST_VALID or DEFAULT, the value computed with)
        self._notes: tuple[Result, dict[str, list[str]]] | None = None
        self.last_edited = ""                       # the field set last (a rule across fields undoes it first)
        self.load(data if data is not None else HETAO_RESEARCHER)

    # -- inputs
    def load(self, data: Mapping[str, Any]) -> None:
        """Replace every field with a case's (missing keys take their defaults), all or nothing.

        The case is validated as the command line validates ``calc --input``: a case with any bad
        field (or an unknown key, or a rule across fields broken) raises
        :class:`~taxcalc.errors.InputErrors` with every field's message, and the case being
        edited stays as it was."""
        if not isinstance(data, Mapping):
            raise InputErrors([InputError("(case)", "case.not_object")])
        result = calculate(dict(data), tables=self.tables, options=self.options, explain=True)
        summary = summarize(result, self.tables, self.options)
        s = result.scenario
        self.fields = {name: FieldState(raw=display(name, getattr(s, name)), value=getattr(s, name)) for name in FIELDS}
        self.result, self.summary, self.cross_errors, self.used = result, summary, {}, {}

    def set(self, name: str, raw: Any, *, compute: bool = True) -> str:
        """Set one field from what was typed (or chosen); returns its message ('' when valid)."""
        st = self.fields[name]
        st.raw, st.error = raw, None
        self.last_edited = name
        try:
            value = parse_field(name, raw)
        except FieldError as exc:
            st.error = msg(exc.code, **exc.params)
        else:
            if value is None and name == "tax_year":
                st.error = msg("field.required", expected=expected(name))
            else:
                st.value = field_default(name) if value is None else value
        if compute:
            self.compute()
        return self.errors().get(name, "")

    def data(self) -> dict[str, Any]:
        """The valid values of every field (the scenario the result is computed from)."""
        return {name: st.value for name, st in self.fields.items()}

    def scenario_json(self) -> dict[str, Any]:
        """The case as JSON (the batch column keys); only values that differ from the defaults.
        Amounts are JSON numbers where a number says them exactly, else text (the grammar reads both)."""
        out: dict[str, Any] = {}
        for name, st in self.fields.items():
            if name != "tax_year" and st.value == field_default(name):
                continue
            v = st.value
            if isinstance(v, Decimal):
                v = int(v) if v == v.to_integral_value() else (float(v) if Decimal(repr(float(v))) == v else format(v, "f"))
            out[name] = v
        return out

    def errors(self) -> dict[str, str]:
        """Field -> message in the UI language, for every field with a message (its own, or a
        rule across fields or the tables' one)."""
        out = {n: render(st.error, fields="label") for n, st in self.fields.items() if st.error is not None}
        for n, m in self.cross_errors.items():
            out.setdefault(n, render(m, fields="label"))
        return out

    def field_notes(self) -> dict[str, list[str]]:
        """The core's notes about the inputs, by field (a capped amount ...), for the current result."""
        from .report import field_notes

        if self._notes is None or self._notes[0] is not self.result:
            self._notes = (self.result, field_notes(self.result, self.summary))
        return self._notes[1]

    def used_text(self, name: str) -> str:
        """For a bad field: what the results are computed with instead ('' for a good field)."""
        if name not in self.used:
            return ""
        how, value = self.used[name]
        template = (N_("the results use {value}, its last valid value") if how == LAST_VALID
                    else N_("the results use {value}, its default"))
        return _(template).format(value=value_words(name, value))

    def status(self) -> str:
        """One line on the bad fields, if any: how many and what the results are computed with."""
        n = len(self.errors())
        if not n:
            return ""
        hows = {how for how, _v in self.used.values()}
        if hows == {LAST_VALID}:
            template = N_("⚠ {n} field(s) need attention: computed with their last valid values")
        elif hows == {DEFAULT}:
            template = N_("⚠ {n} field(s) need attention: computed with their defaults")
        else:
            template = N_("⚠ {n} field(s) need attention: computed with the values named beside them")
        return _(template).format(n=n)

    # -- result
    def compute(self) -> Result:
        data = self.data()
        self.cross_errors = {}
        self.used = {n: (LAST_VALID, st.value) for n, st in self.fields.items() if st.error is not None}
        for _attempt in range(len(FIELDS)):
            try:
                self.result = calculate(data, tables=self.tables, options=self.options, explain=True)
                self.summary = summarize(self.result, self.tables, self.options)
                return self.result
            except InputErrors as exc:
                changed = False
                for e in exc.errors:
                    self.cross_errors.setdefault(e.field, e.message)
                    if e.field in data and data[e.field] != self.default(e.field):   # compute without the offending value
                        changed |= self._default(data, e.field)
                for e in exc.errors if not changed else ():
                    # the field the rule names already holds its default (a city for the computed social
                    # insurance): the rule's other field instead, the one just edited first
                    named = [p.value for p in e.message.params.values() if isinstance(p, Term) and p.kind == "field"
                             and p.value in data and p.value != "tax_year" and data[p.value] != self.default(p.value)]
                    named.sort(key=lambda n: n != self.last_edited)
                    if named:
                        self.cross_errors.setdefault(named[0], e.message)
                        changed |= self._default(data, named[0])
                if not changed:
                    break
        raise RuntimeError("the case could not be computed")  # pragma: no cover

    def _default(self, data: dict[str, Any], name: str) -> bool:
        """Compute with a field's default instead of its value (said beside the field)."""
        data[name] = self.default(name)
        self.used[name] = (DEFAULT, data[name])
        return True

    def default(self, name: str) -> Any:
        """A field's default; the tax year's is this year, within the tables."""
        if name != "tax_year":
            return field_default(name)
        from datetime import date

        years = self.tables.mainland_years()
        return min(max(date.today().year, years[0]), years[-1])

    def save(self, path: str | Path) -> Path:
        """The case as a JSON file (raises OSError or ValueError for a path that cannot be written)."""
        path = Path(path).expanduser()
        path.write_text(json.dumps(self.scenario_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return path
