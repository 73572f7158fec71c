"""The words of closed lists, as message ids: field labels, choices, policies, units.

One place for every face: :func:`taxcalc.i18n.term` translates them; the terminal UI's form uses
the field labels, the command line and the exports the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import N_

FIELD_LABELS: dict[str, str] = {
    "id": N_("Case name"),
    "tax_year": N_("Tax year"),
    "residency": N_("Mainland tax residency"),
    "identity": N_("Identity"),
    "zone": N_("Zone"),
    "talent": N_("Recognised talent"),
    "work_days": N_("Days worked in the zone"),
    "wages": N_("Wages and salaries"),
    "bonus": N_("Annual one-off bonus"),
    "labour": N_("Labour remuneration"),
    "author": N_("Author's remuneration"),
    "royalty": N_("Royalties"),
    "exempt_allowances": N_("Tax-exempt allowances"),
    "social_insurance": N_("Social insurance and housing fund"),
    "additional_deductions": N_("Special deductions as a total"),
    "other_deductions": N_("Other deductions"),
    "bonus_method": N_("Bonus taxed"),
    "sad_children": N_("Children in education"),
    "sad_infants": N_("Children under 3"),
    "sad_child_share": N_("Share of child deductions"),
    "sad_elderly": N_("Support of parents aged 60+"),
    "sad_elderly_share": N_("Shared support, CNY a month"),
    "sad_housing": N_("Housing"),
    "sad_continuing_education": N_("Continuing education"),
    "sad_medical_costs": N_("Serious-illness medical costs"),
    "private_pension": N_("Private pension"),
    "health_insurance": N_("Commercial health insurance"),
    "cny_per_hkd": N_("CNY per HK$1"),
    "cny_per_mop": N_("CNY per MOP 1"),
    "hk_income": N_("HK offer, HK$ a year"),
    "hk_mpf": N_("MPF, HK$ a year"),
    "hk_deductions": N_("Other HK deductions, HK$"),
    "hk_home_loan_interest": N_("Home loan interest, HK$"),
    "hk_rent": N_("Domestic rent, HK$"),
    "hk_lives_with_newborn": N_("Living with a child born since 25 Oct 2023"),
    "hk_elderly_care": N_("Elderly residential care, HK$"),
    "hk_elderly_care_persons": N_("Parents in residential care"),
    "hk_self_education": N_("Self-education, HK$"),
    "hk_vhis_premiums": N_("VHIS premiums, HK$"),
    "hk_vhis_insured": N_("Persons insured (VHIS)"),
    "hk_annuity_tvc": N_("Annuity premiums and MPF TVC, HK$"),
    "hk_donations": N_("Charitable donations, HK$"),
    "hk_married": N_("Married"),
    "hk_spouse_income": N_("Spouse's income, HK$"),
    "hk_spouse_mpf": N_("Spouse's MPF, HK$"),
    "hk_spouse_deductions": N_("Spouse's deductions, HK$"),
    "hk_assessment": N_("Assessment of a couple"),
    "hk_children": N_("Children"),
    "hk_newborns": N_("Of whom newborn"),
    "hk_born_last_year": N_("Of whom born the year before"),
    "hk_parents_60": N_("Dependent parents 60+"),
    "hk_parents_60_living_with": N_("Of whom living with you (60+)"),
    "hk_parents_55": N_("Dependent parents 55-59"),
    "hk_parents_55_living_with": N_("Of whom living with you (55-59)"),
    "hk_single_parent": N_("Single parent"),
    "hk_disabled_dependants": N_("Disabled dependants"),
    "hk_disability": N_("Personal disability"),
    "hk_siblings": N_("Dependent siblings"),
    "city": N_("City of work"),
    "social_insurance_auto": N_("Compute social insurance"),
    "housing_fund_rate": N_("Housing fund rate"),
}

CHOICE_LABELS: dict[str, dict[str, str] | dict[int, str]] = {
    "identity": {"mainland": N_("Mainland"), "hk": N_("Hong Kong resident"), "macao": N_("Macao resident"),
                 "taiwan": N_("Taiwan resident"), "foreign": N_("Foreign national")},
    "residency": {"resident": N_("Resident"), "nonresident": N_("Non-resident")},
    "zone": {"none": N_("None (elsewhere)"), "gba": N_("Other GBA city"), "hetao": N_("Hetao Shenzhen Park"),
             "qianhai": N_("Qianhai"), "nansha": N_("Nansha"), "hengqin": N_("Hengqin")},
    "bonus_method": {"best": N_("Best of the two"), "separate": N_("Separately"), "combined": N_("With wages")},
    "bonus_method_used": {"separate": N_("Separately"), "combined": N_("With wages")},
    "sad_child_share": {100: N_("100% (one parent)"), 50: N_("50% (each parent)")},
    "sad_elderly": {"none": N_("None"), "only_child": N_("Only child"), "shared": N_("Shared with siblings")},
    "sad_housing": {"none": N_("None"), "loan": N_("Home-loan interest"), "rent_tier1": N_("Rent, large city"),
                    "rent_tier2": N_("Rent, mid city"), "rent_tier3": N_("Rent, small city")},
    "sad_continuing_education": {"none": N_("None"), "degree": N_("Degree"), "certificate": N_("Certificate"),
                                 "both": N_("Both")},
    "hk_burden_year": {"same": N_("same"), "previous": N_("previous")},
    "hk_assessment": {"best": N_("Best of the two"), "separate": N_("Separate taxation"), "joint": N_("Joint assessment")},
    "hk_assessment_used": {"single": N_("Single"), "separate": N_("Separate taxation"), "joint": N_("Joint assessment")},
    "city": {"none": N_("The zone's city"), "shenzhen": N_("Shenzhen"), "guangzhou": N_("Guangzhou"),
             "zhuhai": N_("Zhuhai")},
}

#: short names of the relief policies (ids from tables/zones)
POLICY_NAMES: dict[str, str] = {
    "none": N_("none"),
    "hetao_hk_cap": N_("Hetao: no more than the HK tax"),
    "qianhai_hk_cap": N_("Qianhai: no more than the HK tax"),
    "nansha_hk_cap": N_("Nansha: no more than the HK tax"),
    "nansha_macao_cap": N_("Nansha: no more than the Macao tax"),
    "hengqin_macao_cap": N_("Hengqin: no more than the Macao tax"),
    "hengqin_15": N_("Hengqin: tax above 15% exempt"),
    "gba_subsidy": N_("GBA talent subsidy above 15%"),
}
RELIEF_KINDS: dict[str, str] = {"none": N_("none"), "exemption": N_("exemption"), "subsidy": N_("subsidy")}
UNITS: dict[str, str] = {"CNY a year": N_("CNY a year"), "CNY": N_("CNY"), "HK$ a year": N_("HK$ a year"),
                         "CNY a month": N_("CNY a month"), "MOP": N_("MOP"), "HK$": N_("HK$"), "HKD": N_("HK$"),
                         "rate": N_("%"), "fx": N_("CNY per unit"), "year": N_("year"), "text": "", "bool": ""}
MARKS: dict[str, str] = {"adviser": N_("from an adviser, not the document"), "inferred": N_("inferred"),
                         "uncertain": N_("uncertain"), "proposed": N_("proposed, not yet enacted"),
                         "placeholder": N_("a placeholder")}
WORDS: dict[str, str] = {"separate": N_("separate"), "combined": N_("combined"), "best": N_("best"),
                         "standard": N_("standard"), "progressive": N_("progressive"), "given": N_("given"),
                         "default": N_("default"), "same": N_("same"), "previous": N_("previous"),
                         "before": N_("before"), "after": N_("after"), "hk": N_("Hong Kong"), "macao": N_("Macao"),
                         "yes": N_("yes"), "no": N_("no")}

#: headings of the registry's figure groups (taxcalc.figures.Figure.group) and of the tables' jurisdictions
GROUPS: dict[str, str] = {"mainland": N_("Mainland"), "zone": N_("Zone relief"), "hongkong": N_("Hong Kong"),
                          "macao": N_("Macao"), "gap": N_("Gap"), "fx": N_("Exchange rates"), "notes": N_("Notes"),
                          "social": N_("Social insurance")}

#: options a message names: the command line shows the flag (``--assume-extended``), the terminal UI
#: the setting of its step-3 option (taxcalc.tui.widgets.form.OPTIONS), which a user there can change
OPTIONS: dict[str, str] = {"assume_extended": N_("the option “Assume expired zone policies are renewed”"),
                           "no_macao_refund": N_("the option “Macao burden net of the resident's refund” set to no")}
_KINDS = {"group": GROUPS, "field": FIELD_LABELS, "policy": POLICY_NAMES, "relief_kind": RELIEF_KINDS, "unit": UNITS,
          "mark": MARKS, "word": WORDS, "option": OPTIONS}


def label_of(kind: str, value: object) -> str | None:
    """The message id for ``value`` in the list ``kind`` (a choice field's name is a kind too;
    ``figure``: a registry figure's label); None when the list does not have it."""
    if kind == "figure":
        from ..figures import BY_NAME

        f = BY_NAME.get(value) if isinstance(value, str) else None
        return f.label if f is not None else None
    # each list is keyed by its codes: words, or the choices of a field (sad_child_share's are numbers)
    table: Mapping[Any, str] | None = (_KINDS.get(kind) if kind in _KINDS
                                       else CHOICE_LABELS.get(kind.removeprefix("choice:")))
    if table is None:
        return None
    return table.get(value)
