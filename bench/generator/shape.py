"""Where the generated province lives and how big it is: its reserved codes and prefixes, and the
number of regions and years a scale means."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from regions.models import PATH_SEPARATOR

PROVINCE_CODE = "90"
PROVINCE_PATH = f"{PROVINCE_CODE}{PATH_SEPARATOR}"
INDICATOR_PREFIX = "GEN90-"
USERNAME_PREFIX = "gen90-"
MAX_SCALE = 50  # beyond it a city would need more than 99 two-digit county codes
PROVINCE_NAME = "合成省"

BASE_CITIES, BASE_COUNTIES, BASE_TOWNSHIPS, BASE_YEARS = 11, 100, 1300, 10
QUARTERS = 4


@dataclass(frozen=True)
class Shape:
    cities: int
    counties: int
    townships: int
    county_zones: int
    township_zones: int
    years: int


def province_shape(scale: float) -> Shape:
    """How many regions and years a scale means (see the docstring of bench.generator)."""
    if not 0 < scale <= MAX_SCALE:
        raise ValueError(f"The scale must be above 0 and at most {MAX_SCALE}.")
    if scale >= 1:
        years, cities = BASE_YEARS, BASE_CITIES
        counties = round(BASE_COUNTIES * math.sqrt(scale))
        townships = round(BASE_TOWNSHIPS * scale)
    else:
        years = max(1, round(BASE_YEARS * scale ** (1 / 3)))
        regions = scale * BASE_YEARS / years  # what is left of the scale for the tree
        fan_out = regions ** (1 / 3)  # each level of the tree shrinks alike
        cities = max(1, round(BASE_CITIES * fan_out))
        counties = max(cities, round(BASE_COUNTIES * fan_out**2))
        townships = max(counties, round(BASE_TOWNSHIPS * regions))
    return Shape(
        cities=cities,
        counties=counties,
        townships=townships,
        county_zones=max(1, round(cities / 2)),
        township_zones=max(1, round(counties / 10)),
        years=years,
    )


def default_last_year(today: date | None = None) -> int:
    """The year whose Q4 is the latest period: this year once its Q4 has opened."""
    today = today or timezone.localdate()
    return today.year if today.month >= 10 else today.year - 1
