"""The shape of the parts of `terraform show -json` output the plan reader uses, as a JSON Schema.

A plan comes from a pull request: a part of the wrong type must be an error naming its JSON path
(exit 2), never a traceback and never a part silently skipped (`resource_changes: "..."` would
otherwise drop every change and pass). Only what the reader reads is constrained; values
(`after`, `values`, `expressions`) stay free-form, as providers and Terraform versions differ.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

_STRING = {"type": "string"}
_OBJECT = {"type": "object"}
_MODE = {"enum": ["managed", "data"]}
_INDEX = {"type": ["integer", "string"]}

_PLANNED_RESOURCE = {
    "type": "object",
    "required": ["address", "type", "name"],
    "properties": {"address": _STRING, "mode": _MODE, "type": _STRING, "name": _STRING, "index": _INDEX,
                   "values": {"type": ["object", "null"]}},
}

_CHANGE = {
    "type": "object",
    "required": ["address", "type", "name", "change"],
    "properties": {
        "address": _STRING, "module_address": _STRING, "mode": _MODE, "type": _STRING, "name": _STRING,
        "index": _INDEX, "deposed": _STRING,
        "change": {"type": "object", "required": ["actions"],
                   "properties": {"actions": {"type": "array", "items": _STRING}}},
    },
}

_CONF_EXPRESSION = {"type": "object", "properties": {"references": {"type": "array"}}}

_CONF_RESOURCE = {
    "type": "object",
    "required": ["type", "name"],
    "properties": {"address": _STRING, "mode": _MODE, "type": _STRING, "name": _STRING,
                   "expressions": _OBJECT},
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["format_version"],
    "anyOf": [{"required": ["planned_values"]}, {"required": ["resource_changes"]}],
    "properties": {
        "format_version": _STRING,
        "errored": {"type": "boolean"},
        "complete": {"type": "boolean"},
        "planned_values": {"type": "object", "properties": {"root_module": {"$ref": "#/$defs/module"}}},
        "prior_state": {"type": "object", "properties": {
            "values": {"type": "object", "properties": {"root_module": {"$ref": "#/$defs/module"}}}}},
        "resource_changes": {"type": "array", "items": _CHANGE},
        "deferred_changes": {"type": "array", "items": {
            "type": "object", "properties": {"reason": _STRING, "resource_change": _CHANGE}}},
        "configuration": {"type": "object", "properties": {"root_module": {"$ref": "#/$defs/conf_module"}}},
        "variables": {"type": "object", "additionalProperties": _OBJECT},
    },
    "$defs": {
        "module": {
            "type": "object",
            "properties": {"address": _STRING, "resources": {"type": "array", "items": _PLANNED_RESOURCE},
                           "child_modules": {"type": "array", "items": {"$ref": "#/$defs/module"}}},
        },
        "conf_module": {
            "type": "object",
            "properties": {
                "resources": {"type": "array", "items": _CONF_RESOURCE},
                "module_calls": {"type": "object", "additionalProperties": {
                    "type": "object",
                    "properties": {"source": _STRING, "expressions": _OBJECT,
                                   "module": {"$ref": "#/$defs/conf_module"}}}},
                "outputs": {"type": "object", "additionalProperties": {
                    "type": "object", "properties": {"expression": _CONF_EXPRESSION}}},
                "variables": {"type": "object", "additionalProperties": {
                    "type": "object", "properties": {"sensitive": {"type": "boolean"}}}},
            },
        },
    },
}

_VALIDATOR = Draft202012Validator(SCHEMA)


def shape_errors(data: Any, limit: int = 3) -> list[str]:
    """What is wrong with the plan's shape, one line per problem naming its JSON path; [] when fine."""
    errors = sorted(_VALIDATOR.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    return [f"{error.json_path}: {_describe(error)}" for error in errors[:limit]]


def _describe(error: Any) -> str:
    if error.validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return f"expected {expected}, found {_type_name(error.instance)}"
    if error.validator == "anyOf" and not error.absolute_path:
        return "no planned_values or resource_changes"
    if error.validator == "enum":
        return f"expected one of {', '.join(map(str, error.validator_value))}"
    return error.message


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array",
            dict: "object"}.get(type(value), type(value).__name__)
