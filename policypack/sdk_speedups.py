"""A behaviour-preserving speed-up of pulumi-policy's per-call work, applied by the pack at start-up.

gRPC runs every call in a fresh `contextvars.Context`, so the SDK reconfigures the Pulumi runtime
settings (which live in context variables) at the start of each Remediate, Analyze and AnalyzeStack.
To do that it calls `inspect.signature(pulumi.runtime.Settings)` every time, to see whether the
installed Pulumi SDK accepts `organization`. That lookup is about 60% of the reconfiguration and a
quarter of the SDK's cost per call: on a 5,000-resource stack (10,002 resource calls) memoizing it
takes the gate's analysis from about 5.3 s to 4.2 s. A class's signature does not change while the
process runs, so the answer is cached; the settings themselves are still applied on every call, in
every context, exactly as before.

Only `pulumi_policy.policy.signature` (the name that module imported) is replaced, nothing else of
the SDK. If a future pulumi-policy no longer has it, nothing is patched and the pack runs as is.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

_PATCHED = "__cicd_guard_memoized__"


def _memoized(original: Any) -> Any:
    @functools.lru_cache(maxsize=64)
    def cached(obj: Any) -> inspect.Signature:
        return original(obj)

    @functools.wraps(original)
    def signature(obj: Any, *args: Any, **kwargs: Any) -> inspect.Signature:
        if args or kwargs:
            return original(obj, *args, **kwargs)
        try:
            hash(obj)
        except TypeError:
            return original(obj)
        return cached(obj)

    setattr(signature, _PATCHED, True)
    return signature


def apply() -> bool:
    """Memoize the SDK's signature lookup; True when the installed SDK was patched (or already was)."""
    try:
        from pulumi_policy import policy as sdk
    except ImportError:
        return False
    current = getattr(sdk, "signature", None)
    if current is None or not callable(current):
        return False
    if not getattr(current, _PATCHED, False):
        sdk.signature = _memoized(current)
    return True


__all__ = ["apply"]
