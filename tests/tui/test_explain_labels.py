"""Every label the core's explanation can write is known to the UI's translation (no drift)."""

import pytest

from taxcalc import Options, calculate
from taxcalc.i18n import set_language
from taxcalc.tui.explain_labels import step_label

CASES = [
    ({"tax_year": 2026, "identity": "hk", "zone": "hetao", "talent": True, "wages": 900000, "bonus": 36001,
      "labour": 10000, "author": 5000, "royalty": 2000, "social_insurance": 40000, "sad_children": 1, "sad_infants": 1,
      "sad_elderly": "only_child", "sad_housing": "rent_tier1", "sad_continuing_education": "both",
      "sad_medical_costs": 30000, "private_pension": 12000, "health_insurance": 2400, "hk_married": True,
      "hk_children": 2, "hk_newborns": 1, "hk_parents_60": 1, "hk_disability": True}, Options(hk_burden_reduction=True)),
    ({"tax_year": 2024, "residency": "nonresident", "identity": "foreign", "zone": "gba", "talent": True,
      "wages": 400000, "bonus": 60000, "labour": 30000, "exempt_allowances": 50000}, Options()),
    ({"tax_year": 2024, "identity": "foreign", "wages": 500000, "exempt_allowances": 80000,
      "additional_deductions": 0, "bonus": 100000, "bonus_method": "combined"}, Options()),
    ({"tax_year": 2027, "identity": "macao", "zone": "nansha", "wages": 300000, "additional_deductions": 12000},
     Options(assume_extended=True, macao_refund=True, hk_burden_year="previous")),
]


@pytest.mark.parametrize("language", ["zh_Hans", "zh_Hant"])
@pytest.mark.parametrize("case, options", CASES)
def test_every_explanation_label_is_translated(case, options, language):
    r = calculate(case, options=options)
    try:
        set_language(language)
        labels = [s.label for _, s in r.explanation.walk()]
        untranslated = [label for label in labels if step_label(label) == label]
        assert not untranslated
    finally:
        set_language("en")
