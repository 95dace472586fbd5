import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from regions.choices import RegionLevel
from regions.loading import load_divisions
from regions.models import Region

pytestmark = pytest.mark.django_db


def test_load_regions_gives_the_counties_under_their_cities_and_provinces():
    result = load_divisions()
    assert Region.objects.filter(level=RegionLevel.PROVINCE).count() == 31
    assert 2900 <= Region.objects.filter(level=RegionLevel.COUNTY).count() <= 3000
    assert result.created == Region.objects.count()
    pinghu = Region.objects.get(code="330482")
    assert [r.name for r in pinghu.ancestors()] + [pinghu.name] == ["浙江省", "嘉兴市", "平湖市"]
    assert pinghu.path == "33/3304/330482/"


def test_a_municipalitys_districts_hang_directly_under_it():
    load_divisions()
    dongcheng = Region.objects.get(code="110101")
    assert dongcheng.parent.name == "北京市"
    assert not Region.objects.filter(name="市辖区").exists()


def test_rerunning_changes_nothing_and_duplicates_nothing(capsys):
    call_command("load_regions")
    count = Region.objects.count()
    capsys.readouterr()
    with translation.override("en"):
        call_command("load_regions")
    assert Region.objects.count() == count
    assert "0 created, 0 updated" in capsys.readouterr().out


def test_rerunning_after_an_update_renames_and_moves_in_place_with_what_hangs_below():
    load_divisions()
    pinghu = Region.objects.get(code="330482")
    zone = Region.objects.create(
        code="330482Z1", name="独山港区", level=RegionLevel.COUNTY, kind="zone", parent=pinghu
    )
    # As if the file had listed Pinghu under Hangzhou with another name before this update.
    hangzhou = Region.objects.get(code="3301")
    pinghu.name, pinghu.parent = "旧名", hangzhou
    pinghu.save()
    zone.refresh_from_db()
    assert zone.path.startswith("33/3301/")

    result = load_divisions()
    pinghu.refresh_from_db()
    zone.refresh_from_db()
    assert result.updated == 1
    assert (pinghu.name, pinghu.parent.code) == ("平湖市", "3304")
    assert zone.path == "33/3304/330482/330482Z1/"


def test_townships_load_on_request():
    load_divisions(townships=True)
    zhapu = Region.objects.get(name="乍浦镇", parent__code="330482")
    assert zhapu.level == RegionLevel.TOWNSHIP
    assert zhapu.path == f"33/3304/330482/{zhapu.code}/"
    assert Region.objects.filter(level=RegionLevel.TOWNSHIP).count() > 40000


def test_a_file_row_with_a_name_on_two_lines_loads_nothing(tmp_path, monkeypatch):
    """The national list meets the checks of every other path (regions.validators): a damaged
    file stops the load, whole, before the tree gets a name on two lines."""
    (tmp_path / "provinces.csv").write_text('code,name\n33,"浙江省"\n43,"湖南\n省"\n', "utf-8")
    (tmp_path / "cities.csv").write_text("code,name,provinceCode\n", "utf-8")
    (tmp_path / "areas.csv").write_text("code,name,cityCode,provinceCode\n", "utf-8")
    monkeypatch.setattr("regions.loading.DATA_DIR", tmp_path)
    with pytest.raises(ValidationError) as error:
        load_divisions()
    assert "43 '湖南\\n省'" in error.value.messages[0]
    assert not Region.objects.exists()
