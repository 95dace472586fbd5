"""Enumerations of the region tree and officials' roles."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    CITY = 2, _("Prefecture city")
    COUNTY = 3, _("County")
    TOWNSHIP = 4, _("Township")


class RegionKind(models.TextChoices):
    ADMIN = "admin", _("Administrative division")
    ZONE = "zone", _("Functional zone")


class Role(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    REVIEWER = "reviewer", _("Reviewer")
    CATALOG_ADMIN = "catalog_admin", _("Catalog admin")
