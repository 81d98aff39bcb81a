"""A Pulumi program's resources as a rulebook Inventory, without the pack (e.g. for the access map).

The state each resource would have after the update (inputs plus computed outputs) goes through the
pack's adapter; locations carry the program file and line that declared the resource, and its URN.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from typing import Any, Mapping

from rulebook.model import Inventory, SourceLocation

from .gate import _relative
from .monitor import SECRET_SIG, SIG_KEY
from .program import SECRET_SHOWN, ProgramError, ProgramRun, load_project, run_program
from .references import read_all


def _masked(value: Any) -> Any:
    """Pulumi secrets as the engine prints them ([secret]): the map shows who can do what, never a secret."""
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            return SECRET_SHOWN
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def inventory_of_run(run: ProgramRun) -> Inventory:
    from policypack.adapter import to_inventory
    records = list(run.resources)
    inventory = to_inventory((r["type"], r["name"], _masked(r["outputs"]), r["urn"],
                              r.get("property_dependencies", {})) for r in records)
    for resource, record in zip(inventory.resources, records):
        source = record.get("source") or {}
        resource.location = dataclasses.replace(
            resource.location, file=_relative(source.get("file")), line=source.get("line"))
    return inventory


def inventory_of(program_dir: str | Path, stack: str | None = "dev", preview: bool = False,
                 stack_outputs: Mapping[str, str | Path] | None = None) -> Inventory:
    """The program's inventory; a program that cannot run (or a stack outputs file that cannot be read)
    leaves an InputError in inventory.errors."""
    given, errors = read_all(stack_outputs or {})
    if errors:
        return Inventory(errors=errors)
    try:
        run = run_program(load_project(program_dir, stack or "dev"), stack or "dev", preview, stack_outputs=given)
    except ProgramError as exc:
        return Inventory(errors=[exc.error])
    return inventory_of_run(run)


__all__ = ["inventory_of", "inventory_of_run", "SourceLocation"]
