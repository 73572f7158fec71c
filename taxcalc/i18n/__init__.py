"""Message catalogs and money formatting for the faces (the terminal UI).

UI text goes through :func:`_` (gettext on the compiled catalogs in ``locales/``), money through
:func:`money` (babel ``format_currency`` with an explicit locale per language, never the OS locale).

Languages: ``en``, ``zh_Hans``, ``zh_Hant``. The catalogs are ``locales/<lang>/LC_MESSAGES/taxcalc.po``
with the compiled ``.mo`` beside them; ``taxcalc.pot`` is the template extracted from the code.
"""

from __future__ import annotations

import gettext as _gettext
import os
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, cast

from ..money import own_decimal_context

if TYPE_CHECKING:
    from ..figures import Figure, Value
    from ..messages import Msg

#: a number as text or a number: whatever Decimal(str(x)) reads exactly
Numeric = Decimal | int | float | str

LANGS = ("en", "zh_Hans", "zh_Hant")
#: the name of each language in itself (for the switcher)
LANG_NAMES = {"en": "English", "zh_Hans": "简体中文", "zh_Hant": "繁體中文"}
#: explicit babel locales for numbers and currencies
LOCALES = {"en": "en_HK", "zh_Hans": "zh_Hans_CN", "zh_Hant": "zh_Hant_HK"}
DOMAIN = "taxcalc"
LOCALE_DIR = Path(__file__).with_name("locales")

_current = "en"
_translations: dict[str, _gettext.NullTranslations] = {}


def normalize(lang: str | None) -> str | None:
    """``zh-Hans``, ``zh_hans``, ``zh_CN`` ... to one of :data:`LANGS`; None if unknown."""
    if not lang:
        return None
    v = lang.replace("-", "_").split(".")[0].split("@")[0].lower()
    if v in ("c", "posix"):
        return "en"
    if v.startswith("zh"):
        if "hant" in v or v.endswith(("_tw", "_hk", "_mo")):
            return "zh_Hant"
        return "zh_Hans"
    if v.startswith("en"):
        return "en"
    return None


def system_language() -> str:
    """The language the system locale asks for (LC_ALL, LC_MESSAGES, LANG, LANGUAGE); default en."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var)
        if value:
            for part in value.split(":"):
                lang = normalize(part)
                if lang:
                    return lang
    return "en"


def translations(lang: str) -> _gettext.NullTranslations:
    if lang not in _translations:
        _translations[lang] = _gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
    return _translations[lang]


def set_language(lang: str) -> str:
    global _current
    norm = normalize(lang)
    if norm not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    _current = norm
    return norm


def get_language() -> str:
    return _current


def _(message: str) -> str:
    """The message in the current language."""
    return translations(_current).gettext(message)


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated later, where it is shown."""
    return message


def locale(lang: str | None = None) -> str:
    return LOCALES[normalize(lang) or _current]


#: What babel's CLDR data says for the three locales, so that the usual case (an amount that is not
#: negative, with the digits it keeps) is formatted without loading babel's locale data (a faster
#: first screen in the terminal UI). All three group by threes with "," and use "." and "%"; anything
#: else (negatives, extra digits, a rounding percentage) goes to babel. tests/test_i18n.py checks
#: that both ways agree.
_SIGNS = {("en", "CNY"): "CN¥", ("en", "HKD"): "HK$", ("en", "MOP"): "MOP",
          ("zh_Hans", "CNY"): "¥", ("zh_Hans", "HKD"): "HK$", ("zh_Hans", "MOP"): "MOP",
          ("zh_Hant", "CNY"): "CN¥", ("zh_Hant", "HKD"): "HK$", ("zh_Hant", "MOP"): "MOP"}
_LIST_AND = {"en": (", ", " and "), "zh_Hans": ("、", "和"), "zh_Hant": ("、", "及")}


def _plain(value: Decimal, digits: int) -> str | None:
    """``value`` grouped with ``digits`` decimals when that shows it exactly and it is not negative."""
    if value.is_signed() or not value.is_finite() or value != value.quantize(Decimal(1).scaleb(-digits)):
        return None
    return format(value, f",.{digits}f")


@own_decimal_context
def money(amount: Numeric, currency: str = "CNY", *, decimals: bool | int = True, lang: str | None = None) -> str:
    """An amount with its currency sign, grouped for the language (CN¥1,234.00, HK$1,234.00, MOP$1,234);
    ``decimals``: True (the currency's 2), False or 0 (whole units), or a number of digits. The
    amount is shown as it is: a figure is rounded by the engine, never here."""
    value = Decimal(str(amount))
    digits = 2 if decimals is True else int(decimals)
    sign = _SIGNS.get((normalize(lang) or _current, currency))
    if sign:
        plain = _plain(value, digits)
        if plain is not None:
            return sign + plain
    from babel.numbers import format_currency

    pattern = "¤#,##0" + ("." + "0" * digits if digits else "")
    if value != value.quantize(Decimal(1).scaleb(-digits)):   # never hide a digit the figure has
        pattern = "¤#,##0." + "0" * digits + "#" * 6
    return format_currency(value, currency, format=pattern, locale=locale(lang), currency_digits=False)


@own_decimal_context
def number(amount: Numeric, decimals: int = 2, lang: str | None = None) -> str:
    value = Decimal(str(amount))
    plain = _plain(value, decimals)
    if plain is not None:
        return plain
    from babel.numbers import format_decimal

    fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=fmt, locale=locale(lang))


def display_width(text: str) -> int:
    """Columns the text takes on a terminal: a Chinese character (wide or full-width) takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def list_text(items: list[str], lang: str | None = None) -> str:
    """Items joined as a list in the language (a, b and c / a、b和c / a、b及c), as babel's
    ``format_list`` (standard style) says it."""
    sep, last = _LIST_AND[normalize(lang) or _current]
    if len(items) <= 1:
        return "".join(items)
    return sep.join(items[:-1]) + last + items[-1]


@own_decimal_context
def percent(ratio: Numeric, decimals: int | None = None, lang: str | None = None) -> str:
    """A ratio (0.0876) as a percentage (8.76%); ``decimals`` None: every digit the ratio has
    (0.035 -> 3.5%)."""
    value = Decimal(str(ratio))
    if decimals is None:
        exp = (value * 100).normalize().as_tuple().exponent
        decimals = max(0, -int(exp)) if isinstance(exp, int) else 0
    plain = _plain(value * 100, decimals)
    if plain is not None:
        return plain + "%"
    from babel.numbers import format_percent

    fmt = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(value, format=fmt, locale=locale(lang))


@own_decimal_context
def figure_text(value: Value, f: Figure, signed: bool = False, lang: str | None = None) -> str:
    """A registry figure's value as text in a language: money grouped with its currency and the
    figure's digits, rates as exact percentages, exchange rates as decimals, policies and words
    translated, years as they are; "" for none. ``signed``: a difference, with + or −. Nothing is
    rounded: the engine has done that."""
    if value is None:
        return ""
    if f.is_number:
        amount = cast("Decimal | int", value)      # a number figure's value is a number
        sign = ("+" if amount > 0 else "−" if amount < 0 else "") if signed else ""
        shown = cast("Decimal | int", abs(amount)) if signed else amount
        if f.is_money:
            return sign + money(shown, f.unit, decimals=f.decimals, lang=lang)
        if f.unit == "rate":
            return sign + percent(shown, lang=lang)
        return sign + format(Decimal(shown).normalize(), "f")     # 50, not 5E+1
    if f.unit == "bool":
        return term("word", "yes" if value else "no", lang)
    if f.name == "relief_policy":
        return term("policy", value, lang)
    if f.name == "relief_kind":
        return term("relief_kind", value, lang)
    if f.name == "bonus_method_used":
        return term("word", value, lang)
    if f.name == "hk_assessment_used":
        return term("choice:hk_assessment_used", value, lang)
    return str(value)


@own_decimal_context
def render(message: Msg, lang: str | None = None, *, fields: str = "column") -> str:
    """A :class:`~taxcalc.messages.Msg` in a language (default: the current one). ``fields``:
    ``column`` names fields by their column (the command line, files), ``label`` by their label in
    the language (the terminal UI)."""
    from ..messages import CATALOG

    lang = normalize(lang) or _current
    template = translations(lang).gettext(CATALOG[message.code])
    return template.format(**{k: _param(v, lang, fields) for k, v in message.params.items()})


@own_decimal_context
def value_text(v: object, lang: str | None = None, *, fields: str = "label") -> str:
    """A typed value (:class:`~taxcalc.messages.Money`, ``Rate``, ``Number``, ``Term``, ``Terms``, a
    ``Msg``, or a plain int or text) as text in a language, as :func:`render` shows a parameter: the
    explanation's step values, formatted and never rounded here."""
    return _param(v, normalize(lang) or _current, fields)


def _param(v: object, lang: str, fields: str) -> str:
    from ..messages import Money, Msg, Number, Rate, Term, Terms

    if isinstance(v, Msg):
        return render(v, lang, fields=fields)
    if isinstance(v, Money):
        return money(v.amount, v.currency, decimals=v.decimals, lang=lang)
    if isinstance(v, Rate):
        return percent(v.value, v.decimals, lang=lang)
    if isinstance(v, Number):
        d = Decimal(str(v.value))
        exp = d.normalize().as_tuple().exponent
        return number(d, max(0, -int(exp)) if isinstance(exp, int) else 0, lang=lang)
    if isinstance(v, Term):
        return term(v.kind, v.value, lang, fields=fields)
    if isinstance(v, Terms):
        return list_text([term(v.kind, x, lang, fields=fields) for x in v.values], lang)
    return str(v)


def term(kind: str, value: object, lang: str | None = None, *, fields: str = "label") -> str:
    """A word from a closed list in the language; unknown values are shown as they are."""
    from .labels import label_of

    lang = normalize(lang) or _current
    if kind == "field" and fields == "column":
        return str(value)
    if kind == "option" and fields == "column":          # the command line's flag
        return "--" + str(value).replace("_", "-")
    text = label_of(kind, value)
    if text is None:
        return str(value)
    return translations(lang).gettext(text) if text else ""     # gettext("") is the catalog's header


def error_lines(exc: BaseException, lang: str | None = None, *, fields: str = "column") -> list[str]:
    """An error a user caused, as lines in a language: one per bad field (with its row in a
    file, and the value given), or the error's own message."""
    from ..errors import InputError, InputErrors, shown_value
    from ..messages import Term, msg

    items = exc.errors if isinstance(exc, InputErrors) else [exc] if isinstance(exc, InputError) else None
    if items is None:
        message = getattr(exc, "message", None)
        return [render(message, lang, fields=fields) if message is not None else str(exc)]
    out = []
    for e in items:
        code = "error.row_field" if e.row is not None else "error.field"
        text = render(msg(code, row=e.row, field=Term("field", e.field), message=e.message), lang, fields=fields)
        if e.value is not None:
            text = render(msg("error.given", text=text, value=shown_value(e.value)), lang, fields=fields)
        out.append(text)
    return out
