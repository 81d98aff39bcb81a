"""Run one Pulumi Python program offline and write what it registered as JSON.

Started by preview_gate.program in a child process, so the program's imports, globals and crashes
stay out of the gate: `python -m preview_gate.runner SPEC_JSON OUT_JSON`.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import traceback
from pathlib import Path
from typing import Any

EXIT_PROGRAM_FAILED = 3


def _program_frame(exc: BaseException, program_dir: Path) -> tuple[str | None, int | None]:
    """The innermost traceback frame inside the program directory: where the program went wrong."""
    where: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        try:
            Path(frame.filename).resolve().relative_to(program_dir)
        except ValueError:
            continue
        where = (frame.filename, frame.lineno)
    if where[0] is None and isinstance(exc, SyntaxError) and exc.filename:
        where = (exc.filename, exc.lineno)
    return where


def run(spec: dict[str, Any]) -> dict[str, Any]:
    from pulumi.runtime.stack import run_pulumi_func
    from pulumi.runtime.sync_await import _sync_await

    from .monitor import install
    from .outputs import Cloud

    from pulumi.runtime.config import set_all_config
    from pulumi.runtime.settings import ROOT

    program_dir = Path(spec["program_dir"]).resolve()
    os.chdir(program_dir)
    sys.path.insert(0, str(program_dir))
    ROOT.set(None)  # a fresh root stack per program (several programs may run in one process)
    config = spec.get("config", {})
    given = spec.get("stack_outputs", {})
    monitor = install(spec["preview"], spec["project"], spec["stack"], spec.get("organization"),
                      Cloud.from_config(config), given)
    set_all_config(dict(config), [k for k, v in config.items() if v == "[secret]"])
    try:
        _sync_await(run_pulumi_func(lambda: runpy.run_path(spec["main"], run_name="__main__")))
    except SystemExit as exc:
        if exc.code not in (None, 0):
            file, line = _program_frame(exc, program_dir)
            return {"error": {"message": f"program exited with status {exc.code}", "exited": True,
                              "file": file, "line": line},
                    **_gaps(monitor)}
    except BaseException as exc:  # noqa: BLE001 - any failure of the program is reported, never raised
        file, line = _program_frame(exc, program_dir)
        text = str(exc).strip().splitlines()
        return {"error": {"message": f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": "),
                          "file": file, "line": line, "traceback": traceback.format_exc(limit=-8)},
                **_gaps(monitor)}
    finally:
        sys.path.remove(str(program_dir))
    monitor.add_default_provider("aws", config, ("allowedAccountIds", "region"))
    read = {ref["stack"] for ref in monitor.stack_references}
    root = ROOT.get()  # the root stack: pulumi.export() adds to its outputs
    return {"resources": monitor.records, "exports": sorted(getattr(root, "outputs", None) or {}),
            "stack_outputs_unused": sorted(set(given) - read), **_gaps(monitor)}


def _gaps(monitor: Any) -> dict[str, Any]:
    """What the gate could not analyse: functions answered with unknowns, outputs it did not compute,
    multi-language components whose children ran in a plugin, stack references without outputs."""
    return {"unanswered": sorted(monitor.mocks.unanswered), "not_computed": list(monitor.not_computed),
            "remote": list(monitor.remote), "secrets": sorted(monitor.secrets),
            "stack_references": list(monitor.stack_references)}


def main(argv: list[str]) -> int:
    """SPEC_JSON holds one program spec or a list of them (one result each, in order)."""
    from .process import kill_descendants

    spec = json.loads(Path(argv[0]).read_text("utf-8"))
    try:
        result: Any = [run(s) for s in spec] if isinstance(spec, list) else run(spec)
    finally:
        kill_descendants()  # background children the program started do not outlive it
    Path(argv[1]).write_text(json.dumps(result), "utf-8")
    failed = any("error" in r for r in result) if isinstance(result, list) else "error" in result
    return EXIT_PROGRAM_FAILED if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
