"""Named values (locals, variables, outputs, resources, module calls) without deep Python recursion.

A named value is computed on first use and cached, so `local.a` reading `local.b` reading ...
nests one computation in the next. Past NAMED_DEPTH nested computations, the innermost one is
not computed in place: `_Deeper` unwinds to the outermost computation, which computes that value
first (with a fresh stack), then retries what it was doing, now finding it cached. The pending
computations form an explicit stack, so a chain of 2,000 locals costs two passes over the chain,
never 2,000 nested calls; only real nesting inside one expression uses Python's stack.
"""

from __future__ import annotations

from typing import Any, Callable

NAMED_DEPTH = 24  # nested named-value computations before the stack is unwound


class _Deeper(BaseException):
    """Unwinds to the outermost computation (a BaseException: no `except Exception` may stop it)."""

    def __init__(self, key: tuple, compute: Callable[[], Any]) -> None:
        super().__init__()
        self.key, self.compute = key, compute


class Ordering:
    """Mixin of the Evaluator: `named(key, compute)` runs `compute` (which caches its value)."""

    def _init_ordering(self) -> None:
        self._depth = 0
        self._waiting: set[tuple] = set()  # keys on the explicit stack: met again, they form a cycle

    def named(self, key: tuple, compute: Callable[[], Any], cycle: Callable[[], Any]) -> Any:
        """The value of the named value `key`; `cycle()` answers when `key` depends on itself
        through a chain longer than NAMED_DEPTH (shorter cycles are found by the computations)."""
        if self._depth:
            if key in self._waiting:
                return cycle()
            if self._depth >= NAMED_DEPTH:
                raise _Deeper(key, compute)
            self._depth += 1
            try:
                return compute()
            finally:
                self._depth -= 1
        stack: list[tuple[tuple, Callable[[], Any]]] = [(key, compute)]
        self._waiting.add(key)
        self._depth = 1
        try:
            while True:
                top_key, top = stack[-1]
                try:
                    value = top()
                except _Deeper as deeper:
                    if deeper.key in self._waiting:
                        raise RuntimeError("dependency walk did not progress") from None
                    self._waiting.add(deeper.key)
                    stack.append((deeper.key, deeper.compute))
                    continue
                stack.pop()
                self._waiting.discard(top_key)
                if not stack:
                    return value
        finally:
            self._depth = 0
            for waiting_key, _ in stack:
                self._waiting.discard(waiting_key)
