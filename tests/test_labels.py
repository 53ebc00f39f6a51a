"""The translation table and number formats: every word in both languages, every key the code asks for there."""

import math
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.report import labels

ROOT = Path(__file__).resolve().parents[1]


def test_every_key_has_both_languages_and_no_empty_text():
    for key, entry in labels.table().items():
        assert set(entry) == {"nl", "en"}, key
        assert entry["nl"].strip() and entry["en"].strip(), key
        # the same placeholders in both languages: the numbers go into both
        assert sorted(re.findall(r"{(\w+)}", entry["nl"])) == sorted(re.findall(r"{(\w+)}", entry["en"])), key


def test_every_key_the_code_asks_for_is_in_the_table():
    pattern = re.compile(r"""(?:labels\.text|\bt)\(\s*["']([a-z_]+\.[a-z0-9_.\-]+)["']""")
    files = [*ROOT.joinpath("model").rglob("*.py"), ROOT / "notebooks" / "report.py"]
    asked = {key for f in files for key in pattern.findall(f.read_text(encoding="utf-8"))}
    assert len(asked) > 40
    missing = sorted(k for k in asked if not labels.has(k))
    assert not missing


def test_a_table_entry_without_a_language_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / "labels.yaml"
    bad.write_text('group.women: {en: "Women"}\n')
    monkeypatch.setattr(labels, "TABLE_FILE", bad)
    labels.table.cache_clear()
    try:
        with pytest.raises(labels.LabelError, match=r"labels.yaml: group.women: give exactly \['nl', 'en'\] as text"):
            labels.table()
    finally:
        labels.table.cache_clear()


def test_unknown_key_and_language():
    with pytest.raises(labels.LabelError, match="labels.yaml: no label 'group.students'"):
        labels.text("group.students", "en")
    with pytest.raises(labels.LabelError, match="lang: 'de' is not a language of the report; allowed: nl, en"):
        labels.text("group.women", "de")


@pytest.mark.parametrize("value, lang, decimals, sign, shown", [
    (1234.5, "en", 1, False, "1,234.5"), (1234.5, "nl", 1, False, "1.234,5"),
    (-0.0004, "en", 3, True, "0.000"), (3817000, "nl", 0, False, "3.817.000"),
    (0.5, "nl", 2, True, "+0,50"), (-17, "en", 0, True, "-17"),
])
def test_numbers_in_each_language(value, lang, decimals, sign, shown):
    assert labels.number(value, lang, decimals, sign) == shown


def test_a_number_that_is_not_finite_is_refused():
    with pytest.raises(ValueError, match="is not a finite number"):
        labels.number(math.nan, "en")


@given(st.floats(-1e9, 1e9, allow_nan=False), st.integers(0, 4))
def test_dutch_and_english_write_the_same_number(value, decimals):
    en, nl = labels.number(value, "en", decimals), labels.number(value, "nl", decimals)
    assert float(en.replace(",", "")) == float(nl.replace(".", "").replace(",", "."))


@pytest.mark.parametrize("value, shown", [(0.02, "0.02"), (0.25, "0.25"), (1.0, "1"), (0.004, "0.004"), (12.0, "12")])
def test_significant_digits(value, shown):
    assert labels.significant(value, "en") == shown
