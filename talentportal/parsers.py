"""The API's parsers: DRF's, with the nesting bounded and text the database can store.

Python's JSON decoder recurses once per level, so `[[[[…]]]]` ten thousand deep raised a
RecursionError (a 500) before any view saw it; and a string with `\\u0000` or a lone surrogate
reached PostgreSQL, which refuses both. Every payload of the API is a few levels deep (a bulk
request is three), so anything deeper than API_JSON_MAX_DEPTH is refused with a 400. Form bodies
sent to the API are checked here too (talentportal.edge checks those of the pages), so that every
refusal has the API's shape: a ParseError, which the bulk endpoint reports at `items`.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from .edge import forbidden_text


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


def check_structure(data) -> None:
    """Raises ParseError when `data` is nested too deeply or holds a forbidden character."""
    limit = settings.API_JSON_MAX_DEPTH
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if forbidden_text(value):
                raise not_allowed()
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > limit:
            raise too_deep()
        children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        pending.extend((child, depth + 1) for child in children)


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep() from None
        check_structure(data)
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
