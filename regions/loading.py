"""Loading the national list of administrative divisions into the region tree.

The files are the National Bureau of Statistics' division codes (copied from
shared/data/cn-admin-divisions into regions/data). Upserts by code, so a rerun after the file is
updated renames and moves regions in place and never duplicates them.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr

from .choices import RegionKind, RegionLevel
from .models import PATH_SEPARATOR, Region
from .validators import validate_code, validate_one_line

DATA_DIR = Path(__file__).resolve().parent / "data"

# "Cities" that are only groupings in the statistical list (a municipality's districts, counties
# administered directly by the province): their counties hang directly under the province.
PLACEHOLDER_CITY_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    moved_subtrees: int = 0


def read_rows(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _check_row(code: str, name: str) -> None:
    """The file's rows meet the checks every other path to the tree meets."""
    try:
        validate_code(code)
        validate_one_line(name)
    except ValidationError as error:
        raise ValidationError(f"{code} {name!r}: {'; '.join(error.messages)}") from error


@transaction.atomic
def load_divisions(*, townships: bool = False) -> LoadResult:
    result = LoadResult()
    existing = {
        r.code: r for r in Region.objects.only("id", "code", "name", "level", "parent_id", "path")
    }
    by_code: dict[str, Region] = dict(existing)
    old_paths = {code: region.path for code, region in existing.items()}

    def upsert(rows: list[tuple[str, str, RegionLevel, str | None]]):
        to_create, to_update = [], []
        for code, name, level, parent_code in rows:
            _check_row(code, name)
            parent = by_code[parent_code] if parent_code else None
            path = f"{parent.path if parent else ''}{code}{PATH_SEPARATOR}"
            region = by_code.get(code)
            if region is None:
                region = Region(code=code, name=name, level=level, kind=RegionKind.ADMIN)
                region.parent, region.path = parent, path
                to_create.append(region)
                by_code[code] = region
            elif (region.name, region.level, region.parent_id, region.path) != (
                name,
                level,
                parent.pk if parent else None,
                path,
            ):
                region.name, region.level, region.parent, region.path = name, level, parent, path
                to_update.append(region)
            else:
                result.unchanged += 1
        Region.objects.bulk_create(to_create, batch_size=1000)
        Region.objects.bulk_update(to_update, ["name", "level", "parent", "path"], batch_size=1000)
        result.created += len(to_create)
        result.updated += len(to_update)

    upsert([(r["code"], r["name"], RegionLevel.PROVINCE, None) for r in read_rows("provinces.csv")])
    placeholder_province = {}
    city_rows = []
    for row in read_rows("cities.csv"):
        if row["name"] in PLACEHOLDER_CITY_NAMES:
            placeholder_province[row["code"]] = row["provinceCode"]
        else:
            city_rows.append((row["code"], row["name"], RegionLevel.CITY, row["provinceCode"]))
    upsert(city_rows)

    def county_parent(row):
        return placeholder_province.get(row["cityCode"], row["cityCode"])

    upsert(
        [
            (r["code"], r["name"], RegionLevel.COUNTY, county_parent(r))
            for r in read_rows("areas.csv")
            if r["name"] != "市辖区"
        ]
    )
    if townships:
        upsert(
            [
                (r["code"], r["name"], RegionLevel.TOWNSHIP, r["areaCode"])
                for r in read_rows("streets.csv")
                if r["areaCode"] in by_code
            ]
        )

    # Regions the file moved carry along what hangs below them (zones, townships not reloaded).
    for code, old_path in old_paths.items():
        new_path = by_code[code].path
        if new_path != old_path:
            moved = Region.objects.filter(path__startswith=old_path).exclude(code=code)
            moved = (
                moved.exclude(path__startswith=new_path) if new_path.startswith(old_path) else moved
            )
            if moved.update(path=Concat(Value(new_path), Substr("path", len(old_path) + 1))):
                result.moved_subtrees += 1
    return result
