"""Output schemas in the form that is cheapest for a client to validate.

Pydantic describes nested models with `$defs`/`$ref` and optional fields with
`anyOf: [{...}, {"type": "null"}]`. Both are correct but slow to validate with
`jsonschema`, which every MCP client SDK runs on each tool result. `compact_schema`
returns an equivalent schema with references inlined and simple nullable unions
written as `"type": [T, "null"]`; descriptions are kept, generated titles dropped.
"""

from __future__ import annotations

from typing import Any

DEFS_KEYS = ("$defs", "definitions")
_SIMPLE_KEYS = frozenset({"type", "description", "format", "items", "properties", "required",
                          "additionalProperties", "minimum", "maximum", "minLength", "maxLength"})


def compact_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with local `$ref`s inlined and `anyOf [T, null]` folded into a type list."""
    definitions: dict[str, Any] = {}
    for key in DEFS_KEYS:
        definitions.update(schema.get(key) or {})
    result = _compact(schema, definitions, ())
    if not isinstance(result, dict):
        raise TypeError("a JSON schema must be an object")
    return result


def _compact(node: Any, definitions: dict[str, Any], seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_compact(item, definitions, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(("#/$defs/", "#/definitions/")):
        name = ref.rsplit("/", 1)[-1]
        if name in seen or name not in definitions:
            raise ValueError(f"cannot inline the schema reference {ref!r}")
        target = _compact(definitions[name], definitions, (*seen, name))
        extra = {k: _compact(v, definitions, seen) for k, v in node.items() if k != "$ref"}
        return {**target, **extra}
    out = {key: _compact(value, definitions, seen) for key, value in node.items()
           if key not in DEFS_KEYS and key != "title"}
    options = out.get("anyOf")
    if isinstance(options, list) and len(options) == 2 and {"type": "null"} in options:
        other = options[0] if options[1] == {"type": "null"} else options[1]
        if isinstance(other, dict) and isinstance(other.get("type"), str) and set(other) <= _SIMPLE_KEYS:
            rest = {key: value for key, value in out.items() if key != "anyOf"}
            return {**other, **rest, "type": [other["type"], "null"]}
    return out
