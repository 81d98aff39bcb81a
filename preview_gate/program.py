"""Read a Pulumi project and run its Python program offline in a child process."""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rulebook import safe_yaml
from rulebook.model import InputError

from . import process, references

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
    notes: list[str] = field(default_factory=list)  # what was not analysed
    secrets: list[str] = field(default_factory=list)  # plain text of the program's Pulumi secrets
    exports: list[str] = field(default_factory=list)  # names of the stack's outputs (pulumi.export)

    def hide(self, text: str) -> str:
        return hide(text, self.secrets)


SECRET_SHOWN = "[secret]"


def hide(text: str, secrets: list[str]) -> str:
    """`text` with every Pulumi secret replaced, as the engine masks secrets in what it prints."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= 3:
            text = text.replace(secret, SECRET_SHOWN)
    return text


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


def _spec(project: Project, stack: str, preview: bool,
          stack_outputs: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"program_dir": str(project.directory), "main": str(project.main), "project": project.name,
            "stack": stack, "preview": preview, "config": project.config, "stack_outputs": stack_outputs or {}}


def _invoke(specs: Any, cwd: Path, timeout: float, python: str | None, where: Path) -> Any:
    with tempfile.TemporaryDirectory(prefix="cicd-guard-gate-") as tmp:
        spec_path, out_path = Path(tmp) / "spec.json", Path(tmp) / "out.json"
        spec_path.write_text(json.dumps(specs), "utf-8")
        done = process.run([python or sys.executable, "-m", "preview_gate.runner", str(spec_path), str(out_path)],
                           cwd, timeout)
        if done.returncode is None:
            raise ProgramError(InputError(str(where), None, f"program did not finish within {timeout:g} s "
                                                            f"(--timeout sets the limit)"), done.stderr)
        if out_path.is_file():
            return json.loads(out_path.read_text("utf-8"))
    tail = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
    raise ProgramError(InputError(str(where), None, f"program runner failed: {tail[0]}"), done.stderr)


def _listed(items: list[str], limit: int = 8) -> str:
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def gaps(result: dict[str, Any]) -> list[str]:
    """What the gate did not analyse in a run, one sentence each: never silent."""
    out = []
    if result.get("unanswered"):
        out.append(f"provider functions answered with unknown values (their results were not analysed): "
                   f"{_listed(result['unanswered'])}")
    if result.get("not_computed"):
        by_type: dict[str, list[str]] = {}
        for item in result["not_computed"]:
            token, _, prop = item.rpartition(".")
            by_type.setdefault(token, []).append(prop)
        out.append("outputs the gate does not compute offline are unknown, as in a preview: "
                   + "; ".join(f"{token} {_listed(props, 6)}" for token, props in by_type.items()))
    for component in result.get("remote", []):
        out.append(f"{component} is a multi-language component: its children are created inside its provider "
                   f"plugin, which the gate does not run, and were not analysed")
    return out + references.notes(result)


def _result(project: Project, stack: str, preview: bool, result: dict[str, Any]) -> ProgramRun:
    if "error" in result:
        err = result["error"]
        message = err["message"] if err.get("exited") else f"program raised {err['message']}"
        hint = "".join(f"; {gap}" for gap in gaps(result))
        secrets = result.get("secrets", [])
        raise ProgramError(InputError(err.get("file") or str(project.main), err.get("line"),
                                      hide(message + hint, secrets)), hide(err.get("traceback", ""), secrets))
    return ProgramRun(project, stack, preview, result["resources"], gaps(result), result.get("secrets", []),
                      result.get("exports", []))


def run_program(project: Project, stack: str = "dev", preview: bool = False,
                timeout: float = PROGRAM_TIMEOUT, python: str | None = None,
                stack_outputs: dict[str, dict[str, Any]] | None = None) -> ProgramRun:
    """Run the program under the recording monitor in a child process; ProgramError when it fails.

    `stack_outputs`: referenced stack name -> its outputs (preview_gate.references)."""
    result = _invoke(_spec(project, stack, preview, stack_outputs), project.directory, timeout, python,
                     project.main)
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
