"""The <code:…> part of an address: a region's or an indicator's code.

A valid code (regions.validators.CODE_PATTERN) is the address part as it is, so that
/regions/3304Z01/ stays what it has always been. A code stored before codes were checked, or
written by a path that skipped them, may hold a "/" or a "%", or be "." or "..": reversing it
with <str:…> failed and took every page that links to it down. Here it is escaped once more than
the address is (reverse() escapes "%" again, the server unescapes once) and read back on the way
in, so the link works and leads to that very code.
"""

from urllib.parse import unquote

from django.urls import register_converter

NAME = "code"


class CodeConverter:
    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return unquote(value)

    def to_url(self, value) -> str:
        text = str(value).replace("%", "%25").replace("/", "%2F")
        if text in (".", ".."):  # a browser would read them as this folder, the one above
            text = text.replace(".", "%2E")
        return text


register_converter(CodeConverter, NAME)
