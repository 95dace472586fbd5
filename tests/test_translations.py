"""Every UI string has a Chinese translation, and the committed .mo matches the .po."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

PO = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def catalog_entries(text: str) -> list[dict]:
    entries = []
    for block in text.split("\n\n"):
        entry, key = {"flags": ""}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif line.startswith(("msgid ", "msgstr", "msgctxt ", "msgid_plural ")):
                key, _, literal = line.partition(" ")
                key = "msgstr" if key.startswith("msgstr") else key  # msgstr[0] of a plural
                entry[key] = ast.literal_eval(literal)
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


ENTRIES = catalog_entries(PO.read_text(encoding="utf-8"))


def test_the_catalog_has_entries():
    assert len(ENTRIES) > 100


def test_no_entry_is_untranslated_or_fuzzy():
    bad = [e["msgid"] for e in ENTRIES if not e.get("msgstr") or "fuzzy" in e["flags"]]
    assert bad == []


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e["msgid"][:40])
def test_the_compiled_catalog_gives_the_po_translation(entry):
    if "msgctxt" in entry or "msgid_plural" in entry:
        pytest.skip("plural and contextual entries are checked by msgfmt --check in CI")
    with translation.override("zh-hans"):
        assert translation.gettext(entry["msgid"]) == entry["msgstr"]
