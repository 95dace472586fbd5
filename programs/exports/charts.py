"""Chart images for the year-end report: plain values in, PNG bytes out.

Drawn with matplotlib's object API on the Agg backend (no pyplot state, so Celery threads cannot
tangle figures), with a CJK font passed explicitly: matplotlib's default font has no Chinese
glyphs and would draw empty boxes for every region, plan and indicator name.
"""

import io
import textwrap
from decimal import Decimal
from pathlib import Path

import matplotlib
from django.conf import settings
from django.utils.translation import gettext as _
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from programs.figures import as_percent, plain_number

# Only pyplot looks at the backend; set it anyway so nothing here ever opens a window.
matplotlib.use("Agg")

# Simplified Chinese faces first: a Pan-CJK collection opened at its Japanese face draws some
# hanzi in Japanese shapes. Debian's fonts-noto-cjk provides the first two.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Noto Sans CJK JP",
)
# For fonts installed after matplotlib built its font cache: matched against file names.
CJK_FILE_HINTS = ("notosanscjk", "notoserifcjk", "sourcehan", "wqy", "simhei", "msyh")

WIDTH_INCHES = 6.3  # the text width of an A4 page with official margins (GB/T 9704)
DPI = 200
TARGET_COLOR = "#9fb8d6"
ACTUAL_COLOR = "#c0392b"


def cjk_font() -> FontProperties | None:
    """A font that draws Chinese, or None when the machine has none.

    settings.REPORT_CJK_FONT (a file path) overrides the search; a missing file means no font.
    """
    override = getattr(settings, "REPORT_CJK_FONT", None)
    if override:
        return FontProperties(fname=str(override)) if Path(override).is_file() else None
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return FontProperties(family=family)
    for path in sorted(font_manager.findSystemFonts()):
        name = Path(path).name.lower().replace("-", "").replace("_", "")
        if name.startswith(CJK_FILE_HINTS):
            return FontProperties(fname=path)
    return None


def _sized(font: FontProperties, size: float) -> FontProperties:
    copy = font.copy()
    copy.set_size(size)
    return copy


def _wrap(label: str, width: int = 7) -> str:
    # Chinese has no spaces: textwrap breaks each line every `width` characters.
    return "\n".join(part for line in label.splitlines() for part in textwrap.wrap(line, width))


def _new_figure(height: float) -> tuple[Figure, object]:
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=8)
    axes.yaxis.set_major_formatter(StrMethodFormatter("{x:,.10g}"))
    return figure, axes


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def percent_text(ratio: Decimal | None) -> str:
    """A ratio as the report prints it: 1.2 → "120%", 1.1875 → "118.8%"."""
    return "—" if ratio is None else f"{plain_number(as_percent(ratio))}%"


def completion_chart(rows: list[tuple[str, Decimal]], *, font: FontProperties) -> bytes:
    """Horizontal bars: each plan's progress to targets (`PlanSummary.completion`, 1 == 100%,
    each indicator counted at most 100%), with a line at 100%."""
    rows = rows[::-1]  # barh draws bottom-up: keep the plans in reading order
    names = [_wrap(name, 12) for name, _ratio in rows]
    values = [float(ratio) * 100 for _name, ratio in rows]
    figure, axes = _new_figure(height=max(2.0, 0.45 * len(rows) + 0.9))
    bars = axes.barh(range(len(rows)), values, color=ACTUAL_COLOR, height=0.55)
    axes.set_yticks(range(len(rows)), names, fontproperties=_sized(font, 9))
    axes.axvline(100, color="#555555", linewidth=0.8, linestyle="--")
    axes.set_xlim(0, max([*values, 100]) * 1.15)
    axes.set_xlabel(_("Progress to targets (%)"), fontproperties=_sized(font, 9))
    axes.bar_label(
        bars,
        labels=[percent_text(ratio) for _name, ratio in rows],
        padding=3,
        fontproperties=_sized(font, 8),
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},  # readable over the line
    )
    return _png(figure)


def with_unit(name: str, unit: str) -> str:
    """A name with its unit ("职业技能培训人数（人）"); a milestone has none."""
    return _("%(name)s (%(unit)s)") % {"name": name, "unit": unit} if unit else name


def target_actual_chart(
    rows: list[tuple[str, str, Decimal, Decimal]], *, font: FontProperties
) -> bytes:
    """Grouped bars: target beside actual for each indicator, given as (name, unit, target,
    actual); the unit goes under the name so a wrapped name never splits it."""
    positions = range(len(rows))
    width = 0.38
    targets = [target for _name, _unit, target, _actual in rows]
    actuals = [actual for _name, _unit, _target, actual in rows]
    figure, axes = _new_figure(height=3.2)
    small = _sized(font, 8)
    for offset, values, color, label in (
        (-width / 2, targets, TARGET_COLOR, _("Target")),
        (width / 2, actuals, ACTUAL_COLOR, _("Actual")),
    ):
        bars = axes.bar(
            [p + offset for p in positions],
            [float(v) for v in values],
            width,
            color=color,
            label=label,
        )
        axes.bar_label(
            bars, labels=[plain_number(v) for v in values], padding=2, fontproperties=small
        )
    labels = [_wrap(name, 8) + "\n" + with_unit("", unit).strip() for name, unit, *_ in rows]
    axes.set_xticks(list(positions), labels, fontproperties=small)
    axes.margins(y=0.15)
    axes.legend(prop=_sized(font, 9), frameon=False)
    return _png(figure)


def trend_chart(
    series: list[tuple[str, list[tuple[int, Decimal]]]], *, font: FontProperties
) -> bytes:
    """One line per indicator over the years, each point labelled with its value."""
    figure, axes = _new_figure(height=3.2)
    small = _sized(font, 8)
    for name, points in series:
        years = [year for year, _value in points]
        axes.plot(years, [float(v) for _y, v in points], marker="o", linewidth=1.6, label=name)
        for year, value in points:
            axes.annotate(
                plain_number(value),
                (year, float(value)),
                textcoords="offset points",
                xytext=(0, 5),
                ha="center",
                fontproperties=small,
            )
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.margins(x=0.1, y=0.15)
    # Below the plot: lines and labels fill every corner of it.
    axes.legend(
        prop=_sized(font, 9),
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncols=min(len(series), 3),
    )
    return _png(figure)
