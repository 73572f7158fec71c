"""Maintainers: refresh the catalogs from the code and compile them.

    python -m taxcalc.i18n.build            # extract taxcalc.pot, update each .po, compile each .mo

Extracts every message the ``taxcalc`` package marks with ``_()`` or ``N_()``: the core's message
catalog (``taxcalc/messages.py``), the words of closed lists (``taxcalc/i18n/labels.py``), the figure
labels (``taxcalc/figures.py``) and the terminal UI's own text (``taxcalc/tui``). Uses babel (a
runtime dependency already). New messages arrive untranslated in the .po files;
``tests/test_catalogs.py`` fails until both Chinese catalogs translate them all (docs/messages.md).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from . import DOMAIN, LANGS, LOCALE_DIR

HERE = Path(__file__).parent
POT = HERE / f"{DOMAIN}.pot"
PACKAGE = HERE.parent
SOURCE_LANG = "en"


def extract() -> None:
    """``taxcalc.pot`` from every Python file of the package, in the order the files define them."""
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-o", str(POT), "--no-location",
                    "--omit-header", "--no-wrap", "-k", "_", "-k", "N_", str(PACKAGE)], check=True)


def update() -> None:
    for lang in LANGS:
        with POT.open("rb") as f:      # a template per language: update() shares the template's new messages
            template = read_po(f)
        po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        po.parent.mkdir(parents=True, exist_ok=True)
        if po.exists():
            with po.open("rb") as f:
                cat = read_po(f, locale=lang)
            cat.update(template, no_fuzzy_matching=True)
        else:
            from babel.messages.catalog import Catalog

            cat = Catalog(locale=lang, domain=DOMAIN, project="taxcalc")
            cat.update(template, no_fuzzy_matching=True)
        if lang == SOURCE_LANG:         # the message ids are English: the en catalog says them as they are
            for m in cat:
                if m.id and not m.string:
                    m.string = m.id
        with po.open("wb") as f:
            write_po(f, cat, width=0, omit_header=False, ignore_obsolete=True, include_previous=False)


def compile_all() -> None:
    for lang in LANGS:
        po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        with po.open("rb") as f:
            cat = read_po(f, locale=lang)
        with po.with_suffix(".mo").open("wb") as f:
            write_mo(f, cat, use_fuzzy=False)


if __name__ == "__main__":
    extract()
    update()
    compile_all()
