"""Terraform provisioners -> the deploy.command kind (instances of mode "provisioner").

Input shapes, as the HCL evaluator (provisioners.py) and the plan reader give them: `command`
(local-exec), `inline` (a list of lines), `script_texts` (the contents of `script`/`scripts`, read by
the reader), `when`. Other provisioner types (file, chef, ...) stay unmapped: their literal values
are still scanned for secrets.
"""

from __future__ import annotations

from typing import Any, Callable

from rulebook.workloads import command_lines

Builder = Callable[[Any], tuple[str, dict]]


def _script(ctx: Any) -> Any:
    command = ctx.get("command")
    if command is not None:
        return command
    inline = ctx.get("inline")
    if inline is not None:
        return command_lines(inline, "inline")
    return command_lines(ctx.get("script_texts"), "the script files")


def _command(runs_on: str) -> Builder:
    def build(ctx: Any) -> tuple[str, dict]:
        return "deploy.command", dict(script=_script(ctx), runs_on=runs_on, when=ctx.get("when"))
    return build


PROVISIONERS: dict[str, Builder] = {
    "local-exec": _command("local"),
    "remote-exec": _command("remote"),
}
