"""Codes and names as every path that writes them (admin, catalog import, national list) takes them.

A code goes into addresses (/regions/3304Z01/, /indicators/VT_TRAINED/), file names and the
region tree's materialized path ("33/3304/"): it is a few characters that mean the same in all
of them. A name goes into one line of a page, an e-mail subject, a file name or a spreadsheet
cell: it has no line break (Alt+Enter in Excel), no NUL and no invisible control (zero-width,
bidi override) that would make it look like another name. Longer texts (descriptions) may have
line breaks and tabs, but no other control character.

Defined here, in regions, so that both apps use them (programs may import regions, not the
reverse); `one_line` makes the same cleaning for texts built from stored names, such as the
subjects of notice e-mails, whatever was stored before these checks existed.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Latin letters, digits, "-", "_" and "."; a letter or a digit first, so never "." or "..".
CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]*"

# Controls (Cc: NUL, line feed, tab…), invisible formatting (Cf: zero-width space, bidi
# overrides and isolates, byte order mark, soft hyphen), line and paragraph separators, and
# lone surrogates (which no database stores).
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
TEXT_ALLOWED = frozenset("\n\r\t")
SHOWN_CHARACTERS = 3


@deconstructible(path="regions.validators.CodeValidator")
class CodeValidator(RegexValidator):
    regex = rf"\A{CODE_PATTERN}\Z"
    message = _(
        "Use only Latin letters, digits, hyphens (-), underscores (_) and dots (.) in a code, "
        "starting with a letter or a digit."
    )
    code = "invalid_code"


validate_code = CodeValidator()


def _refused(char: str) -> bool:
    return unicodedata.category(char) in REFUSED_CATEGORIES


def _named(characters) -> str:
    """The first refused characters as U+000A, U+200B…: they are invisible on the page."""
    seen = list(dict.fromkeys(characters))
    shown = ", ".join(f"U+{ord(char):04X}" for char in seen[:SHOWN_CHARACTERS])
    return shown + (", …" if len(seen) > SHOWN_CHARACTERS else "")


def validate_one_line(value: str) -> None:
    """A name or a short label: one line, without control or invisible formatting characters."""
    refused = [char for char in str(value) if _refused(char)]
    if refused:
        raise ValidationError(
            _(
                "Keep this on one line: remove the line breaks and invisible control "
                "characters (%(characters)s)."
            ),
            code="not_one_line",
            params={"characters": _named(refused)},
        )


def validate_text(value: str) -> None:
    """A longer text: line breaks and tabs are fine, other control characters (NUL) are not."""
    refused = [
        char
        for char in str(value)
        if char not in TEXT_ALLOWED and unicodedata.category(char) in {"Cc", "Cs"}
    ]
    if refused:
        raise ValidationError(
            _("Remove the invisible control characters (%(characters)s)."),
            code="control_characters",
            params={"characters": _named(refused)},
        )


def one_line(text: str, max_length: int) -> str:
    """`text` on one line of at most `max_length` characters: every run of controls, invisible
    characters and white space becomes one space, and a longer text ends with “…”."""
    cleaned = "".join(" " if _refused(char) else char for char in str(text))
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > max_length:
        cleaned = cleaned[: max_length - 1].rstrip() + "…"
    return cleaned
