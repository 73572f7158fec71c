"""Every catalog covers every message the code marks, with the same placeholders; the shipped .mo
files are compiled from the .po files."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from taxcalc import i18n

PKG = Path(i18n.__file__).resolve().parents[1]
KEYWORDS = {"_": None, "N_": None}


def code_messages() -> set[str]:
    out = set()
    for sub in ("tui", "i18n"):
        for _file, _line, message, _comments, _ctx in extract_from_dir(
                PKG / sub, method_map=[("**.py", "python")], keywords=KEYWORDS):
            if message:
                out.add(message)
    return out


MESSAGES = code_messages()


def placeholders(s: str) -> set[str]:
    return set(re.findall(r"\{(\w*)\}", s))


def test_code_has_messages():
    assert len(MESSAGES) > 150
    assert "Tax after relief" in MESSAGES


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_catalog_covers_every_message(lang):
    po = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "taxcalc.po"
    with po.open("rb") as f:
        cat = read_po(f, locale=lang)
    missing = sorted(m for m in MESSAGES if not (cat.get(m) and cat.get(m).string))
    assert not missing, f"{lang}: untranslated: {missing[:10]} (run python -m taxcalc.i18n.build and translate)"
    for m in MESSAGES:
        assert placeholders(cat.get(m).string) == placeholders(m), (lang, m)
        assert not cat.get(m).fuzzy, (lang, m)


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_mo_compiled_from_po(lang):
    base = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "taxcalc"
    with base.with_suffix(".po").open("rb") as f:
        po = {m.id: m.string for m in read_po(f, locale=lang) if m.id}
    with base.with_suffix(".mo").open("rb") as f:
        mo = {m.id: m.string for m in read_mo(f) if m.id}
    assert po == mo, f"{lang}: the .mo is stale; run python -m taxcalc.i18n.build"


def test_translation_and_money_per_language():
    try:
        i18n.set_language("zh-Hans")
        assert i18n._("Tax after relief") == "优惠后税款"
        assert i18n.money("195470", "CNY") == "¥195,470.00"
        i18n.set_language("zh_Hant")
        assert i18n._("Tax after relief") == "優惠後稅款"
        assert i18n.money("93830", "HKD") == "HK$93,830.00"
        i18n.set_language("en")
        assert i18n.money("195470", "CNY") == "CN¥195,470.00"
        assert i18n.percent("0.087618") == "8.76%"
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("env,lang", [("zh_CN.UTF-8", "zh_Hans"), ("zh_TW.UTF-8", "zh_Hant"), ("zh_HK", "zh_Hant"),
                                      ("en_US.UTF-8", "en"), ("C", "en"), ("fr_FR.UTF-8", "en")])
def test_system_language(monkeypatch, env, lang):
    for var in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", env)
    assert i18n.system_language() == lang
