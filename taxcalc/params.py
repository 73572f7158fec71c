"""Tables compiled to integers for the kernels (units, basis points), once per year and cached."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from .money import bp, micro, units
from .scenario import CONTINUING_EDUCATION, ELDERLY, HOUSING, ZONE
from .tables import BandTable, BracketTable, CitedAmount, HongKongTable, MacaoTable, MainlandTable, Tables

Ints = NDArray[np.int64]


@dataclass(frozen=True)
class Brackets:
    """A quick-deduction table: bracket k applies up to ``uppers[k]`` (inclusive)."""

    uppers: Ints      # units, len n-1
    rates: Ints       # bp, len n
    quick: Ints       # units, len n


@dataclass(frozen=True)
class Bands:
    """A banded table: band k starts at ``lowers[k]`` (units) and is taxed at ``rates[k]`` (bp);
    ``cum[k]`` is the tax on everything below ``lowers[k]`` (units x bp)."""

    lowers: Ints
    rates: Ints
    cum: Ints


def brackets(t: BracketTable) -> Brackets:
    return Brackets(
        uppers=np.array([units(upto) for upto in t.uppers()], dtype=np.int64),
        rates=np.array([bp(b.rate) for b in t.brackets], dtype=np.int64),
        quick=np.array([units(b.quick_deduction) for b in t.brackets], dtype=np.int64),
    )


def bands(t: BandTable) -> Bands:
    widths = [units(width) for width in t.widths()]
    rates = [bp(b.rate) for b in t.bands]
    lowers = np.concatenate([[0], np.cumsum(widths)]).astype(np.int64)
    cum = np.concatenate([[0], np.cumsum([w * r for w, r in zip(widths, rates)])]).astype(np.int64)
    return Bands(lowers=lowers, rates=np.array(rates, dtype=np.int64), cum=cum)


@dataclass(frozen=True)
class MainlandParams:
    year: int
    basic_annual: int
    basic_monthly_nr: int
    pct_labour: int
    pct_author: int
    pct_royalty: int
    annual: Brackets
    monthly: Brackets
    bonus_separate: bool
    nr_bonus_months: int
    foreign_allowances: bool
    children_m: int
    infant_m: int
    elderly_shared_cap_m: int
    illness_threshold: int
    illness_cap: int
    pension_cap: int
    health_cap: int
    elderly_year: Ints            # by sad_elderly code: none, only_child (shared is per row)
    housing_year: Ints            # by sad_housing code: none, loan, rent tiers 1-3
    education_year: Ints          # by sad_continuing_education code: none, degree, certificate, both
    pension_zone: NDArray[np.bool_]   # by zone code: the private-pension deduction applies there (pilot years)


def _pct(value: Decimal) -> int:
    p = bp(value)
    if p % 100:
        raise ValueError(f"income ratio {value} is not a whole percent")
    return p // 100


def mainland(t: MainlandTable) -> MainlandParams:
    s = t.special_additional
    degree = 12 * units(s.continuing_education_degree_monthly.value)
    certificate = units(s.continuing_education_certificate.value)
    return MainlandParams(
        year=t.year,
        basic_annual=units(t.deductions.basic_annual.value),
        basic_monthly_nr=units(t.deductions.basic_monthly_nonresident.value),
        pct_labour=_pct(t.income_ratios.labour.value),
        pct_author=_pct(t.income_ratios.author.value),
        pct_royalty=_pct(t.income_ratios.royalty.value),
        annual=brackets(t.annual_table),
        monthly=brackets(t.monthly_table),
        bonus_separate=t.bonus.separate_allowed.value,
        nr_bonus_months=int(t.bonus.nonresident_months.value),
        foreign_allowances=t.foreign_allowances.exempt.value,
        children_m=units(s.children_education_monthly.value),
        infant_m=units(s.infant_care_monthly.value),
        elderly_shared_cap_m=units(s.elderly_shared_cap_monthly.value),
        illness_threshold=units(s.serious_illness_threshold.value),
        illness_cap=units(s.serious_illness_cap.value),
        pension_cap=units(t.other_caps.private_pension.value),
        health_cap=units(t.other_caps.health_insurance.value),
        elderly_year=_by_choice(ELDERLY, {"only_child": 12 * units(s.elderly_only_child_monthly.value)}),
        housing_year=_by_choice(HOUSING, {"loan": 12 * units(s.housing_loan_monthly.value),
                                          "rent_tier1": 12 * units(s.rent_tier1_monthly.value),
                                          "rent_tier2": 12 * units(s.rent_tier2_monthly.value),
                                          "rent_tier3": 12 * units(s.rent_tier3_monthly.value)}),
        education_year=_by_choice(CONTINUING_EDUCATION, {"degree": degree, "certificate": certificate,
                                                         "both": degree + certificate}),
        pension_zone=np.array([True if t.private_pension_pilot is None else getattr(t.private_pension_pilot, z).value
                               for z in ZONE], dtype=np.bool_),
    )


def _by_choice(choices: tuple[str, ...], amounts: dict[str, int]) -> Ints:
    """A yearly amount for each choice of a field, indexed by its code (0 where not listed)."""
    return np.array([amounts.get(name, 0) for name in choices], dtype=np.int64)


@dataclass(frozen=True)
class HongKongParams:
    year: int
    year_of_assessment: str
    progressive: Bands
    standard: Bands
    basic: int
    married: int
    child: int
    newborn: int
    parent60: int
    parent60_add: int
    parent55: int
    parent55_add: int
    single_parent: int
    disabled_dependant: int
    personal_disability: int
    sibling: int
    mpf_rate: int
    mpf_min_monthly: int
    mpf_max_monthly: int
    mpf_cap: int
    reduction_rate: int
    reduction_cap: int
    newborn_second_year: bool      # the additional child allowance also in the year after birth
    self_education: int
    home_loan_interest: int
    domestic_rent: int             # -1: not deductible this year
    home_loan_and_rent: int        # -1: no common ceiling
    newborn_home: int              # additional home loan interest / rent ceiling (0 before 2024/25)
    elderly_care: int              # per parent or grandparent
    vhis_per_insured: int
    annuity_tvc: int
    donations_rate: int            # bp
    donations_min: int
    mpf_employer_rate: int         # bp: the employer's mandatory contribution


def _opt_units(cited: CitedAmount | None) -> int:
    return -1 if cited is None else units(cited.value)


def hongkong(t: HongKongTable) -> HongKongParams:
    a, d = t.allowances, t.deductions
    return HongKongParams(
        year=t.year, year_of_assessment=t.year_of_assessment,
        progressive=bands(t.progressive), standard=bands(t.standard_rate),
        basic=units(a.basic.value), married=units(a.married.value), child=units(a.child.value),
        newborn=units(a.child_newborn_additional.value),
        parent60=units(a.dependent_parent_60.value), parent60_add=units(a.dependent_parent_60_additional.value),
        parent55=units(a.dependent_parent_55.value), parent55_add=units(a.dependent_parent_55_additional.value),
        single_parent=units(a.single_parent.value), disabled_dependant=units(a.disabled_dependant.value),
        personal_disability=units(a.personal_disability.value), sibling=units(a.dependent_sibling.value),
        mpf_rate=bp(t.mpf.employee_rate.value), mpf_min_monthly=units(t.mpf.min_monthly_income.value),
        mpf_max_monthly=units(t.mpf.max_monthly_contribution.value), mpf_cap=units(t.mpf.deduction_cap.value),
        reduction_rate=bp(t.reduction.rate.value), reduction_cap=units(t.reduction.cap.value),
        newborn_second_year=a.child_newborn_second_year.value,
        self_education=units(d.self_education.value), home_loan_interest=units(d.home_loan_interest.value),
        domestic_rent=_opt_units(d.domestic_rent), home_loan_and_rent=_opt_units(d.home_loan_and_rent),
        newborn_home=max(_opt_units(d.newborn_home_additional), 0),
        elderly_care=units(d.elderly_residential_care.value), vhis_per_insured=units(d.vhis_per_insured.value),
        annuity_tvc=units(d.annuity_and_tvc.value), donations_rate=bp(d.donations_rate.value),
        donations_min=units(d.donations_minimum.value),
        mpf_employer_rate=bp(t.mpf.employer_rate.value),
    )


@dataclass(frozen=True)
class MacaoParams:
    year: int
    fixed_deduction: int   # bp
    exemption: int         # units
    bands: Bands           # above the exemption
    reduction: int         # bp
    refund_rate: int       # bp
    refund_cap: int        # units


def macao(t: MacaoTable) -> MacaoParams:
    p = t.professional_tax
    return MacaoParams(year=t.year, fixed_deduction=bp(p.fixed_deduction.value), exemption=units(p.exemption.value),
                       bands=bands(t.bands), reduction=bp(p.reduction.value), refund_rate=bp(p.refund_rate.value),
                       refund_cap=units(p.refund_cap.value))


@dataclass(frozen=True)
class YearParams:
    mainland: MainlandParams
    hongkong: HongKongParams
    hk_fallback: bool          # the HK year is not the one starting in the tax year
    macao: MacaoParams
    macao_fallback: bool
    macao_refund: MacaoParams      # the table of the budget law that refunds the tax year's tax
    macao_refund_fallback: bool    # that budget law has no table: the nearest one is assumed
    cny_per_hkd: int           # millionths
    mop_per_hkd: int           # millionths


@lru_cache(maxsize=256)
def _year(tables: Tables, year: int, hk_offset: int) -> YearParams:
    hk_year, hk_fb = tables.hk_year_for(year + hk_offset)
    mo_year, mo_fb = tables.macao_year_for(year)
    refund_year, refund_fb = tables.macao_refund_year_for(year)
    return YearParams(
        mainland=mainland(tables.mainland[year]),
        hongkong=hongkong(tables.hongkong[hk_year]),
        hk_fallback=hk_fb,
        macao=macao(tables.macao[mo_year]),
        macao_fallback=mo_fb,
        macao_refund=macao(tables.macao[refund_year]),
        macao_refund_fallback=refund_fb,
        cny_per_hkd=micro(tables.cny_per_hkd(year).value),
        mop_per_hkd=micro(tables.fx.mop_per_hkd.value),
    )


def year_params(tables: Tables, year: int, hk_offset: int = 0) -> YearParams:
    return _year(tables, year, hk_offset)

