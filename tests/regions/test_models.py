import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from regions.choices import RegionKind, RegionLevel
from regions.models import Region
from tests.factories import RegionFactory


def test_a_region_stores_the_path_of_codes_from_the_top(pinghu):
    assert pinghu.path == "33/3304/330482/"
    assert [r.name for r in pinghu.ancestors()] == ["浙江省", "嘉兴市"]


def test_descendants_are_the_subtree(jiaxing, pinghu, nanhu, gangqu, zhengxiang):
    assert set(jiaxing.descendants()) == {pinghu, nanhu, gangqu}
    assert set(jiaxing.descendants(include_self=True)) == {jiaxing, pinghu, nanhu, gangqu}


def test_moving_a_region_carries_its_subtree_along(zhejiang, jiaxing, pinghu, zhengxiang):
    township = RegionFactory(
        code="330482100", name="乍浦镇", level=RegionLevel.TOWNSHIP, parent=pinghu
    )
    hengyang = zhengxiang.parent
    pinghu.parent = hengyang
    pinghu.save()
    township.refresh_from_db()
    assert township.path == "43/4304/330482/330482100/"


def test_a_region_cannot_move_under_its_own_child(jiaxing, pinghu):
    jiaxing.parent = pinghu
    with pytest.raises(ValidationError) as error:
        jiaxing.full_clean()
    assert "parent" in error.value.message_dict


def test_a_region_cannot_be_its_own_parent(jiaxing):
    jiaxing.parent = jiaxing
    with pytest.raises(ValidationError) as error:
        jiaxing.full_clean()
    assert "parent" in error.value.message_dict


def test_a_county_cannot_sit_under_a_county(pinghu, nanhu):
    nanhu.parent = pinghu
    with pytest.raises(ValidationError) as error:
        nanhu.full_clean()
    assert "parent" in error.value.message_dict


def test_a_zone_may_sit_under_a_county(pinghu):
    zone = Region(
        code="330482Z1",
        name="独山港区",
        level=RegionLevel.COUNTY,
        kind=RegionKind.ZONE,
        parent=pinghu,
    )
    zone.full_clean()


def test_a_duplicate_code_is_reported_at_the_code_field(jiaxing):
    duplicate = Region(code="3304", name="重复", level=RegionLevel.CITY, parent=jiaxing.parent)
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            duplicate.full_clean()
        assert error.value.message_dict["code"] == ["A region with this code exists already."]


def test_the_database_refuses_a_duplicate_code(jiaxing):
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(code="3304", name="重复", level=RegionLevel.CITY, path="x/")


def test_only_a_zone_can_be_counted_in_its_parent(jiaxing):
    county = Region(
        code="330499", name="某县", level=RegionLevel.COUNTY, counted_in_parent=True, parent=jiaxing
    )
    with pytest.raises(ValidationError) as error:
        county.full_clean()
    assert "counted_in_parent" in error.value.message_dict


def test_a_code_takes_no_slash(zhejiang):
    region = Region(code="33/04", name="坏", level=RegionLevel.CITY, parent=zhejiang)
    with pytest.raises(ValidationError) as error:
        region.full_clean()
    assert "code" in error.value.message_dict
