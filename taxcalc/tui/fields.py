"""The guided sections of the case form: which scenario fields, in what order, with what words.

Field names are the scenario fields (= batch column keys = the case JSON keys). The labels of the
fields and of their choices are the core's (:mod:`taxcalc.i18n.labels`, the same words the error
messages use); the titles, intros and static hints here are message ids, translated where shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import N_


@dataclass(frozen=True)
class FieldSpec:
    name: str
    hint: str = ""          # a static hint (message id); dynamic hints come from hints.py
    heading: str = ""       # a sub-heading shown above the field (message id): the step's parts


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)


SECTIONS: tuple[Section, ...] = (
    Section("who", N_("1 Who"), N_("Identity, residency and talent status decide which reliefs apply."), (
        FieldSpec("identity"),
        FieldSpec("residency", N_("Resident: 183 days or more in the mainland in the year.")),
        FieldSpec("talent"),
    )),
    Section("where", N_("2 Where"), N_("The zone where the person works."), (
        FieldSpec("zone"),
        FieldSpec("work_days", N_("Empty: not checked. Halves allowed.")),
    )),
    Section("when", N_("3 When"), N_("The mainland calendar tax year."), (
        FieldSpec("tax_year"),
    )),
    Section("income", N_("4 Income"), N_("Yearly amounts in CNY, before tax."), (
        FieldSpec("wages", N_("Without the annual one-off bonus.")),
        FieldSpec("bonus"),
        FieldSpec("bonus_method"),
        FieldSpec("labour"),
        FieldSpec("author"),
        FieldSpec("royalty"),
        FieldSpec("exempt_allowances", N_("Non-mainland identities only: housing, language, children's education.")),
    )),
    Section("deductions", N_("5 Deductions"), N_("Yearly CNY amounts; the year's monthly amounts are shown."), (
        FieldSpec("social_insurance"),
        FieldSpec("social_insurance_auto"),
        FieldSpec("city"),
        FieldSpec("housing_fund_rate"),
        FieldSpec("sad_children"),
        FieldSpec("sad_infants"),
        FieldSpec("sad_child_share"),
        FieldSpec("sad_elderly"),
        FieldSpec("sad_elderly_share"),
        FieldSpec("sad_housing"),
        FieldSpec("sad_continuing_education"),
        FieldSpec("sad_medical_costs"),
        FieldSpec("private_pension"),
        FieldSpec("health_insurance"),
        FieldSpec("other_deductions"),
        FieldSpec("additional_deductions", N_("Instead of the details above; leave 0 to use them.")),
    )),
    Section("hongkong", N_("6 Hong Kong side"), N_("The same work taxed in Hong Kong, and the family allowances."), (
        FieldSpec("hk_income", N_("Empty: the mainland income converted.")),
        FieldSpec("hk_mpf"),
        FieldSpec("hk_children"),
        FieldSpec("hk_newborns"),
        FieldSpec("hk_born_last_year"),
        FieldSpec("hk_parents_60"),
        FieldSpec("hk_parents_60_living_with"),
        FieldSpec("hk_parents_55"),
        FieldSpec("hk_parents_55_living_with"),
        FieldSpec("hk_single_parent"),
        FieldSpec("hk_disabled_dependants"),
        FieldSpec("hk_disability"),
        FieldSpec("hk_siblings"),
        FieldSpec("cny_per_hkd"),
        FieldSpec("cny_per_mop"),
    )),
    Section("household", N_("7 Household"), N_("Hong Kong deductions and the spouse (separate taxation or joint "
                                               "assessment)."), (
        FieldSpec("hk_home_loan_interest", heading=N_("Deductions: each at most the year's ceiling")),
        FieldSpec("hk_rent"),
        FieldSpec("hk_lives_with_newborn"),
        FieldSpec("hk_elderly_care"),
        FieldSpec("hk_elderly_care_persons", N_("0 with expenses given: one person.")),
        FieldSpec("hk_self_education"),
        FieldSpec("hk_vhis_premiums"),
        FieldSpec("hk_vhis_insured", N_("0 with premiums given: one person.")),
        FieldSpec("hk_annuity_tvc"),
        FieldSpec("hk_donations"),
        FieldSpec("hk_deductions", N_("Outgoings and expenses, allowed as given.")),
        FieldSpec("hk_married", heading=N_("The spouse")),
        FieldSpec("hk_spouse_income", N_("Married only. Empty: no income (the married person's allowance).")),
        FieldSpec("hk_spouse_mpf"),
        FieldSpec("hk_spouse_deductions", N_("Allowed as given.")),
        FieldSpec("hk_assessment"),
    )),
)

FORM_FIELDS: tuple[str, ...] = tuple(f.name for s in SECTIONS for f in s.fields)
