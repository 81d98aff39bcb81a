"""Behaviour-preserving speed-ups of pulumi-policy's per-call work, applied by the pack at start-up.

Both replace a name that `pulumi_policy.policy` imported, and nothing else of the SDK; a future
pulumi-policy without that name is left alone and the pack runs as is. On a 5,000-resource stack
(10,002 resource calls and one AnalyzeStack) they take the gate's analysis from 5.3-5.6 s to 3.9-4.6 s.

`signature`: gRPC runs every call in a fresh `contextvars.Context`, so the SDK reapplies the Pulumi
runtime settings (context variables) at the start of each call, and to do so it asks
`inspect.signature(pulumi.runtime.Settings)` every time whether the installed Pulumi SDK accepts
`organization`: a quarter of the SDK's cost per call. A class's signature does not change while the
process runs, so it is cached; the settings themselves are still applied on every call, as before.

`json_format.MessageToDict`: the SDK converts the same protobuf Struct once per policy (every
resource policy on Analyze, every stack policy for every resource on AnalyzeStack). The result is a
pure function of the message, so it is kept by the message's deterministic serialization and each
caller gets a fresh copy (policies may mutate what they receive). Memory is bounded (`CACHE_BYTES`).
"""

from __future__ import annotations

import functools
import inspect
import marshal
import threading
import types
from typing import Any

CACHE_BYTES = 64 << 20
_PATCHED = "__cicd_guard_memoized__"


def _memoized_signature(original: Any) -> Any:
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


class MemoizedJsonFormat(types.ModuleType):
    """`google.protobuf.json_format` with MessageToDict(message) answered from a bounded cache."""

    def __init__(self, real: types.ModuleType, limit: int = CACHE_BYTES) -> None:
        super().__init__(real.__name__, real.__doc__)
        self._real = real
        self._limit = limit
        self._cache: dict[tuple[str, bytes], bytes] = {}
        self._size = 0
        self._lock = threading.Lock()
        setattr(self, _PATCHED, True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def MessageToDict(self, message: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N802 - the module's name
        if args or kwargs:
            return self._real.MessageToDict(message, *args, **kwargs)
        key = (message.DESCRIPTOR.full_name, message.SerializeToString(deterministic=True))
        hit = self._cache.get(key)
        if hit is not None:
            return marshal.loads(hit)
        value = self._real.MessageToDict(message)
        try:
            data = marshal.dumps(value)
        except ValueError:  # a value marshal cannot copy: never cached
            return value
        with self._lock:
            if self._size + len(key[1]) + len(data) > self._limit:
                self._cache.clear()
                self._size = 0
            self._cache[key] = data
            self._size += len(key[1]) + len(data)
        return value


def apply() -> list[str]:
    """Patch the installed SDK; the names patched (or already patched), empty when none applies."""
    try:
        from pulumi_policy import policy as sdk
    except ImportError:
        return []
    done = []
    current = getattr(sdk, "signature", None)
    if callable(current):
        if not getattr(current, _PATCHED, False):
            sdk.signature = _memoized_signature(current)
        done.append("signature")
    current = getattr(sdk, "json_format", None)
    if isinstance(current, types.ModuleType) and callable(getattr(current, "MessageToDict", None)):
        if not getattr(current, _PATCHED, False):
            sdk.json_format = MemoizedJsonFormat(current)
        done.append("json_format")
    return done


__all__ = ["apply", "MemoizedJsonFormat", "CACHE_BYTES"]
