"""Words and numbers in Dutch or English, from the one translation table ``labels.yaml``.

Charts, the report and the what-if page take every word they show from here, so
the Dutch and English versions differ in words and number format only, never in
figures. Numbers are formatted for the language: ``1,234.5`` in English,
``1.234,5`` in Dutch.

Example:
    >>> text("group.women", "nl")
    'Vrouwen'
    >>> number(1234.5, "nl", decimals=1)
    '1.234,5'
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import yaml

LANGUAGES = ("nl", "en")
TABLE_FILE = Path(__file__).with_name("labels.yaml")


class LabelError(KeyError):
    """A key or language that the translation table does not have."""

    def __str__(self) -> str:
        return str(self.args[0])


@functools.cache
def table() -> dict[str, dict[str, str]]:
    """The translation table: ``{key: {"nl": ..., "en": ...}}``, every key in both languages (checked)."""
    raw = yaml.safe_load(TABLE_FILE.read_text(encoding="utf-8"))
    for key, entry in raw.items():
        if not isinstance(entry, dict) or set(entry) != set(LANGUAGES) or not all(isinstance(v, str) for v in entry.values()):
            raise LabelError(f"{TABLE_FILE}: {key}: give exactly {list(LANGUAGES)} as text, got {entry!r}")
    return raw


def check_language(lang: str) -> str:
    """``lang`` if it is a language of the table.

    Raises:
        LabelError: naming the allowed languages.
    """
    if lang not in LANGUAGES:
        raise LabelError(f"lang: {lang!r} is not a language of the report; allowed: {', '.join(LANGUAGES)}")
    return lang


def has(key: str) -> bool:
    """Whether the table has ``key``."""
    return key in table()


def text(key: str, lang: str, **values: object) -> str:
    """The text of ``key`` in ``lang``, with ``{names}`` filled in from ``values``.

    Raises:
        LabelError: for an unknown key or language.
    """
    check_language(lang)
    try:
        entry = table()[key]
    except KeyError:
        raise LabelError(f"{TABLE_FILE.name}: no label {key!r}") from None
    return entry[lang].format(**values) if values else entry[lang]


def group(name: str, lang: str) -> str:
    """A group's name (``women`` -> ``Vrouwen``)."""
    return text(f"group.{name}", lang)


def scenario(name: str, title: str, lang: str) -> str:
    """A scenario's short name: the table's for a shipped scenario, else its own title."""
    return text(f"scenario.{name}", lang) if has(f"scenario.{name}") else title


def number(value: float, lang: str, decimals: int = 0, sign: bool = False) -> str:
    """A number with the language's separators, ``decimals`` after the mark, and a sign if asked.

    Raises:
        ValueError: for a number that is not finite (a figure in a report must be).
    """
    check_language(lang)
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"number: {value!r} is not a finite number")
    if round(value, decimals) == 0:
        value, sign = 0.0, False  # no "-0" and no "+0": a zero has no sign
    shown = f"{value:{'+' if sign else ''},.{decimals}f}"
    if lang == "nl":  # swap the separators: 1,234.5 -> 1.234,5
        shown = shown.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return shown


def significant(value: float, lang: str, sign: bool = False) -> str:
    """A number rounded to what a reader needs: whole numbers from 10 up, else 2 significant digits."""
    size = abs(float(value))
    decimals = 0 if size >= 10 or size == 0 else max(0, 1 - math.floor(math.log10(size)))
    shown = number(value, lang, decimals, sign)
    if decimals:  # 0.020 -> 0.02: the digits that carry information only
        shown = shown.rstrip("0").rstrip(",." if lang == "en" else ",")
    return shown


def percent(fraction: float, lang: str, decimals: int = 1, sign: bool = False) -> str:
    """A fraction as a percentage number, without the % sign (the template places it)."""
    return number(100 * float(fraction), lang, decimals, sign)
