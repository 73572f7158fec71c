"""The one definition of a scenario's inputs. Its fields are the batch columns.

Each field carries a ``kind`` that the batch reader uses to parse a whole column at once, so a
single scenario (validated here by pydantic) and a ten-million-row file follow the same rules.
Cross-field rules live in :mod:`taxcalc.columns` and run on columns for both.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal, cast, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from .money import MAX_AMOUNT

# The choices of each choice field, in the order of their codes (taxcalc.columns): the Literal types
# are the fields' types, the tuples their values.
Residency = Literal["resident", "nonresident"]
Identity = Literal["mainland", "hk", "macao", "taiwan", "foreign"]
ZoneChoice = Literal["none", "gba", "hetao", "qianhai", "nansha", "hengqin"]
BonusMethod = Literal["best", "separate", "combined"]
Elderly = Literal["none", "only_child", "shared"]
Housing = Literal["none", "loan", "rent_tier1", "rent_tier2", "rent_tier3"]
ContinuingEducation = Literal["none", "degree", "certificate", "both"]
ChildShare = Literal[100, 50]
HKAssessment = Literal["best", "separate", "joint"]
CityChoice = Literal["none", "shenzhen", "guangzhou", "zhuhai"]

RESIDENCY: tuple[Residency, ...] = get_args(Residency)
IDENTITY: tuple[Identity, ...] = get_args(Identity)
ZONE: tuple[ZoneChoice, ...] = get_args(ZoneChoice)
BONUS_METHOD: tuple[BonusMethod, ...] = get_args(BonusMethod)
ELDERLY: tuple[Elderly, ...] = get_args(Elderly)
HOUSING: tuple[Housing, ...] = get_args(Housing)
CONTINUING_EDUCATION: tuple[ContinuingEducation, ...] = get_args(ContinuingEducation)
CHILD_SHARE: tuple[ChildShare, ...] = get_args(ChildShare)
HK_ASSESSMENT: tuple[HKAssessment, ...] = get_args(HKAssessment)
CITY: tuple[CityChoice, ...] = get_args(CityChoice)

# The law's bounds, not the tables': the 2018 amendment applies from 2019. Which years can be
# computed is decided by the tables present (shipped: 2019-2027), so a new year needs no code;
# a year outside the tables is told which years they cover (taxcalc.validate.table_errors).
FIRST_YEAR, LAST_YEAR = 2019, 2100
YEAR_FIELD_MIN, YEAR_FIELD_MAX = 1, 9999


# The helpers below return what pydantic's Field returns: Any, so that a field can be declared with it as its default.

def _money(help: str, unit: str = "CNY a year") -> Any:
    return Field(default=Decimal(0), ge=0, le=MAX_AMOUNT, decimal_places=2,
                 json_schema_extra={"kind": "money", "unit": unit}, description=help)


def _opt_money(help: str, unit: str) -> Any:
    return Field(default=None, ge=0, le=MAX_AMOUNT, decimal_places=2,
                 json_schema_extra={"kind": "money", "unit": unit}, description=help)


def _count(help: str, le: int = 20) -> Any:
    return Field(default=0, ge=0, le=le, json_schema_extra={"kind": "count"}, description=help)


def _flag(help: str) -> Any:
    return Field(default=False, json_schema_extra={"kind": "bool"}, description=help)


def _choice(default: str, choices: tuple[str, ...], help: str) -> Any:
    return Field(default=default, json_schema_extra={"kind": "choice", "choices": list(choices)}, description=help)


class Scenario(BaseModel):
    """One person, one tax year. Amounts are yearly; CNY unless the name says hk_ (HK$)."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=False)

    id: str | None = Field(default=None, max_length=200, json_schema_extra={"kind": "text"},
                           description="passed through (default: the row number)")
    tax_year: int = Field(ge=YEAR_FIELD_MIN, le=YEAR_FIELD_MAX, json_schema_extra={"kind": "year"},
                          description="mainland calendar tax year (shipped tables: 2019-2027)")
    residency: Residency = _choice("resident", RESIDENCY, "mainland tax residency in that year")
    identity: Identity = _choice("mainland", IDENTITY, "mainland, hk, macao, taiwan or foreign")
    zone: ZoneChoice = _choice("none", ZONE, "where the person works (gba: another of the nine Guangdong cities)")
    talent: bool = _flag("recognised high-end or shortage talent (or on the zone's talent list)")
    work_days: Decimal | None = Field(default=None, ge=0, le=366, decimal_places=1,
                                      json_schema_extra={"kind": "days"},
                                      description="days worked in the zone's city in the year (halves allowed)")

    wages: Decimal = _money("wages and salaries, without the annual one-off bonus")
    bonus: Decimal = _money("annual one-off bonus", "CNY")
    labour: Decimal = _money("labour remuneration, gross")
    author: Decimal = _money("author's remuneration, gross")
    royalty: Decimal = _money("royalties, gross")
    exempt_allowances: Decimal = _money("foreign individuals' tax-exempt allowances included in wages (housing, language, children's education)")
    social_insurance: Decimal = _money("employee social insurance and housing fund")
    additional_deductions: Decimal = _money("special additional deductions, total (or give the sad_ details)")
    other_deductions: Decimal = _money("other deductions, total")
    bonus_method: BonusMethod = _choice("best", BONUS_METHOD, "separate, combined or best")

    sad_children: int = _count("children in education (age 3 to end of degree), full year")
    sad_infants: int = _count("children under 3, full year")
    sad_child_share: ChildShare = Field(default=100, json_schema_extra={"kind": "choice_int", "choices": list(CHILD_SHARE)},
                                                  description="percent of the child deductions this parent claims: 100 or 50")
    sad_elderly: Elderly = _choice("none", ELDERLY, "support of parents aged 60+: none, only_child or shared")
    sad_elderly_share: Decimal | None = _opt_money("monthly amount claimed when the support is shared (default: the cap)", "CNY a month")
    sad_housing: Housing = _choice("none", HOUSING, "housing-loan interest or rent by city tier")
    sad_continuing_education: ContinuingEducation = _choice("none", CONTINUING_EDUCATION, "degree, certificate or both")
    sad_medical_costs: Decimal = _money("self-paid serious-illness medical costs in the year")
    private_pension: Decimal = _money("private pension contributions (deducted up to the cap)")
    health_insurance: Decimal = _money("qualifying commercial health insurance premiums (deducted up to the cap)")

    cny_per_hkd: Decimal | None = Field(default=None, gt=0, le=100, decimal_places=6, json_schema_extra={"kind": "rate"},
                                        description="CNY value of HK$1 (default: the year's rate in tables/fx.toml)")
    cny_per_mop: Decimal | None = Field(default=None, gt=0, le=100, decimal_places=6, json_schema_extra={"kind": "rate"},
                                        description="CNY value of MOP 1 (default: cny_per_hkd / 1.03)")
    hk_income: Decimal | None = _opt_money("assessable income of the Hong Kong alternative (default: gross mainland income / cny_per_hkd)", "HK$ a year")
    hk_mpf: Decimal | None = _opt_money("mandatory MPF contributions (default: 5% of income, none below HK$7,100 a month, at most HK$1,500 a month)", "HK$ a year")
    hk_deductions: Decimal = _money("other allowable Hong Kong deductions (outgoings and expenses ...), total, allowed as given", "HK$ a year")
    hk_home_loan_interest: Decimal = _money("home loan interest paid on your home in Hong Kong (capped by the year's ceiling)", "HK$ a year")
    hk_rent: Decimal = _money("domestic rent paid for your home in Hong Kong (from 2022/23; capped)", "HK$ a year")
    hk_lives_with_newborn: bool = _flag("you live with your child born on or after 25 October 2023 (the additional home loan interest or rent ceiling from 2024/25; a child counted in hk_newborns is enough)")
    hk_elderly_care: Decimal = _money("elderly residential care expenses paid for parents or grandparents (capped per person)", "HK$ a year")
    hk_elderly_care_persons: int = _count("parents or grandparents in residential care (default 1 when hk_elderly_care is given)", le=8)
    hk_self_education: Decimal = _money("self-education expenses (capped)", "HK$ a year")
    hk_vhis_premiums: Decimal = _money("qualifying VHIS premiums (capped per insured person)", "HK$ a year")
    hk_vhis_insured: int = _count("persons insured under those VHIS policies (default 1 when premiums are given)")
    hk_annuity_tvc: Decimal = _money("qualifying deferred annuity premiums and MPF tax-deductible voluntary contributions, together (capped)", "HK$ a year")
    hk_donations: Decimal = _money("approved charitable donations (at most 35% of income less the other deductions; nothing below HK$100)", "HK$ a year")
    hk_married: bool = _flag("married: the married person's allowance when the spouse has no income (or under joint assessment)")
    hk_spouse_income: Decimal | None = _opt_money("the spouse's assessable income (empty: the spouse has no income)", "HK$ a year")
    hk_spouse_mpf: Decimal | None = _opt_money("the spouse's mandatory MPF contributions (default: as for you, from the spouse's income)", "HK$ a year")
    hk_spouse_deductions: Decimal = _money("the spouse's deductions, total, allowed as given", "HK$ a year")
    hk_assessment: HKAssessment = _choice("best", HK_ASSESSMENT, "a married couple with two incomes: separate, joint or best (the lower household tax)")
    hk_children: int = _count("child allowances", le=9)
    hk_newborns: int = _count("of those children, how many were born in the year of assessment (the additional allowance)", le=9)
    hk_born_last_year: int = _count("of those children, how many were born in the year of assessment before (the additional allowance again where the tables give it: proposed from 2026/27)", le=9)
    hk_parents_60: int = _count("dependent parents or grandparents aged 60 or more", le=8)
    hk_parents_60_living_with: int = _count("of those, living with you all year", le=8)
    hk_parents_55: int = _count("dependent parents or grandparents aged 55 to 59", le=8)
    hk_parents_55_living_with: int = _count("of those, living with you all year", le=8)
    hk_single_parent: bool = _flag("single parent allowance")
    hk_disabled_dependants: int = _count("disabled dependants")
    hk_disability: bool = _flag("personal disability allowance")
    hk_siblings: int = _count("dependent brothers or sisters")

    city: CityChoice = _choice("none", CITY, "mainland city of work for social_insurance_auto: shenzhen, guangzhou or "
                                                "zhuhai (none: the zone's city)")
    social_insurance_auto: bool = _flag("compute social insurance and housing fund (employee and employer) from wages "
                                        "+ bonus with the city's tables, instead of giving social_insurance")
    housing_fund_rate: Decimal | None = Field(default=None, gt=0, le=1, decimal_places=6, json_schema_extra={"kind": "rate"},
                                              description="housing fund rate paid by the employee and by the employer, "
                                                          "with social_insurance_auto (default: the city's lowest)")

    @field_validator("*", mode="before")
    @classmethod
    def _grammar(cls, v: object, info: ValidationInfo) -> object:
        """Every value through the one grammar (:mod:`taxcalc.validate`): the same text means
        the same value, and the same mistake the same message, on every way in."""
        from pydantic_core import PydanticCustomError

        from .validate import FieldError, parse_field

        name = info.field_name
        assert name is not None, "a field validator"
        try:
            value = parse_field(name, v)
        except FieldError as exc:
            raise PydanticCustomError(exc.code, exc.code, exc.params) from None
        if value is None:
            default = FIELDS[name].default
            if name == "tax_year":
                raise PydanticCustomError("field.required", "field.required", {})
            return default
        return value


FIELDS = Scenario.model_fields
INPUT_COLUMNS: tuple[str, ...] = tuple(FIELDS)


def _extra(name: str) -> Mapping[str, object]:
    """The field's json_schema_extra: its kind, and its choices or unit (always a dict here)."""
    extra = FIELDS[name].json_schema_extra
    return extra if isinstance(extra, dict) else {}


def field_kind(name: str) -> str:
    return str(_extra(name)["kind"])


def field_choices(name: str) -> list[str | int]:
    # the choices are the Literal type's values, which _choice (or the field) wrote as a list
    return list(cast("list[str | int]", _extra(name).get("choices", [])))


def field_default(name: str) -> Any:
    """The field's default, of the field's type (None for an optional field)."""
    return FIELDS[name].default


def field_help(name: str) -> str:
    return FIELDS[name].description or ""


ENUMS: dict[str, tuple[str | int, ...]] = {name: tuple(field_choices(name)) for name in FIELDS
                           if field_kind(name) in ("choice", "choice_int")}


#: a bound of a field's range (None: no bound)
Bound = Decimal | int | None


def limits(name: str) -> tuple[Bound, Bound, Bound]:
    """(ge, gt, le) of a field from its pydantic constraints."""
    ge: Bound = None
    gt: Bound = None
    le: Bound = None
    for m in FIELDS[name].metadata:
        ge = getattr(m, "ge", ge)
        gt = getattr(m, "gt", gt)
        le = getattr(m, "le", le)
    return ge, gt, le


def field_unit(name: str) -> str:
    return str(_extra(name).get("unit", ""))


def expected(name: str) -> str:
    """What a field accepts, in English (the message :func:`taxcalc.validate.expected` renders)."""
    from .validate import expected as expected_msg

    return str(expected_msg(name))
