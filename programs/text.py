"""Text a person must write (a return comment, a reason): it counts only if some of it shows.

Whitespace alone, or invisible characters (zero-width spaces and joiners, the byte-order mark,
the word joiner, other format and control characters), say nothing: `visible` strips them all, so
a required comment or reason of only those is refused like an empty one.
"""

import unicodedata

# Not whitespace to str.isspace(), yet nothing shows: zero-width space, non-joiner, joiner,
# word joiner, byte-order mark (also caught by their category Cf, named for clarity).
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def _shows(character: str) -> bool:
    return not (
        character.isspace()
        or character in ZERO_WIDTH
        or unicodedata.category(character) in INVISIBLE_CATEGORIES
    )


def visible(text: str | None) -> str:
    """`text` without its invisible characters (whitespace, zero-width, format and control)."""
    return "".join(character for character in text or "" if _shows(character))


def has_visible_text(text: str | None) -> bool:
    """Does `text` contain at least one character a reader would see?"""
    return any(_shows(character) for character in text or "")


def invisible_ranges() -> str:
    """The invisible characters of the Basic Multilingual Plane as a regular-expression class body
    with \\uXXXX escapes (ECMA and Python alike), for schemas that say what `visible` refuses."""
    ranges, start, previous = [], None, None
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF or _shows(chr(code)):
            continue
        if start is not None and code == previous + 1:
            previous = code
            continue
        if start is not None:
            ranges.append((start, previous))
        start = previous = code
    ranges.append((start, previous))
    return "".join(
        f"\\u{low:04x}" if low == high else f"\\u{low:04x}-\\u{high:04x}" for low, high in ranges
    )
