"""What the core says, as codes with parameters: errors, notes, reasons, step labels, formulas.

The core never writes a sentence for a person to read. It returns a :class:`Msg` (a code from
:data:`CATALOG` and its parameters); each face renders it in its language through the catalogs
(:func:`taxcalc.i18n.render`). The parameters are typed so that each language formats them its
own way: :class:`Money`, :class:`Rate`, :class:`Term` (a word from a closed list, such as a zone
or a policy, translated), a nested :class:`Msg`, or plain text and integers (shown as given).

The English template of each code is its gettext message id; ``python -m taxcalc.i18n.build``
extracts them into the catalogs. ``str(msg)`` is the English text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .i18n import N_


@dataclass(frozen=True)
class Money:
    """An amount with its currency: CNY, HKD or MOP; ``decimals`` shown (2, or 0 for whole units)."""

    amount: Decimal | int
    currency: str
    decimals: int = 2


@dataclass(frozen=True)
class Rate:
    """A ratio (0.15) shown as a percentage (15%); ``decimals``: None shows it as exact as it is."""

    value: Decimal
    decimals: int | None = None


@dataclass(frozen=True)
class Number:
    """A plain number shown grouped in the language's way (1,234.5)."""

    value: Decimal | int


@dataclass(frozen=True)
class Term:
    """A word from a closed list, translated: ``kind`` is ``field``, ``identity``, ``zone``,
    ``residency``, ``policy``, ``relief_kind``, ``bonus_method``, ``choice:<field>``, ``unit``,
    ``word``; ``value`` the code (``hk``, ``hetao_hk_cap``, ...)."""

    kind: str
    value: Any


@dataclass(frozen=True)
class Terms:
    """Several terms, joined as a list in the language (``hk, macao`` / ``hk、macao``)."""

    kind: str
    values: tuple[object, ...]


@dataclass(frozen=True)
class Msg:
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        from .i18n import render

        return render(self, "en")

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted((k, repr(v)) for k, v in self.params.items()))))


def msg(code: str, **params: Any) -> Msg:
    if code not in CATALOG:
        raise KeyError(f"unknown message code {code}")
    return Msg(code, params)


CATALOG: dict[str, str] = {
    # ---- how an error is shown
    "error.field": N_("{field}: {message}"),
    "error.row_field": N_("row {row}: {field}: {message}"),
    "error.given": N_("{text} (given: {value})"),
    # ---- input: one field (the field is named by the face, before the message)
    "field.unknown": N_("unknown field; the valid keys are the batch columns (see the README)"),
    "field.required": N_("required: {expected}"),
    "field.not_number": N_("not a number; expected {expected}"),
    "field.not_whole": N_("not a whole number; expected {expected}"),
    "field.negative": N_("must not be negative; expected {expected}"),
    "field.too_small": N_("too small; expected {expected}"),
    "field.too_large": N_("too large; expected {expected}"),
    "field.decimals": N_("too many decimals; expected {expected}"),
    "field.not_choice": N_("not one of the choices; expected {expected}"),
    "field.not_bool": N_("not true or false; expected {expected}"),
    "field.too_long": N_("too long; expected {expected}"),
    "field.wrong_type": N_("expected {expected}, not a list or an object"),
    "field.no_tables": N_("no tables for this year; tables exist for {years}"),
    "field.no_hk_table": N_("no Hong Kong table for the year of assessment {ya} or earlier"),
    # what a field accepts
    "expect.money": N_("an amount ({unit}) from 0 to {max} with at most 2 decimals, such as 1234.56"),
    "expect.count": N_("a whole number from {min} to {max}"),
    "expect.year": N_("a year with tables (see taxcalc tables)"),
    "expect.rate": N_("a number more than 0 and at most {max} with at most 6 decimals, such as 0.92"),
    "expect.days": N_("a number of days from 0 to {max} with at most 1 decimal"),
    "expect.bool": N_("true or false (also yes or no)"),
    "expect.choice": N_("one of {choices}"),
    "expect.text": N_("text of at most {max} characters"),
    # ---- input: rules across fields
    "rule.sad_total_and_details": N_("give the special additional deductions either as a total ({total}) or in detail, not both"),
    "rule.exempt_exceeds_wages": N_("the tax-exempt allowances are part of {wages}, so they cannot exceed them"),
    "rule.exempt_identity": N_("only foreign individuals (including Hong Kong, Macao and Taiwan residents) have tax-exempt allowances"),
    "rule.exempt_and_sad": N_("a resident chooses either the tax-exempt allowances or the special additional deductions, not both"),
    "rule.not_more_than": N_("cannot exceed {other}"),
    "rule.single_parent_child": N_("the single parent allowance needs a child for whom a child allowance is claimed"),
    "rule.single_parent_married": N_("the single parent allowance cannot be claimed with the married person's allowance"),
    "rule.spouse_not_married": N_("the spouse's figures need {married} = true"),
    "rule.assessment_not_married": N_("separate or joint assessment is for a married couple ({married} = true)"),
    "rule.newborns_children": N_("{newborns} and {last_year} together cannot exceed {children}"),
    "rule.elderly_share": N_("only applies when the support of parents is shared ({field} = shared)"),
    # ---- options
    "option.choice": N_("not one of the choices; expected {choices}"),
    "option.exactly_one": N_("give exactly one of these options: {options}"),
    "option.zones_one_file": N_("--zones takes one case file"),
    # ---- files
    "file.missing": N_("{path}: no such file"),
    "file.is_directory": N_("{path}: is a directory, not a file"),
    "file.not_regular": N_("{path}: not a regular file"),
    "file.unreadable": N_("{path}: cannot be read ({reason})"),
    "file.not_utf8": N_("{path}: not UTF-8 text"),
    "file.not_json": N_("{path}: not valid JSON ({reason}, line {line})"),
    # why JSON is not valid: the reasons Python's JSON reader gives, in words the catalogs translate
    "json.expecting_value": N_("a value expected"),
    "json.expecting_key": N_("a key in double quotes expected"),
    "json.expecting_colon": N_("':' expected"),
    "json.expecting_comma": N_("',' expected"),
    "json.unterminated_string": N_("a string not closed"),
    "json.control_character": N_("a control character in a string"),
    "json.extra_data": N_("more after the value"),
    "json.invalid_escape": N_("an invalid escape"),
    "json.invalid_unicode_escape": N_("an invalid character code escape"),
    "file.too_deep": N_("{path}: nested too deeply to be a case"),
    "file.duplicate_key": N_("{path}: the key {key} appears twice in one object; give each key once"),
    "file.too_large": N_("{path}: larger than {max} bytes; a case file is small"),
    "file.not_object": N_("{path}: expected one JSON object with the batch column keys"),
    "file.not_objects": N_("{path}: expected a JSON object with the batch column keys, or a list of them"),
    "file.unknown_type": N_("{path}: unknown file type; use .json (one package), .csv or .jsonl (a package a row)"),
    "file.no_packages": N_("no packages: give one or more files"),
    "file.exists": N_("{path} exists"),
    "file.written": N_("written: {path}"),
    "file.cannot_write": N_("{path}: cannot write ({reason})"),
    "file.output_is_input": N_("{path}: the output is the input file {input}; it would be replaced: give another -o path"),
    "file.output_is_table": N_("{path}: a table file; an output never replaces one: give another -o path"),
    "file.output_is_package": N_("{path}: a file of the taxcalc package; an output never replaces one: give another -o path"),
    "tui.no_terminal": N_("the terminal UI needs a terminal: standard input and output are not one; "
                          "for scripts use the commands (--help lists them)"),
    # ---- notes on a result
    "note.hk_year_fallback": N_("Hong Kong: no table for {wanted}; the year of assessment {used} was used"),
    "note.macao_year_fallback": N_("Macao: no table for {wanted}; the table of {used} was used"),
    "note.bonus_cliff": N_("the bonus lies in a cliff: a bonus of {threshold} would leave {loss} more after IIT"),
    "note.assumed_extended": N_("the relief assumes that {policy}, in force until {last}, was renewed"),
    "note.nonresident_deductions": N_("non-residents get no deduction beyond {monthly} a month: the deductions given were ignored"),
    "note.capped": N_("{field}: {given} given, {used} used (the year's cap)"),
    "note.fx_uncertain": N_("the default exchange rate for {year} ({rate}) is {mark}: give cny_per_hkd to use your own"),
    "note.value_marked": N_("{what} for {year} is {mark} ({source})"),
    # ---- reasons a relief does not apply
    "reason.applies": N_("applies"),
    "reason.applies_extended": N_("applies, assuming the policy was renewed after {last}"),
    "reason.identity": N_("not for {identity}; for {identities}"),
    "reason.talent": N_("needs recognised talent status"),
    "reason.zone": N_("not in {zone}; applies in {zones}"),
    "reason.window": N_("not in force in {year} (in force {first}-{last})"),
    "reason.window_extendable": N_("not in force in {year} (in force {first}-{last}; {option} applies it after {last})"),
    "reason.work_days": N_("{days} days worked in the zone's city; needs more than {needed}"),
    # ---- cases
    "case.not_object": N_("expected one object with the batch column keys"),
    "withholding.residents": N_("the cumulative withholding schedule applies to residents"),
    # ---- explanation: how a step is written out
    "line.label_value": N_("{label}: {value}"),
    "line.formula": N_("= {formula}"),
    "line.note": N_("note: {note}"),
    "line.source": N_("source: {source}"),
    "citation.marked": N_("{citation} [{marks}]"),
    # ---- explanation: steps (labels)
    "step.case": N_("Tax year {year}: {identity}, {residency}, {zone}"),
    "step.iit": N_("Mainland individual income tax"),
    "step.income_amounts": N_("Income amounts (收入额)"),
    "step.wages": N_("Wages"),
    "step.wages_less_exempt": N_("Wages less the tax-exempt allowances"),
    "step.labour": N_("Labour remuneration"),
    "step.author": N_("Author's remuneration"),
    "step.royalty": N_("Royalties"),
    "step.nr_taxable_wages": N_("Wages: the monthly taxable amounts of the year, summed"),
    "step.nr_tax_wages": N_("Tax on wages: 12 × the monthly-table tax"),
    "step.nr_tax_other": N_("Tax on labour, author's remuneration and royalties (12 equal monthly payments, monthly table, no deduction)"),
    "step.nr_bonus": N_("Bonus by the {months}-month rule"),
    "step.deductions": N_("Deductions"),
    "step.basic": N_("Basic deduction"),
    "step.social": N_("Social insurance and housing fund (专项扣除)"),
    "step.sad": N_("Special additional deductions (专项附加扣除)"),
    "step.sad_total_given": N_("Given as a total"),
    "step.sad_children": N_("Children's education"),
    "step.sad_infants": N_("Infant care (under 3)"),
    "step.sad_elderly": N_("Support of parents aged 60+"),
    "step.sad_housing": N_("Housing-loan interest or rent"),
    "step.sad_education": N_("Continuing education"),
    "step.sad_illness": N_("Serious illness (above the threshold, capped)"),
    "step.other": N_("Other deductions"),
    "step.other_given": N_("Other deductions given"),
    "step.pension": N_("Private pension (at most {cap})"),
    "step.health": N_("Commercial health insurance (at most {cap})"),
    "step.taxable_apart": N_("Taxable comprehensive income without the bonus"),
    "step.tax_apart": N_("Tax on it (annual table)"),
    "step.bonus": N_("Annual one-off bonus, method {method} (asked: {asked})"),
    "step.bonus_separate": N_("Separate: the bonus alone, at the rate for bonus ÷ 12 on the monthly table"),
    "step.separate_total": N_("Separate: total with the tax on comprehensive income"),
    "step.combined_taxable": N_("Combined: taxable comprehensive income with the bonus"),
    "step.combined_tax": N_("Combined: tax (annual table)"),
    "step.bonus_cliff": N_("Bonus cliff: the better bonus"),
    "step.taxable_used": N_("Taxable income used"),
    "step.hk": N_("Hong Kong Salaries Tax, year of assessment {ya}"),
    "step.hk_income": N_("Assessable income"),
    "step.hk_mpf": N_("MPF mandatory contributions deducted"),
    "step.hk_deductions": N_("Other deductions (as given)"),
    "step.hk_deductions_allowed": N_("Deductions other than MPF, as allowed"),
    "step.hk_claim_home": N_("Home loan interest and domestic rent (together at most {cap})"),
    "step.hk_claim_hli": N_("Home loan interest (at most {cap})"),
    "step.hk_claim_rent": N_("Domestic rent (at most {cap})"),
    "step.hk_claim_elderly": N_("Elderly residential care (at most {cap})"),
    "step.hk_claim_education": N_("Self-education (at most {cap})"),
    "step.hk_claim_vhis": N_("VHIS premiums (at most {cap})"),
    "step.hk_claim_annuity": N_("Deferred annuity premiums and MPF voluntary contributions (at most {cap})"),
    "step.hk_claim_donations": N_("Approved charitable donations (at most {cap})"),
    "step.hk_tax_alone": N_("Salaries Tax assessed alone"),
    "step.hk_household": N_("The couple: {used} (asked: {asked})"),
    "step.hk_separate_total": N_("Separate taxation: the two taxes"),
    "step.hk_spouse_alone": N_("The spouse's Salaries Tax assessed alone"),
    "step.hk_spouse_income": N_("The spouse's assessable income"),
    "step.hk_spouse_deductions": N_("The spouse's deductions (as given)"),
    "step.hk_joint": N_("Joint assessment: the couple's Salaries Tax"),
    "step.hk_allowances_joint": N_("Allowances: the married person's allowance and the others"),
    "step.hk_household_reduction": N_("One-off reductions of the couple"),
    "step.hk_share_before": N_("Your share of the tax before the reduction"),
    "step.hk_reduction_share": N_("Your share of the reduction"),
    "step.hk_share": N_("Your share of the joint tax"),
    "step.hk_tax_spouse": N_("The spouse's Salaries Tax"),
    "step.hk_net_income": N_("Net assessable income (after deductions, before allowances)"),
    "step.hk_allowances": N_("Allowances"),
    "step.hk_allow_basic": N_("Basic allowance"),
    "step.hk_allow_married": N_("Married person's allowance"),
    "step.hk_allow_children": N_("Child allowances"),
    "step.hk_allow_parents": N_("Dependent parents and grandparents"),
    "step.hk_allow_other": N_("Single parent, disability, siblings"),
    "step.hk_nci": N_("Net chargeable income"),
    "step.hk_progressive": N_("Progressive tax on net chargeable income"),
    "step.hk_standard": N_("Standard-rate tax on net assessable income"),
    "step.hk_lower": N_("The lower of the two ({which}), down to the dollar"),
    "step.hk_reduction": N_("One-off reduction ({rate}, at most {cap})"),
    "step.hk_tax": N_("Salaries Tax payable"),
    "step.hk_tax_cny": N_("Salaries Tax in CNY"),
    "step.burdens": N_("The burdens the zone caps compare with (documented defaults: docs/assumptions.md)"),
    "step.hk_burden": N_("Hong Kong burden"),
    "step.hkb_income": N_("Assessable income: the gross mainland income in HK$"),
    "step.hkb_deductions": N_("Deductions: the itemised claims at most their caps and the other deductions (no MPF)"),
    "step.hkb_net_income": N_("Net assessable income (the deductions above, no MPF)"),
    "step.hkb_tax_before": N_("Tax, the lower of progressive and standard ({which}), down to the dollar"),
    "step.hkb_after_reduction": N_("After the one-off reduction"),
    "step.hkb_tax": N_("Hong Kong burden in HK$"),
    "step.macao_burden": N_("Macao burden"),
    "step.macao_income": N_("Income: the gross mainland income in MOP"),
    "step.macao_taxable": N_("Taxable income after the fixed deduction of {fixed}"),
    "step.macao_table_tax": N_("Tax by the bands on the part above the exemption of {exemption}"),
    "step.macao_tax": N_("Professional Tax after the reduction of {reduction}, up to the pataca"),
    "step.macao_refund": N_("Resident's refund ({rate}, at most {cap})"),
    "step.macao_burden_mop": N_("Macao burden in MOP"),
    "step.zones": N_("Zone reliefs (one per person and year: the largest; on a tie the exemption)"),
    "step.policy": N_("{policy} ({kind}, {first}-{last})"),
    "step.policy_chosen": N_("Chosen: {policy} ({kind}, {first}-{last})"),
    "step.rate_cap_comp": N_("Comprehensive income: the tax above {rate} of taxable income"),
    "step.rate_cap_bonus": N_("Bonus taxed apart: the tax above {rate} of the bonus"),
    "step.gaps": N_("What each side takes"),
    "step.iit_net": N_("Mainland IIT after relief"),
    "step.gap_hk": N_("Gap: mainland − Hong Kong"),
    "step.gap_hk_hkd": N_("Gap: mainland − Hong Kong, in HK$"),
    "step.macao_tax_cny": N_("Macao Professional Tax in CNY"),
    "step.gap_macao": N_("Gap: mainland − Macao"),
    "step.rate_before": N_("Effective rate, mainland, before relief"),
    "step.rate_mainland": N_("Effective rate, mainland, after relief"),
    "step.rate_hk": N_("Effective rate, Hong Kong"),
    # ---- explanation: formulas
    "formula.bracket": N_("{taxable} × {rate} − {quick}"),
    "formula.bracket_times": N_("{taxable} × {rate} − {times} × {quick}"),
    "formula.ratio": N_("{gross} × {ratio}"),
    "formula.nr_wages": N_("12 × (wages ÷ 12 − {monthly})"),
    "formula.max0_minus": N_("max(0, {a} − {b})"),
    "formula.max0_minus3": N_("max(0, {a} − {b} − {c})"),
    "formula.plus": N_("{a} + {b}"),
    "formula.minus": N_("{a} − {b}"),
    "formula.times": N_("{a} × {b}"),
    "formula.divided": N_("{a} ÷ {b}"),
    "formula.to_currency": N_("{amount} ÷ {rate}"),
    "formula.mpf_given": N_("given {given}, deducted up to {cap}"),
    "formula.mpf_default": N_("{rate} of income; nothing below {min} a month; at most {max} a month; deducted up to {cap} a year"),
    "formula.rate_cap": N_("max(0, {tax} − {rate} × {taxable})"),
    "formula.capped": N_("the sum, at most {cap}"),
    "formula.burden_cap": N_("max(0, {iit} − {burden})"),
    "formula.macao_refund_law": N_("the refund of {year} tax, set by the budget law of {law}"),
    "formula.macao_refund_assumed": N_("the refund of {year} tax is set by the budget law of {law}, not yet in the tables: the refund of the {used} budget law is assumed"),
    "formula.hk_newborn_home": N_("each ceiling raised by {extra} (living with a child born on or after 25 October 2023)"),
    "formula.hk_share": N_("{tax} × {mine} ÷ {whole} (net incomes in whole dollars), rounded down"),
    # ---- explanation: notes
    "note.pension_not_pilot": N_("in {year} the private-pension deduction applied only in the pilot cities; {zone} is not in one"),
    "note.nonresident": N_("non-resident: no annual reconciliation; no deduction but {monthly} a month"),
    "note.bonus_best": N_("best: the lower total is used; a tie goes to combined"),
    "note.bonus_not_separate": N_("in {year} the bonus cannot be taxed apart"),
    "note.hk_burden_rule": N_("the HK tax on the gross mainland income in HK$: the itemised deductions at most their caps and the other deductions (no MPF), the family allowances, the lower of progressive and standard, {reduction} the one-off reduction, year of assessment {ya}"),
    "note.hk_rent_not_deductible": N_("domestic rent is not deductible in {ya} (from 2022/23)"),
    "note.hk_donations_minimum": N_("donations count only when they add up to {minimum} or more"),
    "note.hk_home_common_cap": N_("home loan interest and rent together are capped at {cap}"),
    "note.hk_assessment_best": N_("best: joint assessment only when it costs the couple less than separate taxation, as the IRD assesses"),
    "note.hk_joint_costs_more": N_("joint assessment costs {more} more than separate taxation: the IRD would assess the couple separately"),
    "note.macao_refund_netted": N_("netted from the burden, as the Hengqin tax bureau's method lists the refund scheme ({option} leaves it out)"),
    "note.macao_refund_not_netted": N_("not netted from the burden ({option})"),
    # ---- compare and break-even
    "compare.figure": N_("Figure"),
    "compare.unit": N_("Unit"),
    "compare.difference": N_("{a} − {b}"),
    "compare.xlsx_too_wide": N_("{path}: {packages} packages need {columns} columns; a sheet of a workbook holds at most {max}: use {other}"),
    "breakeven.none": N_("no amount up to {max} gives as much after tax"),
    "breakeven.wages": N_("Mainland wages that match {hk} in Hong Kong: {amount}"),
    "breakeven.hk_income": N_("Hong Kong income that matches {wages} of mainland wages: {amount}"),
    # ---- relief summaries
    "relief.none": N_("no zone relief applies"),
    "relief.exemption": N_("{policy}: an exemption of {amount}, settled at the reconciliation in {year}"),
    "relief.subsidy": N_("{policy}: a subsidy of {amount}, paid in {year}"),
    "relief.subsidy_tax_free": N_("{policy}: a subsidy of {amount}, paid in {year}, itself tax-free"),
    # ---- social insurance and housing fund (social_insurance_auto)
    "rule.si_auto_and_given": N_("give {given} or compute it with {auto}, not both"),
    "rule.si_auto_city": N_("{auto} needs the city of work: give it, or a {zone} that lies in one city"),
    "rule.city_zone": N_("{zone} lies in {city}"),
    "rule.only_with": N_("used only with {field}"),
    "rule.no_social_tables": N_("no social insurance tables for {city}"),
    "rule.housing_fund_rate": N_("{city} takes a housing fund rate from {low} to {high} (contribution year {period})"),
    "note.social_period_fallback": N_("{city}: no social insurance table for the contribution year {wanted}; that of {used} was used"),
    "step.si": N_("Social insurance and housing fund, {city}, on a monthly base of {base}"),
    "step.si_employee": N_("The employee's share (the IIT deduction)"),
    "step.si_employer": N_("The employer's share"),
    "step.si_pension": N_("Pension"),
    "step.si_medical": N_("Medical"),
    "step.si_unemployment": N_("Unemployment"),
    "step.si_work_injury": N_("Work injury"),
    "step.si_maternity": N_("Maternity"),
    "step.si_housing_fund": N_("Housing fund at {rate}"),
    "formula.si_halves": N_("{months_a} × {base_a} × {rate_a} + {months_b} × {base_b} × {rate_b}, each month to the fen"),
    "step.pay": N_("What each job leaves in hand, and what it costs the employer"),
    "step.take_home": N_("Take-home pay: gross income less IIT after relief and the employee's contributions"),
    "step.employer_cost": N_("The employer's cost: wages, bonus and the employer's contributions"),
    "step.hk_take_home": N_("Hong Kong take-home pay: income less Salaries Tax and the employee's MPF"),
    "step.hk_take_home_cny": N_("Hong Kong take-home pay in CNY"),
    "step.hk_employer_cost": N_("Hong Kong: the employer's cost, with the employer's MPF"),
    "step.take_home_gap": N_("Take-home pay: mainland − Hong Kong"),
    "formula.minus3": N_("{a} − {b} − {c}"),
    "formula.plus3": N_("{a} + {b} + {c}"),
    # ---- plan (several tax years)
    "plan.years": N_("not a span of tax years such as 2025-2030 (from {first} to {last}, at most {max} years)"),
    "plan.before_tables": N_("the first tax year has no tables (see taxcalc tables)"),
    "plan.first_year": N_("a plan starts in a tax year from {first} to {last}"),
    "plan.growth": N_("not a growth rate: a number more than -1 and at most 1 with at most 4 decimals, such as 0.03 (or 3%)"),
    "plan.grown_too_large": N_("grows to {amount} by {year}, more than {max}"),
    "plan.in_year": N_("in {year}: {message}"),
    "note.plan_carried_forward": N_("{year}: no mainland tables; those of {used} are carried forward"),
    "plan.year_carried": N_("{year}*"),
    "plan.policies": N_("{label}"),
    "plan.span": N_("{first}-{last}: {policy}"),
    "plan.span_one": N_("{year}: {policy}"),
    "plan.section_inputs": N_("The inputs, grown"),
    "plan.section_figures": N_("Each tax year (the relief counted in the year it is for)"),
    "plan.section_cash": N_("Cash received in each calendar year"),
    "plan.if_renewed": N_("{label}, if renewed"),
    "plan.as_enacted": N_("{label}, as the policies stand"),
    "plan.pay_after_withholding": N_("Pay after withholding (IIT before relief, employee contributions)"),
    "plan.relief_received": N_("Zone reliefs received"),
    "plan.cash": N_("Cash received"),
    "plan.hk_take_home_cny": N_("Hong Kong take-home pay in CNY"),
    "plan.gap": N_("Cash: mainland − Hong Kong"),
    "plan.cumulative_gap": N_("Cumulative: mainland − Hong Kong"),
    # ---- the best split of a package, and what-ifs
    "split.below_exempt": N_("the package must be at least the tax-exempt allowances ({exempt})"),
    "split.best": N_("The best split of {package} in {year}"),
    "split.saving_salary": N_("IIT after relief saved against all salary"),
    "split.saving_current": N_("IIT after relief saved against the current split (bonus {bonus})"),
    "split.irrelevant": N_("The split makes no difference: {why}."),
    "split.why.cap": N_("at every split the IIT after relief is capped at the burden of {policy} ({burden})"),
    "split.why.combined": N_("in {year} the bonus is taxed with the wages"),
    "split.why.same": N_("every split leaves the same IIT after relief"),
    "whatif.line": N_("{field} raised by {amount} to the cap: IIT after relief {saving} lower ({rate} of it); it costs {cost} after the saving"),
    "whatif.at_cap": N_("{field}: already at the cap"),
    # ---- the headline (taxcalc.summary): what you pay, what the zone promises, the other side, why
    "summary.pay": N_("You pay {iit_net} in mainland IIT ({iit} before the zone relief)"),
    "summary.pay_no_relief": N_("You pay {iit_net} in mainland IIT (no zone relief)"),
    "summary.burden_equal": N_("{side} burden (zone rule): {burden} ({burden_cny}); the mainland tax equals it: the cap holds"),
    "summary.burden_below": N_("{side} burden (zone rule): {burden} ({burden_cny}); the mainland tax is {diff} below it"),
    "summary.burden_above": N_("{side} burden (zone rule): {burden} ({burden_cny}); the mainland takes {diff} more: {policy} does not apply ({why})"),
    "summary.hk_more": N_("▲ A Hong Kong job pays {tax} ({tax_cny}) Salaries Tax: the mainland takes {gap} ({gap_hkd}) more"),
    "summary.hk_less": N_("▼ A Hong Kong job pays {tax} ({tax_cny}) Salaries Tax: the mainland takes {gap} ({gap_hkd}) less"),
    "summary.hk_same": N_("= A Hong Kong job pays {tax} ({tax_cny}) Salaries Tax, as much as the mainland takes"),
    "summary.macao_more": N_("▲ Macao takes {tax} ({tax_cny}) Professional Tax, {refund} refunded later: the mainland takes {gap} ({gap_mop}) more"),
    "summary.macao_less": N_("▼ Macao takes {tax} ({tax_cny}) Professional Tax, {refund} refunded later: the mainland takes {gap} ({gap_mop}) less"),
    "summary.macao_same": N_("= Macao takes {tax} ({tax_cny}) Professional Tax, {refund} refunded later: as much as the mainland takes"),
    "summary.macao_burden_gross": N_("The burden is that tax before the refund of {refund}, which Macao pays back later ({option})"),
    "summary.macao_burden_net": N_("The burden is that tax less the refund of {refund}, as the Hengqin tax bureau's method lists the refund scheme ({option} counts the tax before it)"),
    "summary.job_less": N_("Why the job pays {amount} ({amount_cny}) less than the burden: {factors}"),
    "summary.job_more": N_("Why the job pays {amount} ({amount_cny}) more than the burden: {factors}"),
    "summary.job_even": N_("The job pays as much as the burden: {factors}"),
    "summary.job_same": N_("The job pays as much as the burden: the same income, no MPF, no one-off reduction"),
    "summary.rate_cap_why": N_("{policy} limits the mainland tax to {rate} of taxable income; it promises no comparison with the Hong Kong tax, so the gap stays"),
    "summary.and": N_("{a}; {b}"),
    "summary.weigh": N_("What to weigh"),
    "why.joint_less": N_("it is assessed jointly with the spouse, the zone rule counts the person alone ({amount} less)"),
    "why.joint_more": N_("it is assessed jointly with the spouse, the zone rule counts the person alone ({amount} more)"),
    "why.mpf": N_("it deducts {mpf} of MPF, the zone rule does not ({amount} less)"),
    "why.reduction": N_("it gets the one-off reduction, the zone rule counts the tax before it ({amount} less)"),
    "why.income_less": N_("its income is {job}, the mainland income at {rate} CNY per HK$1 is {zone} ({amount} less)"),
    "why.income_more": N_("its income is {job}, the mainland income at {rate} CNY per HK$1 is {zone} ({amount} more)"),
    "why.year_less": N_("the zone rule uses the year of assessment {zone_ya}, the job {job_ya} ({amount} less)"),
    "why.year_more": N_("the zone rule uses the year of assessment {zone_ya}, the job {job_ya} ({amount} more)"),
    "why.other_less": N_("other differences ({amount} less)"),
    "why.other_more": N_("other differences ({amount} more)"),
    # ---- the bonus cliff, judged after the zone relief (taxcalc.summary)
    "cliff.after_relief": N_("bonus cliff: a bonus above {threshold} and below {upper} keeps less after IIT and the zone relief than {threshold}; a bonus of {threshold} would keep {loss} more"),
    "cliff.absorbed": N_("the bonus lies just above {threshold}, where the tax on a bonus taxed apart jumps, but after the zone relief it keeps {more} more than a bonus of {threshold}: no cliff"),
    # ---- values to be wary of (taxcalc.summary.marks)
    "mark.fx": N_("the default exchange rate for {year}, {rate} CNY per HK$1, is {mark}: give your own ({field})"),
    "mark.hk_values": N_("Hong Kong {ya}: {values}: {mark}"),
    "mark.macao_values": N_("Macao {year}: {values}: {mark}"),
    "mark.value": N_("{label} {amount}"),
    "mark.no_reduction": N_("no one-off reduction"),
    "mark.macao_exemption": N_("exempt band"),
    "mark.macao_reduction": N_("tax reduction"),
    "mark.macao_refund": N_("resident's refund"),
    "mark.window": N_("{policy}: in force until {last}, {mark}"),
    "mark.assumed_extended": N_("{policy} ended in {last}: the relief assumes it was renewed ({option})"),
}
