"""The catalogs speak every message the code marks, in every language, and each code renders.

What is checked, for every message id the ``taxcalc`` package marks with ``_()`` or ``N_()``
(the core's :data:`taxcalc.messages.CATALOG`, the words of :mod:`taxcalc.i18n.labels`, the figure
labels of :mod:`taxcalc.figures`, the terminal UI's own text):

* ``taxcalc.pot`` is fresh: it holds exactly the messages the code marks;
* ``zh_Hans`` and ``zh_Hant`` translate it: a non-empty, not fuzzy translation that differs from
  the English (unless the English has no letters at all, such as ``{a} − {b}``), with the same
  ``{placeholders}``, no ASCII letters outside the placeholders and :data:`ALLOWED_TOKENS`, and
  no ASCII ``: , ; ( )`` next to a Chinese character (Chinese text takes ``：，；（）``);
* ``en`` says the message id itself; every ``.mo`` is compiled from its ``.po``;
* every code of :data:`~taxcalc.messages.CATALOG` renders in each language with sample parameters
  (:func:`sample`), in both ways of naming fields (column and label).

When a test fails after a change in the code: ``python -m taxcalc.i18n.build``, then translate the
new entries of ``taxcalc/i18n/locales/{zh_Hans,zh_Hant}/LC_MESSAGES/taxcalc.po`` and build again
(docs/messages.md).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from taxcalc import i18n
from taxcalc.messages import CATALOG, Money, Msg, Number, Rate, Term, Terms, msg

PKG = Path(i18n.__file__).resolve().parents[1]
CHINESE = ("zh_Hans", "zh_Hant")

#: ASCII words a Chinese message may keep: what a user types or reads as it is. Each is a regular
#: expression matched as a whole token (not inside a longer ASCII word).
ALLOWED_TOKENS = (
    r"--[a-z][a-z0-9-]*",                    # command-line options: --macao-refund, --assume-extended
    r"taxcalc tables",                       # a command
    r"[\w-]+(?:/[\w.-]+)+",                  # paths: docs/assumptions.md
    r"\.(?:jsonl|json|csv)",                 # file extensions
    r"README", r"JSON", r"CSV", r"UTF-8", r"Markdown",   # file and format names
    r"cny_per_hkd", r"cny_per_mop",          # input keys a user types
    r"true", r"false", r"yes", r"no", r"shared",         # input values a user types
    r"F\d{1,2}",                             # function keys of the terminal UI
    r"[acdhox]",                             # one-letter keys of the terminal UI (a, c, d, h) and chart marks (x, o)
)
_ALLOWED = re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(ALLOWED_TOKENS) + r")(?![A-Za-z0-9_])")
_PLACEHOLDER = re.compile(r"\{(\w*)\}")
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_ASCII_PUNCT_NEXT_TO_HAN = re.compile(rf"{_HAN}[:,;()]|[:,;()]{_HAN}")


def code_messages() -> set[str]:
    out = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
            PKG, method_map=[("**.py", "python")], keywords={"_": None, "N_": None}):
        if message:
            out.add(message)
    return out


MESSAGES = code_messages()


def placeholders(s: str) -> set[str]:
    return set(_PLACEHOLDER.findall(s))


def has_letters(s: str) -> bool:
    return re.search(r"[A-Za-z]", _PLACEHOLDER.sub("", s)) is not None


def stray_ascii_words(s: str) -> list[str]:
    """ASCII words left in a translation once the placeholders and allowed tokens are out."""
    return re.findall(r"[A-Za-z][A-Za-z0-9_$'-]*", _ALLOWED.sub("", _PLACEHOLDER.sub("", s)))


def catalog(lang: str) -> dict[str, object]:
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "taxcalc.po").open("rb") as f:
        return {m.id: m for m in read_po(f, locale=lang) if m.id}


def test_code_marks_core_messages():
    assert len(MESSAGES) > 300
    assert set(CATALOG.values()) <= MESSAGES                       # taxcalc/messages.py
    assert "Hetao: no more than the HK tax" in MESSAGES           # taxcalc/i18n/labels.py
    assert "Salaries Tax before the reduction" in MESSAGES        # taxcalc/figures.py


def test_template_is_fresh():
    with (PKG / "i18n" / "taxcalc.pot").open("rb") as f:
        pot = {m.id for m in read_po(f) if m.id}
    assert pot == MESSAGES, ("taxcalc.pot is stale; run python -m taxcalc.i18n.build: "
                             f"new {sorted(MESSAGES - pot)[:5]}, gone {sorted(pot - MESSAGES)[:5]}")


@pytest.mark.parametrize("lang", CHINESE)
def test_chinese_translates_every_message(lang):
    cat = catalog(lang)
    problems = []
    for m in sorted(MESSAGES):
        entry = cat.get(m)
        text = entry.string if entry is not None else ""
        if not text:
            problems.append(f"untranslated: {m!r}")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {m!r}")
        if has_letters(m) and text == m:
            problems.append(f"still English: {m!r}")
        if placeholders(text) != placeholders(m):
            problems.append(f"placeholders {sorted(placeholders(text))} != {sorted(placeholders(m))}: {m!r} -> {text!r}")
        if words := stray_ascii_words(text):
            problems.append(f"English words {words}: {m!r} -> {text!r}")
        if bad := _ASCII_PUNCT_NEXT_TO_HAN.findall(text):
            problems.append(f"ASCII punctuation next to Chinese {bad}: {text!r}")
    assert not problems, f"{lang}: {len(problems)} problems (see tests/test_catalogs.py):\n" + "\n".join(problems[:40])


def test_english_says_the_message_id():
    en = i18n.translations("en")
    wrong = [m for m in MESSAGES if en.gettext(m) != m]
    assert not wrong, wrong[:10]


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_mo_compiled_from_po(lang):
    base = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "taxcalc"
    with base.with_suffix(".po").open("rb") as f:
        po = {m.id: m.string for m in read_po(f, locale=lang) if m.id}
    with base.with_suffix(".mo").open("rb") as f:
        mo = {m.id: m.string for m in read_mo(f) if m.id}
    assert po == mo, f"{lang}: the .mo is stale; run python -m taxcalc.i18n.build"


def test_the_checks_catch_english_and_ascii_punctuation():
    assert stray_ascii_words("免征{amount}，于{year}年发放") == []
    assert stray_ascii_words("已从税负中减除（--macao-refund）") == []
    assert stray_ascii_words("（见 docs/assumptions.md）") == []
    assert stray_ascii_words("免征 relief {amount}") == ["relief"]
    assert stray_ascii_words("a subsidy") == ["subsidy"]
    assert _ASCII_PUNCT_NEXT_TO_HAN.search("香港: 税负")
    assert _ASCII_PUNCT_NEXT_TO_HAN.search("税负(港元)")
    assert not _ASCII_PUNCT_NEXT_TO_HAN.search("{field}：{message}")


# ---------------------------------------------------------------------------------------------
# every code renders

#: a sample value for each placeholder name (what the core passes there); a name not listed gets
#: :data:`PLAIN`, shown as it is. ``CODE_SAMPLES`` overrides by code where one name means two things.
SAMPLES = {
    "field": Term("field", "wages"), "other": Term("field", "hk_children"), "total": Term("field", "additional_deductions"),
    "wages": Money(Decimal("900000"), "CNY"),
    "identity": Term("identity", "hk"), "identities": Terms("identity", ("hk", "macao")),
    "residency": Term("residency", "resident"), "zone": Term("zone", "hetao"), "zones": Terms("zone", ("qianhai", "nansha")),
    "policy": Term("policy", "hetao_hk_cap"), "kind": Term("relief_kind", "exemption"),
    "method": Term("word", "separate"), "asked": Term("word", "best"), "which": Term("word", "progressive"),
    "reduction": Term("word", "before"), "mark": Term("mark", "uncertain"), "unit": Term("unit", "CNY a year"),
    "rate": Rate(Decimal("0.15")), "ratio": Rate(Decimal("0.8")), "fixed": Rate(Decimal("0.25")),
    "amount": Money(Decimal("86439.04"), "CNY"), "given": Money(Decimal("30000"), "CNY"), "used": Money(Decimal("12000"), "CNY"),
    "cap": Money(12000, "CNY", 0), "monthly": Money(5000, "CNY", 0), "threshold": Money(Decimal("36000"), "CNY"),
    "loss": Money(Decimal("2310"), "CNY"), "hk": Money(Decimal("1105827.71"), "HKD"), "exemption": Money(144000, "MOP", 0),
    "taxable": Money(Decimal("840000"), "CNY"), "quick": Money(85920, "CNY", 0), "times": 12,
    "gross": Money(Decimal("100000"), "CNY"), "tax": Money(Decimal("208080"), "CNY"), "iit": Money(Decimal("217870"), "CNY"),
    "burden": Money(Decimal("131430.96"), "CNY"), "a": Money(Decimal("217870"), "CNY"), "b": Money(Decimal("86439.04"), "CNY"),
    "c": Money(Decimal("0"), "HKD"), "min": Money(7100, "HKD", 0), "max": Number(10_000_000),
    "year": 2026, "first": 2023, "last": 2027, "ya": "2026/27", "wanted": "2027/28", "years": "2019-2027",
    "months": 6, "days": Decimal("120.5"), "needed": Decimal("183"), "row": 7, "line": 3,
    "path": "case.json", "reason": "Permission denied", "value": "-5", "choices": "same, previous",
    "message": msg("field.negative", expected=msg("expect.count", min=0, max=9)),
    "expected": msg("expect.money", unit=Term("unit", "CNY a year"), max=Number(10_000_000)),
    "text": msg("error.field", field=Term("field", "wages"), message=msg("field.required", expected=msg("expect.bool"))),
    "what": "cny_per_hkd", "source": "CFETS",
    # social insurance, plans, splits, what-ifs
    "auto": Term("field", "social_insurance_auto"), "city": Term("choice:city", "shenzhen"),
    "low": Rate(Decimal("0.05")), "high": Rate(Decimal("0.12")), "period": "2024/25",
    "base": Money(Decimal("26421"), "CNY"), "months_a": 6, "months_b": 6, "base_a": Money(Decimal("26421"), "CNY"),
    "base_b": Money(Decimal("27500"), "CNY"), "rate_a": Rate(Decimal("0.08")), "rate_b": Rate(Decimal("0.08")),
    "label": "Zone relief", "package": Money(Decimal("600000"), "CNY"), "bonus": Money(Decimal("144000"), "CNY"),
    "exempt": Money(Decimal("100000"), "CNY"), "saving": Money(Decimal("3600"), "CNY"),
    "why": msg("split.why.same"),
}
CODE_SAMPLES = {
    "rule.exempt_exceeds_wages": {"wages": Term("field", "wages")},
    "step.macao_tax": {"reduction": Rate(Decimal("0.3"))},
    "expect.count": {"min": 0, "max": 9},
    "note.macao_year_fallback": {"wanted": 2027, "used": 2026},
    "note.hk_year_fallback": {"used": "2026/27"},
    "note.social_period_fallback": {"used": "2024/25"},
    "note.plan_carried_forward": {"used": 2027},
    "rule.si_auto_and_given": {"given": Term("field", "social_insurance")},
    "rule.si_auto_city": {"zone": Term("field", "zone")},
    "split.why.cap": {"burden": Money(Decimal("131430.96"), "CNY")},
    "whatif.line": {"amount": Money(Decimal("12000"), "CNY"), "cost": Money(Decimal("8400"), "CNY"),
                    "rate": Rate(Decimal("0.3"))},
}
PLAIN = 1


def sample(code: str) -> Msg:
    names = placeholders(CATALOG[code])
    return Msg(code, {n: CODE_SAMPLES.get(code, {}).get(n, SAMPLES.get(n, PLAIN)) for n in names})


@pytest.mark.parametrize("lang", i18n.LANGS)
@pytest.mark.parametrize("fields", ["column", "label"])
def test_every_code_renders(lang, fields):
    for code in CATALOG:
        text = i18n.render(sample(code), lang, fields=fields)
        assert text and "{" not in text, (lang, code, text)
        if lang != "en" and has_letters(CATALOG[code]):
            assert text != i18n.render(sample(code), "en", fields=fields), (lang, code, text)


def test_rendered_chinese_reads_chinese():
    m = msg("relief.exemption", policy=Term("policy", "hetao_hk_cap"), amount=Money(Decimal("86439.04"), "CNY"), year=2027)
    assert i18n.render(m, "zh_Hans") == "河套：税负不超过香港，免征¥86,439.04，于2027年汇算清缴时结算"
    assert i18n.render(m, "zh_Hant") == "河套：稅負不超過香港，免徵CN¥86,439.04，於2027年匯算清繳時結算"
    e = msg("error.row_field", row=3, field=Term("field", "wages"),
            message=msg("field.negative", expected=msg("expect.count", min=0, max=9)))
    assert i18n.render(e, "zh_Hans", fields="label") == "第3行：工资薪金：不能为负数；应为0至9的整数"
    assert i18n.render(e, "zh_Hant", fields="column") == "第3行：wages：不能為負數；應為0至9的整數"


def test_an_option_is_the_flag_on_the_command_line_and_the_setting_in_the_terminal_ui():
    from taxcalc.i18n import render
    from taxcalc.messages import Term, msg

    m = msg("note.macao_refund_not_netted", option=Term("option", "no_macao_refund"))
    assert render(m, "en") == "not netted from the burden (--no-macao-refund)"
    assert render(m, "en", fields="label") == \
        "not netted from the burden (the option “Macao burden net of the resident's refund” set to no)"
    assert "--" not in render(m, "zh-Hans", fields="label") and "澳门税负扣除居民退税" in render(m, "zh-Hans", fields="label")
    m = msg("mark.assumed_extended", policy=Term("policy", "hetao_hk_cap"), last=2027,
            option=Term("option", "assume_extended"))
    assert render(m, "en").endswith("(--assume-extended)")
    assert "假設已到期的合作區政策獲延續" in render(m, "zh-Hant", fields="label")


def test_python_m_taxcalc_is_the_command():
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "taxcalc", "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "Usage: taxcalc" in r.stdout
