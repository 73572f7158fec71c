"""The guided sections of the case form: which scenario fields, in what order, with what words.

Field names are the scenario fields (= batch column keys = the case JSON keys). Labels, hints and
choice labels are message ids, translated where they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import N_


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    hint: str = ""          # a static hint (message id); dynamic hints come from hints.py


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)


SECTIONS: tuple[Section, ...] = (
    Section("who", N_("1 Who"), N_("Identity, residency and talent status decide which reliefs apply."), (
        FieldSpec("identity", N_("Identity")),
        FieldSpec("residency", N_("Mainland tax residency"), N_("Resident: 183 days or more in the mainland in the year.")),
        FieldSpec("talent", N_("Recognised talent")),
    )),
    Section("where", N_("2 Where"), N_("The zone where the person works."), (
        FieldSpec("zone", N_("Zone")),
        FieldSpec("work_days", N_("Days worked in the zone"), N_("Empty: not checked. Halves allowed.")),
    )),
    Section("when", N_("3 When"), N_("The mainland calendar tax year."), (
        FieldSpec("tax_year", N_("Tax year")),
    )),
    Section("income", N_("4 Income"), N_("Yearly amounts in CNY, before tax."), (
        FieldSpec("wages", N_("Wages and salaries"), N_("Without the annual one-off bonus.")),
        FieldSpec("bonus", N_("Annual one-off bonus")),
        FieldSpec("bonus_method", N_("Bonus taxed")),
        FieldSpec("labour", N_("Labour remuneration")),
        FieldSpec("author", N_("Author's remuneration")),
        FieldSpec("royalty", N_("Royalties")),
        FieldSpec("exempt_allowances", N_("Tax-exempt allowances"), N_("Non-mainland identities only: housing, language, children's education.")),
    )),
    Section("deductions", N_("5 Deductions"), N_("Yearly CNY amounts; the year's monthly amounts are shown."), (
        FieldSpec("social_insurance", N_("Social insurance and housing fund")),
        FieldSpec("sad_children", N_("Children in education")),
        FieldSpec("sad_infants", N_("Children under 3")),
        FieldSpec("sad_child_share", N_("Share of child deductions")),
        FieldSpec("sad_elderly", N_("Support of parents aged 60+")),
        FieldSpec("sad_elderly_share", N_("Shared support, CNY a month")),
        FieldSpec("sad_housing", N_("Housing")),
        FieldSpec("sad_continuing_education", N_("Continuing education")),
        FieldSpec("sad_medical_costs", N_("Serious-illness medical costs")),
        FieldSpec("private_pension", N_("Private pension")),
        FieldSpec("health_insurance", N_("Commercial health insurance")),
        FieldSpec("other_deductions", N_("Other deductions")),
        FieldSpec("additional_deductions", N_("Special deductions as a total"), N_("Instead of the details above; leave 0 to use them.")),
    )),
    Section("hongkong", N_("6 Hong Kong side"), N_("The same work taxed in Hong Kong, and the family allowances."), (
        FieldSpec("hk_income", N_("HK offer, HK$ a year"), N_("Empty: the mainland income converted.")),
        FieldSpec("hk_mpf", N_("MPF, HK$ a year"), N_("Empty: 5%, at most HK$1,500 a month.")),
        FieldSpec("hk_deductions", N_("Other HK deductions, HK$")),
        FieldSpec("hk_married", N_("Married")),
        FieldSpec("hk_children", N_("Children")),
        FieldSpec("hk_newborns", N_("Of whom newborn")),
        FieldSpec("hk_parents_60", N_("Dependent parents 60+")),
        FieldSpec("hk_parents_60_living_with", N_("Of whom living with you")),
        FieldSpec("hk_parents_55", N_("Dependent parents 55-59")),
        FieldSpec("hk_parents_55_living_with", N_("Of whom living with you")),
        FieldSpec("hk_single_parent", N_("Single parent")),
        FieldSpec("hk_disabled_dependants", N_("Disabled dependants")),
        FieldSpec("hk_disability", N_("Personal disability")),
        FieldSpec("hk_siblings", N_("Dependent siblings")),
        FieldSpec("cny_per_hkd", N_("CNY per HK$1")),
        FieldSpec("cny_per_mop", N_("CNY per MOP 1")),
    )),
)

FORM_FIELDS: tuple[str, ...] = tuple(f.name for s in SECTIONS for f in s.fields)

CHOICE_LABELS: dict[str, dict] = {
    "identity": {"mainland": N_("Mainland"), "hk": N_("Hong Kong resident"), "macao": N_("Macao resident"),
                 "taiwan": N_("Taiwan resident"), "foreign": N_("Foreign national")},
    "residency": {"resident": N_("Resident"), "nonresident": N_("Non-resident")},
    "zone": {"none": N_("None (elsewhere)"), "gba": N_("Other GBA city"), "hetao": N_("Hetao Shenzhen Park"),
             "qianhai": N_("Qianhai"), "nansha": N_("Nansha"), "hengqin": N_("Hengqin")},
    "bonus_method": {"best": N_("Best of the two"), "separate": N_("Separately"), "combined": N_("With wages")},
    "sad_child_share": {100: N_("100% (one parent)"), 50: N_("50% (each parent)")},
    "sad_elderly": {"none": N_("None"), "only_child": N_("Only child"), "shared": N_("Shared with siblings")},
    "sad_housing": {"none": N_("None"), "loan": N_("Home-loan interest"), "rent_tier1": N_("Rent, large city"),
                    "rent_tier2": N_("Rent, mid city"), "rent_tier3": N_("Rent, small city")},
    "sad_continuing_education": {"none": N_("None"), "degree": N_("Degree"), "certificate": N_("Certificate"),
                                 "both": N_("Both")},
}

#: short names of the relief policies (ids from tables/zones)
POLICY_NAMES = {
    "none": N_("none"),
    "hetao_hk_cap": N_("Hetao: no more than the HK tax"),
    "qianhai_hk_cap": N_("Qianhai: no more than the HK tax"),
    "nansha_hk_cap": N_("Nansha: no more than the HK tax"),
    "nansha_macao_cap": N_("Nansha: no more than the Macao tax"),
    "hengqin_macao_cap": N_("Hengqin: no more than the Macao tax"),
    "hengqin_15": N_("Hengqin: tax above 15% exempt"),
    "gba_subsidy": N_("GBA talent subsidy above 15%"),
}
RELIEF_KINDS = {"none": N_("none"), "exemption": N_("exemption"), "subsidy": N_("subsidy")}
