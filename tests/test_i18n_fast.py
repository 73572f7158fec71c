"""taxcalc.i18n formats the usual amounts without babel's locale data (a faster first screen); the
result is what babel says, for every language, currency and number of digits."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal, format_percent

from taxcalc import i18n

LANGS = ("en", "zh_Hans", "zh_Hant")


def amounts(seed: int, n: int = 300):
    rnd = random.Random(seed)
    out = [Decimal(0), Decimal("0.01"), Decimal("999.99"), Decimal("1000"), Decimal("1000000000"),
           Decimal("-0.00"), Decimal("-1234.5"), Decimal("12.345678"), Decimal("1E+5"), Decimal("0.000001")]
    for _ in range(n):
        whole = rnd.choice([0, 9, 99, 999, 1_000, 123_456, 1_000_000_007, 10**15])
        out.append(Decimal(rnd.randrange(0, whole + 1)) + Decimal(rnd.randrange(0, 100)) / 100)
    return out


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("currency", ["CNY", "HKD", "MOP"])
def test_money_is_babels(lang, currency):
    loc = i18n.LOCALES[lang]
    for v in amounts(hash((lang, currency)) % 1000):
        for digits in (0, 2):
            pattern = "¤#,##0" + ("." + "0" * digits if digits else "")
            if v != v.quantize(Decimal(1).scaleb(-digits)):
                pattern = "¤#,##0." + "0" * digits + "#" * 6
            want = format_currency(v, currency, format=pattern, locale=loc, currency_digits=False)
            assert i18n.money(v, currency, decimals=digits, lang=lang) == want, (v, digits)


@pytest.mark.parametrize("lang", LANGS)
def test_numbers_and_percentages_are_babels(lang):
    loc = i18n.LOCALES[lang]
    for v in amounts(7, 200):
        for d in (0, 2, 6):
            fmt = "#,##0" + ("." + "0" * d if d else "")
            assert i18n.number(v, d, lang=lang) == format_decimal(v, format=fmt, locale=loc), (v, d)
    for r in [Decimal("0"), Decimal("0.15"), Decimal("0.087618"), Decimal("0.19547"), Decimal("1"), Decimal("12.5"),
              Decimal("-0.1"), Decimal("0.000001")]:
        exp = (r * 100).normalize().as_tuple().exponent
        d = max(0, -int(exp)) if isinstance(exp, int) else 0
        fmt = "#,##0" + ("." + "0" * d if d else "") + "%"
        assert i18n.percent(r, lang=lang) == format_percent(r, format=fmt, locale=loc), r
        for given in (0, 2):
            fmt = "#,##0" + ("." + "0" * given if given else "") + "%"
            assert i18n.percent(r, given, lang=lang) == format_percent(r, format=fmt, locale=loc), (r, given)


@pytest.mark.parametrize("lang", LANGS)
def test_lists_are_babels(lang):
    items = ["Hong Kong resident", "Macao resident", "Taiwan resident", "Foreign national", "Mainland"]
    for k in range(0, 6):
        want = format_list(items[:k], style="standard", locale=i18n.LOCALES[lang]) if k else ""
        assert i18n.list_text(items[:k], lang) == want
