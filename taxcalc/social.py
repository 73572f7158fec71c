"""Mainland social insurance and housing fund (五险一金) on columns: what the employee and the
employer pay, from the city's cited tables (``tables/social/<city>/<year>-<yy>.toml``).

Law: 中华人民共和国社会保险法 Art. 10, 12, 23, 33, 44, 53 (who pays each scheme) and Art. 60 (the
employer withholds the employee's share); 住房公积金管理条例 Art. 16-18 (the housing fund: the
employee's rate equals the employer's, 5% to 12% by 建金管〔2005〕5号); Hong Kong, Macao and Taiwan
residents employed on the mainland join the schemes (人社部令第41号). The employee's share is the
专项扣除 of the IIT law Art. 6 (``social_insurance``).

The rules taken here (docs/assumptions.md S1-S5):

* the monthly base is (wages + bonus) / 12, half up to the fen: the year's own average stands for
  the previous year's average that the cities use; each scheme takes it within its floor and
  ceiling (a scheme without a ceiling takes the whole wage); no wages and no bonus: nothing is paid;
* each month's contribution, per scheme and per side, is base x rate, half up to the fen;
* contribution years run from 1 July to 30 June: a calendar tax year pays six months at the rates
  of the year beginning the July before and six months at those of the year beginning in its own
  July; a contribution year without a table uses the nearest one tabled (a note says which);
* the housing fund is paid at ``housing_fund_rate`` by each side (default: the table's
  ``default_rate``, the lowest allowed), on its own floor and ceiling.

Amounts are int64 fen (or Python integers on the engine's wide path).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from .columns import Columns
from .messages import Msg, Rate, Term, msg
from .money import BP, FX, Column, column_sum, half_up_div
from .scenario import CITY, ZONE
from .tables import SCHEMES, SocialTable, Tables, year_of_assessment

#: the city a zone lies in (zone none and gba: the city must be given)
ZONE_CITY = {"hetao": "shenzhen", "qianhai": "shenzhen", "nansha": "guangzhou", "hengqin": "zhuhai"}
#: by zone code: the code of its city in CITY (0: none)
_ZONE_CITY_CODE = np.array([CITY.index(ZONE_CITY.get(z, "none")) for z in ZONE], dtype=np.int8)
#: the two halves of a tax year: (the offset of the contribution year's start, months)
HALVES = ((-1, 6), (0, 6))
PARTS = (*SCHEMES, "housing_fund")


@dataclass(frozen=True)
class SchemeParams:
    floor: int          # fen a month
    ceiling: int        # fen a month; -1: none
    employee_bp: int
    employer_bp: int


@dataclass(frozen=True)
class Period:
    """A city's contribution year compiled for the kernels."""

    city: str
    year: int                     # the year it begins (1 July)
    table: SocialTable
    schemes: dict[str, SchemeParams]
    hf_floor: int
    hf_ceiling: int
    hf_min: int                   # millionths
    hf_max: int
    hf_default: int


def _fen(value: Decimal) -> int:
    return int(value * 100)


@lru_cache(maxsize=64)
def period(tables: Tables, city: str, year: int) -> Period:
    t = tables.social[(city, year)]
    schemes = {}
    for name in SCHEMES:
        s = getattr(t, name)
        if s is None:
            continue
        schemes[name] = SchemeParams(_fen(s.floor.value), _fen(s.ceiling.value) if s.ceiling is not None else -1,
                                     int(s.employee_rate.value * BP), int(s.employer_rate.value * BP))
    hf = t.housing_fund
    return Period(city, year, t, schemes, _fen(hf.floor.value), _fen(hf.ceiling.value), int(hf.min_rate.value * FX),
                  int(hf.max_rate.value * FX), int(hf.default_rate.value * FX))


def periods(tables: Tables, city: str, tax_year: int) -> tuple[Period, Period] | None:
    """The contribution years a tax year's two halves use (January-June, July-December): the one
    beginning in July of the year before and the one beginning in July of the tax year, or the
    nearest tabled; None when the city has no tables."""
    out = []
    for offset, _months in HALVES:
        found = tables.social_year_for(city, tax_year + offset)
        if found is None:
            return None
        out.append(period(tables, city, found[0]))
    return out[0], out[1]


def city_codes(c: Columns) -> NDArray[np.int8]:
    """Each row's city of work (a code into CITY): given, else the zone's; 0 where neither says."""
    return np.where(c["city"] > 0, c["city"], _ZONE_CITY_CODE[c["zone"]]).astype(np.int8)


def contributions(c: Columns, tables: Tables, year: int) -> dict[str, Column] | None:
    """The year's contributions of the rows with ``social_insurance_auto`` (fen; 0 elsewhere), by
    part and side, summed in ``si_employee_fen`` and ``si_employer_fen``; the contribution years
    used in ``si_year_a`` (January-June) and ``si_year_b`` (July-December). None: no row asks."""
    auto = np.asarray(c["social_insurance_auto"], dtype=bool)
    if not auto.any():
        return None
    n = len(auto)
    zero = np.zeros(n, dtype=c["wages"].dtype)
    out = {f"si_{part}_{side}_fen": zero.copy() for part in PARTS for side in ("employee", "employer")}
    out["si_year_a"], out["si_year_b"] = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    for h in "ab":
        for part in PARTS:
            out[f"si_{part}_base_{h}"] = zero.copy()
        out[f"si_hf_rate_{h}"] = np.zeros(n, dtype=np.int64)
    income = c["wages"] + c["bonus"]
    wage = half_up_div(income, 12)             # fen a month
    out["si_wage_fen"] = wage
    paid = income > 0
    cities = city_codes(c)
    for code in np.unique(cities[auto]):
        if code == 0:
            continue          # no city: refused by the rules before the engine runs
        rows = np.flatnonzero(auto & (cities == code))
        found = periods(tables, CITY[int(code)], year)
        if found is None:
            continue          # no tables for the city: refused by the rules
        w, on = wage[rows], paid[rows]
        for (_offset, months), p, h in zip(HALVES, found, "ab"):
            out[f"si_year_{h}"][rows] = p.year
            for name, s in p.schemes.items():
                base = np.maximum(w, s.floor)
                if s.ceiling >= 0:
                    base = np.minimum(base, s.ceiling)
                out[f"si_{name}_base_{h}"][rows] = base
                for side, rate in (("employee", s.employee_bp), ("employer", s.employer_bp)):
                    monthly = half_up_div(base * rate, BP)
                    out[f"si_{name}_{side}_fen"][rows] += np.where(on, months * monthly, 0)
            hf_rate = np.where(c["housing_fund_rate"][rows] >= 0, c["housing_fund_rate"][rows], p.hf_default)
            out[f"si_hf_rate_{h}"][rows] = hf_rate
            base = np.minimum(np.maximum(w, p.hf_floor), p.hf_ceiling)
            out[f"si_housing_fund_base_{h}"][rows] = base
            monthly = half_up_div(base * hf_rate, FX)
            for side in ("employee", "employer"):
                out[f"si_housing_fund_{side}_fen"][rows] += np.where(on, months * monthly, 0)
    out["si_employee_fen"] = column_sum(out[f"si_{part}_employee_fen"] for part in PARTS)
    out["si_employer_fen"] = column_sum(out[f"si_{part}_employer_fen"] for part in PARTS)
    return out


def table_errors(cols: Columns, tables: Tables) -> list[tuple[Column, str, Msg]]:
    """Rows ``social_insurance_auto`` cannot compute: a city without tables, or a housing fund rate
    outside the range the city's tables allow (in either half of the year)."""
    auto = np.asarray(cols["social_insurance_auto"], dtype=bool)
    if not auto.any():
        return []
    out = []
    cities = city_codes(cols)
    years = cols["tax_year"]
    rate = cols["housing_fund_rate"]
    for code in np.unique(cities[auto]):
        if code == 0:
            continue
        city = CITY[int(code)]
        here = auto & (cities == code)
        if not any(c == city for c, _ in tables.social):
            out.append((here, "city", msg("rule.no_social_tables", city=Term("choice:city", city))))
            continue
        for y in np.unique(years[here]):
            found = periods(tables, city, int(y))
            assert found is not None, "the city has tables (checked above)"
            for p in found:
                bad = here & (years == y) & (rate >= 0) & ((rate < p.hf_min) | (rate > p.hf_max))
                if bad.any():
                    out.append((bad, "housing_fund_rate",
                                msg("rule.housing_fund_rate", city=Term("choice:city", city),
                                    period=year_of_assessment(p.year), low=Rate(Decimal(p.hf_min) / FX),
                                    high=Rate(Decimal(p.hf_max) / FX))))
                    break
    return out
