"""The region tree: 11 cities, 100 counties and 1,300 townships at scale 1, with functional zones,
their names and their sizes (in townships, for additive figures)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from regions.choices import RegionKind, RegionLevel
from regions.models import PATH_SEPARATOR

from .shape import PROVINCE_CODE, PROVINCE_NAME, Shape

CITY_SUFFIX = "市"
NAME_STEMS = (
    "青云江河山林泉石清安平宁丰华阳溪东西南北新兴永和泰康长乐明德临海湖滨金玉春秋龙凤桃竹松梅"
)
COUNTY_SUFFIXES = ("区", "区", "县", "县", "县", "市")
TOWNSHIP_SUFFIXES = ("镇", "镇", "镇", "街道", "街道", "乡")
ZONE_SUFFIXES = ("经济开发区", "高新技术产业园区", "港区", "工业园区")


@dataclass
class Node:
    code: str
    name: str
    level: int
    kind: str = RegionKind.ADMIN
    counted_in_parent: bool = False
    parent: int | None = None
    children: list[int] = field(default_factory=list)
    weight: float = 0.0  # its size in townships, for additive figures
    path: str = ""
    pk: int | None = None


def allocate(total: int, parts: int, rng: random.Random, spread: float) -> list[int]:
    """Split `total` into `parts` uneven whole shares of at least 1 each."""
    weights = [rng.uniform(1 - spread, 1 + spread) for _ in range(parts)]
    raw = [total * w / sum(weights) for w in weights]
    shares = [max(1, int(x)) for x in raw]
    by_remainder = sorted(range(parts), key=lambda i: raw[i] - int(raw[i]), reverse=True)
    step = 0
    while sum(shares) < total:
        shares[by_remainder[step % parts]] += 1
        step += 1
    while sum(shares) > total:
        largest = max(range(parts), key=lambda i: shares[i])
        shares[largest] -= 1
    return shares


def unique_names(rng: random.Random, count: int, suffixes: Sequence[str]) -> list[str]:
    names: list[str] = []
    taken: set[str] = set()
    while len(names) < count:
        stem = rng.choice(NAME_STEMS) + rng.choice(NAME_STEMS)
        if stem[0] == stem[1] or stem in taken:
            continue
        taken.add(stem)
        names.append(stem + rng.choice(suffixes))
    return names


def build_tree(shape: Shape, rng: random.Random) -> list[Node]:
    """The regions top-down (every child after its parent), with their sizes."""
    nodes = [Node(PROVINCE_CODE, PROVINCE_NAME, RegionLevel.PROVINCE)]

    def add(node: Node, parent: int) -> int:
        node.parent = parent
        nodes.append(node)
        nodes[parent].children.append(len(nodes) - 1)
        return len(nodes) - 1

    city_names = unique_names(rng, shape.cities, (CITY_SUFFIX,))
    cities = [
        add(Node(f"{PROVINCE_CODE}{i:02d}", name, RegionLevel.CITY), 0)
        for i, name in enumerate(city_names, 1)
    ]
    counties = []
    for city, share in zip(cities, allocate(shape.counties, shape.cities, rng, 0.4), strict=True):
        for j, name in enumerate(unique_names(rng, share, COUNTY_SUFFIXES), 1):
            counties.append(add(Node(f"{nodes[city].code}{j:02d}", name, RegionLevel.COUNTY), city))
    for n, city in enumerate(cities[::2][: shape.county_zones]):
        zone = Node(
            f"{nodes[city].code}Z01",
            nodes[city].name.removesuffix(CITY_SUFFIX) + ZONE_SUFFIXES[n % len(ZONE_SUFFIXES)],
            RegionLevel.COUNTY,
            RegionKind.ZONE,
            counted_in_parent=n % 2 == 0,
            weight=rng.lognormvariate(1.1, 0.4),
        )
        add(zone, city)
    shares = allocate(shape.townships, shape.counties, rng, 0.5)
    for county, share in zip(counties, shares, strict=True):
        for k, name in enumerate(unique_names(rng, share, TOWNSHIP_SUFFIXES), 1):
            township = Node(
                f"{nodes[county].code}{k:03d}",
                name,
                RegionLevel.TOWNSHIP,
                weight=rng.lognormvariate(0, 0.5),
            )
            add(township, county)
    step = max(1, len(counties) // shape.township_zones)
    for n, county in enumerate(counties[::step][: shape.township_zones]):
        zone = Node(
            f"{nodes[county].code}Z01",
            nodes[county].name[:2] + ZONE_SUFFIXES[(n + 1) % len(ZONE_SUFFIXES)],
            RegionLevel.TOWNSHIP,
            RegionKind.ZONE,
            counted_in_parent=n % 2 == 1,
            weight=rng.lognormvariate(0.4, 0.4),
        )
        add(zone, county)
    for node in reversed(nodes):
        if node.children:
            node.weight = sum(
                nodes[c].weight for c in node.children if not nodes[c].counted_in_parent
            )
    for node in nodes:
        prefix = nodes[node.parent].path if node.parent is not None else ""
        node.path = f"{prefix}{node.code}{PATH_SEPARATOR}"
    return nodes
