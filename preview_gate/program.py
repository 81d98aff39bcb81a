"""Read a Pulumi project and run its Python program offline in a child process."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rulebook import safe_yaml
from rulebook.model import InputError

PROGRAM_TIMEOUT = 300.0


class ProgramError(Exception):
    """The program could not be run; carries the InputError the report shows."""

    def __init__(self, error: InputError, detail: str = "") -> None:
        super().__init__(str(error))
        self.error = error
        self.detail = detail


@dataclass
class Project:
    directory: Path
    name: str
    main: Path
    config: dict[str, str] = field(default_factory=dict)  # stack config, "namespace:key" -> text


@dataclass
class ProgramRun:
    project: Project
    stack: str
    preview: bool
    resources: list[dict[str, Any]]


def _load_yaml(path: Path) -> Any:
    try:
        return safe_yaml.read(path)
    except safe_yaml.YamlError as exc:
        raise ProgramError(InputError(str(path), exc.line, str(exc))) from None


def _config_text(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"secure"}:
        return "[secret]"  # encrypted stack secrets cannot be decrypted offline
    if isinstance(value, str):
        return value
    return json.dumps(value)


def load_project(program_dir: str | Path, stack: str) -> Project:
    directory = Path(program_dir)
    if not directory.is_dir():
        raise ProgramError(InputError(str(directory), None, "program directory does not exist"))
    directory = directory.resolve()
    manifest = next((directory / n for n in ("Pulumi.yaml", "Pulumi.yml") if (directory / n).is_file()), None)
    data: dict[str, Any] = {}
    if manifest is not None:
        loaded = _load_yaml(manifest)
        if not isinstance(loaded, dict):
            raise ProgramError(InputError(str(manifest), None, "Pulumi.yaml must be a mapping"))
        data = loaded
        runtime = data.get("runtime")
        runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
        if runtime_name not in (None, "python"):
            raise ProgramError(InputError(str(manifest), None,
                                          f"runtime {runtime_name!r} is not supported (the gate runs Python programs)"))
    name = str(data.get("name") or directory.name)
    main = directory / str(data.get("main") or ".")
    if main.is_dir():
        main = main / "__main__.py"
    if not main.is_file():
        raise ProgramError(InputError(str(main), None, "no Pulumi program found (__main__.py or Pulumi.yaml main)"))
    config: dict[str, str] = {}
    stack_file = directory / f"Pulumi.{stack}.yaml"
    if stack_file.is_file():
        stack_data = _load_yaml(stack_file) or {}
        for key, value in (stack_data.get("config") or {}).items():
            full = key if ":" in key else f"{name}:{key}"
            config[full] = _config_text(value)
    return Project(directory, name, main, config)


def _spec(project: Project, stack: str, preview: bool) -> dict[str, Any]:
    return {"program_dir": str(project.directory), "main": str(project.main), "project": project.name,
            "stack": stack, "preview": preview, "config": project.config}


def _invoke(specs: Any, cwd: Path, timeout: float, python: str | None, where: Path) -> Any:
    with tempfile.TemporaryDirectory(prefix="cicd-guard-gate-") as tmp:
        spec_path, out_path = Path(tmp) / "spec.json", Path(tmp) / "out.json"
        spec_path.write_text(json.dumps(specs), "utf-8")
        try:
            proc = subprocess.run([python or sys.executable, "-m", "preview_gate.runner", str(spec_path),
                                   str(out_path)], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise ProgramError(InputError(str(where), None, f"program did not finish within {timeout:.0f} s")) from None
        if out_path.is_file():
            return json.loads(out_path.read_text("utf-8"))
    tail = (proc.stderr or "").strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
    raise ProgramError(InputError(str(where), None, f"program runner failed: {tail[0]}"), proc.stderr)


def _none_hint(err: dict[str, Any], preview: bool) -> str:
    """Why a program met None offline: a provider function the gate does not answer, or (without
    --preview) an output it cannot compute."""
    if "'NoneType'" not in err["message"]:
        return ""
    hints = []
    if err.get("unanswered"):
        hints.append(f"provider functions the gate does not answer offline return nothing: "
                     f"{', '.join(err['unanswered'])}")
    if not preview:
        hints.append("an output the gate cannot compute offline is None unless --preview makes it unknown, "
                     "as in `pulumi preview`")
    return "".join(f"; {h}" for h in hints)


def _result(project: Project, stack: str, preview: bool, result: dict[str, Any]) -> ProgramRun:
    if "error" in result:
        err = result["error"]
        hint = _none_hint(err, preview)
        raise ProgramError(InputError(err.get("file") or str(project.main), err.get("line"),
                                      f"program raised {err['message']}{hint}"), err.get("traceback", ""))
    return ProgramRun(project, stack, preview, result["resources"])


def run_program(project: Project, stack: str = "dev", preview: bool = False,
                timeout: float = PROGRAM_TIMEOUT, python: str | None = None) -> ProgramRun:
    """Run the program under the recording monitor in a child process; ProgramError when it fails."""
    result = _invoke(_spec(project, stack, preview), project.directory, timeout, python, project.main)
    return _result(project, stack, preview, result)


def run_programs(projects: list[Project], stack: str = "dev", preview: bool = False,
                 timeout: float = PROGRAM_TIMEOUT) -> list[ProgramRun | ProgramError]:
    """Several programs in one child process (one interpreter start), e.g. every rule example."""
    if not projects:
        return []
    results = _invoke([_spec(p, stack, preview) for p in projects], projects[0].directory, timeout, None,
                      projects[0].main)
    out: list[ProgramRun | ProgramError] = []
    for project, result in zip(projects, results):
        try:
            out.append(_result(project, stack, preview, result))
        except ProgramError as exc:
            out.append(exc)
    return out
