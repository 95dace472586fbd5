"""Placeholder: the public indicator page and its downloads are being written."""

from django.http import HttpResponse


def indicator(request, code):
    return HttpResponse(status=501)
