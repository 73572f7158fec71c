"""The explanation's step labels in the UI language.

The core writes its trace in English (the same text the CLI prints); the UI translates the labels
it knows, exactly or by pattern, and shows any other label as written. Formulas, notes and
citations stay as the core and the tables give them.
"""

from __future__ import annotations

import re

from ..i18n import N_, _, get_language
from .fields import CHOICE_LABELS

STEP_LABELS = (
    N_("After the one-off reduction"), N_("Allowances"), N_("Assessable income (gross mainland income in HK$)"),
    N_("Assessable income"), N_("Basic deduction"), N_("Bonus by the six-month rule"), N_("Bonus cliff"),
    N_("Burden gap"), N_("Burdens the zone caps compare with (documented defaults, docs/assumptions.md)"),
    N_("Children"), N_("Combined: bonus added to comprehensive income, taxable"), N_("Combined: tax"),
    N_("Commercial health insurance (capped)"), N_("Comprehensive income without the bonus: taxable"),
    N_("Deductions"), N_("Dependent parents and grandparents"), N_("Effective rate, Hong Kong"),
    N_("Effective rate, mainland, after relief"), N_("Effective rate, mainland"), N_("Gap (mainland − Hong Kong)"),
    N_("Given as a total"), N_("Hong Kong burden"), N_("Hong Kong tax in CNY"), N_("Income amounts (收入额)"),
    N_("MPF mandatory contributions"), N_("Macao burden"), N_("Mainland IIT after relief"),
    N_("Mainland individual income tax"), N_("Married person's"), N_("Basic"), N_("Net chargeable income"),
    N_("Net income (less hk_deductions; no MPF)"), N_("Net income"), N_("One-off reduction"), N_("Other deductions"),
    N_("Private pension (capped)"), N_("Progressive tax on net chargeable income"),
    N_("Separate: bonus taxed on its own, rate found at bonus / 12 on the monthly table"),
    N_("Separate: total with the comprehensive-income tax"), N_("Single parent, disability, siblings"),
    N_("Social insurance and housing fund (专项扣除)"), N_("Special additional deductions (专项附加扣除)"),
    N_("Standard-rate tax on net income"), N_("Tax on it"),
    N_("Tax on labour, author's and royalties (12 equal monthly payments, monthly table, no deduction)"),
    N_("Tax on wages: 12 × monthly-table tax"), N_("Tax payable (rounded down to the dollar)"),
    N_("Taxable comprehensive income used"), N_("Wages"), N_("Wages, monthly taxable summed over 12 months"),
    N_("Zone reliefs (one per person and year: the largest; on a tie the exemption)"),
    N_("Labour remuneration"), N_("Author's remuneration"), N_("Royalties"), N_("Wages less tax-exempt allowances"),
    N_("Children's education"), N_("Infant care (under 3)"), N_("Elderly support"),
    N_("Housing-loan interest or rent"), N_("Continuing education"),
    N_("Serious illness (above the threshold, capped)"),
)

_WORDS = {"separate": N_("separate"), "combined": N_("combined"), "best": N_("best"),
          "standard": N_("standard"), "progressive": N_("progressive"),
          "resident": N_("resident"), "nonresident": N_("non-resident")}

_PATTERNS = (
    (re.compile(r"^Tax year (?P<year>\d{4}): (?P<identity>\w+) (?P<residency>\w+), zone (?P<zone>\w+)$"),
     N_("Tax year {year}: {identity}, {residency}, {zone}")),
    (re.compile(r"^Annual one-off bonus: method (?P<method>\w+) \(asked: (?P<asked>\w+)\)$"),
     N_("Annual one-off bonus: taxed {method} (asked: {asked})")),
    (re.compile(r"^Hong Kong Salaries Tax, year of assessment (?P<ya>[\d/]+)$"),
     N_("Hong Kong Salaries Tax, year of assessment {ya}")),
    (re.compile(r"^Lower of the two \((?P<which>\w+)\), rounded down to the dollar$"),
     N_("Lower of the two ({which}), rounded down to the dollar")),
    (re.compile(r"^Tax, the lower of progressive and standard \((?P<which>\w+)\), rounded down$"),
     N_("Tax, the lower of progressive and standard ({which}), rounded down")),
)


def _word(key: str, value: str) -> str:
    if key in ("identity", "zone"):
        return _(CHOICE_LABELS[key].get(value, value))
    return _(_WORDS[value]) if value in _WORDS else value


# labels whose words mean something else in the explanation than in the results panel
_SPECIAL = {"Net income": N_("Net income before allowances")}
_POLICY = re.compile(r"^(?P<chosen>chosen: )?(?P<pid>[a-z0-9_]+): .* \((?P<kind>exemption|subsidy), (?P<years>[\d-]+)\)$")


def step_label(label: str) -> str:
    """The label in the current language, or as written when it is not known."""
    if get_language() == "en":
        return label
    if label in _SPECIAL:
        return _(_SPECIAL[label])
    m = _POLICY.match(label)
    if m:
        from .fields import POLICY_NAMES, RELIEF_KINDS

        pid = m["pid"]
        name = _(POLICY_NAMES[pid]) if pid in POLICY_NAMES else pid
        text = _("{policy} ({kind}, {years})").format(policy=name, kind=_(RELIEF_KINDS[m["kind"]]), years=m["years"])
        return (_("chosen") + ": " if m["chosen"] else "") + text
    if label in STEP_LABELS:
        return _(label)
    for pattern, template in _PATTERNS:
        m = pattern.match(label)
        if m:
            return _(template).format(**{k: _word(k, v) for k, v in m.groupdict().items()})
    return label
