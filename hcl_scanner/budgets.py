"""Limits on what one root module's evaluation may build, so a hostile file cannot hang the scan
or exhaust memory (`count = 100000000`, `format("%1999999999d", 1)`, strings doubled over 40
locals, `pow(3, 2e9)`, `setproduct` of large sets, nested for-expressions, modules with count).

Each limit sits orders of magnitude above what real configurations use (the largest module in
the public corpus evaluates ~40k expression nodes). An overrun is a BudgetError: unlike an
EvalError, `try()`/`can()` never catch it; the evaluator reports it as an input error naming the
file and line (exit 2) and goes on with the rest of the scan.
"""

from __future__ import annotations

import math
from typing import Any

MAX_INSTANCES_PER_BLOCK = 10_000  # count / for_each of one resource or module call
MAX_INSTANCES = 100_000  # resource and module instances of one root module, all levels
MAX_COLLECTION = 100_000  # elements of one list, set or map
MAX_STRING = 4 * 1024 * 1024  # characters of one string
MAX_CHARS = 256 * 1024 * 1024  # characters built by templates and functions in one root module
MAX_STEPS = 5_000_000  # expression nodes evaluated and elements iterated in one root module
MAX_NUMBER_BITS = 8192  # an integer past 2**8192 (~2,466 digits) is no configuration's number
MAX_TEMPLATE_DEPTH = 8  # templatefile() rendering a template that calls templatefile()
MAX_VALUE_DEPTH = 100  # lists and objects nested inside each other


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

    def spend_instances(self, count: int, what: str) -> None:
        if count > MAX_INSTANCES_PER_BLOCK:
            raise BudgetError(f"{what} has {count:,} instances, over the limit of {MAX_INSTANCES_PER_BLOCK:,}")
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
