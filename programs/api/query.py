"""Each query parameter once: `?page_size=5&page_size=500` is a 400 at `page_size`, not whichever
value a parser happens to keep (Django's QueryDict keeps the last, other stacks the first). The
schema documents every parameter as a single value, and the server holds to it."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError


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
