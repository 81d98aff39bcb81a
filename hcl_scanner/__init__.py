"""Terraform scanner: .tf/.tfvars directories and `terraform show -json` plans -> rulebook inventories.

    result = scan(["infra/"], plans=["plan.json"], var_files=["prod.tfvars"], repo_root=".")
    result.inventories   # one rulebook.model.Inventory per root module (local modules included)
    result.inventory_roots   # per inventory: its root directory (or plan file)
    result.errors        # InputError per unreadable/unparsable input: the CLI exits 2 when non-empty
    result.scanned       # files read
    result.notes         # things not scanned (remote modules, JSON-syntax configuration)
    result.plans_without_lines   # plans whose findings cannot point at .tf lines (no sources found)

A directory is a root module, and so is every directory below it that holds .tf files and is not
called as a local module by another scanned directory (the way checkov picks roots). A directory
that other scanned directories call is evaluated on its own too, with its variables' defaults
(`result.module_defaults`), so a module repository has its defaults checked; rulebook/roots.py
keeps the report free of what the calling roots already say. A .tf path means its directory; a
.json path that looks like a plan is read as a plan. Nothing scanned is ever executed.

Values handed to the type mapping (adapter.to_resource) are Terraform-shaped: nested blocks are
lists of dicts, a whole-value reference to an attribute known only after apply is a Ref (so
`aws_iam_role.ci.arn` links a policy to its role), a string that interpolates one keeps
Terraform's reference text (`"${aws_s3_bucket.b.arn}/*"`), anything undecidable is an
Unknown(reason), and policy documents are dicts (aws_iam_policy_document, jsonencode of values
holding Refs) or JSON strings.

Errors: `result.errors` is the complete list (each Inventory.errors holds the subset of its root);
inline suppression comments without a reason, with a bad date or attached to no block are input
errors too, since a suppression that silently does not apply is worse than a loud one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rulebook.model import InputError, Inventory, Ref, Resource

from . import files
from .evaluator import EvaluatedResource, Evaluator, Scope
from .loader import load_file, read_text, walk_tf_dirs
from .declarations import declarations, variable_values
from .plan_declarations import mark_sensitive_entries
from .provenance import Provenance
from .modules import ModuleDef, ModuleLoader, display_path, is_local_source
from .syntax import HclSyntaxError, parse_expression

ENGINE = "terraform"


@dataclass(slots=True)
class ScanResult:
    inventories: list[Inventory] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    evaluated: dict[str, list[EvaluatedResource]] = field(default_factory=dict)  # root dir -> instances
    # Directories only called by other roots, evaluated with their defaults: dir -> instances.
    module_defaults: dict[str, list[EvaluatedResource]] = field(default_factory=dict)
    inventory_roots: list[str] = field(default_factory=list)  # per inventory: its root dir or plan file
    strict_suppressions: bool = False
    # plans read without repo_root whose blocks default_root does not declare: their findings have no line
    plans_without_lines: list[str] = field(default_factory=list)


def _is_plan_json(path: Path) -> bool:
    """format_version plus planned_values/resource_changes near the start of the document."""
    head, error = files.read_regular(path, str(path), files.PLAN_LIMIT, head=1 << 16)
    if error is not None or head is None:
        return True  # let read_plan report why it cannot be read
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = head.decode(encoding, errors="ignore")
        except LookupError:
            continue
        if '"format_version"' in text and ('"planned_values"' in text or '"resource_changes"' in text):
            return True
    return False


def _variable_values(root: ModuleDef, var_files: list[str], ev: Evaluator, scanned: list[str],
                     assigned: dict[str, tuple[str, int | None]]) -> dict[str, Any]:
    """Root variable values by Terraform's precedence: TF_VAR_* < terraform.tfvars < *.auto.tfvars < --var-file.
    `assigned` receives, per name, the variables file and line of the assignment that wins."""
    values: dict[str, Any] = {}
    for name, decl in root.variables.items():
        raw = os.environ.get(f"TF_VAR_{name}")
        if raw is None:
            continue
        type_node = decl.attr("type")
        if type_node is None or type_node == ("var", "string"):
            values[name] = raw
            continue
        try:
            values[name] = ev.eval_attr(parse_expression(raw), _empty_scope(root.path), {})
        except HclSyntaxError:
            values[name] = raw
    auto = [f for f in (root.path / "terraform.tfvars", root.path / "terraform.tfvars.json")
            if files.is_input_candidate(f)]
    try:
        auto.extend(sorted(p for p in root.path.iterdir()
                           if p.name.endswith((".auto.tfvars", ".auto.tfvars.json")) and files.is_input_candidate(p)))
    except OSError:
        pass
    for path in auto + [Path(v) for v in var_files]:
        display = display_path(path, ev.loader.base)
        scanned.append(display)
        if path.name.endswith(".json"):
            text, _, error = read_text(path, display)
            if error is not None or text is None:
                ev.error(error.file if error else display, error.line if error else None,
                         error.message if error else "cannot read")
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                ev.error(display, exc.lineno, f"invalid JSON variables file: {exc.msg}")
                continue
            data = data if isinstance(data, dict) else {}
            values.update(data)
            assigned.update({name: (display, _json_key_line(text, name)) for name in data})
            continue
        parsed = load_file(path, display)
        for err in parsed.errors:
            ev.error(err.file, err.line, err.message)
        scope = _empty_scope(root.path)
        for item in parsed.body:
            if item[0] == "a":
                values[item[1]] = ev.eval_attr(item[2], scope, {})
                assigned[item[1]] = (display, item[3])
            else:
                ev.error(display, item[4], f"variables files hold only assignments, found a {item[1]} block")
    return values


def _json_key_line(text: str, name: str) -> int | None:
    """The line of a top-level key in a JSON variables file (the first line that names it)."""
    key = json.dumps(name)
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(key):
            return number
    return None


def _empty_scope(path: Path) -> Scope:
    return Scope(ModuleDef(path), "", {}, None, [], path, ())


def root_scope(mod: ModuleDef, root: Path, values: dict[str, Any]) -> Scope:
    """The root module instance, its variables set to `values` (declared ones only)."""
    return Scope(mod, "", {k: (lambda v=v: v) for k, v in values.items() if k in mod.variables},
                 None, [], root, (str(root.resolve()),))


def evaluate_root(root: Path, values: dict[str, Any], repo_root: Path,
                  loader: ModuleLoader | None = None) -> list[EvaluatedResource]:
    """A root module's instances as its .tf sources compute them with the given variable values
    (a plan's), local modules included. Errors are not collected: the caller uses only what this
    decides. Nothing is executed."""
    loader = loader or ModuleLoader(repo_root)
    evaluator = Evaluator(loader, repo_root, [], [])
    return evaluator.resources(root_scope(loader.load(root), root, values))


def to_inventory(evaluated: list[EvaluatedResource], errors: list[InputError],
                 sensitive: set[str] | frozenset[str] = frozenset()) -> Inventory:
    """Translate evaluated instances into the model through the type mapping (adapter.to_resource);
    `sensitive`: the strings the evaluator marked sensitive (Inventory.sensitive_values)."""
    from . import adapter  # no fallback: a scan that cannot model resources must fail, never pass

    inventory = Inventory(errors=list(errors), sensitive_values=set(sensitive))
    for item in evaluated:
        try:
            resource: Resource | None = adapter.to_resource(item.type, item.address, item.attrs, item.location,
                                                            ENGINE, item.mode)
        except Exception as exc:  # noqa: BLE001 - one untranslatable resource must not end the scan
            inventory.errors.append(InputError(item.location.file or "", item.location.line,
                                               f"cannot translate {item.address}: {type(exc).__name__}: {exc}"))
            continue
        if resource is None:
            continue
        if item.body:  # only what the block writes literally; values read through references are not its own
            written = Provenance(item.body)
            resource.values = [(p, v) for p, v in resource.values if written.is_literal(p)]
        for sup in item.suppressions:
            if sup not in resource.suppressions:
                resource.suppressions.append(sup)
        for note in item.notes:
            if note not in resource.notes:
                resource.notes.append(note)
        resource.sensitive_paths = item.sensitive_paths
        mark_sensitive_entries(resource, list(item.sensitive_paths))  # SEC-002: not plain-text literals
        inventory.add(resource)
    return inventory


def _split_paths(paths: list[str], errors: list[InputError]) -> tuple[list[Path], list[Path], list[Path]]:
    """-> (directories, explicit root dirs from .tf files, plan JSON files)."""
    dirs: list[Path] = []
    file_roots: list[Path] = []
    plans: list[Path] = []
    for raw in paths:
        path = Path(raw)
        try:
            exists = path.exists()
        except OSError as exc:
            errors.append(InputError(raw, None, f"cannot access: {exc.strerror or exc}"))
            continue
        if not exists:
            reason = "broken or looping symlink" if path.is_symlink() else "no such file or directory"
            errors.append(InputError(raw, None, reason))
        elif path.is_dir():
            dirs.append(path)
        elif path.suffix == ".json" and _is_plan_json(path):
            plans.append(path)
        elif path.suffix == ".tf":
            file_roots.append(path.parent)
        else:
            errors.append(InputError(raw, None, "not a directory, .tf file or Terraform plan JSON"))
    return dirs, file_roots, plans


def _local_calls(mod: ModuleDef) -> set[str]:
    out = set()
    for decl in mod.modules.values():
        source = decl.attr("source")
        if source is not None and source[0] == "lit" and isinstance(source[1], str) and is_local_source(source[1]):
            out.add(os.path.realpath(mod.path / source[1]))
    return out


def scan(paths: list[str], plans: list[str] = (), var_files: list[str] = (), repo_root: str | None = None,
         strict_suppressions: bool = False, default_root: str | None = None) -> ScanResult:
    """Scan directories / .tf files / plan JSON files; see the module docstring. Without repo_root, a
    plan's .tf sources are looked for under `default_root` (the CLI: the current directory) and used when
    a folder there declares the plan's root module; `result.plans_without_lines` lists the plans where
    none does."""
    result = ScanResult(strict_suppressions=strict_suppressions)
    dirs, file_roots, plan_paths = _split_paths(list(paths), result.errors)
    plan_paths += [Path(p) for p in plans]
    base = Path(repo_root) if repo_root else None
    loader = ModuleLoader(base)
    found: dict[Path, list[Path]] = {}
    explicit: list[Path] = list(file_roots)
    for folder in dirs:
        below = walk_tf_dirs(folder, result.errors)
        if not below:
            result.errors.append(InputError(str(folder), None, "no Terraform files (.tf) found"))
        found.update(below)
        if folder in below:
            explicit.append(folder)
    for folder in file_roots:
        found.setdefault(folder, sorted(folder.glob("*.tf")))
    loader.preload(found)
    defs = {folder: loader.load(folder) for folder in found}
    called: set[str] = set()
    for mod in defs.values():
        called |= _local_calls(mod)
    explicit_real = {os.path.realpath(p) for p in explicit}
    roots = [f for f in found if os.path.realpath(f) in explicit_real or os.path.realpath(f) not in called]
    roots = list(dict.fromkeys(sorted(roots)))
    scan_root = Path(repo_root) if repo_root else None
    for root in roots:
        _evaluate_root(root, defs[root], loader, scan_root or _top_for(root, dirs, file_roots), result,
                       list(var_files))
    called_only = sorted(f for f in found if f not in set(roots))
    for folder in called_only:  # a module repository's modules, checked with their own defaults
        _evaluate_root(folder, defs[folder], loader, scan_root or _top_for(folder, dirs, file_roots), result,
                       None)
    result.scanned.extend(loader.files_read())
    for folder in found:
        json_files = sorted(folder.glob("*.tf.json"))
        result.notes.extend(f"{display_path(f, base)}: Terraform JSON configuration is not scanned "
                            "(use a plan JSON for it)" for f in json_files)
    for plan in plan_paths:
        _read_plan(plan, Path(repo_root) if repo_root else None, result,
                   Path(default_root) if default_root and not repo_root else None)
    result.errors = list(dict.fromkeys(result.errors))
    result.scanned = list(dict.fromkeys(result.scanned))
    return result


def _evaluate_root(root: Path, mod: ModuleDef, loader: ModuleLoader, top: Path, result: ScanResult,
                   var_files: list[str] | None) -> None:
    """Evaluate one root module into an inventory. `var_files` None: a module that other roots call,
    evaluated with its defaults only (variables without one are UNKNOWN reasons, not errors)."""
    errors: list[InputError] = []
    ev = Evaluator(loader, top, errors, result.notes)
    for err in mod.errors:
        ev.error(err.file, err.line, err.message)
    assigned: dict[str, tuple[str, int | None]] = {}
    values = _variable_values(mod, var_files, ev, result.scanned, assigned) if var_files is not None else {}
    scope = root_scope(mod, root, values)
    shown = display_path(root, loader.base)
    try:
        evaluated = ev.resources(scope)
    except Exception as exc:  # noqa: BLE001 - report the root as unreadable, scan the others
        ev.error(shown, None, f"cannot evaluate module: {type(exc).__name__}: {exc}")
        evaluated = []
    if var_files is None:
        result.module_defaults[shown] = evaluated
    else:
        result.evaluated[shown] = evaluated
    inventory = to_inventory(evaluated, errors, ev.sensitive)
    for declared in declarations(ev, scope, assigned):  # variables, outputs, locals (secret rules)
        inventory.add(declared)
    for written in variable_values(values, assigned, mod):  # what variables files write, where they write it
        inventory.add(written)
    result.inventories.append(inventory)
    result.inventory_roots.append(shown)
    result.errors.extend(inventory.errors)


def _top_for(root: Path, dirs: list[Path], file_roots: list[Path]) -> Path:
    """The scan root for file()/templatefile(): the PATH argument that contains this root module."""
    real = os.path.realpath(root)
    for top in list(dirs) + list(file_roots):
        top_real = os.path.realpath(top)
        if real == top_real or real.startswith(top_real + os.sep):
            return top
    return root


def _read_plan(path: Path, repo_root: Path | None, result: ScanResult, default_root: Path | None) -> None:
    from .plan import read_plan_located

    inventory, errors, unmatched = read_plan_located(path, repo_root, default_root)
    if unmatched:
        result.plans_without_lines.append(str(path))
    result.scanned.append(str(path))
    result.errors.extend(errors)
    if inventory is not None:
        result.inventories.append(inventory)
        result.inventory_roots.append(str(path))
        result.notes.extend(inventory.notes)


__all__ = ["scan", "ScanResult", "to_inventory", "evaluate_root", "Ref"]
