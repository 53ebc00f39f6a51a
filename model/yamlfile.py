"""Reading a YAML file into a pydantic model, with messages that name the file and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Schema = TypeVar("Schema", bound=BaseModel)


def read_validated(path: Path, schema: type[Schema], error: type[Exception], what: str,
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
    if not path.is_file():
        raise error(f"{path}: {what} not found")
    text = path.read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise error(f"{path}: a {what} must be a mapping; allowed keys: {', '.join(schema.model_fields)}")
    try:
        return schema.model_validate(raw), text
    except ValidationError as exc:
        lines = []
        for e in exc.errors():
            key = ".".join(str(x) for x in e["loc"])
            if e["type"] == "extra_forbidden":
                allowed = next((m for prefix, m in (nested or {}).items() if key.startswith(prefix)), schema).model_fields
                lines.append(f"{path}: key '{key}' is not allowed; allowed keys: {', '.join(allowed)}")
            else:
                got = f" (got {e['input']!r})" if e["type"] != "missing" else ""
                lines.append(f"{path}: key '{key}': {e['msg']}{got}")
        raise error("\n".join(lines)) from None
