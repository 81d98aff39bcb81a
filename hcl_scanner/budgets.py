"""Limits on what one root module's evaluation may build, so a hostile file cannot hang the scan
or exhaust memory (`count = 100000000`, `format("%1999999999d", 1)`, strings doubled over 40
locals, `pow(3, 2e9)`, `setproduct` of large sets, nested for-expressions, modules with count).

Each limit sits orders of magnitude above what real configurations use (the largest module in
the public corpus evaluates 15k expression nodes). An overrun is a BudgetError: unlike an
EvalError, `try()`/`can()` never catch it; the evaluator reports it as an input error naming the
file and line (exit 2) and goes on with the rest of the scan.
"""

from __future__ import annotations

import math
from typing import Any

MAX_INSTANCES_PER_BLOCK = 10_000  # count / for_each of one resource or module call
MAX_INSTANCES = 20_000  # resource and module instances of one root module, all levels
MAX_COLLECTION = 100_000  # elements of one list, set or map
MAX_STRING = 4 * 1024 * 1024  # characters of one string
MAX_CHARS = 64 * 1024 * 1024  # characters built by templates and functions in one root module
MAX_STEPS = 2_000_000  # expression nodes evaluated and elements iterated in one root module
MAX_NUMBER_BITS = 8192  # an integer past 2**8192 (~2,466 digits) is no configuration's number
MAX_TEMPLATE_DEPTH = 8  # templatefile() rendering a template that calls templatefile()
MAX_VALUE_DEPTH = 100  # lists and objects nested inside each other
MAX_WEIGHT = 100_000  # elements of one value counted as a tree (a list holding one list twice counts it twice)


class BudgetError(Exception):
    """A limit above was overrun; always an input error, never caught by try()/can()."""


class Budget:
    """What one root module's evaluation has spent so far."""

    __slots__ = ("steps", "chars", "instances", "exhausted")

    def __init__(self) -> None:
        self.steps = 0
        self.chars = 0
        self.instances = 0
        self.exhausted: str | None = None  # the first overrun of a scan-wide budget (reported once)

    def spend_steps(self, count: int) -> None:
        self.steps += count
        if self.steps > MAX_STEPS:
            self._exhaust(f"evaluation work over the limit of {MAX_STEPS:,} steps")

    def spend_chars(self, count: int) -> None:
        self.chars += count
        if self.chars > MAX_CHARS:
            self._exhaust(f"strings built over the limit of {MAX_CHARS // 1048576} MB")

    def spend_instances(self, count: int) -> None:
        if count > MAX_INSTANCES_PER_BLOCK:
            raise BudgetError(f"{count:,} instances, over the limit of {MAX_INSTANCES_PER_BLOCK:,} "
                              "per resource or module call")
        self.instances += count
        if self.instances > MAX_INSTANCES:
            self._exhaust(f"more than {MAX_INSTANCES:,} resource and module instances")

    def _exhaust(self, message: str) -> None:
        if self.exhausted is None:
            self.exhausted = message
        raise BudgetError(self.exhausted)


def check_size(value: Any) -> Any:
    """`value` itself when its length is within the limits for one string or collection."""
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise BudgetError(f"a string of {len(value):,} characters, over the limit of {MAX_STRING:,}")
    elif isinstance(value, (list, dict)) and len(value) > MAX_COLLECTION:
        raise BudgetError(f"a collection of {len(value):,} elements, over the limit of {MAX_COLLECTION:,}")
    return value


def check_length(length: int | float, what: str) -> None:
    """Refuse before building a string or collection of `length` characters or elements."""
    if length > MAX_STRING:
        raise BudgetError(f"{what} would be {int(length):,} long, over the limit of {MAX_STRING:,}")


def check_count(count: int | float, what: str) -> None:
    if count > MAX_COLLECTION:
        raise BudgetError(f"{what} would have {int(count):,} elements, over the limit of {MAX_COLLECTION:,}")


def check_number(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_NUMBER_BITS:
        raise BudgetError(f"a number of about {int(value.bit_length() * math.log10(2)):,} digits, "
                          f"over the limit of {int(MAX_NUMBER_BITS * math.log10(2)):,}")
    return value


def check_bits(bits: int) -> None:
    """An integer product of `bits` bits would be over the limit: refuse before computing it."""
    if bits > MAX_NUMBER_BITS + 1:
        raise BudgetError(f"a number over the limit of {int(MAX_NUMBER_BITS * math.log10(2)):,} digits")


def check_power(base: int | float, exponent: int | float) -> None:
    """pow(base, exponent) would need more than MAX_NUMBER_BITS bits: refuse before computing it."""
    if abs(base) > 1 and exponent > 0 and exponent * math.log2(abs(base)) > MAX_NUMBER_BITS:
        raise BudgetError(f"pow() result over the limit of {int(MAX_NUMBER_BITS * math.log10(2)):,} digits")


class Measure:
    """Tree size and depth of values, remembered per container so that a value shared many times
    (a list doubled over 40 locals is a tree of 2**40 elements in 40 objects) costs one visit each."""

    __slots__ = ("_known",)

    def __init__(self) -> None:
        self._known: dict[int, tuple[Any, int, int]] = {}  # id -> (container, weight, depth)

    def check(self, value: Any) -> Any:
        """`value` itself when within MAX_WEIGHT and MAX_VALUE_DEPTH; BudgetError otherwise."""
        if type(value) not in (list, dict) and not hasattr(value, "value"):
            return value
        weight, depth = self.measure(value)
        if depth > MAX_VALUE_DEPTH:
            raise BudgetError(f"a value nested more than {MAX_VALUE_DEPTH} levels deep")
        if weight > MAX_WEIGHT:
            raise BudgetError(f"a value of more than {MAX_WEIGHT:,} elements in all")
        return value

    def measure(self, value: Any) -> tuple[int, int]:
        """(elements counted as a tree, nesting depth), iteratively; stops counting past the limits."""
        known = self._known
        stack: list[tuple[Any, bool]] = [(value, False)]
        while stack:
            item, children_done = stack.pop()
            inner = _children(item)
            if inner is None:
                continue
            entry = known.get(id(item))
            if entry is not None and entry[0] is item:
                continue
            if not children_done:
                stack.append((item, True))
                stack.extend((child, False) for child in inner if _children(child) is not None)
                if len(stack) > MAX_WEIGHT:
                    raise BudgetError(f"a value of more than {MAX_WEIGHT:,} elements in all")
                continue
            weight, depth = len(inner), 0
            for child in inner:
                if _children(child) is not None:
                    _, child_weight, child_depth = known[id(child)]
                    weight += child_weight
                    depth = max(depth, child_depth)
            known[id(item)] = (item, min(weight, MAX_WEIGHT + 1), min(depth + 1, MAX_VALUE_DEPTH + 1))
        if _children(value) is None:
            return 1, 0
        _, weight, depth = known[id(value)]
        return weight, depth


def _children(value: Any) -> list | None:
    kind = type(value)
    if kind is list:
        return value
    if kind is dict:
        return list(value.values())
    inner = getattr(value, "value", None) if kind.__name__ == "Sensitive" else None
    return [inner] if inner is not None else None
