"""The checks of codes and names shared by both apps, and the <code:…> part of addresses."""

import csv
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError
from django.urls import resolve, reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from regions.loading import DATA_DIR
from regions.validators import one_line, validate_code, validate_one_line, validate_text

GOOD_CODES = ["33", "3304Z01", "330482100", "VT_TRAINED", "GEN90-VT-TRAINED", "A.1", "x"]
BAD_CODES = ["VT/TRAINED", "a b", "50%", "?x", "#x", ".", "..", ".hidden", "-x", "_x", "甲", ""]
BROKEN_NAMES = [
    "职业技能\n培训人数",  # Alt+Enter in an Excel cell
    "职业技能\r\n培训人数",
    "职业\x00技能",
    "职业\t技能",
    "职业\u200b技能",  # zero-width space
    "职业\u202e技能",  # right-to-left override
    "职业\u2066技能\u2069",  # bidi isolate
    "\ufeff职业技能",  # byte order mark
    "职业\u2028技能",  # line separator
    "职业\x85技能",  # next line (C1)
]


@pytest.mark.parametrize("code", GOOD_CODES)
def test_a_code_of_letters_digits_and_dashes_passes(code):
    validate_code(code)


@pytest.mark.parametrize("code", BAD_CODES)
def test_a_code_that_would_break_an_address_is_refused(code):
    with pytest.raises(ValidationError) as error:
        validate_code(code)
    assert error.value.code == "invalid_code"


def messages(validator, value, language) -> list[str]:
    with pytest.raises(ValidationError) as error:
        validator(value)
    with translation.override(language):  # the messages are translated when read
        return error.value.messages


def test_the_code_message_speaks_chinese_and_english():
    assert messages(validate_code, "a/b", "zh-hans")[0].startswith("代码只能使用英文字母")
    assert messages(validate_code, "a/b", "en")[0].startswith("Use only Latin letters")


@pytest.mark.parametrize("name", BROKEN_NAMES)
def test_a_name_not_on_one_line_is_refused(name):
    with pytest.raises(ValidationError) as error:
        validate_one_line(name)
    assert error.value.code == "not_one_line"


def test_the_name_message_says_which_invisible_characters_in_both_languages():
    assert messages(validate_one_line, "a\nb\u200bc\nd", "zh-hans") == [
        "请保持在一行内：删除换行符和不可见的控制字符（U+000A, U+200B）。"
    ]
    assert messages(validate_one_line, "a\nb", "en") == [
        "Keep this on one line: remove the line breaks and invisible control characters (U+000A)."
    ]


@pytest.mark.parametrize(
    "name", ["嘉兴港区", "年轻干部“成长导师”结对", "Region 1", "e·x (Ⅱ)", "鿰 \ue000 private use"]
)
def test_ordinary_names_pass(name):
    validate_one_line(name)


def test_a_longer_text_keeps_its_lines_but_not_nul():
    validate_text("第一段\n第二段\r\n\t缩进")
    with pytest.raises(ValidationError):
        validate_text("有\x00空字符")


def test_one_line_puts_any_stored_text_on_one_bounded_line():
    assert one_line("职业技能\r\n培训\u202e人数\x00", 100) == "职业技能 培训 人数"
    long = one_line("长" * 500, 20)
    assert len(long) == 20 and long.endswith("…")


@pytest.mark.parametrize("name", ["provinces.csv", "cities.csv", "areas.csv", "streets.csv"])
def test_every_row_of_the_national_list_passes(name):
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        validate_code(row["code"])
        validate_one_line(row["name"])


# --- Addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", GOOD_CODES)
def test_a_valid_code_is_the_address_as_it_was(code):
    assert reverse("public:region", args=[code]) == f"/regions/{code}/"
    assert reverse("public:indicator", args=[code]) == f"/indicators/{code}/"


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=30))
def test_any_stored_code_makes_an_address_that_leads_back_to_it(code):
    """Even a code stored before the checks ("a/b", "..", "50%"): reversing never fails, and the
    address, once the server has unescaped it, resolves to that very code."""
    for name in ("public:region", "public:indicator", "programs:year_report_start"):
        url = reverse(name, args=[code])
        match = resolve(unquote(url))
        assert match.kwargs["code"] == code
    url = reverse("programs:grid_start", args=[code, 1])
    assert resolve(unquote(url)).kwargs["region_code"] == code


def test_dot_codes_are_not_folders():
    assert reverse("public:region", args=[".."]) == "/regions/%252E%252E/"
