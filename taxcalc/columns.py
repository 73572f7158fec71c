"""Scenarios as columns: the shape every kernel works on.

``Columns`` maps each input field to a NumPy array: money in fen (int64, -1 where an optional
amount is absent), counts as int64, flags as bool, choices as int8 codes into the field's choices,
exchange rates in millionths (-1 absent), work days in tenths (-1 absent).

:func:`from_scenarios` builds them from validated :class:`~taxcalc.scenario.Scenario` objects;
:mod:`taxcalc.batch` builds them from text columns. Both then pass :func:`cross_field_errors`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .messages import Msg, Term, msg
from .money import FX, Column
from .scenario import ENUMS, FIELDS, Scenario, field_kind

Columns = dict[str, Column]
#: a rule of :func:`cross_field_errors`: (where its first field is set, the rows failing, field, message); the
#: rows failing are computed on demand, by a function called without arguments (loops bind theirs as defaults)
Rule = Callable[[Column, Callable[..., Column], str, Msg], None]

SAD_DETAIL_FIELDS = ("sad_children", "sad_infants", "sad_elderly", "sad_housing",
                     "sad_continuing_education", "sad_medical_costs")

DTYPES: dict[str, type[np.generic]] = {"money": np.int64, "count": np.int64, "bool": np.bool_, "choice": np.int8,
                                        "choice_int": np.int8, "rate": np.int64, "days": np.int64, "year": np.int64}


_SCALE = {"money": 100, "rate": FX, "days": 10}


def _encode(name: str, kind: str, value: Any) -> int | bool:
    """One validated value as its column code (exact: the model allows no finer decimals)."""
    if kind in _SCALE:
        return -1 if value is None else int(value * _SCALE[kind])
    if kind in ("choice", "choice_int"):
        return ENUMS[name].index(value)
    if kind == "bool":
        return bool(value)
    return int(value)


_LAYOUT = [(name, field_kind(name)) for name in FIELDS if field_kind(name) != "text"]
_DIRECT = {dt: [n for n, k in _LAYOUT if k in ("count", "year", "bool") and DTYPES[k] is dt] for dt in (np.int64, np.bool_)}
_ENCODED = [(n, k) for n, k in _LAYOUT if k not in ("count", "year", "bool")]


def from_scenarios(scenarios: Iterable[Scenario]) -> Columns:
    """Validated scenarios as columns. Fields of one dtype are converted in one NumPy call."""
    scenarios = list(scenarios)
    cols: Columns = {}
    for dt_direct, names in _DIRECT.items():
        block = np.array([[getattr(s, n) for s in scenarios] for n in names], dtype=dt_direct)
        cols.update(zip(names, block))
    encoded: dict[type[np.generic], list[tuple[str, list[int | bool]]]] = {dt: [] for dt in (np.int64, np.int8)}
    for name, kind in _ENCODED:
        encoded[DTYPES[kind]].append((name, [_encode(name, kind, getattr(s, name)) for s in scenarios]))
    for dt, items in encoded.items():
        block = np.array([values for _, values in items], dtype=dt)
        cols.update(zip((n for n, _ in items), block))
    return cols


_BEST = ENUMS["hk_assessment"].index("best")
_MAINLAND = ENUMS["identity"].index("mainland")
_RESIDENT = ENUMS["residency"].index("resident")
_SHARED = ENUMS["sad_elderly"].index("shared")


def cross_field_errors(cols: Columns) -> list[tuple[Column, str, Msg]]:
    """Rules that involve more than one field: (rows failing, field, message).

    Each rule can only fail where its first field is set, so a rule whose first field is empty
    in every row is not evaluated."""
    out: list[tuple[Column, str, Msg]] = []

    def rule(trigger: Column, mask: Callable[..., Column], field: str, message: Msg) -> None:
        if trigger.any():
            m = mask()
            if m.any():
                out.append((m, field, message))

    additional, exempt = cols["additional_deductions"] > 0, cols["exempt_allowances"] > 0

    def details() -> Column:
        d: Column = cols[SAD_DETAIL_FIELDS[0]] != 0
        for f in SAD_DETAIL_FIELDS[1:]:
            d = d | (cols[f] != 0)
        return d

    rule(additional, lambda: additional & details(), "additional_deductions",
         msg("rule.sad_total_and_details", total=Term("field", "additional_deductions")))
    rule(exempt, lambda: cols["exempt_allowances"] > cols["wages"], "exempt_allowances",
         msg("rule.exempt_exceeds_wages", wages=Term("field", "wages")))
    rule(exempt, lambda: exempt & (cols["identity"] == _MAINLAND), "exempt_allowances", msg("rule.exempt_identity"))
    rule(exempt, lambda: exempt & (cols["residency"] == _RESIDENT) & (additional | details()), "exempt_allowances",
         msg("rule.exempt_and_sad"))
    for part, whole in (("hk_newborns", "hk_children"), ("hk_parents_60_living_with", "hk_parents_60"),
                        ("hk_parents_55_living_with", "hk_parents_55")):
        rule(cols[part], lambda part=part, whole=whole: cols[part] > cols[whole], part,
             msg("rule.not_more_than", other=Term("field", whole)))
    rule(cols["hk_single_parent"], lambda: cols["hk_single_parent"] & (cols["hk_children"] == 0), "hk_single_parent",
         msg("rule.single_parent_child"))
    rule(cols["hk_single_parent"], lambda: cols["hk_single_parent"] & cols["hk_married"], "hk_single_parent",
         msg("rule.single_parent_married"))
    born = cols["hk_born_last_year"] > 0
    rule(born, lambda: cols["hk_newborns"] + cols["hk_born_last_year"] > cols["hk_children"], "hk_born_last_year",
         msg("rule.newborns_children", newborns=Term("field", "hk_newborns"), last_year=Term("field", "hk_born_last_year"),
             children=Term("field", "hk_children")))
    married = cols["hk_married"]
    for field in ("hk_spouse_income", "hk_spouse_mpf", "hk_spouse_deductions"):
        given = cols[field] > 0 if field == "hk_spouse_deductions" else cols[field] >= 0
        rule(given, lambda given=given: given & ~married, field,
             msg("rule.spouse_not_married", married=Term("field", "hk_married")))
    asked = cols["hk_assessment"] != _BEST
    rule(asked, lambda: asked & ~married, "hk_assessment",
         msg("rule.assessment_not_married", married=Term("field", "hk_married")))
    given_share = cols["sad_elderly_share"] >= 0
    rule(given_share, lambda: given_share & (cols["sad_elderly"] != _SHARED), "sad_elderly_share",
         msg("rule.elderly_share", field=Term("field", "sad_elderly")))
    _social_rules(cols, rule)
    return out


def _social_rules(cols: Columns, rule: Rule) -> None:
    """social_insurance_auto, city and housing_fund_rate: one way to give the contributions, a city
    to compute them in, the zone's own city, and nothing given that would go unused."""
    from .social import ZONE_CITY, city_codes

    auto, city = cols["social_insurance_auto"], cols["city"]
    auto_term = Term("field", "social_insurance_auto")
    rule(auto, lambda: auto & (cols["social_insurance"] > 0), "social_insurance_auto",
         msg("rule.si_auto_and_given", given=Term("field", "social_insurance"), auto=auto_term))
    rule(auto, lambda: auto & (city_codes(cols) == 0), "city",
         msg("rule.si_auto_city", auto=auto_term, zone=Term("field", "zone")))
    for zone, zone_city in ZONE_CITY.items():
        z, want = ENUMS["zone"].index(zone), ENUMS["city"].index(zone_city)
        rule(city, lambda z=z, want=want: (cols["zone"] == z) & (city > 0) & (city != want), "city",
             msg("rule.city_zone", zone=Term("zone", zone), city=Term("choice:city", zone_city)))
    rule(city, lambda: (city > 0) & ~auto, "city", msg("rule.only_with", field=auto_term))
    rate = cols["housing_fund_rate"] >= 0
    rule(rate, lambda: rate & ~auto, "housing_fund_rate", msg("rule.only_with", field=auto_term))
