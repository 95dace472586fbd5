"""What the officials' API reads, as its schema says: each query parameter once, JSON bodies.

`?page_size=5&page_size=500` is a 400 at `page_size`, not whichever value a parser happens to keep
(Django's QueryDict keeps the last, other stacks the first). Request bodies are JSON only: a form
cannot say null, a number or a list, so the documented types hold for JSON alone (a form is 415).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings


def json_parsers() -> list:
    """The site's configured parsers that read JSON (whatever limits they apply)."""
    return [
        parser
        for parser in api_settings.DEFAULT_PARSER_CLASSES
        if parser.media_type == "application/json"
    ]


class SingleQueryValues:
    """A view mixin: a query parameter given more than once is refused, after authentication
    (an anonymous caller of a protected list still gets 401 first)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        repeated = {
            name: [_("Give this parameter once.")]
            for name, values in request.query_params.lists()
            if len(values) > 1
        }
        if repeated:
            raise ValidationError(repeated)
