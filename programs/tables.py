"""Declarative tables of the pages, their downloads, and the paging of long lists.

Cells render HTML on the page and plain values in a download (`value_*` methods and export-only
columns): numbers stay numbers, and text is never something a spreadsheet would run as a formula.

Lists over the progress figures (millions at province scale) are never counted: the officials'
list seeks a page by primary key (`keyset_page`), and the admin counts at most a capped number of
rows (`CappedCountPaginator`).
"""

from dataclasses import dataclass

import django_tables2 as tables
from django.core.paginator import Paginator
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tables2.export import TableExport
from tablib import Dataset

from . import figures, periods
from .choices import IndicatorKind
from .xlsx import safe_text

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


def yes_no(value) -> str:
    """A flag in a download as words a reader types and reads: 是/否 (Yes/No), never True/False."""
    return gettext("Yes") if value else gettext("No")


def sorted_by(*keys: str) -> tuple[str, ...]:
    """A column's sort keys, with the region code last so that equal values keep one order."""
    return (*keys, "region__code")


# The change column's heading where it is not growth in % (a download's column says its measure).
CHANGE_COLUMNS = {
    IndicatorKind.PERCENTAGE: _("Change on last year (percentage points)"),
    IndicatorKind.RANK: _("Change in place (places up)"),
    IndicatorKind.MILESTONE: _("Change on last year"),
}


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
    covered = tables.Column(
        verbose_name=_("Period covered"), accessor="figure__through", visible=False
    )
    rollup = tables.Column(
        verbose_name=_("Sub-regions combined"), accessor="figure__rollup", orderable=False
    )
    rollup_lower_bound = tables.Column(
        verbose_name=_("Sub-regions combined: lower bound"),
        accessor="figure__rollup_is_lower_bound",
        visible=False,
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
        if indicator.unit and indicator.kind not in (IndicatorKind.RANK, IndicatorKind.MILESTONE):
            self.columns["value"].column.verbose_name = gettext("Value (%(unit)s)") % {
                "unit": indicator.unit
            }
        change = CHANGE_COLUMNS.get(indicator.kind)
        if change is not None:
            self.columns["growth"].column.verbose_name = change

    # --- On the page ---

    def render_region(self, record):
        region = record.region
        note = ""
        if region.counted_in_parent:
            note = format_html(' <span class="muted">{}</span>', gettext("(not in the sum)"))
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
        figure = record.figure
        if not figure.is_quantity:  # 第3位 / 已完成
            return figure.value_text
        if figure.period_suffix:  # 上半年 / 前三季度: not the whole year
            return format_html(
                '{} <span class="unit">{}</span> <small class="period-label">{}</small>',
                figures.figure_text(value, lower_bound=figure.is_lower_bound),
                self.indicator.unit,
                figure.period_suffix,
            )
        return format_html(
            '{} <span class="unit">{}</span>',
            figures.figure_text(value, lower_bound=figure.is_lower_bound),
            self.indicator.unit,
        )

    def render_lower_bound(self, value):
        return gettext("at least") if value else ""

    def render_rollup(self, value, record):
        return format_html(
            '{} <span class="unit">{}</span>',
            figures.figure_text(value, lower_bound=record.figure.rollup_is_lower_bound),
            self.indicator.unit,
        )

    def render_target(self, value, record):
        if not record.figure.is_quantity:  # 前3位 / 完成
            return record.figure.target_text
        return format_html(
            '{} {} <span class="unit">{}</span>',
            figures.comparator_sign(record.figure.target.comparator),
            figures.plain_number(value),
            self.indicator.unit,
        )

    def render_completion(self, record):
        if record.completion_percent is not None:  # ≥ / ≤ when computed from a lower bound
            return f"{record.figure.completion_bound}{record.completion_percent}%"
        if record.completion.met is None:
            return NO_VALUE
        return record.completion.status.label  # ranks and milestones: met or not

    def render_growth(self, value, record):
        return record.figure.change_text  # +15.4% / +2.1个百分点 / 上升2位

    def render_rank(self, value, record):
        return gettext("%(rank)s of %(ranked)s") % {"rank": value, "ranked": record.figure.ranked}

    # --- In a download: plain values ---

    def value_region(self, value):
        return value

    def value_kind(self, record):
        return record.region.get_kind_display()

    def value_comparator(self, record):
        return figures.comparator_sign(record.figure.target.comparator)  # ≥ ≤ =

    def value_unit(self, record):
        return record.figure.indicator.unit  # the unit as stored, not its translated label

    def value_value(self, value):
        return exact(value)

    def value_target(self, value):
        return exact(value)

    def value_covered(self, record):
        """ "2026年上半年" where the value stands on part of the year; the year otherwise."""
        figure = record.figure
        if figure.value is None:
            return ""
        return periods.period_label(
            self.year, figure.through, time_nature=self.indicator.time_nature
        )

    def value_lower_bound(self, value):
        return yes_no(value)

    def value_rollup(self, value):
        return exact(value)

    def value_rollup_lower_bound(self, value, record):
        return yes_no(value) if record.figure.rollup is not None else ""

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


# --- Long lists: never counted --------------------------------------------------------------------


@dataclass(frozen=True)
class KeysetPage:
    """One page of a list ordered newest first by primary key, and whether rows remain around it.

    Its links carry a cursor, not a page number: `newer` is `?before=<pk of the first row>`,
    `older` is `?after=<pk of the last row>`, `last` is `?last=1`."""

    rows: list
    has_newer: bool
    has_older: bool

    @property
    def newer_cursor(self) -> int:
        return self.rows[0].pk

    @property
    def older_cursor(self) -> int:
        return self.rows[-1].pk


def keyset_page(
    queryset: QuerySet,
    *,
    size: int,
    after: int | None = None,
    before: int | None = None,
    last: bool = False,
) -> KeysetPage:
    """The page of `queryset`, newest first by primary key, at a cursor; nothing is counted.

    No cursor: the newest `size` rows. `after`: the rows just older than that pk (or the last page
    when none is). `before`: the rows just newer than it (or the first page when less than a page
    is left above it). `last`: the oldest rows, read as the first page of the reverse order.
    Each page is one seek along the primary key index whatever its depth (the last page costs what
    the first does), plus, on a cursor page, one look for a row on the other side of the cursor.
    """
    newest_first, oldest_first = queryset.order_by("-pk"), queryset.order_by("pk")
    if last:
        rows = list(oldest_first[: size + 1])
        return KeysetPage(rows[:size][::-1], has_newer=len(rows) > size, has_older=False)
    if before is not None:
        rows = list(oldest_first.filter(pk__gt=before)[: size + 1])
        if len(rows) <= size:
            return keyset_page(queryset, size=size)
        older = newest_first.filter(pk__lte=before).exists()
        return KeysetPage(rows[:size][::-1], has_newer=True, has_older=older)
    if after is not None:
        rows = list(newest_first.filter(pk__lt=after)[: size + 1])
        if not rows:
            return keyset_page(queryset, size=size, last=True)
        newer = oldest_first.filter(pk__gte=after).exists()
        return KeysetPage(rows[:size], has_newer=newer, has_older=len(rows) > size)
    rows = list(newest_first[: size + 1])
    return KeysetPage(rows[:size], has_newer=False, has_older=len(rows) > size)


def estimated_rows(model: type[Model]) -> int | None:
    """PostgreSQL's estimate of a table's rows (pg_class.reltuples, kept by autovacuum's ANALYZE);
    None on other databases or before the table was first analyzed."""
    connection = connections[router.db_for_read(model)]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)", [model._meta.db_table]
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None and row[0] >= 0 else None


class CappedCountPaginator(Paginator):
    """A paginator that never counts more than `cap` rows (the admin's lists of progress figures).

    The count is exact up to `cap` (`SELECT COUNT(*) FROM (SELECT … LIMIT cap + 1)`: a cheap
    index walk at any table size). Past it, an unfiltered list takes the database's estimate of the
    table's size; a filtered one says `cap + 1` (pages up to there; narrow the filter for more).
    """

    cap = 10_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        capped = queryset.order_by()[: self.cap + 1].count()
        if capped <= self.cap or queryset.query.has_filters():
            return capped
        return max(capped, estimated_rows(queryset.model) or 0)


# --- The officials' progress list -----------------------------------------------------------------


def local_time(value) -> str:
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i")


class ProgressReportTable(tables.Table):
    """Progress figures in every state, a keyset page at a time (`keyset_page`): the rows come in
    the page's key order, so no column sorts them."""

    region = tables.Column(verbose_name=_("Region"), accessor="region__name")
    indicator = tables.Column(verbose_name=_("Indicator"), accessor="indicator__name")
    period = tables.Column(verbose_name=_("Period"), accessor="period")
    value = tables.Column(verbose_name=_("Value"))
    state = tables.Column(verbose_name=_("State"))
    updated_at = tables.Column(verbose_name=_("Updated at"))
    reviewed_at = tables.Column(verbose_name=_("Reviewed at"), default=NO_VALUE)
    details = tables.Column(verbose_name=_("Details"), accessor="pk")

    class Meta:
        orderable = False
        empty_text = _("No progress figure matches.")

    def render_value(self, value, record):
        bound = format_html(" ({})", gettext("at least")) if record.is_lower_bound else ""
        return format_html(
            '{}{} <span class="unit">{}</span>',
            figures.plain_number(value),
            bound,
            record.indicator.unit,
        )

    def render_state(self, record):
        return format_html(
            '<span class="state state-{}">{}</span>', record.state, record.get_state_display()
        )

    def render_updated_at(self, value):
        return local_time(value)

    def render_reviewed_at(self, value):
        return local_time(value)

    def render_details(self, value, record):
        view = gettext("View")
        return format_html(
            '<a href="{}" aria-label="{} {} · {} · {}">{}</a>',
            reverse("programs:report", args=[value]),
            view,
            record.region.name,
            record.indicator.name,
            record.period,
            view,
        )
