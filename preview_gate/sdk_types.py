"""What the provider SDKs declare: each resource class's output properties and each function's result type.

The Python SDKs carry the providers' schemas in their `@pulumi.getter` annotations, so the gate shapes
every value it answers the way the provider would return it instead of echoing inputs (a policy given
as a dict comes back as the JSON string the aws provider stores), and leaves *unknown* what it cannot
compute, as `pulumi preview` does. The runner learns the classes by watching the SDK register
resources and invoke functions (`install_hooks`); nothing here runs outside the program's process.
"""

from __future__ import annotations

import base64
import collections.abc as abc
import contextvars
import inspect
import json
import sys
import typing
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable

from pulumi.runtime.rpc import UNKNOWN
from pulumi.runtime.rpc import _special_secret_sig as SECRET_SIG
from pulumi.runtime.rpc import _special_sig_key as SIG_KEY

# A string that stands for a value the gate does not know, where the SDK cannot hold an unknown (a plain
# function call's result is built eagerly and type-checked). The gate reads any string containing it as
# unknown, so a program that builds text from it ("ami-" + ...) produces an unknown input, as in preview.
STAND_IN = f"{UNKNOWN}/unknown-to-the-gate"
# Result fields the provider returns base64-encoded (ECR's "user:password" authorization tokens): the
# stand-in decodes to "STAND_IN:STAND_IN", so a program that decodes and splits it still runs.
BASE64_FIELDS = frozenset({"authorizationToken"})
BASE64_STAND_IN = base64.b64encode(f"{STAND_IN}:{STAND_IN}".encode()).decode()

_MISMATCH = object()
OUTPUT_FORM: contextvars.ContextVar[bool] = contextvars.ContextVar("cicd_guard_output_form", default=False)


@dataclass
class Declared:
    """The SDK classes seen while the program ran: type token -> resource class / function result type."""

    resources: dict[str, type] = field(default_factory=dict)
    functions: dict[str, type] = field(default_factory=dict)
    untyped: dict[str, list[str]] = field(default_factory=dict)  # token -> outputs a class without getters
    # asked for by passing None (the SDK leaves them out of the request)


DECLARED = Declared()
_installed = False


def install_hooks(declared: Declared = DECLARED) -> None:
    """Watch the SDK's own registration and invoke paths (once per process) to learn the classes."""
    global _installed
    if _installed:
        return
    import pulumi.resource as resource_module
    import pulumi.runtime as runtime

    invoke_module = sys.modules["pulumi.runtime.invoke"]

    def watch_resource(original: Callable, props_at: int) -> Callable:
        def wrapper(res: Any, ty: str, *args: Any, **kwargs: Any) -> Any:
            declared.resources.setdefault(ty, type(res))
            props = args[props_at] if len(args) > props_at else kwargs.get("props")
            if isinstance(props, dict) and not resource_outputs(type(res)):
                declared.untyped[ty] = sorted(k for k, v in props.items() if v is None)
            return original(res, ty, *args, **kwargs)
        return wrapper

    original_invoke = invoke_module._invoke

    def _invoke(tok: str, props: Any, opts: Any, typ: Any, *args: Any, **kwargs: Any) -> Any:
        if typ is not None:
            declared.functions.setdefault(tok, typ)
        return original_invoke(tok, props, opts, typ, *args, **kwargs)

    original_output = runtime.invoke_output

    def invoke_output(*args: Any, **kwargs: Any) -> Any:
        token = OUTPUT_FORM.set(True)  # the invoke's task copies this context: its monitor call sees it
        try:
            return original_output(*args, **kwargs)
        finally:
            OUTPUT_FORM.reset(token)

    # register_resource(res, ty, name, custom, remote, new_dependency, props, ...), read_resource(res, ty,
    # name, props, ...)
    resource_module.register_resource = watch_resource(resource_module.register_resource, 4)
    resource_module.read_resource = watch_resource(resource_module.read_resource, 1)
    invoke_module._invoke = _invoke
    runtime.invoke_output = invoke_output
    invoke_module.invoke_output = invoke_output
    _installed = True


def is_unknown(value: Any) -> bool:
    """The engine's unknown, or text built from a stand-in."""
    return isinstance(value, str) and (UNKNOWN in value or BASE64_STAND_IN in value)


# --- declared shapes ---------------------------------------------------------------------------------

def _hints(cls: type) -> dict[str, Any]:
    """Pulumi property name -> the getter's return annotation (Output/Optional kept)."""
    from pulumi import _types

    try:
        return dict(_types._raw_return_hints(cls))
    except Exception:  # noqa: BLE001 - an SDK whose annotations do not resolve: shape nothing
        return {}


def resource_outputs(cls: type | None) -> dict[str, Any]:
    """The output properties a resource class declares (not `id`/`urn`)."""
    if cls is None:
        return {}
    return {k: v for k, v in _hints(cls).items() if k not in ("id", "urn")}


def resource_inputs(cls: type | None) -> set[str]:
    """Pulumi names of the properties a program may set (the rest are computed by the provider)."""
    if cls is None:
        return set()
    from pulumi import _types

    init = getattr(cls, "_internal_init", None)
    if init is None:
        return set()
    try:
        names = _types.resource_py_to_pulumi_names(cls)
        params = inspect.signature(init).parameters
    except Exception:  # noqa: BLE001
        return set()
    return {names.get(p, p) for p in params if p not in ("__self__", "resource_name", "opts")}


def _unwrap(hint: Any) -> tuple[Any, bool]:
    """(T, optional) from Output[T], Optional[T], Input[T]."""
    from pulumi import Output

    optional = False
    while True:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin is Output and args:
            hint = args[0]
        elif origin is typing.Union and type(None) in args:
            optional = True
            rest = [a for a in args if a is not type(None)]
            hint = rest[0] if len(rest) == 1 else typing.Union[tuple(rest)]
        else:
            return hint, optional


def is_optional(hint: Any) -> bool:
    return _unwrap(hint)[1]


def _is_output_type(hint: Any) -> bool:
    from pulumi import _types

    return isinstance(hint, type) and _types.is_output_type(hint)


def fields_of(cls: type) -> dict[str, Any]:
    """An output type's fields: Pulumi name -> annotation."""
    return _hints(cls)


# --- conforming a value to its declared type ----------------------------------------------------------

def conform(value: Any, hint: Any, fill: Callable[[str, Any], Any] | None = None) -> Any:
    """`value` as the provider returns a property of type `hint`; UNKNOWN when it cannot have that shape.

    Policy documents given as objects come back JSON-encoded (the aws provider stores the text); a list
    of keys given for a map-typed output becomes that map (azure-native's user-assigned identities).
    `fill(name, type)` supplies fields of an object the provider computes (e.g. an identity's principal).
    """
    result = _conform(value, hint, fill)
    return UNKNOWN if result is _MISMATCH else result


def _conform(value: Any, hint: Any, fill: Callable[[str, Any], Any] | None) -> Any:
    if value is None or is_unknown(value):
        return value
    hint, _ = _unwrap(hint)
    if hint is Any or hint is object or isinstance(hint, (typing.TypeVar, str)):
        return value
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union:
        for member in args:
            shaped = _conform(value, member, fill)
            if shaped is not _MISMATCH:
                return shaped
        return _MISMATCH
    if hint is str or (isinstance(hint, type) and issubclass(hint, str)):
        return _text(value)
    if hint is bool:
        return value if isinstance(value, bool) else _MISMATCH
    if hint in (int, float):
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else _MISMATCH
    if isinstance(hint, type) and issubclass(hint, Enum):
        return value
    if origin in (list, abc.Sequence, typing.Sequence) or hint in (list, abc.Sequence):
        item = args[0] if args else Any
        if not isinstance(value, list):
            return _MISMATCH
        shaped = [_conform(v, item, fill) for v in value]
        return [UNKNOWN if v is _MISMATCH else v for v in shaped]
    if origin in (dict, abc.Mapping, typing.Mapping) or hint in (dict, abc.Mapping):
        item = args[1] if len(args) == 2 else Any
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = {v: {} for v in value}  # keys given as a list, returned as a map
        if not isinstance(value, dict):
            return _MISMATCH
        shaped = {k: _conform(v, item, fill) for k, v in value.items()}
        return {k: UNKNOWN if v is _MISMATCH else v for k, v in shaped.items()}
    if _is_output_type(hint):
        if not isinstance(value, dict):
            return _MISMATCH
        return _object(value, hint, fill)
    return value


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json_document(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return _MISMATCH


def json_document(value: dict[str, Any] | list[Any]) -> str:
    """An object given for a text property, as the bridged aws provider's Check stores it (the bridge's
    TransformJSONDocument): JSON text, or wholly unknown when any part of it is unknown, since an
    unknown cannot be encoded. So a policy document with one unknown leaf reaches policies as one
    unknown string in a real `pulumi preview`, never as a partly known document."""
    if _holds_unknown(value):
        return UNKNOWN
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _holds_unknown(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_holds_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_unknown(v) for v in value)
    return is_unknown(value)


def checked_inputs(cls: type | None, inputs: dict[str, Any]) -> dict[str, Any]:
    """Inputs as the provider's Check returns them to the engine, which analyzes those: an object or list
    given for a property the provider declares as text becomes that text (json_document)."""
    declared = resource_outputs(cls)
    return {key: _as_text(value) if key in declared and _is_text(declared[key]) else value
            for key, value in inputs.items()}


def _as_text(value: Any) -> Any:
    """A document as text; a secret stays a secret around its text; assets and other text stay as given."""
    if isinstance(value, dict) and SIG_KEY in value:
        if value[SIG_KEY] == SECRET_SIG and "value" in value:
            return {**value, "value": _as_text(value["value"])}
        return value
    return json_document(value) if isinstance(value, (dict, list)) else value


def _is_text(hint: Any) -> bool:
    hint, _ = _unwrap(hint)
    return hint is str or (isinstance(hint, type) and issubclass(hint, str))


def _object(value: dict[str, Any], cls: type, fill: Callable[[str, Any], Any] | None) -> dict[str, Any]:
    declared = fields_of(cls)
    out: dict[str, Any] = {}
    for key, item in value.items():
        shaped = _conform(item, declared[key], fill) if key in declared else item
        out[key] = UNKNOWN if shaped is _MISMATCH else shaped
    for key, hint in declared.items():
        if key not in out and fill is not None:
            computed = fill(key, hint)
            if computed is not None:
                out[key] = computed
    return out


# --- values of a declared type, for function results ----------------------------------------------------

def stand_in(hint: Any, known: Callable[[str], Any] | None = None, depth: int = 0) -> Any:
    """A value of type `hint` for a result field the gate cannot know: text is a STAND_IN (read as
    unknown wherever it flows), a list holds one such item, an object has every field filled this way.
    `known(name)` gives the fields the gate can compute (account IDs, regions, ...)."""
    hint, optional = _unwrap(hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if depth > 6:
        return None
    if origin is typing.Union:
        return stand_in(args[0], None, depth + 1)
    if hint is str or (isinstance(hint, type) and issubclass(hint, str)):
        return STAND_IN
    if hint is bool:
        return False
    if hint in (int, float):
        return 0
    if origin in (list, abc.Sequence, typing.Sequence):
        return [stand_in(args[0] if args else str, None, depth + 1)]
    if origin in (dict, abc.Mapping, typing.Mapping):
        return {}
    if _is_output_type(hint):
        return result_of(hint, known, depth + 1)
    return None if optional else STAND_IN


def result_of(cls: type, known: Callable[[str], Any] | None = None, depth: int = 0) -> dict[str, Any]:
    """Every field of an output type: computed where `known` answers, a stand-in otherwise."""
    out = {}
    for name, hint in fields_of(cls).items():
        value = known(name) if known is not None and depth == 0 else None
        if value is None and name in BASE64_FIELDS:
            value = BASE64_STAND_IN
        out[name] = value if value is not None else stand_in(hint, None, depth)
    return out
