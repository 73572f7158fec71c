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


def locale() -> str:
    return LOCALES[_current]


def money(amount, currency: str = "CNY", *, decimals: bool = True) -> str:
    """An amount with its currency sign, grouped for the current language (CN¥1,234.00, HK$1,234.00)."""
    from babel.numbers import format_currency

    value = Decimal(str(amount))
    if decimals:
        return format_currency(value, currency, locale=locale())
    return format_currency(value, currency, format="¤#,##0", locale=locale(), currency_digits=False)


def number(amount, decimals: int = 2) -> str:
    from babel.numbers import format_decimal

    fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(Decimal(str(amount)), format=fmt, locale=locale())


def percent(ratio, decimals: int = 2) -> str:
    """A ratio (0.0876) as a percentage (8.76%)."""
    from babel.numbers import format_percent

    fmt = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(Decimal(str(ratio)), format=fmt, locale=locale())
