"""The API's JSON parser: DRF's, with the nesting bounded.

Python's JSON decoder recurses once per level, so `[[[[…]]]]` ten thousand deep raised a
RecursionError (a 500) before any view saw it. Every payload of the API is a few levels deep (a
bulk request is three), so anything deeper than API_JSON_MAX_DEPTH is refused with a 400 (a
ParseError, which the bulk endpoint reports at `items`).

Text is judged at the fields that read it, not here (programs.api.serializers.PlainText refuses
a NUL or other control character at its field, with the API's field errors): a property the API
ignores is then ignored whatever it holds, as the schema says. Forms sent to the API (the token
endpoint takes them) are read by DRF's parsers and judged by the same fields; the pages' forms
are checked by talentportal.edge.
"""

import io

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def too_deep() -> ParseError:
    return ParseError(
        _("JSON nested more than %(depth)d levels deep.") % {"depth": settings.API_JSON_MAX_DEPTH}
    )


def check_depth(data) -> None:
    """Raises ParseError when `data` is nested more than API_JSON_MAX_DEPTH levels deep."""
    limit = settings.API_JSON_MAX_DEPTH
    pending = [(data, 1)] if isinstance(data, dict | list) else []
    while pending:
        value, depth = pending.pop()
        if depth > limit:
            raise too_deep()
        children = value.values() if isinstance(value, dict) else value
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            data = super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            raise too_deep() from None
        check_depth(data)
        return data
