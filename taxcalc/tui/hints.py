"""Hints beside the fields, with the amounts of the case's tax year read from the tables."""

from __future__ import annotations

from ..explain import citation_text
from ..i18n import _, get_language, money, value_text
from ..messages import Number, Rate
from ..tables import Tables


def _m(v) -> str:
    return money(v, "CNY", decimals=False)


def _h(v) -> str:
    return money(v, "HKD", decimals=False)


def field_hint(name: str, tables: Tables, year: int) -> str:
    """The dynamic hint for a field (''): that year's deduction or allowance amounts, default rates."""
    try:
        ml = tables.mainland[year]
    except KeyError:
        return ""
    sad = ml.special_additional
    hk_year, _exact = tables.hk_year_for(year)
    hk = tables.hongkong[hk_year]
    al = hk.allowances
    if name == "tax_year":
        years = tables.mainland_years()
        return _("Tables {first} to {last}; Hong Kong year of assessment {ya}").format(
            first=years[0], last=years[-1], ya=hk.year_of_assessment)
    if name == "sad_children":
        return _("{amount} a month per child in {year}").format(amount=_m(sad.children_education_monthly.value), year=year)
    if name == "sad_infants":
        return _("{amount} a month per child in {year}").format(amount=_m(sad.infant_care_monthly.value), year=year)
    if name == "sad_elderly":
        return _("Only child {a} a month; shared at most {b} each").format(
            a=_m(sad.elderly_only_child_monthly.value), b=_m(sad.elderly_shared_cap_monthly.value))
    if name == "sad_housing":
        return _("Loan {loan}; rent {t1} / {t2} / {t3} a month").format(
            loan=_m(sad.housing_loan_monthly.value), t1=_m(sad.rent_tier1_monthly.value),
            t2=_m(sad.rent_tier2_monthly.value), t3=_m(sad.rent_tier3_monthly.value))
    if name == "sad_continuing_education":
        return _("Degree {d} a month; certificate {c} in the year").format(
            d=_m(sad.continuing_education_degree_monthly.value), c=_m(sad.continuing_education_certificate.value))
    if name == "sad_medical_costs":
        return _("Deductible above {t}, at most {c}").format(t=_m(sad.serious_illness_threshold.value),
                                                             c=_m(sad.serious_illness_cap.value))
    if name == "private_pension":
        return _("Deducted up to {cap} a year").format(cap=_m(ml.other_caps.private_pension.value))
    if name == "health_insurance":
        return _("Deducted up to {cap} a year").format(cap=_m(ml.other_caps.health_insurance.value))
    if name == "social_insurance":
        return _("Employee's share, yearly")
    if name == "hk_mpf":
        return _("Empty: {rate} of income, at most {max} a month ({ya})").format(
            rate=value_text(Rate(hk.mpf.employee_rate.value)), max=_h(hk.mpf.max_monthly_contribution.value),
            ya=hk.year_of_assessment)
    if name == "hk_married":
        return _("Married {m}; single {b} ({ya})").format(m=_h(al.married.value), b=_h(al.basic.value), ya=hk.year_of_assessment)
    if name == "hk_children":
        return _("{amount} each").format(amount=_h(al.child.value))
    if name == "hk_newborns":
        return _("{amount} more each").format(amount=_h(al.child_newborn_additional.value))
    if name == "hk_parents_60":
        return _("{amount} each").format(amount=_h(al.dependent_parent_60.value))
    if name == "hk_parents_55":
        return _("{amount} each").format(amount=_h(al.dependent_parent_55.value))
    if name == "hk_parents_60_living_with":
        return _("{amount} more each").format(amount=_h(al.dependent_parent_60_additional.value))
    if name == "hk_parents_55_living_with":
        return _("{amount} more each").format(amount=_h(al.dependent_parent_55_additional.value))
    if name == "hk_single_parent":
        return _h(al.single_parent.value)
    if name == "hk_disabled_dependants":
        return _("{amount} each").format(amount=_h(al.disabled_dependant.value))
    if name == "hk_disability":
        return _h(al.personal_disability.value)
    if name == "hk_siblings":
        return _("{amount} each").format(amount=_h(al.dependent_sibling.value))
    if name == "cny_per_hkd":
        cited = tables.cny_per_hkd(year)
        source = citation_text(tables.citation(tables.fx, f"cny_per_hkd.{year}", cited), get_language())
        return _("Empty: default {rate}, {source}").format(rate=value_text(Number(cited.value)), source=source)
    if name == "cny_per_mop":
        return _("Empty: CNY per HK$1 / {peg} (MOP 103 = HK$100)").format(peg=value_text(Number(tables.fx.mop_per_hkd.value)))
    return ""
