"""Cross-field rules of a scenario: each names its field and says why."""

import pytest

from taxcalc import calculate
from taxcalc.errors import InputErrors


@pytest.mark.parametrize("fields, field, words", [
    ({"additional_deductions": 1, "sad_children": 1}, "additional_deductions", "not both"),
    ({"exempt_allowances": 10, "wages": 5, "identity": "hk"}, "exempt_allowances", "cannot exceed them"),
    ({"exempt_allowances": 1, "wages": 5}, "exempt_allowances", "only foreign individuals"),
    ({"exempt_allowances": 1, "wages": 5, "identity": "foreign", "sad_housing": "loan"}, "exempt_allowances", "either"),
    ({"hk_newborns": 1}, "hk_newborns", "cannot exceed hk_children"),
    ({"hk_parents_60_living_with": 1}, "hk_parents_60_living_with", "cannot exceed"),
    ({"hk_parents_55_living_with": 2, "hk_parents_55": 1}, "hk_parents_55_living_with", "cannot exceed"),
    ({"hk_single_parent": True}, "hk_single_parent", "needs a child"),
    ({"hk_single_parent": True, "hk_married": True, "hk_children": 1}, "hk_single_parent", "married"),
    ({"sad_elderly_share": 100}, "sad_elderly_share", "shared"),
])
def test_cross_field_rule(fields, field, words):
    with pytest.raises(InputErrors) as exc:
        calculate({"tax_year": 2024, **fields})
    assert [e.field for e in exc.value.errors] == [field]
    assert words in str(exc.value.errors[0].message)


def test_a_non_resident_may_have_exempt_allowances_and_no_deductions():
    r = calculate({"tax_year": 2024, "residency": "nonresident", "identity": "foreign", "wages": 240000,
                   "exempt_allowances": 60000, "social_insurance": 1000})
    # (240,000 - 60,000 exempt) / 12 - 5,000 = 10,000 a month -> 10,000 x 10% - 210 = 790; x 12
    assert str(r.iit) == "9480.00"
    assert any("ignored" in str(n) for n in r.notes)
