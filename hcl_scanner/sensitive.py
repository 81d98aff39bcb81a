"""Sensitive values inside the evaluator, marked as Terraform marks them.

A `sensitive = true` variable or output, and the result of `sensitive()`, is wrapped in Sensitive.
Like Terraform's marks, the wrapper follows the value: an attribute or element of a marked value
is marked, and so is every operator, template and function result computed from one
(`nonsensitive()` removes it). Collections may hold marked elements.

The wrapper never leaves the evaluator. At the model boundary `strip` removes it and says where it
was, and the evaluator keeps the string forms of every marked value it met, so that:
- `Resource.sensitive_paths` holds the attribute paths (as in `Resource.values`) that were marked;
- `Inventory.sensitive_values` holds the marked strings, which every reporter prints as <redacted>;
- messages the evaluator writes itself (errors, UNKNOWN reasons, instance addresses) are scrubbed
  of those strings before they are stored.
"""

from __future__ import annotations

from typing import Any, Iterator

SHOWN_AS = "(sensitive value)"
MIN_LENGTH = 3  # shorter marked strings ("1", "on") cannot be told apart from ordinary text


class Sensitive:
    """A value Terraform would show as `(sensitive value)`."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "Sensitive(...)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sensitive) and other.value == self.value

    __hash__ = None  # type: ignore[assignment]


def unmark(value: Any, _seen: dict[int, tuple[Any, Any, bool]] | None = None) -> tuple[Any, bool]:
    """(the value without any mark, whether it held one) - deep: marked elements count too.

    A container shared many times inside the value is visited once."""
    if isinstance(value, Sensitive):
        return unmark(value.value, _seen)[0], True
    if not isinstance(value, (dict, list)):
        return value, False
    seen = {} if _seen is None else _seen
    known = seen.get(id(value))
    if known is not None and known[0] is value:
        return known[1], known[2]
    if isinstance(value, dict):
        found = False
        out = {}
        for key, item in value.items():
            plain, marked = unmark(item, seen)
            out[key] = plain
            found = found or marked
        result = (out, True) if found else (value, False)
    else:
        pairs = [unmark(item, seen) for item in value]
        found = any(marked for _, marked in pairs)
        result = ([plain for plain, _ in pairs], True) if found else (value, False)
    seen[id(value)] = (value, result[0], result[1])
    return result


def strip(value: Any, path: str, paths: set[str]) -> Any:
    """`value` without marks; the path of every marked part (`tags.token`, `block[0].x`) added to `paths`."""
    if isinstance(value, Sensitive):
        paths.add(path)
        return unmark(value)[0]
    if isinstance(value, dict):
        return {key: strip(item, f"{path}.{key}" if path else str(key), paths) for key, item in value.items()}
    if isinstance(value, list):
        return [strip(item, f"{path}[{i}]", paths) for i, item in enumerate(value)]
    return value


def strings(value: Any) -> Iterator[str]:
    """The string forms of the scalars inside a value (what a message could quote)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Sensitive):
            stack.append(item.value)
        elif isinstance(item, dict):
            stack.extend(item.values())
            stack.extend(k for k in item if isinstance(k, str))
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            if len(item) >= MIN_LENGTH:
                yield item
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            text = str(item)
            if len(text) >= MIN_LENGTH:
                yield text


def scrub(text: str, secrets: set[str]) -> str:
    """`text` with every occurrence of a marked string replaced by `(sensitive value)`."""
    if not secrets or not text:
        return text
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, SHOWN_AS)
    return text
