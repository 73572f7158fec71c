"""Every figure with its formula, inputs and citation, read from the engine's columns.

The explanation never recomputes: it reads the intermediate columns that the one code path
produced for the row, and the tables for the citations.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal

from .money import FEN, UNIT
from .tables import Citation, Tables
from .zones import DAYS_R, IDENTITY_R, REASONS, TALENT_R, WINDOW_R, ZONE_R, rate_cap_relief


@dataclass(slots=True)
class Step:
    """One figure of the explanation: what it is, its value, how it was computed, its source."""

    label: str
    value: str = ""
    formula: str = ""
    citation: Citation | None = None
    note: str = ""
    children: list[Step] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The step and its children as plain data (for JSON), empty parts left out."""
        out = {k: v for k, v in asdict(self).items() if v not in ("", None, []) and k != "children"}
        if self.citation is not None:
            out["citation"] = self.citation.model_dump(exclude_defaults=True)
        if self.children:
            out["children"] = [c.to_dict() for c in self.children]
        return out

    def add(self, *steps: "Step") -> "Step":
        self.children.extend(steps)
        return self

    def __str__(self) -> str:
        return render_text(self)

    def walk(self, depth: int = 0):
        yield depth, self
        for ch in self.children:
            yield from ch.walk(depth + 1)


def _f(fen) -> str:
    """Fen as money: 1,234.56."""
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def _u(v) -> str:
    """Units as money with 2 decimals (half up for display)."""
    v = int(v)
    return _f((abs(v) + FEN // 2) // FEN * (1 if v >= 0 else -1))


def _d(v) -> str:
    return f"{int(v):,}"


def _pct(bp) -> str:
    """Basis points as a percentage: 1500 -> 15%."""
    return _rate(Decimal(int(bp)) / 10_000)


def _rate(d: Decimal) -> str:
    """A rate as a percentage without trailing zeros: 0.80 -> 80%, 0.035 -> 3.5%."""
    return f"{(Decimal(d) * 100).normalize():f}%"


def _cite(tables: Tables, table, key: str):
    obj = table
    for part in key.split("."):
        obj = obj[int(part)] if isinstance(obj, dict) else getattr(obj, part)
    return tables.citation(table, key, obj)


def explain_row(r: dict, i: int, scenario, tables: Tables, options, policies, reliefs=None) -> Step:
    """The trace for row ``i``; ``reliefs`` are its :func:`relief_options` if already made."""
    y = scenario.tax_year
    ml = tables.mainland[y]
    root = Step(label=f"Tax year {y}: {scenario.identity} {scenario.residency}, zone {scenario.zone}")
    root.add(_mainland(r, i, scenario, tables, ml))
    root.add(_hongkong(r, i, scenario, tables))
    root.add(_burdens(r, i, scenario, tables, options))
    root.add(_zones(r, i, scenario, tables, policies, reliefs or relief_options(r, i, scenario, policies)))
    root.add(_summary(r, i))
    return root


def _bracket_formula(taxable_u, table_model, idx, times_q: int = 1) -> str:
    b = table_model.brackets[int(idx)]
    q = f"{times_q} × " if times_q != 1 else ""
    return f"{_u(taxable_u)} × {_rate(b.rate)} − {q}{b.quick_deduction:,}"


def _mainland(r, i, s, tables, ml) -> Step:
    node = Step(label="Mainland individual income tax", value=_f(r["iit_fen"][i]))
    ratios = Step(label="Income amounts (收入额)", value=_u(r["ml_wages"][i] + r["ml_labour"][i] + r["ml_author"][i] + r["ml_royalty"][i]))
    ratios.add(Step(label="Wages" + (" less tax-exempt allowances" if s.exempt_allowances else ""), value=_u(r["ml_wages"][i]),
                    citation=_cite(tables, ml, "foreign_allowances.exempt") if s.exempt_allowances else None))
    for key, label, gross in (("labour", "Labour remuneration", s.labour), ("author", "Author's remuneration", s.author),
                              ("royalty", "Royalties", s.royalty)):
        if gross:
            ratio = getattr(ml.income_ratios, key)
            ratios.add(Step(label=label, value=_u(r[f"ml_{key}"][i]), formula=f"{gross:,} × {_rate(ratio.value)}",
                            citation=_cite(tables, ml, f"income_ratios.{key}")))
    node.add(ratios)
    if s.residency == "nonresident":
        node.note = "Non-resident: no annual reconciliation; deductions other than 5,000 a month are not allowed"
        node.add(
            Step(label="Wages, monthly taxable summed over 12 months", value=_u(r["nr_taxable_wages"][i]),
                 formula=f"12 × (wages / 12 − {ml.deductions.basic_monthly_nonresident.value:,})",
                 citation=_cite(tables, ml, "deductions.basic_monthly_nonresident")),
            Step(label="Tax on wages: 12 × monthly-table tax", value=_f(r["nr_tax_wages_fen"][i]),
                 citation=tables.citation(ml, "monthly_table", ml.monthly_table)),
            Step(label="Tax on labour, author's and royalties (12 equal monthly payments, monthly table, no deduction)",
                 value=_f(r["nr_tax_labour_fen"][i] + r["nr_tax_author_fen"][i] + r["nr_tax_royalty_fen"][i])),
        )
        if s.bonus:
            node.add(Step(label="Bonus by the six-month rule", value=_f(r["ml_bonus_tax_fen"][i]),
                          formula=_bracket_formula(int(s.bonus * UNIT), ml.monthly_table, r["ml_bracket_bonus"][i], 6),
                          citation=_cite(tables, ml, "bonus.nonresident_months")))
    else:
        ded = Step(label="Deductions", value=_u(r["ml_deductions"][i])).add(
            Step(label="Basic deduction", value=_u(r["ml_basic"][i]), citation=_cite(tables, ml, "deductions.basic_annual")),
            Step(label="Social insurance and housing fund (专项扣除)", value=_u(r["ml_social"][i])),
            _sad(r, i, s, tables, ml),
            Step(label="Other deductions", value=_u(r["ml_other"][i])).add(
                Step(label="Private pension (capped)", value=_u(r["ml_pension"][i]), citation=_cite(tables, ml, "other_caps.private_pension")),
                Step(label="Commercial health insurance (capped)", value=_u(r["ml_health"][i]), citation=_cite(tables, ml, "other_caps.health_insurance")),
            ),
        )
        node.add(ded)
        sep = bool(r["use_separate"][i])
        apart = Step(label="Comprehensive income without the bonus: taxable", value=_u(r["ml_taxable_apart"][i]),
                     formula=f"max(0, {_u(r['ml_comprehensive'][i])} − {_u(r['ml_deductions'][i])})")
        apart.add(Step(label="Tax on it", value=_f(r["ml_tax_apart_fen"][i]),
                       formula=_bracket_formula(r["ml_taxable_apart"][i], ml.annual_table, r["ml_bracket_apart"][i]),
                       citation=tables.citation(ml, "annual_table", ml.annual_table)))
        if s.bonus:
            b = Step(label=f"Annual one-off bonus: method {'separate' if sep else 'combined'} (asked: {s.bonus_method})",
                     value=_f(r["iit_fen"][i]), citation=_cite(tables, ml, "bonus.separate_allowed"))
            b.add(Step(label="Separate: bonus taxed on its own, rate found at bonus / 12 on the monthly table",
                       value=_f(r["ml_bonus_tax_fen"][i]),
                       formula=_bracket_formula(int(s.bonus * UNIT), ml.monthly_table, r["ml_bracket_bonus"][i]),
                       citation=tables.citation(ml, "monthly_table", ml.monthly_table)),
                  Step(label="Separate: total with the comprehensive-income tax", value=_f(r["ml_separate_total_fen"][i])),
                  Step(label="Combined: bonus added to comprehensive income, taxable", value=_u(r["ml_taxable_merged"][i])),
                  Step(label="Combined: tax", value=_f(r["ml_tax_merged_fen"][i]),
                       formula=_bracket_formula(r["ml_taxable_merged"][i], ml.annual_table, r["ml_bracket_merged"][i])))
            if s.bonus_method == "best":
                b.note = "best: the lower total is used; a tie goes to combined"
            if r["bonus_cliff"][i]:
                b.add(Step(label="Bonus cliff", value=_u(r["ml_cliff_floor"][i]),
                           note=f"a bonus of {_u(r['ml_cliff_floor'][i])} would leave {_f(r['ml_cliff_loss_fen'][i])} more after tax"))
            node.add(apart, b)
        else:
            node.add(apart)
        node.add(Step(label="Taxable comprehensive income used", value=_u(r["iit_taxable"][i])))
    return node


def _sad(r, i, s, tables, ml) -> Step:
    sad = Step(label="Special additional deductions (专项附加扣除)", value=_u(r["ml_additional"][i]))
    if s.additional_deductions:
        sad.add(Step(label="Given as a total", value=f"{s.additional_deductions:,}"))
        return sad
    items = [("sad_children", "Children's education", "special_additional.children_education_monthly"),
             ("sad_infants", "Infant care (under 3)", "special_additional.infant_care_monthly"),
             ("sad_elderly", "Elderly support", "special_additional.elderly_only_child_monthly" if s.sad_elderly == "only_child" else "special_additional.elderly_shared_cap_monthly"),
             ("sad_housing", "Housing-loan interest or rent", "special_additional.housing_loan_monthly" if s.sad_housing == "loan" else f"special_additional.{s.sad_housing}_monthly" if s.sad_housing != "none" else "special_additional.housing_loan_monthly"),
             ("sad_education", "Continuing education", "special_additional.continuing_education_degree_monthly"),
             ("sad_illness", "Serious illness (above the threshold, capped)", "special_additional.serious_illness_cap")]
    for key, label, cite in items:
        v = r[f"ml_{key}"][i]
        if v:
            sad.add(Step(label=label, value=_u(v), citation=_cite(tables, ml, cite)))
    return sad


def _hongkong(r, i, s, tables) -> Step:
    y = int(r["hk_year"][i])
    hk = tables.hongkong[y]
    fx = tables.fx
    node = Step(label=f"Hong Kong Salaries Tax, year of assessment {hk.year_of_assessment}", value=f"HK$ {_d(r['hk_tax'][i])}")
    if r["hk_year"][i] != s.tax_year:
        node.note = f"no table for {s.tax_year}/{(s.tax_year + 1) % 100:02d}: the latest tabled year is used"
    inc = Step(label="Assessable income", value=_u(r["hk_income"][i]))
    if s.hk_income is None:
        inc.formula = f"gross mainland income {_f(r['gross_fen'][i])} / {Decimal(int(r['cny_per_hkd'][i])) / 1_000_000} CNY per HK$"
        if s.cny_per_hkd is None and s.tax_year in fx.cny_per_hkd:
            inc.citation = tables.citation(fx, f"cny_per_hkd.{s.tax_year}", fx.cny_per_hkd[s.tax_year])
    node.add(inc)
    node.add(Step(label="MPF mandatory contributions", value=_u(r["hk_mpf"][i]),
                  formula="given" if s.hk_mpf is not None else "5% of income; none below HK$7,100 a month; at most HK$1,500 a month",
                  citation=_cite(tables, hk, "mpf.employee_rate")),
             Step(label="Other deductions", value=_u(r["hk_deductions_u"][i])),
             Step(label="Net income", value=_u(r["hk_net_income"][i])))
    allow = Step(label="Allowances", value=_u(r["hk_allow_total"][i])).add(
        Step(label="Married person's" if s.hk_married else "Basic", value=_u(r["hk_allow_personal"][i]),
             citation=_cite(tables, hk, "allowances.married" if s.hk_married else "allowances.basic")))
    if r["hk_allow_children"][i]:
        allow.add(Step(label="Children", value=_u(r["hk_allow_children"][i]), citation=_cite(tables, hk, "allowances.child")))
    if r["hk_allow_parents"][i]:
        allow.add(Step(label="Dependent parents and grandparents", value=_u(r["hk_allow_parents"][i]),
                       citation=_cite(tables, hk, "allowances.dependent_parent_60")))
    if r["hk_allow_other"][i]:
        allow.add(Step(label="Single parent, disability, siblings", value=_u(r["hk_allow_other"][i])))
    node.add(allow)
    node.add(Step(label="Net chargeable income", value=_u(r["hk_nci"][i])),
             Step(label="Progressive tax on net chargeable income", value=_u(r["hk_progressive_raw"][i] // UNIT),
                  citation=tables.citation(hk, "progressive", hk.progressive)),
             Step(label="Standard-rate tax on net income", value=_u(r["hk_standard_raw"][i] // UNIT),
                  citation=tables.citation(hk, "standard_rate", hk.standard_rate)),
             Step(label=f"Lower of the two ({'standard' if r['hk_standard_used'][i] else 'progressive'}), rounded down to the dollar",
                  value=_d(r["hk_tax_before"][i])),
             Step(label="One-off reduction", value=_d(r["hk_reduction"][i]), citation=_cite(tables, hk, "reduction.cap")),
             Step(label="Tax payable (rounded down to the dollar)", value=_d(r["hk_tax"][i])))
    return node


def _burdens(r, i, s, tables, options) -> Step:
    node = Step(label="Burdens the zone caps compare with (documented defaults, docs/assumptions.md)")
    hk_note = ("HK Salaries Tax on the gross mainland income in HK$, hk_deductions only (no MPF), the family allowances, "
               f"the lower of progressive and standard, {'after' if options.hk_burden_reduction else 'before'} the one-off reduction, "
               f"year of assessment {'beginning' if options.hk_burden_year == 'same' else 'ending'} in the tax year")
    hk_step = Step(label="Hong Kong burden", value=_f(r["hk_burden_fen"][i]), note=hk_note,
                   formula=f"HK$ {_d(r['hkb_tax'][i])} × {Decimal(int(r['cny_per_hkd'][i])) / 1_000_000}")
    hk_step.add(
        Step(label="Assessable income (gross mainland income in HK$)", value=_u(r["hkb_income"][i])),
        Step(label="Net income (less hk_deductions; no MPF)", value=_u(r["hkb_net_income"][i])),
        Step(label="Allowances", value=_u(r["hkb_allow_total"][i])),
        Step(label="Net chargeable income", value=_u(r["hkb_nci"][i])),
        Step(label=f"Tax, the lower of progressive and standard ({'standard' if r['hkb_standard_used'][i] else 'progressive'}), rounded down",
             value=f"HK$ {_d(r['hkb_tax_before'][i])}"),
    )
    if options.hk_burden_reduction:
        hk_step.add(Step(label="After the one-off reduction", value=f"HK$ {_d(r['hkb_tax'][i])}"))
    node.add(hk_step)
    mo_note = ("Macao Professional Tax on the gross mainland income in MOP: 25% fixed deduction, the exemption and bands, "
               f"the 30% reduction, {'less' if options.macao_refund else 'before'} the resident's refund, rounded up to the pataca")
    mo_year = tables.macao_year_for(s.tax_year)[0]
    node.add(Step(label="Macao burden", value=_f(r["macao_burden_fen"][i]), note=mo_note,
                  formula=f"MOP {_d(r['mo_net'][i])} × {Decimal(int(r['cny_per_mop'][i])) / 1_000_000}",
                  citation=_cite(tables, tables.macao[mo_year], "professional_tax.reduction")))
    return node


@dataclass(slots=True)
class ReliefOption:
    """One zone policy considered for a row: its amount, or why it does not apply."""

    policy: str
    name: str
    kind: str
    years: str
    reason: str          # applies, identity, talent, zone, not in force, work days
    why: str
    amount: Decimal
    chosen: bool
    paid_in: int | None


def relief_options(r, i, s, policies) -> list[ReliefOption]:
    """Every policy in the tables, with what the kernel found for row ``i``."""
    chosen = int(r["relief_idx"][i])
    out = []
    for k, cp in enumerate(policies):
        p = cp.policy
        reason = int(r[f"z_{p.id}_reason"][i])
        if reason == IDENTITY_R:
            why = f"not available: identity {s.identity} (needs {', '.join(p.identities)})"
        elif reason == TALENT_R:
            why = "not available: needs recognised talent status"
        elif reason == ZONE_R:
            why = f"not available: zone {s.zone} (applies in {', '.join(p.zones)})"
        elif reason == WINDOW_R:
            why = (f"not in force in {s.tax_year} (in force {p.first_year}-{cp.last}"
                   + (f"; --assume-extended applies it after {cp.last})" if s.tax_year > cp.last else ")"))
        elif reason == DAYS_R:
            why = f"not available: {s.work_days} work days; needs more than {cp.days_more_than / 10:g}"
        else:
            why = "applies" + (" (assumed extended)" if s.tax_year > cp.last else "")
        out.append(ReliefOption(policy=p.id, name=p.name, kind=p.kind, years=f"{p.first_year}-{cp.last}",
                                reason=REASONS[reason], why=why,
                                amount=(Decimal(int(r[f"z_{p.id}_amount"][i])) / 100).quantize(Decimal("0.01")),
                                chosen=k == chosen, paid_in=s.tax_year + cp.paid_offset if reason == 0 else None))
    return out


def _zones(r, i, s, tables, policies, reliefs) -> Step:
    chosen = int(r["relief_idx"][i])
    node = Step(label="Zone reliefs (one per person and year: the largest; on a tie the exemption)",
                value=_f(r["relief_fen"][i]))
    for cp, opt in zip(policies, reliefs):
        p = cp.policy
        zt = tables.policies[p.id][0]
        applies = opt.reason == "applies"
        formula = ""
        if p.formula == "rate_cap":
            if applies:
                formula = _rate_cap_formula(r, i, cp)
            cite = tables.citation(zt, f"{p.id}.rate", p.rate)
        else:
            if applies:
                burden = "HK burden" if p.formula == "hk_burden" else "Macao burden"
                key = "hk_burden_fen" if p.formula == "hk_burden" else "macao_burden_fen"
                formula = f"max(0, {_f(r['iit_fen'][i])} − {burden} {_f(r[key][i])})"
            cite = tables.citation(zt, f"{p.id}.basis", p.basis) if p.basis else None
        mark = "chosen: " if opt.chosen else ""
        node.add(Step(label=f"{mark}{p.id}: {p.name} ({p.kind}, {opt.years})", value=f"{opt.amount:,}",
                      formula=formula, citation=cite, note=opt.why))
    if chosen >= 0:
        cp = policies[chosen]
        node.note = (f"{cp.policy.id}, {'an' if cp.policy.kind == 'exemption' else 'a'} {cp.policy.kind}, paid in {int(r['relief_paid_in'][i])}"
                     + (" (the subsidy itself is tax-free)" if cp.policy.tax_free and cp.policy.tax_free.value else ""))
    else:
        node.note = "no relief applies"
    return node


def _rate_cap_formula(r, i, cp) -> str:
    """Each category's max(0, tax - rate x taxable), with the figures of this row."""
    parts = []
    for cat, label in (("comp", "comprehensive income"), ("bonus", "bonus taxed apart")):
        tax, taxable = r[f"cat_{cat}_tax_fen"][i:i + 1], r[f"cat_{cat}_taxable"][i:i + 1]
        if cat == "bonus" and not taxable[0]:
            continue
        relief = int(rate_cap_relief(tax, taxable, cp.rate_bp)[0])
        parts.append(f"{label}: max(0, {_f(tax[0])} − {_pct(cp.rate_bp)} × {_u(taxable[0])}) = {_f(relief)}")
    text = "; ".join(parts)
    if cp.cap_fen >= 0:
        text += f"; total capped at {_f(cp.cap_fen)}"
    return text


def _summary(r, i) -> Step:
    return Step(label="Burden gap").add(
        Step(label="Mainland IIT after relief", value=_f(r["iit_net_fen"][i]), formula=f"{_f(r['iit_fen'][i])} − {_f(r['relief_fen'][i])}"),
        Step(label="Hong Kong tax in CNY", value=_f(r["hk_tax_cny_fen"][i])),
        Step(label="Gap (mainland − Hong Kong)", value=_f(r["burden_gap_fen"][i])),
        Step(label="Effective rate, mainland, after relief", value=f"{Decimal(int(r['effective_rate_mainland'][i])) / 10_000:.2f}%"),
        Step(label="Effective rate, Hong Kong", value=f"{Decimal(int(r['effective_rate_hk'][i])) / 10_000:.2f}%"),
    )


def render_text(step: Step, citations: bool = True) -> str:
    lines = []
    for depth, st in step.walk():
        pad = "  " * depth
        val = f": {st.value}" if st.value else ""
        lines.append(f"{pad}- {st.label}{val}")
        if st.formula:
            lines.append(f"{pad}    = {st.formula}")
        if st.note:
            lines.append(f"{pad}    note: {st.note}")
        if citations and st.citation:
            lines.append(f"{pad}    source: {st.citation.short()}")
    return "\n".join(lines)
