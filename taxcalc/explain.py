"""The explanation: the steps of one row's computation, read from the engine's columns.

Steps are declared here and evaluated against the columns the one code path produced for the
row (:class:`taxcalc.engine.Computation`): a step reads a column, it never recomputes it. Each
step has a code (its label is a message of :mod:`taxcalc.messages`, rendered by the faces), a
typed value, the registry figure it equals (``figure``) where it is one, whether it is the sum
of its children (``total``), a formula and a note (messages too), and the citation of the table
value it uses. Statutory numbers in labels and formulas come from the tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from .figures import BY_NAME, python_value
from .messages import Money, Msg, Number, Rate, Term, Terms, msg
from .tables import BracketTable, Citation, HongKongTable, MainlandTable, Table, Tables
from .zones import APPLIES, DAYS_R, IDENTITY_R, TALENT_R, WINDOW_R, ZONE_R, compiled_policies

if TYPE_CHECKING:
    from .api import Result
    from .engine import Computation, Options
    from .scenario import Scenario

UNIT = 10_000


@dataclass(slots=True)
class Step:
    """One figure of the explanation."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    value: Money | Rate | Number | int | None = None
    figure: str | None = None          # the registry figure this step's value is
    total: bool = False                # the value is the sum of the children's values
    formula: Msg | None = None
    note: Msg | None = None
    citation: Citation | None = None
    children: list[Step] = field(default_factory=list)

    @property
    def label(self) -> Msg:
        return msg(self.code, **self.params)

    def add(self, *steps: Step | None) -> Step:
        self.children.extend(s for s in steps if s is not None)
        return self

    def walk(self, depth: int = 0) -> Iterator[tuple[int, Step]]:
        yield depth, self
        for ch in self.children:
            yield from ch.walk(depth + 1)

    def find(self, code: str) -> Step | None:
        return next((s for _d, s in self.walk() if s.code == code), None)

    def amount(self) -> Decimal | int | None:
        """The exact value (for checks): an amount, a rate, or a count."""
        v = self.value
        if isinstance(v, Money):
            return Decimal(v.amount)
        if isinstance(v, (Rate, Number)):
            return Decimal(v.value)
        return v

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The step and its children as plain data (JSON), rendered in ``lang``; the codes stay."""
        from .i18n import _param, render

        out: dict[str, Any] = {"code": self.code, "label": render(self.label, lang)}
        if self.value is not None:
            out["value"] = _param(self.value, lang, "column")
            amount = self.amount()
            out["amount"] = str(amount) if isinstance(amount, Decimal) else amount
            if isinstance(self.value, Money):
                out["unit"] = self.value.currency
        if self.figure:
            out["figure"] = self.figure
        if self.formula is not None:
            out["formula"] = render(self.formula, lang)
        if self.note is not None:
            out["note"] = render(self.note, lang)
        if self.citation is not None:
            out["citation"] = self.citation.model_dump(exclude_defaults=True)
        if self.children:
            out["children"] = [c.to_dict(lang) for c in self.children]
        return out

    def __str__(self) -> str:
        return render_text(self)


def render_text(step: Step, lang: str = "en", citations: bool = True) -> str:
    """The explanation as indented text (the command line's ``--explain``), in ``lang``."""
    from .i18n import render, value_text

    lines = []
    for depth, st in step.walk():
        pad = "  " * depth
        label = render(st.label, lang)
        head = render(msg("line.label_value", label=label, value=value_text(st.value, lang)), lang) \
            if st.value is not None else label
        lines.append(f"{pad}- {head}")
        if st.formula is not None:
            lines.append(f"{pad}    " + render(msg("line.formula", formula=st.formula), lang))
        if st.note is not None:
            lines.append(f"{pad}    " + render(msg("line.note", note=st.note), lang))
        if citations and st.citation is not None:
            lines.append(f"{pad}    " + render(msg("line.source", source=citation_text(st.citation, lang)), lang))
    return "\n".join(lines)


def citation_text(c: Citation, lang: str = "en") -> str:
    """A citation in one line: the document's title as published (a proper name, not translated),
    in English also the article or line referred to as the table gives it (the tables' ``ref``
    notes are English), and its marks (adviser, inferred, uncertain, proposed) in the language."""
    from .i18n import normalize, render

    marks = [m for m in (c.confidence, c.status) if m not in ("verified", "enacted")]
    text = c.title + (f", {c.ref}" if c.ref and normalize(lang) == "en" else "")
    if marks:
        text = render(msg("citation.marked", citation=text, marks=Terms("mark", tuple(marks))), lang)
    return text


# ---------------------------------------------------------------------------------------------
# reading one row


class _Row:
    """Row ``i`` of a computation, with typed readers."""

    def __init__(self, comp: Computation, i: int, tables: Tables):
        self.comp, self.i, self.tables = comp, i, tables
        self.col = comp.columns

    def raw(self, column: str) -> int:
        return int(self.col[column][self.i])

    def units(self, column: str, currency: str = "CNY") -> Money:
        """An amount kept in 1/10,000 units, exact."""
        return Money(_exact(Decimal(self.raw(column)) / UNIT), currency)

    def fen(self, column: str, currency: str = "CNY") -> Money:
        return Money(Decimal(self.raw(column)).scaleb(-2).quantize(Decimal("0.01")), currency)

    def whole(self, column: str, currency: str) -> Money:
        return Money(self.raw(column), currency, 0)

    def figure(self, name: str) -> Money | Rate | Number | int | None:
        f = BY_NAME[name]
        v = python_value(f, self.comp.figures[name][self.i], self.comp.vocab.get(name))
        # python_value gives money as Decimal (or int whole dollars), rates and exchange rates as Decimal
        if f.is_money:
            return Money(cast("Decimal | int", v), f.unit, f.decimals)
        if f.unit == "rate":
            return Rate(cast(Decimal, v))
        if f.unit == "fx":
            return Number(cast(Decimal, v))
        return cast("int | None", v)      # a year or a flag: the explanation shows no text figure

    def rate(self, column: str) -> Decimal:
        return _exact(Decimal(self.raw(column)) / 1_000_000)


def _exact(d: Decimal) -> Decimal:
    """At least 2 decimals, more only where the value has them."""
    q = d.quantize(Decimal("0.01"))
    return q if q == d else d.normalize()


def _whole(m: Money) -> Money:
    """A cap or a statutory amount: shown without cents (a digit it has is never hidden)."""
    return Money(m.amount, m.currency, 0)


def _fig(row: _Row, code: str, name: str, **kw: Any) -> Step:
    return Step(code, value=row.figure(name), figure=name, **kw)


def _cite(tables: Tables, table: Table, key: str) -> Citation:
    obj: Any = table       # a dotted path into the model: fields, then a list index
    for part in key.split("."):
        obj = obj[int(part)] if isinstance(obj, dict) else getattr(obj, part)
    return tables.citation(table, key, obj)


def _bracket_formula(taxable: Money, table_model: BracketTable, idx: int, times_q: int = 1) -> Msg:
    b = table_model.brackets[int(idx)]
    quick = Money(b.quick_deduction, "CNY", 0)
    if times_q != 1:
        return msg("formula.bracket_times", taxable=taxable, rate=Rate(b.rate), times=times_q, quick=quick)
    return msg("formula.bracket", taxable=taxable, rate=Rate(b.rate), quick=quick)


# ---------------------------------------------------------------------------------------------
# the tree


def explain_row(comp: Computation, i: int, s: Scenario, tables: Tables, options: Options,
                reliefs: list[ReliefOption] | None = None) -> Step:
    """The explanation of row ``i`` of ``comp`` (scenario ``s``)."""
    row = _Row(comp, i, tables)
    reliefs = reliefs if reliefs is not None else relief_options(comp, i, s, tables, options)
    root = Step("step.case", {"year": s.tax_year, "identity": Term("identity", s.identity),
                              "residency": Term("residency", s.residency), "zone": Term("zone", s.zone)})
    return root.add(_mainland(row, s), _hongkong(row, s), _burdens(row, s, options),
                    _zones(row, s, reliefs), _gaps(row), _social(row, s), _pay(row, s))


def _mainland(row: _Row, s: Scenario) -> Step:
    tables = row.tables
    ml = tables.mainland[s.tax_year]
    node = _fig(row, "step.iit", "iit")
    amounts = Step("step.income_amounts", value=row.units("ml_income_amounts"), total=True)
    exempt = bool(s.exempt_allowances) and ml.foreign_allowances.exempt.value
    amounts.add(Step("step.wages_less_exempt" if exempt else "step.wages", value=row.units("ml_wages"),
                     citation=_cite(tables, ml, "foreign_allowances.exempt") if s.exempt_allowances else None))
    for key in ("labour", "author", "royalty"):
        gross = getattr(s, key)
        if gross:
            ratio = getattr(ml.income_ratios, key)
            amounts.add(Step(f"step.{key}", value=row.units(f"ml_{key}"),
                             formula=msg("formula.ratio", gross=Money(gross, "CNY"), ratio=Rate(ratio.value)),
                             citation=_cite(tables, ml, f"income_ratios.{key}")))
    node.add(amounts)
    if s.residency == "nonresident":
        monthly = Money(ml.deductions.basic_monthly_nonresident.value, "CNY", 0)
        node.note = msg("note.nonresident", monthly=monthly)
        node.add(
            Step("step.nr_taxable_wages", value=row.units("nr_taxable_wages"),
                 formula=msg("formula.nr_wages", monthly=monthly),
                 citation=_cite(tables, ml, "deductions.basic_monthly_nonresident")),
            Step("step.nr_tax_wages", value=row.fen("nr_tax_wages_fen"),
                 citation=tables.citation(ml, "monthly_table", ml.monthly_table)),
            Step("step.nr_tax_other",
                 value=Money((Decimal(row.raw("nr_tax_labour_fen") + row.raw("nr_tax_author_fen")
                                      + row.raw("nr_tax_royalty_fen")) / 100).quantize(Decimal("0.01")), "CNY")),
        )
        if s.bonus:
            months = int(ml.bonus.nonresident_months.value)
            node.add(Step("step.nr_bonus", {"months": months}, value=row.fen("ml_bonus_tax_fen"),
                          formula=_bracket_formula(Money(s.bonus, "CNY"), ml.monthly_table, row.raw("ml_bracket_bonus"), months),
                          citation=_cite(tables, ml, "bonus.nonresident_months")))
        node.add(_fig(row, "step.taxable_used", "iit_taxable"))
        return node

    other = Step("step.other", value=row.units("ml_other"), total=True).add(
        Step("step.other_given", value=Money(s.other_deductions, "CNY")) if s.other_deductions else None,
        _pension(row, s, ml) if s.private_pension else None,
        Step("step.health", {"cap": Money(ml.other_caps.health_insurance.value, "CNY", 0)}, value=row.units("ml_health"),
             citation=_cite(tables, ml, "other_caps.health_insurance")) if s.health_insurance else None,
    )
    if not other.children:
        other.total = False
    node.add(Step("step.deductions", value=row.units("ml_deductions"), total=True).add(
        Step("step.basic", value=row.units("ml_basic"), citation=_cite(tables, ml, "deductions.basic_annual")),
        Step("step.social", value=row.units("ml_social")),
        _sad(row, s, ml),
        other,
    ))
    sep = bool(row.raw("use_separate"))
    apart = Step("step.taxable_apart", value=row.units("ml_taxable_apart"),
                 formula=msg("formula.max0_minus", a=row.units("ml_comprehensive"), b=row.units("ml_deductions")))
    apart.add(Step("step.tax_apart", value=row.fen("ml_tax_apart_fen"),
                   formula=_bracket_formula(row.units("ml_taxable_apart"), ml.annual_table, row.raw("ml_bracket_apart")),
                   citation=tables.citation(ml, "annual_table", ml.annual_table)))
    node.add(apart)
    if s.bonus:
        b = Step("step.bonus", {"method": Term("word", "separate" if sep else "combined"),
                                "asked": Term("word", s.bonus_method)},
                 value=row.figure("iit"), figure="iit", citation=_cite(tables, ml, "bonus.separate_allowed"))
        b.add(Step("step.bonus_separate", value=row.fen("ml_bonus_tax_fen"),
                   formula=_bracket_formula(Money(s.bonus, "CNY"), ml.monthly_table, row.raw("ml_bracket_bonus")),
                   citation=tables.citation(ml, "monthly_table", ml.monthly_table)),
              Step("step.separate_total", value=row.fen("ml_separate_total_fen"),
                   formula=msg("formula.plus", a=row.fen("ml_tax_apart_fen"), b=row.fen("ml_bonus_tax_fen"))),
              Step("step.combined_taxable", value=row.units("ml_taxable_merged")),
              Step("step.combined_tax", value=row.fen("ml_tax_merged_fen"),
                   formula=_bracket_formula(row.units("ml_taxable_merged"), ml.annual_table, row.raw("ml_bracket_merged"))))
        if not row.raw("ml_bonus_allowed"):
            b.note = msg("note.bonus_not_separate", year=s.tax_year)
        elif s.bonus_method == "best":
            b.note = msg("note.bonus_best")
        if row.raw("bonus_cliff"):
            b.add(_fig(row, "step.bonus_cliff", "bonus_cliff_threshold",
                       note=msg("note.bonus_cliff", threshold=row.figure("bonus_cliff_threshold"),
                                loss=row.figure("bonus_cliff_loss"))))
        node.add(b)
    node.add(_fig(row, "step.taxable_used", "iit_taxable"))
    return node


def _pension(row: _Row, s: Scenario, ml: MainlandTable) -> Step:
    step = Step("step.pension", {"cap": Money(ml.other_caps.private_pension.value, "CNY", 0)}, value=row.units("ml_pension"),
                citation=_cite(row.tables, ml, "other_caps.private_pension"))
    pilot = ml.private_pension_pilot
    if pilot is not None:
        step.citation = _cite(row.tables, ml, f"private_pension_pilot.{s.zone}")
        if not getattr(pilot, s.zone).value:
            step.note = msg("note.pension_not_pilot", year=s.tax_year, zone=Term("zone", s.zone))
    return step


_SAD = (("sad_children", "step.sad_children", "special_additional.children_education_monthly"),
        ("sad_infants", "step.sad_infants", "special_additional.infant_care_monthly"),
        ("sad_elderly", "step.sad_elderly", None),
        ("sad_housing", "step.sad_housing", None),
        ("sad_education", "step.sad_education", "special_additional.continuing_education_degree_monthly"),
        ("sad_illness", "step.sad_illness", "special_additional.serious_illness_cap"))


def _sad(row: _Row, s: Scenario, ml: MainlandTable) -> Step:
    sad = Step("step.sad", value=row.units("ml_additional"), total=True)
    if s.additional_deductions:
        return sad.add(Step("step.sad_total_given", value=Money(s.additional_deductions, "CNY")))
    for key, code, cite in _SAD:
        if key == "sad_elderly":
            cite = ("special_additional.elderly_only_child_monthly" if s.sad_elderly == "only_child"
                    else "special_additional.elderly_shared_cap_monthly")
        elif key == "sad_housing":
            cite = ("special_additional.housing_loan_monthly" if s.sad_housing in ("none", "loan")
                    else f"special_additional.{s.sad_housing}_monthly")
        if row.raw(f"ml_{key}"):
            assert cite is not None, key      # None in _SAD only for elderly and housing, set above
            sad.add(Step(code, value=row.units(f"ml_{key}"), citation=_cite(row.tables, ml, cite)))
    if not sad.children:
        sad.total = False
    return sad


#: the itemised claims shown in the explanation: input field, engine key, label code, table key of the cap
_HK_CLAIMS = (("hk_home_loan_interest", "hli", "step.hk_claim_hli", "deductions.home_loan_interest"),
              ("hk_rent", "rent", "step.hk_claim_rent", "deductions.domestic_rent"),
              ("hk_elderly_care", "elderly", "step.hk_claim_elderly", "deductions.elderly_residential_care"),
              ("hk_self_education", "education", "step.hk_claim_education", "deductions.self_education"),
              ("hk_vhis_premiums", "vhis", "step.hk_claim_vhis", "deductions.vhis_per_insured"),
              ("hk_annuity_tvc", "annuity", "step.hk_claim_annuity", "deductions.annuity_and_tvc"),
              ("hk_donations", "donations", "step.hk_claim_donations", "deductions.donations_rate"))


def _claim(row: _Row, s: Scenario, hk: HongKongTable, field: str, key: str, code: str, cite: str,
           prefix: str = "hk_") -> Step | None:
    given = getattr(s, field)
    if not given:
        return None
    allowed = row.units(f"{prefix}ded_{key}", "HKD")
    cap = row.units(f"{prefix}cap_{key}", "HKD")
    step = Step(code, {"cap": cap}, value=allowed)
    if cite.endswith("domestic_rent") and hk.deductions.domestic_rent is None:
        step.note = msg("note.hk_rent_not_deductible", ya=hk.year_of_assessment)
    elif key == "donations" and given < hk.deductions.donations_minimum.value:
        step.note = msg("note.hk_donations_minimum", minimum=Money(hk.deductions.donations_minimum.value, "HKD", 0))
    elif allowed.amount < given:
        step.note = msg("note.capped", field=Term("field", field), given=Money(given, "HKD"), used=allowed)
    if cite.endswith("domestic_rent") and hk.deductions.domestic_rent is None:
        cite = "deductions.home_loan_interest"
    step.citation = _cite(row.tables, hk, cite)
    return step


def _hk_deductions(row: _Row, s: Scenario, hk: HongKongTable, prefix: str = "hk_",
                   code: str = "step.hk_deductions_allowed") -> Step:
    """Each claim, its cap and what was allowed; the total."""
    node = Step(code, value=row.units(f"{prefix}ded_total", "HKD"), total=True)
    claims = {key: _claim(row, s, hk, field, key, c, cite, prefix) for field, key, c, cite in _HK_CLAIMS}
    if claims["hli"] or claims["rent"]:
        home = Step("step.hk_claim_home", {"cap": _whole(row.units(f"{prefix}cap_home", "HKD"))},
                    value=row.units(f"{prefix}ded_home", "HKD"))
        home.add(claims["hli"], claims["rent"])
        if hk.deductions.home_loan_and_rent is not None:
            home.citation = _cite(row.tables, hk, "deductions.home_loan_and_rent")
            parts = sum((c.amount() or 0 for c in home.children), Decimal(0))     # Money values: Decimal amounts
            if parts > (home.amount() or 0):
                home.note = msg("note.hk_home_common_cap", cap=_whole(row.units(f"{prefix}cap_home", "HKD")))
        if s.hk_lives_with_newborn or s.hk_newborns:
            extra = hk.deductions.newborn_home_additional
            if extra is not None:
                home.formula = msg("formula.hk_newborn_home", extra=Money(extra.value, "HKD", 0))
        node.add(home)
    for key in ("elderly", "education", "vhis", "annuity", "donations"):
        node.add(claims[key])
    if s.hk_deductions or not node.children:
        node.add(Step("step.hk_deductions", value=row.units(f"{prefix}ded_other", "HKD")))
    return node


def _hongkong(row: _Row, s: Scenario) -> Step:
    tables = row.tables
    hk = tables.hongkong[row.raw("hk_year")]
    node = _fig(row, "step.hk", "hk_tax", params={"ya": hk.year_of_assessment})
    if row.raw("hk_year") != s.tax_year:
        node.note = msg("note.hk_year_fallback", wanted=f"{s.tax_year}/{(s.tax_year + 1) % 100:02d}",
                        used=hk.year_of_assessment)
    inc = _fig(row, "step.hk_income", "hk_assessable_income")
    if s.hk_income is None:
        inc.formula = msg("formula.to_currency", amount=row.figure("gross_income"), rate=row.figure("cny_per_hkd_used"))
        fx = tables.fx
        if s.cny_per_hkd is None and fx is not None and s.tax_year in fx.cny_per_hkd:
            inc.citation = tables.citation(fx, f"cny_per_hkd.{s.tax_year}", fx.cny_per_hkd[s.tax_year])
    mpf_cap = Money(hk.mpf.deduction_cap.value, "HKD", 0)
    if s.hk_mpf is not None:
        mpf_formula = msg("formula.mpf_given", given=Money(s.hk_mpf, "HKD"), cap=mpf_cap)
    else:
        mpf_formula = msg("formula.mpf_default", rate=Rate(hk.mpf.employee_rate.value),
                          min=Money(hk.mpf.min_monthly_income.value, "HKD", 0),
                          max=Money(hk.mpf.max_monthly_contribution.value, "HKD", 0), cap=mpf_cap)
    married_allowance = bool(s.hk_married and not row.raw("hk_has_spouse"))
    allow = Step("step.hk_allowances", value=row.units("hk_allow_total", "HKD"), total=True).add(
        Step("step.hk_allow_married" if married_allowance else "step.hk_allow_basic",
             value=row.units("hk_allow_personal", "HKD"),
             citation=_cite(tables, hk, "allowances.married" if married_allowance else "allowances.basic")))
    if row.raw("hk_allow_children"):
        allow.add(Step("step.hk_allow_children", value=row.units("hk_allow_children", "HKD"),
                       citation=_cite(tables, hk, "allowances.child")))
    if row.raw("hk_allow_parents"):
        allow.add(Step("step.hk_allow_parents", value=row.units("hk_allow_parents", "HKD"),
                       citation=_cite(tables, hk, "allowances.dependent_parent_60")))
    if row.raw("hk_allow_other"):
        allow.add(Step("step.hk_allow_other", value=row.units("hk_allow_other", "HKD")))
    which = "standard" if row.raw("hk_standard_used") else "progressive"
    joint = bool(row.raw("hk_use_joint"))
    reduction_params = {"rate": Rate(hk.reduction.rate.value), "cap": Money(hk.reduction.cap.value, "HKD", 0)}
    node.add(
        inc,
        Step("step.hk_mpf", value=row.units("hk_mpf", "HKD"), formula=mpf_formula,
             citation=_cite(tables, hk, "mpf.employee_rate")),
        _hk_deductions(row, s, hk),
        Step("step.hk_net_income", value=row.units("hk_net_income", "HKD"),
             formula=msg("formula.max0_minus3", a=row.units("hk_income", "HKD"), b=row.units("hk_mpf", "HKD"),
                         c=row.units("hk_deductions_u", "HKD"))),
        allow,
        Step("step.hk_nci", value=row.units("hk_nci", "HKD"),
             formula=msg("formula.max0_minus", a=row.units("hk_net_income", "HKD"), b=row.units("hk_allow_total", "HKD"))),
        Step("step.hk_progressive", value=Money(_exact(Decimal(row.raw("hk_progressive_raw")) / UNIT / UNIT), "HKD"),
             citation=tables.citation(hk, "progressive", hk.progressive)),
        Step("step.hk_standard", value=Money(_exact(Decimal(row.raw("hk_standard_raw")) / UNIT / UNIT), "HKD"),
             citation=tables.citation(hk, "standard_rate", hk.standard_rate)),
    )
    if not joint:
        node.add(
            _fig(row, "step.hk_lower", "hk_tax_before_reduction", params={"which": Term("word", which)}),
            Step("step.hk_reduction", reduction_params, value=row.figure("hk_tax_reduction"), figure="hk_tax_reduction",
                 citation=_cite(tables, hk, "reduction.cap")),
            _fig(row, "step.hk_tax", "hk_tax", formula=msg("formula.minus", a=row.figure("hk_tax_before_reduction"),
                                                           b=row.figure("hk_tax_reduction"))),
        )
    else:
        node.add(
            Step("step.hk_lower", {"which": Term("word", which)}, value=row.whole("hk_tax_before", "HKD")),
            Step("step.hk_reduction", reduction_params, value=row.whole("hk_reduction", "HKD"),
                 citation=_cite(tables, hk, "reduction.cap")),
            Step("step.hk_tax_alone", value=row.whole("hk_tax", "HKD")),
        )
    if row.raw("hk_has_spouse"):
        node.add(_household(row, s, hk, reduction_params))
    node.add(_fig(row, "step.hk_tax_cny", "hk_tax_cny", formula=msg("formula.times", a=row.figure("hk_tax"),
                                                                    b=row.figure("cny_per_hkd_used"))))
    return node


def _household(row: _Row, s: Scenario, hk: HongKongTable, reduction_params: dict[str, Any]) -> Step:
    """The couple: separate taxation against joint assessment, the one used, the person's share."""
    tables = row.tables
    used = "joint" if row.raw("hk_use_joint") else "separate"
    node = _fig(row, "step.hk_household", "hk_tax_household",
                params={"used": Term("choice:hk_assessment_used", used), "asked": Term("choice:hk_assessment", s.hk_assessment)})
    sep_total, joint_tax = row.raw("hk_sep_total"), row.raw("hkj_tax")
    if s.hk_assessment == "best":
        node.note = msg("note.hk_assessment_best")
    elif s.hk_assessment == "joint" and joint_tax > sep_total:
        node.note = msg("note.hk_joint_costs_more", more=Money(joint_tax - sep_total, "HKD", 0))
    spouse_mpf = (msg("formula.mpf_given", given=Money(s.hk_spouse_mpf, "HKD"), cap=Money(hk.mpf.deduction_cap.value, "HKD", 0))
                  if s.hk_spouse_mpf is not None else None)
    spouse = Step("step.hk_spouse_alone", value=row.whole("hks_tax", "HKD")).add(
        Step("step.hk_spouse_income", value=row.units("hk_spouse_income", "HKD")),
        Step("step.hk_mpf", value=row.units("hk_spouse_mpf", "HKD"), formula=spouse_mpf),
        Step("step.hk_spouse_deductions", value=row.units("hk_spouse_ded", "HKD")),
        Step("step.hk_net_income", value=row.units("hks_net_income", "HKD")),
        Step("step.hk_allow_basic", value=Money(hk.allowances.basic.value, "HKD"),
             citation=_cite(tables, hk, "allowances.basic")),
        Step("step.hk_nci", value=row.units("hks_nci", "HKD")),
        Step("step.hk_reduction", reduction_params, value=row.whole("hks_reduction", "HKD")),
    )
    separate = Step("step.hk_separate_total", value=row.whole("hk_sep_total", "HKD"), total=True).add(
        Step("step.hk_tax_alone", value=row.whole("hk_tax", "HKD")), spouse)
    which = "standard" if row.raw("hkj_standard_used") else "progressive"
    joint = Step("step.hk_joint", value=row.whole("hkj_tax", "HKD")).add(
        Step("step.hk_net_income", value=row.units("hkj_net_income", "HKD"),
             formula=msg("formula.plus", a=row.units("hk_net_income", "HKD"), b=row.units("hks_net_income", "HKD"))),
        Step("step.hk_allowances_joint", value=row.units("hkj_allow_total", "HKD"),
             citation=_cite(tables, hk, "allowances.married")),
        Step("step.hk_nci", value=row.units("hkj_nci", "HKD")),
        Step("step.hk_lower", {"which": Term("word", which)}, value=row.whole("hkj_tax_before", "HKD")),
        Step("step.hk_reduction", reduction_params, value=row.whole("hkj_reduction", "HKD"),
             citation=_cite(tables, hk, "reduction.cap")),
    )
    node.add(separate, joint, _fig(row, "step.hk_household_reduction", "hk_tax_household_reduction"))
    if row.raw("hk_use_joint"):
        share = msg("formula.hk_share", tax=row.whole("hkj_tax", "HKD"), mine=Money(row.raw("hk_share_mine"), "HKD", 0),
                    whole=Money(row.raw("hk_share_mine") + row.raw("hk_share_theirs"), "HKD", 0))
        node.add(
            _fig(row, "step.hk_share_before", "hk_tax_before_reduction"),
            _fig(row, "step.hk_reduction_share", "hk_tax_reduction"),
            _fig(row, "step.hk_share", "hk_tax", formula=share),
        )
    node.add(_fig(row, "step.hk_tax_spouse", "hk_tax_spouse"))
    return node


def _burdens(row: _Row, s: Scenario, options: Options) -> Step:
    tables = row.tables
    hb = tables.hongkong[row.raw("hkb_year")]
    node = Step("step.burdens")
    which = "standard" if row.raw("hkb_standard_used") else "progressive"
    hk_step = _fig(row, "step.hk_burden", "hk_burden_cny",
                   note=msg("note.hk_burden_rule", reduction=Term("word", "after" if options.hk_burden_reduction else "before"),
                            ya=hb.year_of_assessment),
                   formula=msg("formula.times", a=row.figure("hk_burden"), b=row.figure("cny_per_hkd_used")))
    hk_step.add(
        Step("step.hkb_income", value=row.units("hkb_income", "HKD"),
             formula=msg("formula.to_currency", amount=row.figure("gross_income"), rate=row.figure("cny_per_hkd_used"))),
        _hk_deductions(row, s, hb, prefix="hkb_", code="step.hkb_deductions"),
        Step("step.hkb_net_income", value=row.units("hkb_net_income", "HKD")),
        Step("step.hk_allowances", value=row.units("hkb_allow_total", "HKD")),
        Step("step.hk_nci", value=row.units("hkb_nci", "HKD")),
        Step("step.hkb_tax_before", {"which": Term("word", which)}, value=row.whole("hkb_tax_before", "HKD")),
    )
    if options.hk_burden_reduction:
        hk_step.add(Step("step.hkb_after_reduction", value=row.whole("hkb_tax", "HKD")))
    hk_step.add(_fig(row, "step.hkb_tax", "hk_burden"))
    node.add(hk_step)

    mo = tables.macao[row.raw("mo_year")]
    pt = mo.professional_tax
    mo_step = _fig(row, "step.macao_burden", "macao_burden_cny",
                   formula=msg("formula.times", a=row.figure("macao_burden"), b=row.figure("cny_per_mop_used")))
    if row.raw("mo_year") != s.tax_year:
        mo_step.note = msg("note.macao_year_fallback", wanted=s.tax_year, used=mo.year)
    mo_step.add(
        _fig(row, "step.macao_income", "macao_income",
             formula=msg("formula.to_currency", amount=row.figure("gross_income"), rate=row.figure("cny_per_mop_used"))),
        Step("step.macao_taxable", {"fixed": Rate(pt.fixed_deduction.value)}, value=row.units("mo_taxable", "MOP"),
             citation=_cite(tables, mo, "professional_tax.fixed_deduction")),
        Step("step.macao_table_tax", {"exemption": Money(pt.exemption.value, "MOP", 0)},
             value=Money(_exact(Decimal(row.raw("mo_table_tax_raw")) / UNIT / UNIT), "MOP"),
             citation=_cite(tables, mo, "professional_tax.exemption")),
        _fig(row, "step.macao_tax", "macao_tax", params={"reduction": Rate(pt.reduction.value)},
             citation=_cite(tables, mo, "professional_tax.reduction")),
        _refund(row, s, options),
        _fig(row, "step.macao_burden_mop", "macao_burden"),
    )
    node.add(mo_step)
    return node


def _refund(row: _Row, s: Scenario, options: Options) -> Step:
    """The resident's refund of the tax year's tax: the budget law two years later sets it."""
    tables = row.tables
    law = tables.macao[row.raw("mo_refund_year")]
    pt = law.professional_tax
    step = _fig(row, "step.macao_refund", "macao_refund",
                params={"rate": Rate(pt.refund_rate.value), "cap": Money(pt.refund_cap.value, "MOP", 0)},
                note=msg("note.macao_refund_netted" if options.macao_refund else "note.macao_refund_not_netted",
                         option=Term("option", "no_macao_refund")),
                citation=_cite(tables, law, "professional_tax.refund_rate"))
    from .tables import REFUND_LAG

    wanted = s.tax_year + REFUND_LAG
    step.formula = (msg("formula.macao_refund_law", year=s.tax_year, law=wanted) if law.year == wanted
                    else msg("formula.macao_refund_assumed", year=s.tax_year, law=wanted, used=law.year))
    return step


# ---------------------------------------------------------------------------------------------
# the zone reliefs


@dataclass(slots=True)
class ReliefOption:
    """One zone policy considered for a row: its amount, or why it does not apply."""

    policy: str
    kind: str                 # exemption or subsidy
    first_year: int
    last_year: int
    reason: str               # applies, identity, talent, zone, window, work_days
    why: Msg                  # the reason as a message
    amount: Decimal
    chosen: bool
    settled_in: int | None    # the year of the reconciliation (exemption) or the payment (subsidy)
    extended: bool = False    # applies only because --assume-extended renews it
    tax_free: bool = False    # a subsidy that is itself free of tax


REASON_CODES = {APPLIES: "applies", IDENTITY_R: "identity", TALENT_R: "talent", ZONE_R: "zone",
                WINDOW_R: "window", DAYS_R: "work_days"}


def relief_options(comp: Computation, i: int, s: Scenario, tables: Tables, options: Options) -> list[ReliefOption]:
    """Every policy in the tables, with what the kernel found for row ``i``."""
    col = comp.columns
    chosen = int(col["relief_idx"][i])
    out = []
    for k, cp in enumerate(compiled_policies(tables)):
        p = cp.policy
        reason = int(col[cp.reason_key][i])
        extended = reason == APPLIES and s.tax_year > cp.last
        if reason == IDENTITY_R:
            why = msg("reason.identity", identity=Term("identity", s.identity), identities=Terms("identity", tuple(p.identities)))
        elif reason == TALENT_R:
            why = msg("reason.talent")
        elif reason == ZONE_R:
            why = msg("reason.zone", zone=Term("zone", s.zone), zones=Terms("zone", tuple(p.zones)))
        elif reason == WINDOW_R:
            why = (msg("reason.window_extendable", year=s.tax_year, first=cp.first, last=cp.last,
                       option=Term("option", "assume_extended")) if s.tax_year > cp.last else
                   msg("reason.window", year=s.tax_year, first=cp.first, last=cp.last))
        elif reason == DAYS_R:
            why = msg("reason.work_days", days=s.work_days, needed=Decimal(cp.days_more_than) / 10)
        else:
            why = msg("reason.applies_extended", last=cp.last) if extended else msg("reason.applies")
        out.append(ReliefOption(policy=p.id, kind=p.kind, first_year=cp.first, last_year=cp.last,
                                reason=REASON_CODES[reason], why=why,
                                amount=(Decimal(int(col[cp.amount_key][i])) / 100).quantize(Decimal("0.01")),
                                chosen=k == chosen, settled_in=s.tax_year + cp.paid_offset if reason == APPLIES else None,
                                extended=extended, tax_free=bool(p.tax_free and p.tax_free.value)))
    return out


def relief_summary(r: Result) -> Msg:
    """The chosen relief in one line: what, how much, when it is settled."""
    if r.relief_policy == "none":
        return msg("relief.none")
    amount = Money(r.relief, "CNY")
    policy = Term("policy", r.relief_policy)
    if r.relief_kind == "exemption":
        return msg("relief.exemption", policy=policy, amount=amount, year=r.relief_paid_in)
    tax_free = any(o.chosen and o.tax_free for o in r.reliefs)
    return msg("relief.subsidy_tax_free" if tax_free else "relief.subsidy", policy=policy, amount=amount,
               year=r.relief_paid_in)


def _zones(row: _Row, s: Scenario, reliefs: list[ReliefOption]) -> Step:
    tables = row.tables
    node = _fig(row, "step.zones", "relief")
    for cp, opt in zip(compiled_policies(tables), reliefs):
        p = cp.policy
        zt = tables.policies[p.id][0]
        applies = opt.reason == "applies"
        step = Step("step.policy", {"policy": Term("policy", p.id), "kind": Term("relief_kind", p.kind),
                                    "first": cp.first, "last": cp.last, "chosen": opt.chosen},
                    value=Money(opt.amount, "CNY"), note=opt.why)
        if opt.chosen:
            step.code = "step.policy_chosen"
        if p.formula == "rate_cap":
            assert p.rate is not None, p.id       # the table's validator: rate_cap needs a rate
            step.citation = tables.citation(zt, f"{p.id}.rate", p.rate)
            if applies:
                parts = [Step("step.rate_cap_comp", {"rate": Rate(Decimal(cp.rate_bp) / 10_000)},
                              value=row.fen(cp.cat_keys[0]),
                              formula=msg("formula.rate_cap", tax=row.fen("cat_comp_tax_fen"),
                                          rate=Rate(Decimal(cp.rate_bp) / 10_000), taxable=row.units("cat_comp_taxable")))]
                if row.raw("cat_bonus_taxable"):
                    parts.append(Step("step.rate_cap_bonus", {"rate": Rate(Decimal(cp.rate_bp) / 10_000)},
                                      value=row.fen(cp.cat_keys[1]),
                                      formula=msg("formula.rate_cap", tax=row.fen("cat_bonus_tax_fen"),
                                                  rate=Rate(Decimal(cp.rate_bp) / 10_000),
                                                  taxable=row.units("cat_bonus_taxable"))))
                step.add(*parts)
                if cp.cap_fen >= 0:
                    step.formula = msg("formula.capped", cap=Money(Decimal(cp.cap_fen) / 100, "CNY", 0))
                else:
                    step.total = True
        else:
            step.citation = tables.citation(zt, f"{p.id}.basis", p.basis) if p.basis else None
            if applies:
                burden = "hk_burden_cny" if p.formula == "hk_burden" else "macao_burden_cny"
                step.formula = msg("formula.burden_cap", iit=row.figure("iit"), burden=row.figure(burden),
                                   which=Term("word", "hk" if p.formula == "hk_burden" else "macao"))
        node.add(step)
    if not any(o.chosen for o in reliefs):
        node.note = msg("relief.none")
    return node


def _gaps(row: _Row) -> Step:
    return Step("step.gaps").add(
        _fig(row, "step.iit_net", "iit_net", formula=msg("formula.minus", a=row.figure("iit"), b=row.figure("relief"))),
        _fig(row, "step.hk_tax_cny", "hk_tax_cny"),
        _fig(row, "step.gap_hk", "burden_gap_cny",
             formula=msg("formula.minus", a=row.figure("iit_net"), b=row.figure("hk_tax_cny"))),
        _fig(row, "step.gap_hk_hkd", "burden_gap_hkd",
             formula=msg("formula.divided", a=row.figure("burden_gap_cny"), b=row.figure("cny_per_hkd_used"))),
        _fig(row, "step.macao_tax_cny", "macao_tax_cny",
             formula=msg("formula.times", a=row.figure("macao_tax"), b=row.figure("cny_per_mop_used"))),
        _fig(row, "step.gap_macao", "burden_gap_macao_cny",
             formula=msg("formula.minus", a=row.figure("iit_net"), b=row.figure("macao_tax_cny"))),
        _fig(row, "step.rate_before", "effective_rate_before_relief",
             formula=msg("formula.divided", a=row.figure("iit"), b=row.figure("gross_income"))),
        _fig(row, "step.rate_mainland", "effective_rate_mainland",
             formula=msg("formula.divided", a=row.figure("iit_net"), b=row.figure("gross_income"))),
        _fig(row, "step.rate_hk", "effective_rate_hk",
             formula=msg("formula.divided", a=row.figure("hk_tax"), b=row.figure("hk_assessable_income"))),
    )


# ---------------------------------------------------------------------------------------------
# social insurance, take-home pay and the employer's cost


def _social(row: _Row, s: Scenario) -> Step | None:
    """The contributions computed with social_insurance_auto: each scheme, each side, each half year."""
    from .social import PARTS, ZONE_CITY, period

    if not s.social_insurance_auto or "si_year_a" not in row.col:
        return None
    tables = row.tables
    city = s.city if s.city != "none" else ZONE_CITY[s.zone]
    halves = [period(tables, city, row.raw(f"si_year_{h}")) for h in "ab"]
    node = _fig(row, "step.si", "social_insurance_employee_cny",
                params={"city": Term("choice:city", city), "base": row.fen("si_wage_fen")})
    sides = {side: _fig(row, f"step.si_{side}", f"social_insurance_{side}_cny", total=True)
             for side in ("employee", "employer")}
    for part in PARTS:
        if part != "housing_fund" and all(part not in p.schemes for p in halves):
            continue
        for side, parent in sides.items():
            rates, cite = [], None
            for h, p in zip("ab", halves):
                if part == "housing_fund":
                    rates.append(Rate(_exact(Decimal(row.raw(f"si_hf_rate_{h}")) / 1_000_000)))
                    cite = cite or _cite(tables, p.table, "housing_fund.min_rate" if s.housing_fund_rate is not None
                                         else "housing_fund.default_rate")
                elif part in p.schemes:
                    rates.append(Rate(Decimal(getattr(p.schemes[part], f"{side}_bp")) / 10_000))
                    cite = cite or _cite(tables, p.table, f"{part}.{side}_rate")
                else:
                    rates.append(Rate(Decimal(0)))
            params = {"rate": rates[1]} if part == "housing_fund" else {}
            parent.add(Step(f"step.si_{part}", params, value=row.fen(f"si_{part}_{side}_fen"),
                            formula=msg("formula.si_halves", months_a=6, base_a=row.fen(f"si_{part}_base_a"),
                                        rate_a=rates[0], months_b=6, base_b=row.fen(f"si_{part}_base_b"), rate_b=rates[1]),
                            citation=cite))
    return node.add(*sides.values())


def _pay(row: _Row, s: Scenario) -> Step:
    f = row.figure
    return Step("step.pay").add(
        _fig(row, "step.take_home", "take_home_cny",
             formula=msg("formula.minus3", a=f("gross_income"), b=f("iit_net"), c=f("social_insurance_employee_cny"))),
        _fig(row, "step.employer_cost", "employer_cost_cny",
             formula=msg("formula.plus3", a=Money(s.wages, "CNY"), b=Money(s.bonus, "CNY"),
                         c=f("social_insurance_employer_cny"))),
        _fig(row, "step.hk_take_home", "hk_take_home",
             formula=msg("formula.minus3", a=f("hk_assessable_income"), b=f("hk_tax"), c=row.units("hk_mpf_claimed", "HKD"))),
        _fig(row, "step.hk_take_home_cny", "hk_take_home_cny",
             formula=msg("formula.times", a=f("hk_take_home"), b=f("cny_per_hkd_used"))),
        _fig(row, "step.hk_employer_cost", "hk_employer_cost",
             formula=msg("formula.plus", a=f("hk_assessable_income"), b=row.units("hk_mpf_employer", "HKD"))),
        _fig(row, "step.take_home_gap", "take_home_gap_cny",
             formula=msg("formula.minus", a=f("take_home_cny"), b=f("hk_take_home_cny"))),
    )
