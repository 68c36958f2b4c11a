"""A small JSON-schema subset, with the messages Bedrock's validator (everit) writes.

`violations(schema, value)` lists every problem as `#/path: message`, e.g.
`#/imageGenerationConfig/cfgScale: 10.5 is not less or equal to 10.0`. `conform(value, schema)`
bends an answer into a tool's `inputSchema` (drop unknown keys, fill required ones, respect
lengths, counts and enums), so an offline answer is always valid for the caller.

Supported keywords: type (one or a list), properties, required, additionalProperties (bool or
schema), items, enum, const, minLength, maxLength, pattern, minimum, maximum, exclusiveMinimum,
exclusiveMaximum, minItems, maxItems, anyOf/oneOf (first matching branch), default.
"""

from __future__ import annotations

import re
from typing import Any

_TYPE_NAMES = {
    "string": "String", "integer": "Integer", "number": "Number", "boolean": "Boolean",
    "object": "JSONObject", "array": "JSONArray", "null": "Null",
}


def found_name(value: Any) -> str:
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Double"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "JSONArray"
    if isinstance(value, dict):
        return "JSONObject"
    return type(value).__name__


def _is_type(value: Any, name: str) -> bool:
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "string":
        return isinstance(value, str)
    if name == "array":
        return isinstance(value, list)
    if name == "object":
        return isinstance(value, dict)
    return True


def _num(value: Any) -> str:
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _child(path: str, key: str | int) -> str:
    return f"{path}/{key}"


def violations(schema: dict, value: Any, path: str = "#") -> list[str]:
    """Every way `value` breaks `schema`, each as "#/pointer: message"."""
    out: list[str] = []
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            branches = [violations(b, value, path) for b in schema[keyword]]
            if not any(not b for b in branches):
                out.append(f"{path}: #: no subschema matched out of the total {len(branches)} subschemas")
            return out
    types = schema.get("type")
    if types is not None:
        names = types if isinstance(types, list) else [types]
        if not any(_is_type(value, n) for n in names):
            expected = _TYPE_NAMES.get(names[0], names[0]) if len(names) == 1 else \
                "one of " + ", ".join(_TYPE_NAMES.get(n, n) for n in names)
            return [f"{path}: expected type: {expected}, found: {found_name(value)}"]
    if "const" in schema and value != schema["const"]:
        out.append(f"{path}: {value} is not a valid enum value")
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{path}: {value} is not a valid enum value")
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            out.append(f"{path}: expected minLength: {schema['minLength']}, actual: {len(value)}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append(f"{path}: expected maxLength: {schema['maxLength']}, actual: {len(value)}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append(f"{path}: string [{value}] does not match pattern {schema['pattern']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{path}: {_num(value)} is not greater or equal to {_num(schema['minimum'])}")
        if "maximum" in schema and value > schema["maximum"]:
            out.append(f"{path}: {_num(value)} is not less or equal to {_num(schema['maximum'])}")
        ex_min, ex_max = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
        if isinstance(ex_min, (int, float)) and not isinstance(ex_min, bool) and value <= ex_min:
            out.append(f"{path}: {_num(value)} is not greater than {_num(ex_min)}")
        if isinstance(ex_max, (int, float)) and not isinstance(ex_max, bool) and value >= ex_max:
            out.append(f"{path}: {_num(value)} is not less than {_num(ex_max)}")
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            out.append(f"{path}: expected minimum item count: {schema['minItems']}, found: {len(value)}")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            out.append(f"{path}: expected maximum item count: {schema['maxItems']}, found: {len(value)}")
        items = schema.get("items")
        if isinstance(items, dict):
            for i, item in enumerate(value):
                out.extend(violations(items, item, _child(path, i)))
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                out.append(f"{path}: required key [{key}] not found")
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                out.extend(violations(props[key], item, _child(path, key)))
            elif extra is False:
                out.append(f"{path}: extraneous key [{key}] is not permitted")
            elif isinstance(extra, dict):
                out.extend(violations(extra, item, _child(path, key)))
    return out


# --- answers that fit a caller's schema -------------------------------------------------------
def _primary_type(schema: dict, value: Any = None) -> str | None:
    types = schema.get("type")
    if isinstance(types, list):
        for name in types:
            if value is not None and _is_type(value, name):
                return name
        non_null = [t for t in types if t != "null"]
        return non_null[0] if non_null else "null"
    if types:
        return types
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return None


def synthesize(schema: dict, hint: str = "value") -> Any:
    """A plausible value of `schema` when the answer has none."""
    if "default" in schema:
        return schema["default"]
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for keyword in ("anyOf", "oneOf"):
        if schema.get(keyword):
            return synthesize(schema[keyword][0], hint)
    kind = _primary_type(schema)
    if kind == "object":
        return conform({}, schema, hint)
    if kind == "array":
        items = schema.get("items", {})
        return [synthesize(items, hint) for _ in range(max(schema.get("minItems", 0), 0))]
    if kind == "string":
        pattern = schema.get("pattern", "")
        if "#" in pattern and "6" in pattern:
            return "#808080"
        text = hint.replace("_", " ")
        return conform(text, schema, hint)
    if kind == "integer":
        return int(schema.get("minimum", 0))
    if kind == "number":
        return float(schema.get("minimum", 0))
    if kind == "boolean":
        return False
    return None


def conform(value: Any, schema: dict, hint: str = "value") -> Any:
    """`value` bent to satisfy `schema` as far as it can be without inventing meaning."""
    if not isinstance(schema, dict) or not schema:
        return value
    for keyword in ("anyOf", "oneOf"):
        if schema.get(keyword):
            for branch in schema[keyword]:
                if not violations(branch, value):
                    return value
            return conform(value, schema[keyword][0], hint)
    kind = _primary_type(schema, value)
    types = schema.get("type")
    if value is None:
        allows_null = types == "null" or (isinstance(types, list) and "null" in types)
        return None if allows_null else synthesize(schema, hint)
    if schema.get("enum") and value not in schema["enum"]:
        lowered = {str(e).lower(): e for e in schema["enum"]}
        return lowered.get(str(value).lower(), schema["enum"][0])
    if kind == "object":
        if not isinstance(value, dict):
            value = {}
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        out: dict = {}
        for key, item in value.items():
            if key in props:
                if item is None and key not in schema.get("required", []) and not violations(props[key], None):
                    out[key] = None
                elif item is None and key not in schema.get("required", []):
                    continue
                else:
                    out[key] = conform(item, props[key], key)
            elif extra is not False:
                out[key] = item
        for key in schema.get("required", []):
            if key not in out:
                out[key] = synthesize(props.get(key, {}), key)
        return out
    if kind == "array":
        if not isinstance(value, list):
            value = [value]
        items = schema.get("items", {})
        value = [conform(v, items, hint) for v in value]
        if "maxItems" in schema:
            value = value[: schema["maxItems"]]
        while len(value) < schema.get("minItems", 0):
            value.append(value[len(value) % len(value)] if value else synthesize(items, hint))
        return value
    if kind == "string":
        text = value if isinstance(value, str) else str(value)
        if "maxLength" in schema and len(text) > schema["maxLength"]:
            text = text[: schema["maxLength"]].rstrip()
        while len(text) < schema.get("minLength", 0):
            text += "."
        return text
    if kind in ("integer", "number"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float(schema.get("minimum", 0))
        if "minimum" in schema:
            number = max(number, schema["minimum"])
        if "maximum" in schema:
            number = min(number, schema["maximum"])
        return int(round(number)) if kind == "integer" else number
    if kind == "boolean":
        return bool(value)
    return value
