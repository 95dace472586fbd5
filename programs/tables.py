"""Declarative tables of the public pages, and their downloads.

Cells render HTML on the page and plain values in a download (`value_*` methods and export-only
columns): numbers stay numbers, and text is never something a spreadsheet would run as a formula.
"""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tables2.export import TableExport
from tablib import Dataset

from . import figures
from .excel import safe_text

NO_VALUE = "—"


def spreadsheet_safe(value):
    """A cell as a spreadsheet should store it: text that starts like a formula (= + - @, tab,
    CR) gets a leading apostrophe; numbers, booleans and empty cells are left as they are."""
    return safe_text(value) if isinstance(value, str) else value


class SafeTableExport(TableExport):
    """django-tables2's export with every text cell escaped, and a CSV that Excel reads as UTF-8.

    tablib's own `escape` option is not enough: it exists only for xlsx, and it only drops a
    leading "=" (a "+", "-" or "@" formula still runs).
    """

    def table_to_dataset(self, table, exclude_columns, dataset_kwargs=None):
        dataset = super().table_to_dataset(table, exclude_columns, dataset_kwargs)
        safe = Dataset(title=dataset.title)
        safe.headers = [spreadsheet_safe(header) for header in dataset.headers or []]
        for row in dataset:
            safe.append([spreadsheet_safe(cell) for cell in row])
        return safe

    def export(self):
        data = super().export()
        if self.format == self.CSV:
            return "\ufeff" + data  # a byte order mark: Excel otherwise reads Chinese as GBK
        return data


def exact(value):
    """A stored figure (1200.0000) as the number it is (1200), for downloads."""
    if value is None:
        return None
    return value.quantize(1) if value == value.to_integral_value() else value.normalize()


def sorted_by(*keys: str) -> tuple[str, ...]:
    """A column's sort keys, with the region code last so that equal values keep one order."""
    return (*keys, "region__code")


class SubRegionTable(tables.Table):
    """One indicator across the sub-regions of a region in one year."""

    region = tables.Column(
        verbose_name=_("Region"), accessor="region__name", order_by=sorted_by("region__name")
    )
    region_code = tables.Column(
        verbose_name=_("Region code"), accessor="region__code", visible=False
    )
    kind = tables.Column(verbose_name=_("Kind"), accessor="region__kind", visible=False)
    value = tables.Column(
        verbose_name=_("Value"), accessor="figure__value", order_by=sorted_by("value_key")
    )
    unit = tables.Column(verbose_name=_("Unit"), accessor="figure__indicator__unit", visible=False)
    lower_bound = tables.Column(
        verbose_name=_("Lower bound"),
        accessor="figure__is_lower_bound",
        order_by=sorted_by("figure__is_lower_bound", "value_key"),
    )
    comparator = tables.Column(
        verbose_name=_("Target comparator"), accessor="figure__target__comparator", visible=False
    )
    target = tables.Column(
        verbose_name=_("Target"), accessor="figure__target__value", order_by=sorted_by("target_key")
    )
    completion = tables.Column(
        verbose_name=_("Completion (%)"),
        accessor="completion",
        order_by=sorted_by("completion_key"),
    )
    status = tables.Column(verbose_name=_("Status"), accessor="status", visible=False)
    growth = tables.Column(
        verbose_name=_("YoY growth (%)"),
        accessor="growth_percent",
        order_by=sorted_by("growth_key"),
    )
    rank = tables.Column(
        verbose_name=_("Rank"), accessor="figure__rank", order_by=sorted_by("rank_key")
    )
    ranked = tables.Column(
        verbose_name=_("Ranked regions"), accessor="figure__ranked", visible=False
    )

    class Meta:
        # django_tables2/table.html with a <caption>
        template_name = "programs/public/indicator_table.html"
        order_by = ("rank",)
        empty_text = _("No sub-region matches.")
        attrs = {
            "class": "ranking",
            "th": {"scope": "col", "aria-sort": lambda bound_column: aria_sort(bound_column)},
        }

    def __init__(self, *args, indicator, region, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator, self.region, self.year = indicator, region, year
        self.caption = gettext("%(indicator)s in the sub-regions of %(region)s, %(year)s") % {
            "indicator": indicator.name,
            "region": region.name,
            "year": year,
        }
        if indicator.unit:
            self.columns["value"].column.verbose_name = gettext("Value (%(unit)s)") % {
                "unit": indicator.unit
            }

    # --- On the page ---

    def render_region(self, record):
        region = record.region
        note = ""
        if region.counted_in_parent:
            note = format_html(' <span class="muted">({})</span>', gettext("not in the sum"))
        return format_html(
            '<a href="{}?year={}">{}</a>{} · <a href="{}?{}" aria-label="{}">{}</a>',
            reverse("public:region", args=[region.code]),
            self.year,
            region.name,
            note,
            reverse("public:indicator", args=[self.indicator.code]),
            urlencode({"region": region.code, "year": self.year}),
            gettext("%(indicator)s in %(region)s over the years")
            % {"indicator": self.indicator.name, "region": region.name},
            gettext("Trend"),
        )

    def render_value(self, value, record):
        return format_html(
            '{} <span class="unit">{}</span>', figures.plain_number(value), self.indicator.unit
        )

    def render_lower_bound(self, value):
        return gettext("at least") if value else ""

    def render_target(self, value, record):
        sign = record.figure.target.get_comparator_display()[:1]
        return format_html(
            '{} {} <span class="unit">{}</span>',
            sign,
            figures.plain_number(value),
            self.indicator.unit,
        )

    def render_completion(self, record):
        if record.completion_percent is not None:
            return f"{record.completion_percent}%"
        if record.completion.met is None:
            return NO_VALUE
        return record.completion.status.label  # ranks and milestones: met or not

    def render_growth(self, value):
        return f"{value:+}%"

    def render_rank(self, value, record):
        return gettext("%(rank)s of %(ranked)s") % {"rank": value, "ranked": record.figure.ranked}

    # --- In a download: plain values ---

    def value_region(self, value):
        return value

    def value_kind(self, record):
        return record.region.get_kind_display()

    def value_comparator(self, record):
        return record.figure.target.get_comparator_display()[:1]  # ≥ ≤ =

    def value_unit(self, record):
        return record.figure.indicator.unit  # the unit as stored, not its translated label

    def value_value(self, value):
        return exact(value)

    def value_target(self, value):
        return exact(value)

    def value_lower_bound(self, value):
        return bool(value)

    def value_completion(self, record):
        return record.completion_percent

    def value_status(self, value):
        return value.label

    def value_growth(self, value):
        return value

    def value_rank(self, value):
        return value


def aria_sort(bound_column) -> str | None:
    """Tell screen readers which column the table is sorted by (None leaves the attribute out)."""
    order_by = bound_column._table.order_by
    if not order_by or not bound_column.orderable:
        return None
    first = order_by[0]
    if first.bare != bound_column.name:
        return None
    return "descending" if first.is_descending else "ascending"
