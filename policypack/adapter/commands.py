"""Pulumi command resources (pulumi-command) -> the deploy.command kind.

`command:local:Command` runs on the machine that runs `pulumi up` (the CI runner),
`command:remote:Command` on the host its connection names. `create` is the command's script;
`update` and `delete` are further phases of the same resource (other_phases).
"""

from __future__ import annotations

from typing import Any, Callable

from .reader import Props, Reader

Builder = Callable[[Reader], tuple[str, Props]]
_PHASES = (("update", "update"), ("delete", "delete"))


def _command(runs_on: str) -> Builder:
    def build(r: Reader) -> tuple[str, Props]:
        others: list[dict[str, Any]] = [{"when": when, "script": r.get(key)} for key, when in _PHASES
                                        if r.get(key) is not None]
        return "deploy.command", dict(script=r.get("create"), runs_on=runs_on,
                                      when="create" if r.get("create") is not None else None,
                                      other_phases=others or None)
    return build


BUILDERS: dict[str, Builder] = {
    "command:local:Command": _command("local"),
    "command:remote:Command": _command("remote"),
}
