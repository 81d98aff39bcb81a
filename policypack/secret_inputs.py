"""Keep Pulumi secrets recognisable in the props the SDK hands to policies.

pulumi-policy unwraps the engine's secret envelopes while deserializing a resource's inputs, so a
policy cannot tell `password=pulumi.Output.secret(...)` from a plain-text literal. Wrapping the
deserializer of `pulumi_policy.policy` marks every string inside a secret as SecretText (a str: other
policies read it as before), so secret rules do not take engine-encrypted values for literals.
"""

from __future__ import annotations

from typing import Any, Callable

from .adapter.values import mark_secrets

_PATCHED = "__cicd_guard_secrets__"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
SIG_KEY = "4dabf18193072939515e22adb298388d"


def _marked(raw: Any) -> Any:
    """The raw (protobuf-as-dict) props with each secret envelope's strings marked, envelope kept."""
    if isinstance(raw, list):
        return [_marked(v) for v in raw]
    if isinstance(raw, dict):
        if raw.get(SIG_KEY) == SECRET_SIG and "value" in raw:
            return {**raw, "value": mark_secrets(raw["value"])}
        return {k: _marked(v) for k, v in raw.items()}
    return raw


def _wrap(original: Callable[..., Any]) -> Callable[..., Any]:
    def deserialize_properties(props: Any, *args: Any, **kwargs: Any) -> Any:
        return original(_marked(props), *args, **kwargs)

    setattr(deserialize_properties, _PATCHED, True)
    return deserialize_properties


def apply() -> bool:
    """Patch the installed SDK; False when it has no deserializer to wrap."""
    try:
        from pulumi_policy import policy as sdk
    except ImportError:
        return False
    current = getattr(sdk, "deserialize_properties", None)
    if not callable(current):
        return False
    if not getattr(current, _PATCHED, False):
        sdk.deserialize_properties = _wrap(current)
    return True


__all__ = ["apply"]
