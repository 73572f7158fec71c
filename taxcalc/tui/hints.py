"""Hints beside the fields, with the amounts of the case's tax year read from the tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..explain import citation_text
from ..i18n import N_, _, get_language, money, term, value_text
from ..messages import Number, Rate
from ..tables import Tables, year_of_assessment


def _m(v) -> str:
    return money(v, "CNY", decimals=False)


def _h(v) -> str:
    return money(v, "HKD", decimals=False)


def field_hint(name: str, tables: Tables, year: int, values: Mapping[str, Any] | None = None) -> str:
    """The dynamic hint for a field (''): that year's deduction or allowance amounts and ceilings,
    default rates; ``values``: the case's valid values (the housing fund's range is the city's)."""
    if name == "housing_fund_rate":
        return _housing_fund_hint(tables, year, values or {})
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
        return _("Employee's share, yearly; or computed from the city's tables (next field)")
    if name == "hk_mpf" or name == "hk_spouse_mpf":
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
    if name == "hk_born_last_year":
        if al.child_newborn_second_year.value:
            return _("{amount} more each").format(amount=_h(al.child_newborn_additional.value))
        return _("No additional allowance in {ya}").format(ya=hk.year_of_assessment)
    if name == "hk_assessment":
        return _("Best: the lower household tax. Joint: both incomes together, with the married person's allowance "
                 "{m}").format(m=_h(al.married.value))
    if name in HK_DEDUCTION_HINTS:
        return _hk_deduction_hint(name, hk)
    if name == "cny_per_hkd":
        cited = tables.cny_per_hkd(year)
        source = citation_text(tables.citation(tables.fx, f"cny_per_hkd.{year}", cited), get_language())
        return _("Empty: default {rate}, {source}").format(rate=value_text(Number(cited.value)), source=source)
    if name == "cny_per_mop":
        return _("Empty: CNY per HK$1 / {peg} (MOP 103 = HK$100)").format(peg=value_text(Number(tables.fx.mop_per_hkd.value)))
    return ""


#: the itemised Hong Kong deductions: the field, the ceiling in the year's table, the hint's template
HK_DEDUCTION_HINTS = {
    "hk_self_education": ("self_education", N_("At most {cap} ({ya})")),
    "hk_elderly_care": ("elderly_residential_care", N_("At most {cap} per parent or grandparent ({ya})")),
    "hk_vhis_premiums": ("vhis_per_insured", N_("At most {cap} per insured person ({ya})")),
    "hk_annuity_tvc": ("annuity_and_tvc", N_("At most {cap} together ({ya})")),
    "hk_home_loan_interest": ("home_loan_interest", N_("At most {cap} ({ya})")),
    "hk_rent": ("domestic_rent", N_("At most {cap} ({ya})")),
    "hk_lives_with_newborn": ("newborn_home_additional", ""),
    "hk_donations": ("donations_rate", ""),
}


def _hk_deduction_hint(name: str, hk) -> str:
    """A Hong Kong deduction's ceiling in the year of assessment, from the table."""
    d, ya = hk.deductions, hk.year_of_assessment
    key, template = HK_DEDUCTION_HINTS[name]
    extra = d.newborn_home_additional
    if name == "hk_donations":
        return _("At most {rate} of income less outgoings; nothing below {minimum} in the year").format(
            rate=value_text(Rate(d.donations_rate.value)), minimum=_h(d.donations_minimum.value))
    if name == "hk_lives_with_newborn":
        if extra is None:
            return _("No additional ceiling in {ya}").format(ya=ya)
        return _("The home loan interest or rent ceiling {extra} higher ({ya})").format(extra=_h(extra.value), ya=ya)
    cap = getattr(d, key)
    if cap is None:                                        # domestic rent before 2022/23
        return _("Not deductible in {ya}").format(ya=ya)
    if name == "hk_rent" and d.home_loan_and_rent is not None:
        return _("At most {cap}; with home loan interest at most {common} together ({ya})").format(
            cap=_h(cap.value), common=_h(d.home_loan_and_rent.value), ya=ya)
    return _(template).format(cap=_h(cap.value), ya=ya)


def case_city(values: Mapping[str, Any]) -> str | None:
    """The city whose social insurance tables the case uses: given, or the zone's."""
    from ..social import ZONE_CITY

    city = values.get("city") or "none"
    return city if city != "none" else ZONE_CITY.get(values.get("zone") or "none")


def _housing_fund_hint(tables: Tables, year: int, values: Mapping[str, Any]) -> str:
    """The housing fund's default rate and range in the city's contribution year beginning in July
    of the tax year (or the nearest tabled, as the engine takes it)."""
    city = case_city(values)
    found = tables.social_year_for(city, year) if city else None
    if found is None:
        return _("Empty: the city's lowest rate")
    hf = tables.social[(city, found[0])].housing_fund
    return _("Empty: {default}; from {min} to {max} ({city} {period})").format(
        default=value_text(Rate(hf.default_rate.value)), min=value_text(Rate(hf.min_rate.value)),
        max=value_text(Rate(hf.max_rate.value)), city=term("choice:city", city), period=year_of_assessment(found[0]))
