"""Reading YAML input safely, with messages that name the file and the key.

Every YAML file the model reads (parameters, scenarios, targets, calibration
configs, the calibrated file) goes through :func:`parse_yaml`, which

- refuses aliases (``*name``): a "billion laughs" document cannot expand;
- refuses nesting deeper than ``MAX_DEPTH`` and files larger than ``MAX_BYTES``;
- keeps dates as text (``2025-02-30`` is then reported with its key by the
  reader, not as a bare "day is out of range");
- refuses a key given twice in one mapping.

:func:`excerpt` shortens any value quoted in a message.
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

MAX_BYTES = 1_000_000
MAX_DEPTH = 32
EXCERPT_CHARS = 80


def excerpt(value: Any, limit: int = EXCERPT_CHARS) -> str:
    """``repr(value)`` cut to ``limit`` characters, for messages (any value: one too large to show is described)."""
    try:
        text = repr(value)
    except ValueError:  # an integer of more digits than Python converts to text (4,300 by default)
        return f"an integer of about {int(value.bit_length() * 0.30103):,} digits" if isinstance(value, int) \
            else f"a {type(value).__name__} that cannot be shown"
    except Exception:  # noqa: BLE001 - a value whose repr fails is still named by its type
        return f"a {type(value).__name__} that cannot be shown"
    return text if len(text) <= limit else text[: limit - 4] + " ..."


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader without aliases, deep nesting, implicit dates or repeated keys."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):  # noqa: D102 (PyYAML hook)
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed", event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels",
                                                  self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):  # noqa: D102 (PyYAML hook)
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                repeated = key in seen
            except TypeError:  # an unhashable key: PyYAML reports it
                break
            if repeated:
                raise yaml.constructor.ConstructorError(None, None, f"key {excerpt(key)} is given twice",
                                                        key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


# Dates stay text: the readers parse them and name the key when one is impossible.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_yaml(text: str, source: str, error: type[Exception]) -> Any:
    """Parse YAML ``text`` read from ``source``.

    Raises:
        error: "<source>: not valid YAML: ..." with the line, for any problem.
    """
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise error(f"{source}: larger than {MAX_BYTES:,} bytes; not read")
    try:
        return pickle.loads(_parsed(text))  # a fresh copy each time: a caller may change what it gets
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"{source}: not valid YAML{where}: {problem}") from None
    except RecursionError:
        raise error(f"{source}: nested too deeply") from None


@functools.lru_cache(maxsize=256)
def _parsed(text: str) -> bytes:
    """The parsed document of ``text``, pickled; parsed once per process.

    A sweep or a test session loads the same parameter files for every run: PyYAML took half a second
    for them each time, unpickling takes a fiftieth of that. What fails to parse is not kept.
    """
    return pickle.dumps(yaml.load(text, Loader=_StrictLoader), protocol=pickle.HIGHEST_PROTOCOL)  # noqa: S506


def read_text(path: Path, error: type[Exception], what: str) -> str:
    """The text of ``path``, refusing what is not a readable UTF-8 file of reasonable size.

    Raises:
        error: naming the file: not found, a folder, too large, not UTF-8, unreadable.
    """
    try:
        if path.is_dir():
            raise error(f"{path}: is a folder, not a {what}")
        if not path.is_file():
            raise error(f"{path}: {what} not found")
        if path.stat().st_size > MAX_BYTES:
            raise error(f"{path}: larger than {MAX_BYTES:,} bytes; not a {what}")
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise error(f"{path}: not a UTF-8 text file") from None
    except OSError as exc:
        raise error(f"{shown_path(path)}: cannot read the {what}: {exc.strerror or exc}") from None


def shown_path(path: Path | str, limit: int = 120) -> str:
    """A path for a message: whole if short, else its first ``limit`` characters and ``...``."""
    text = str(path)
    return text if len(text) <= limit else text[: limit - 4] + " ..."


def validation_lines(exc: ValidationError, source: str, schema: type[BaseModel],
                     nested: Mapping[str, type[BaseModel]] | None = None,
                     patterns: Mapping[str, str] | None = None, allowed_order: list[str] | None = None) -> list[str]:
    """One message per problem of a pydantic validation, naming the source and the key."""
    lines = []
    for e in exc.errors():
        key = ".".join(str(x) for x in e["loc"]) or "(top level)"
        if e["type"] == "extra_forbidden":
            model = next((m for prefix, m in (nested or {}).items() if key.startswith(prefix)), schema)
            allowed = allowed_order if model is schema and allowed_order else list(model.model_fields)
            lines.append(f"{source}: key '{key}' is not allowed; allowed keys: {', '.join(allowed)}")
        elif e["type"] == "missing":
            lines.append(f"{source}: key '{key}' is required")
        elif e["type"] == "string_pattern_mismatch" and patterns and key in patterns:
            lines.append(f"{source}: key '{key}': got {excerpt(e.get('input'))}; expected {patterns[key]}")
        else:
            lines.append(f"{source}: key '{key}': {e['msg']} (got {excerpt(e.get('input'))})")
    return lines


def read_validated[Schema: BaseModel](path: Path, schema: type[Schema], error: type[Exception], what: str,
                   nested: Mapping[str, type[BaseModel]] | None = None) -> tuple[Schema, str]:
    """Read ``path`` and validate it with ``schema``.

    Args:
        path: The YAML file.
        schema: Pydantic model of the file (unknown keys should be forbidden).
        error: Exception raised for any problem, with one line per problem.
        what: What the file is, for messages ("calibration config").
        nested: For keys under a prefix (``"parameters."``), the model whose
            keys are allowed there, for the "not allowed" message.

    Returns:
        The validated model and the file's text.
    """
    text = read_text(path, error, what)
    raw = parse_yaml(text, str(path), error)
    if not isinstance(raw, dict):
        raise error(f"{path}: a {what} must be a mapping; allowed keys: {', '.join(schema.model_fields)}")
    try:
        return schema.model_validate(raw), text
    except ValidationError as exc:
        raise error("\n".join(validation_lines(exc, str(path), schema, nested))) from None
