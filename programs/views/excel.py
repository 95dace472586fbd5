"""Placeholder: the Excel template download and upload views are being written."""

from django.http import HttpResponse


def template_download(request, region_code, period_id, program_id):
    return HttpResponse(status=501)


def upload(request, region_code, period_id, program_id):
    return HttpResponse(status=501)
