"""Cursor pages for every API list: stable at any depth, nothing counted; follow `next`."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    """A cursor the list did not give is a bad parameter (400 at `cursor`), as any other is;
    DRF's own answer, a 404, would say the list itself does not exist. So is a `page_size` that
    is not a whole number from 1 to max_page_size (DRF would silently use the default or cap it),
    and the schema says so."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request):
        given = request.query_params.get(self.page_size_query_param)
        if not given:  # absent or empty, as for every query parameter
            return self.page_size
        if not (given.isascii() and given.isdigit() and 1 <= int(given) <= self.max_page_size):
            message = _("A whole number from 1 to %(max)d.") % {"max": self.max_page_size}
            raise ValidationError({self.page_size_query_param: [message]})
        return int(given)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        self.model = queryset.model  # what a cursor's position is checked against
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound as error:
            raise ValidationError({self.cursor_query_param: [error.detail]}) from error
        if cursor is not None and cursor.position is not None:
            # Another list's cursor (a region's path on a list ordered by id) would reach the
            # database as a value of the wrong type.
            name = self.ordering[0].lstrip("-")
            meta = self.model._meta
            field = meta.pk if name == "pk" else meta.get_field(name)
            try:
                field.get_prep_value(field.to_python(cursor.position))
            except (DjangoValidationError, TypeError, ValueError) as error:
                message = self.invalid_cursor_message
                raise ValidationError({self.cursor_query_param: [message]}) from error
        return cursor
