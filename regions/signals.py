"""Signals regions sends for the apps above it, which it does not know."""

from django.dispatch import Signal

# A region was added, moved, changed or deleted in the admin (argument: region). Figures that
# depend on the tree (roll-ups, rankings) are rebuilt by whoever keeps them.
region_tree_changed = Signal()
