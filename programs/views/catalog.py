"""Catalog import: a catalog admin's workbook of programs, plans, indicators and targets."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def import_upload(request):  # upload → dry run → confirm as a job
    raise Http404


@login_required
def import_template(request):
    raise Http404
