"""The address of the page being shown, as it is shared: `{% page_address as address %}`."""

from django import template

from programs.views.share import page_address as address_of

register = template.Library()


@register.simple_tag(takes_context=True)
def page_address(context) -> str:
    """This page's absolute address on SITE_URL (the path and the parameters the page read: a
    cached page's request was already left only those)."""
    return address_of(context["request"].get_full_path())
