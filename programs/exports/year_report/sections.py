"""The sections of the report: overview, charts, plans, sub-regions, closing."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ...choices import IndicatorKind, RollupRule
from ...dashboard import Figure, PlanSummary, RegionSummary
from ...figures import bounded_text, figure_text, value_text
from ...models import Measure
from .. import charts
from ..charts import percent_text, with_unit
from .data import PlanSection, ReportData
from .document import Writer
from .words import (
    bound_words,
    date_text,
    headline_clause,
    join_names,
    join_sentences,
    status_text,
    target_cell,
    unit_text,
)

# --- The sections ---------------------------------------------------------------------------------


def write_overview(writer: Writer, data: ReportData) -> None:
    summary = data.summary
    values = {"region": summary.region.name, "year": summary.year}
    writer.section(_("Overview"))
    if not data.has_figures:  # say so, and claim no progress the figures cannot show
        writer.paragraph(
            _("There are no approved figures of %(region)s for %(year)s yet.") % values
        )
        return
    if data.programs:
        opening = _(
            "In %(year)s, %(region)s carried out %(programs)s, and its talent work made steady "
            "progress."
        ) % {**values, "programs": join_names([p.name for p, _sections in data.programs])}
    else:
        opening = _("In %(year)s, the talent work of %(region)s made steady progress.") % values
    writer.paragraph(opening)
    headline = [f for f in data.headline if f.target is not None] or [
        f for f in data.headline if f.value is not None or f.rollup is not None
    ]
    clauses = pgettext("between clauses", "; ").join(headline_clause(f) for f in headline)
    writer.paragraph(_("Over the year, %(clauses)s.") % {"clauses": clauses})
    if targets := targets_sentence(summary):
        writer.paragraph(targets)


def targets_sentence(summary: RegionSummary) -> str:
    """How many year targets were met, which were not, and which have no figure yet."""
    with_target = sorted(
        (f for f in summary.figures.values() if f.target is not None),
        key=lambda f: f.indicator.code,
    )
    # A target without the region's own figure is held against its sub-regions' roll-up, as on
    # the page (`Figure.basis`); only a target with neither has no figure yet.
    reported = [f for f in with_target if f.actual is not None]
    sentences = []
    if reported:
        met = sum(1 for f in reported if f.completion.met)
        sentences.append(
            _("Indicators meeting their target: %(met)s of %(total)s.")
            % {"met": met, "total": len(reported)}
        )
    short = [f.indicator.name for f in reported if f.completion.met is False]
    if short:
        sentences.append(
            _("Still short of the target: %(indicators)s.") % {"indicators": join_names(short)}
        )
    missing = [f.indicator.name for f in with_target if f.actual is None]
    if missing:
        sentences.append(
            _("No approved figure yet: %(indicators)s.") % {"indicators": join_names(missing)}
        )
    return join_sentences(sentences)


def chartable(figure: Figure) -> bool:
    """Counts, amounts and percentages: a place or a done / not done makes no bar or line."""
    return figure.is_quantity


def trend_points(figure: Figure, year: int) -> list[tuple[int, Decimal]]:
    return [(y, v) for y, v in figure.history if y <= year]


def write_charts(writer: Writer, data: ReportData) -> None:
    """Completion per plan, target against actual, and the years so far; tables without a font."""
    if not data.has_figures:
        return
    sections = [s for _p, plans in data.programs for s in plans if s.summary]
    completion = [
        (s.plan.name, s.summary.completion) for s in sections if s.summary.completion is not None
    ]
    compared = [
        f for f in data.headline if chartable(f) and f.target is not None and f.value is not None
    ]
    trends = [
        f for f in data.headline if chartable(f) and len(trend_points(f, data.summary.year)) > 1
    ]
    if not (completion or compared or trends):
        return
    if writer.font is None:
        write_chart_tables(writer, data, sections, trends)
        return
    if completion:
        writer.picture(charts.completion_chart(completion, font=writer.font), progress_caption())
    if compared:
        rows = [(f.indicator.name, f.indicator.unit, f.target.value, f.value) for f in compared]
        writer.picture(
            charts.target_actual_chart(rows, font=writer.font),
            _("Target and actual of the headline indicators"),
        )
    if trends:
        series = [
            (with_unit(f.indicator.name, f.indicator.unit), trend_points(f, data.summary.year))
            for f in trends
        ]
        writer.picture(
            charts.trend_chart(series, font=writer.font), _("Headline indicators over the years")
        )


def write_chart_tables(
    writer: Writer, data: ReportData, sections: list[PlanSection], trends: list[Figure]
) -> None:
    writer.paragraph(_("No Chinese font was found: the charts are given as tables."))
    plans = [s for s in sections if s.summary.with_target]
    if plans:
        writer.table(
            progress_caption(),
            [
                _("Plan"),
                _("Targets met"),
                _("Progress to targets"),
                _("Completion of each indicator"),
            ],
            [
                [
                    s.plan.name,
                    f"{s.summary.met}/{len(s.summary.with_target)}",
                    bounded_text(percent_text(s.summary.completion), s.summary.completion_bound),
                    each_completion(s.summary),
                ]
                for s in plans
            ],
            [4.6, 2.2, 2.6, 6.2],
        )
    if trends:
        years = sorted({y for f in trends for y, _v in trend_points(f, data.summary.year)})
        rows = []
        for figure in trends:
            points = dict(trend_points(figure, data.summary.year))
            rows.append(
                [with_unit(figure.indicator.name, figure.indicator.unit)]
                + [figure_text(points.get(y)) for y in years]
            )
        header = [_("Indicator")] + [_("%(year)s") % {"year": y} for y in years]
        widths = [5.6] + [10 / len(years)] * len(years)
        writer.table(_("Headline indicators over the years"), header, rows, widths)


def progress_caption() -> str:
    return _("Progress to targets by plan (each indicator counted at most 100%)")


def each_completion(summary: PlanSummary) -> str:
    """Each indicator's own completion, uncapped, as the region page shows it beside the plan's
    progress: "职业技能培训人数120%；新增高技能人才95%"."""
    return (
        pgettext("between clauses", "; ").join(
            _("%(indicator)s %(completion)s")
            % {
                "indicator": f.indicator.name,
                "completion": bounded_text(percent_text(f.completion.ratio), f.completion_bound),
            }
            for f in summary.ratios
        )
        or "—"
    )


def with_period(text: str, note: str) -> str:
    """A cell with what part of the year it covers, as the page writes under it: "460（上半年）"."""
    return _("%(text)s (%(note)s)") % {"text": text, "note": note} if note else text


def indicator_rows(figures: list[Figure], *, with_rollup: bool = False) -> list[list[str]]:
    """One row per figure, in the words of the region page's figure table: a rank's "第3位" and
    "上升2位", a milestone's "已完成", a percentage's change in points; `with_rollup` (a region
    with sub-regions) adds the page's column of the sub-regions combined before the status."""
    rows = []
    for f in figures:
        kind = f.indicator.kind
        row = [
            f.indicator.name,
            unit_text(f),
            target_cell(f),
            with_period(
                value_text(f.value, kind=kind, lower_bound=f.is_lower_bound), f.period_suffix
            ),
            bounded_text(percent_text(f.completion.ratio), f.completion_bound),
            with_period(
                f.change_text,
                f.period_change_text
                and _("on the previous period %(change)s") % {"change": f.period_change_text},
            ),
            status_text(f),
        ]
        if with_rollup:
            rollup = value_text(f.rollup, kind=kind, lower_bound=f.rollup_is_lower_bound)
            note = f.rollup_mixed_note or f.rollup_period_suffix
            row.insert(-1, with_period(rollup, note if f.rollup is not None else ""))
        rows.append(row)
    return rows


def indicator_table(
    writer: Writer, title: str, figures: list[Figure], *, with_rollup: bool
) -> None:
    header = [
        _("Indicator"),
        _("Unit"),
        _("Target"),
        _("Actual"),
        _("Completion"),
        _("YoY"),
        _("Status"),
    ]
    widths = [3.6, 1.3, 1.9, 2.6, 1.8, 2.2, 2.2]
    if with_rollup:
        header.insert(-1, _("Sub-regions combined"))
        widths = [3.0, 1.3, 1.6, 1.9, 1.6, 2.1, 2.0, 2.1]
    writer.table(title, header, indicator_rows(figures, with_rollup=with_rollup), widths)
    for figure in figures:  # as on the page: a completion from the roll-up, a cascade shortfall
        if figure.from_rollup and figure.target is not None:
            writer.paragraph(
                _(
                    "Note: %(indicator)s has no figure of its own; its completion and status are "
                    "from the sub-regions reported so far."
                )
                % {"indicator": figure.indicator.name}
            )
        if figure.cascade is not None:
            writer.paragraph(
                _("Note: %(indicator)s, %(message)s.")
                % {"indicator": figure.indicator.name, "message": figure.cascade.message}
            )


def write_plans(writer: Writer, data: ReportData) -> None:
    if not data.programs:  # a region reporting figures without programs of its own
        if data.untracked:
            writer.section(_("Progress by indicator"))
            indicator_table(
                writer,
                indicators_of(data.summary.region.name),
                data.untracked,
                with_rollup=data.with_rollup,
            )
        return
    writer.section(_("Progress by plan"))
    if any(s.summary and s.summary.completion is not None for _p, ss in data.programs for s in ss):
        writer.paragraph(
            _(
                "A plan's progress to targets is the mean of the completion of its indicators "
                "with a target, each counted at most 100%; each indicator's own completion is in "
                "the plan's table."
            )
        )
    several = len(data.programs) > 1
    for number, (program, sections) in enumerate(data.programs, start=1):
        if several:
            writer.subsection(number, program.name)
        for plan_number, section in enumerate(sections, start=1):
            writer.subsection(plan_number, section.plan.name, level=3 if several else 2)
            write_plan(writer, section, with_rollup=data.with_rollup)
    if data.untracked:  # after the programs, or after the plans of the only one
        number = len(data.programs) + 1 if several else sum(len(s) for _p, s in data.programs) + 1
        writer.subsection(number, _("Other indicators"))
        indicator_table(writer, _("Other indicators"), data.untracked, with_rollup=data.with_rollup)


def write_plan(writer: Writer, section: PlanSection, *, with_rollup: bool) -> None:
    if section.plan.description:
        writer.paragraph(section.plan.description)
    if section.measures:
        writer.paragraph(_("Main measures:"))
        for measure in section.measures:
            writer.paragraph(measure_text(measure), "List Bullet")
    summary = section.summary
    if summary is None or not summary.figures:
        writer.paragraph(_("No indicator is tracked under this plan."))
        return
    if summary.with_target:
        values = {"met": summary.met, "total": len(summary.with_target)}
        if summary.completion is not None:
            text = _("Targets met: %(met)s of %(total)s; progress to targets %(progress)s.") % {
                **values,
                "progress": bound_words(percent_text(summary.completion), summary.completion_bound),
            }
        else:
            text = _("Targets met: %(met)s of %(total)s.") % values
        writer.paragraph(text)
    indicator_table(
        writer, indicators_of(section.plan.name), summary.figures, with_rollup=with_rollup
    )


def indicators_of(name: str) -> str:
    return _("Indicators of %(name)s") % {"name": name}


def measure_text(measure: Measure) -> str:
    """The measure with its lead office and milestone state, where the catalog has them."""
    details = []
    if measure.owner_office:
        details.append(_("lead office: %(office)s") % {"office": measure.owner_office})
    if measure.milestone_state:
        details.append(str(measure.get_milestone_state_display()))
    if not details:
        return measure.name
    return _("%(measure)s (%(details)s)") % {
        "measure": measure.name,
        "details": pgettext("between clauses", "; ").join(details),
    }


def write_sub_regions(writer: Writer, data: ReportData) -> None:
    """The children on each headline indicator they have figures for, as the region page lists
    them: places only where the ranking gives them (`rank_regions`: three regions or more, never
    on a rank or milestone indicator), else best first without a place column, and said so."""
    summary = data.summary
    ranked = [f for f in summary.headline if summary.rankings[f.indicator.pk].shown]
    if not summary.children or not ranked:
        return
    writer.section(_("Sub-regions"))
    for figure in ranked:
        indicator = figure.indicator
        places = [
            place
            for place in summary.child_ranking(indicator.pk)
            if place.value is not None or place.rollup is not None
        ]
        with_places = bool(summary.rankings[indicator.pk].places)
        with_rollups = any(place.rollup is not None for place in places)
        unit = indicator.unit if figure.is_quantity else ""
        header = [_("Region"), with_unit(_("Value"), unit)]
        rows = [
            [
                region_name(place.region, rolled_up=indicator.rollup != RollupRule.NONE),
                value_text(place.value, kind=indicator.kind, lower_bound=place.is_lower_bound),
            ]
            for place in places
        ]
        if with_rollups:
            # A sub-region's own sub-regions combined, beside (never in) its place.
            header.append(with_unit(_("Sub-regions combined"), unit))
            for row, place in zip(rows, places, strict=True):
                row.append(
                    value_text(
                        place.rollup, kind=indicator.kind, lower_bound=place.rollup_is_lower_bound
                    )
                )
        if with_places:
            header.insert(0, _("Rank"))
            for row, place in zip(rows, places, strict=True):
                row.insert(0, str(place.rank or "—"))
        widths = {
            (True, True): [2.0, 6.0, 3.8, 3.8],
            (True, False): [2.6, 8.0, 5.0],
            (False, True): [7.2, 4.2, 4.2],
            (False, False): [9.0, 6.6],
        }[(with_places, with_rollups)]
        writer.table(
            _("Sub-regions ranked by %(indicator)s") % {"indicator": indicator.name}
            if with_places
            else _("Sub-regions on %(indicator)s") % {"indicator": indicator.name},
            header,
            rows,
            widths,
        )
        if indicator.kind == IndicatorKind.RANK:
            writer.paragraph(
                _(
                    "Each region’s place in an outside ranking, listed first place first; not a "
                    "ranking made by this site."
                )
            )
        elif figure.is_quantity and not with_places:
            writer.paragraph(
                _("Fewer than three sub-regions have a figure: listed best first, without places.")
            )


def region_name(region, *, rolled_up: bool) -> str:
    """A sub-region's name, marked as on the region page where its figures are already counted
    in a sibling (a zone in its county), so that no one adds the rows up to the roll-up."""
    if rolled_up and region.counted_in_parent:
        return _("%(region)s (not in the sum)") % {"region": region.name}
    return region.name


def write_closing(writer: Writer, data: ReportData) -> None:
    writer.paragraph()
    writer.paragraph(_("Data source: TalentPortal, approved figures only."))
    if data.summary.data_as_of:
        approved = timezone.localdate(data.summary.data_as_of)
        writer.paragraph(_("Figures approved up to %(date)s.") % {"date": date_text(approved)})
    writer.paragraph(_("Generated on %(date)s.") % {"date": date_text(timezone.localdate())})
