"""Outputs of the stacks a program references (`pulumi.StackReference`), as the engine reads them.

In `pulumi preview` and `pulumi up` alike the engine reads a stack reference's outputs from the backend:
the referenced stack is already deployed, so they are known. Offline the gate has them only when given
(`--stack-outputs NAME=FILE`, FILE being what `pulumi stack output --json --stack NAME` prints); a
reference without them gets unknown outputs in both modes, never `{}`, whose `get_output` would be a
silent None.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

from pulumi.runtime.rpc import UNKNOWN

from rulebook.files import read_regular
from rulebook.model import InputError

STACK_REFERENCE = "pulumi:pulumi:StackReference"
SECRET_SHOWN = "[secret]"  # a secret output as `pulumi stack output --json` prints it without --show-secrets
MAX_BYTES = 4 * 1048576
MAX_DEPTH = 32


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether objects and arrays nest more than `limit` levels (recursing at most `limit` deep)."""
    children = list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else None
    if children is None:
        return False
    return limit <= 0 or any(_deeper_than(v, limit - 1) for v in children)


def read_outputs(path: str | Path) -> tuple[dict[str, Any] | None, InputError | None]:
    """One stack's outputs from the JSON object `pulumi stack output --json` prints, or why not."""
    data, error = read_regular(path, str(path), MAX_BYTES, noun="stack outputs")
    if error is not None:
        return None, error
    try:
        outputs = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else \
            "not UTF-8" if isinstance(exc, UnicodeDecodeError) else "nested too deeply"
        return None, InputError(str(path), getattr(exc, "lineno", None),
                                f"stack outputs are not JSON ({reason}); give what `pulumi stack output --json` prints")
    if not isinstance(outputs, dict):
        return None, InputError(str(path), None, f"stack outputs must be a JSON object (output name -> value), "
                                                 f"not {type(outputs).__name__}")
    if _deeper_than(outputs, MAX_DEPTH):
        return None, InputError(str(path), None, f"stack outputs are nested deeper than {MAX_DEPTH} levels")
    return outputs, None


def read_all(files: Mapping[str, str | Path]) -> tuple[dict[str, dict[str, Any]], list[InputError]]:
    """Stack name -> outputs for every file that reads, and an error for every one that does not."""
    found: dict[str, dict[str, Any]] = {}
    errors: list[InputError] = []
    for name, path in files.items():
        outputs, error = read_outputs(path)
        if error is not None:
            errors.append(error)
        else:
            found[name] = outputs
    return found, errors


def reference_state(name: Any, given: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A stack reference's `outputs` and `secretOutputNames`: the given ones (secrets shown as [secret]
    stay secret), else unknown (fail closed)."""
    outputs = given.get(name) if isinstance(name, str) else None
    if outputs is None:
        return {"outputs": UNKNOWN, "secretOutputNames": UNKNOWN}
    return {"outputs": dict(outputs), "secretOutputNames": sorted(k for k, v in outputs.items() if v == SECRET_SHOWN)}


def notes(result: Mapping[str, Any]) -> list[str]:
    """One sentence per stack reference the gate could not fill in, per output read as [secret], and per
    --stack-outputs name the program does not reference."""
    out = []
    for ref in result.get("stack_references", []):
        name = ref["stack"]
        label = name if ref["resource"] == name else f"{ref['resource']} ({name})"
        if not ref["known"]:
            out.append(f"stack reference {label}: its outputs are unknown and so is everything "
                       f"built from them (the engine reads them from the deployed stack); give them with "
                       f"--stack-outputs {name}=FILE, FILE from `pulumi stack output --json --stack {name}`")
        elif ref["secret"]:
            out.append(f"stack reference {label}: outputs {', '.join(ref['secret'])} were given "
                       f"as {SECRET_SHOWN} and are that text to the program (kept secret)")
    for name in result.get("stack_outputs_unused", []):
        out.append(f"--stack-outputs {name}: the program references no stack of that name; not used")
    return out
