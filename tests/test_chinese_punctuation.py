"""Chinese text uses full-width punctuation (，：；（）！？), as Chinese government sites write it:
every msgstr of the zh_Hans catalog and every Chinese text in the templates. Numbers (10,000),
placeholders (%(name)s), code (`…`) and English phrases keep their half-width marks."""

import re
from pathlib import Path

import pytest

from tests.test_translations import ENTRIES

ROOT = Path(__file__).resolve().parents[1]

HAN = r"[\u4e00-\u9fff“”‘’、。）（，：；]"
# A half-width mark touching a Chinese character on either side (a thousands separator between
# digits, a placeholder's "%(" and code spans are taken out first).
MIXED = re.compile(rf"{HAN}[,:;!?()]|[,:;!?()]{HAN}")
NOT_TEXT = re.compile(r"`[^`]*`|%\([a-z_]+\)[sdf]|\{[a-z_]+\}|https?://\S+|\{%.*?%\}|\{\{.*?\}\}")


def half_width_marks(text: str) -> list[str]:
    text = NOT_TEXT.sub("X", text)
    return [text[max(0, m.start() - 8) : m.end() + 8] for m in MIXED.finditer(text)]


def test_the_check_finds_half_width_marks_in_chinese_and_only_there():
    assert len(half_width_marks("区域:新增3个,更新0个")) == 2
    assert len(half_width_marks("请填写(数字)")) == 2
    assert half_width_marks("一次最多 10,000 条，%(count)d 行（`a: b`）") == []
    assert half_width_marks("Sub-regions (sum): 1,200") == []


def test_every_chinese_translation_uses_full_width_punctuation():
    found = {
        entry["msgid"]: marks
        for entry in ENTRIES
        if (marks := half_width_marks(entry.get("msgstr", "")))
    }
    assert found == {}


@pytest.mark.parametrize(
    "path",
    sorted(p.relative_to(ROOT) for p in (ROOT / "templates").rglob("*.html")),
    ids=str,
)
def test_every_template_writes_chinese_with_full_width_punctuation(path):
    assert half_width_marks((ROOT / path).read_text(encoding="utf-8")) == []
