"""A change to the catalog (made in the admin, by a catalog import or in a shell) changes what the
public pages and the open data show: names, plans, targets and so the completion figures. Their
cached answers are keyed on the public data version, so any save or delete of a catalog row
bumps it once its transaction commits, as an approval does."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from regions.models import Region
from regions.signals import region_tree_changed

from .models import (
    Indicator,
    Measure,
    Plan,
    PlanIndicator,
    PlanTag,
    Program,
    ReportingPeriod,
    Target,
)
from .public_cache import bump_public_version
from .tasks import refresh_rollups

CATALOG = (
    Region,
    Program,
    Plan,
    PlanTag,
    Measure,
    Indicator,
    PlanIndicator,
    Target,
    ReportingPeriod,
)


def catalog_changed(sender, raw=False, **kwargs):
    if not raw:  # loaddata: nothing is cached for rows that did not exist
        transaction.on_commit(bump_public_version)


def rebuild_public_figures() -> None:
    """After the transaction commits, rebuild the precomputed figures in full: for the catalog
    rows they depend on (a region's place in the tree, an indicator's roll-up rule or time nature,
    a period's year and kind), changed in the admin."""
    transaction.on_commit(refresh_rollups.delay, robust=True)


def region_tree_edited(sender, **kwargs):
    rebuild_public_figures()


def connect() -> None:
    region_tree_changed.connect(region_tree_edited, dispatch_uid="programs-region-tree-changed")
    for model in CATALOG:
        uid = f"public-version-{model._meta.label_lower}"
        post_save.connect(catalog_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(catalog_changed, sender=model, dispatch_uid=uid + "-delete")
