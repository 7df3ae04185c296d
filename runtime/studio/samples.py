"""Sample case data for live title examples and test runs.

Why invent data: an analyst designing a type has no cases yet, but the title
template's example and the test run's start form need values. A bundle's own
``samples/valid.json`` wins; otherwise each field gets a plausible value from
its type, format, enum, default or title.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from forms import validate_data

SAMPLE_FILE = "samples/valid.json"
BY_FORMAT = {"email": "someone@example.org", "uri": "https://example.org", "date": "2026-01-15",
             "date-time": "2026-01-15T09:30:00Z", "time": "09:30:00"}
MAX_DEPTH = 6


def sample_data(schema: Any, files: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The bundle's sample if it fits the schema, else values made up from the schema."""
    text = (files or {}).get(SAMPLE_FILE)
    if text:
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(schema, dict) and not validate_data(schema, data):
            return data
    made = _value(schema, "", 0)
    return made if isinstance(made, dict) else {}


def _value(schema: Any, name: str, depth: int) -> Any:
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return None
    for keyword in ("default", "const"):
        if keyword in schema:
            return schema[keyword]
    if schema.get("enum"):
        return schema["enum"][0]
    if schema.get("oneOf") and isinstance(schema["oneOf"][0], dict) \
            and "const" in schema["oneOf"][0]:
        return schema["oneOf"][0]["const"]
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    return _typed(schema, kind, name, depth)


def _typed(schema: dict[str, Any], kind: Any, name: str, depth: int) -> Any:
    if kind == "object" or "properties" in schema:
        props = schema.get("properties")
        out = {key: _value(sub, key, depth + 1)
               for key, sub in (props.items() if isinstance(props, dict) else [])}
        return {k: v for k, v in out.items() if v is not None}
    if kind == "array":
        item = _value(schema.get("items"), name, depth + 1)
        return [] if item is None else [item] * max(1, int(schema.get("minItems", 1) or 1))
    if kind in ("number", "integer"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        return max(int(low) + 1, 42) if kind == "integer" else max(float(low) + 1, 42.0)
    if kind == "boolean":
        return True
    if kind == "string":
        return _text(schema, name)
    return None


def _text(schema: dict[str, Any], name: str) -> str:
    if schema.get("format") in BY_FORMAT:
        return BY_FORMAT[schema["format"]]
    text = f"Sample {str(schema.get('title') or name).lower()}".strip()
    low, high = int(schema.get("minLength", 0) or 0), schema.get("maxLength")
    text = text.ljust(low, ".")
    return text[:int(high)] if isinstance(high, int) else text
