"""Cursor pages for every API list: stable at any depth, nothing counted; follow `next`."""

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class ApiCursorPagination(CursorPagination):
    """A cursor the list did not give is a bad parameter (400 at `cursor`), as any other is;
    DRF's own answer, a 404, would say the list itself does not exist."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound as error:
            raise ValidationError({self.cursor_query_param: [error.detail]}) from error
