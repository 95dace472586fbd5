"""The API's parsers: DRF's, with the nesting bounded and text the database can store.

Python's JSON decoder recurses once per level, so `[[[[…]]]]` ten thousand deep raised a
RecursionError (a 500) before any view saw it; and a string with `\\u0000` or a lone surrogate
reached PostgreSQL, which refuses both. Every payload of the API is a few levels deep (a bulk
request is three), so anything deeper than API_JSON_MAX_DEPTH is refused with a 400. Form bodies
sent to the API are checked here too (talentportal.edge checks those of the pages), so that every
refusal has the API's shape: a ParseError, which the bulk endpoint reports at `items`.
"""

import io
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from .edge import forbidden_text

# \u0000-\u001f and surrogate escapes (some are allowed, e.g. \u000a: they are then looked at).
SUSPECT_ESCAPE = re.compile(rb"\\u(?:00[01]|[dD][89abAB])", re.ASCII)


def too_deep() -> ParseError:
    return ParseError(
        _("JSON nested more than %(depth)d levels deep.") % {"depth": settings.API_JSON_MAX_DEPTH}
    )


def not_allowed() -> ParseError:
    return ParseError(
        _(
            "A JSON string contains a character that is not allowed (a NUL or control "
            "character, or an unpaired surrogate)."
        )
    )


def check_form(fields) -> None:
    """A form's (a QueryDict's) names and values, and its files' names."""
    for key, values in fields.lists():
        texts = [key, *(value if isinstance(value, str) else value.name or "" for value in values)]
        if any(forbidden_text(text) for text in texts):
            raise ParseError(
                _(
                    "The request contains characters that are not allowed (a NUL or control "
                    "character, or bytes that are not UTF-8)."
                )
            )


def _refused_at(field: str | None) -> ParseError:
    """A forbidden character, placed at the body's top-level field where there is one (the field
    holding it, as a serializer would), else for the whole body."""
    error = not_allowed()
    if field is None:
        return error
    return ParseError({field: [error.detail]})


def check_structure(data, *, strings: bool) -> None:
    """Raises ParseError when `data` is nested too deeply or (if `strings`) holds a forbidden
    character in a string."""
    if not isinstance(data, dict | list):
        if strings and isinstance(data, str) and forbidden_text(data):
            raise not_allowed()
        return
    limit = settings.API_JSON_MAX_DEPTH
    # (value, depth, the top-level field it lies in: None for the body itself or a list body)
    pending: list[tuple[object, int, str | None]] = [(data, 1, None)]
    while pending:
        value, depth, field = pending.pop()
        if depth > limit:
            raise too_deep()
        if isinstance(value, dict):
            if strings and any(forbidden_text(key) for key in value):
                raise _refused_at(field)
            children = value.items() if depth == 1 else ((field, child) for child in value.values())
        else:
            children = ((field, child) for child in value)
        for key, child in children:
            if isinstance(child, dict | list):
                pending.append((child, depth + 1, key))
            elif strings and isinstance(child, str) and forbidden_text(child):
                raise _refused_at(key)


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            data = super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            raise too_deep() from None
        # JSON refuses raw control characters in strings, so a forbidden one comes as an escape:
        # the strings are looked at only when the body has such an escape (a 10,000-item bulk
        # request is checked in a fraction of the time).
        check_structure(data, strings=SUSPECT_ESCAPE.search(raw) is not None)
        return data


class SafeFormParser(FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        check_form(data)
        return data


class SafeMultiPartParser(MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        check_form(parsed.data)
        check_form(parsed.files)
        return parsed
