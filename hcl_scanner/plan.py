"""Read `terraform show -json PLANFILE` output into the rulebook model.

Follows HashiCorp's documented JSON output format (format_version 0.x and 1.x). Values come from
resource_changes (`after`, with `after_unknown` leaves turned into Unknown) over planned_values, and
data sources read during planning from prior_state. Values still unknown are linked back to the
resources they come from through the configuration's `references` (so `role = aws_iam_role.ci.name`
stays a Ref to the role), and deferred policy documents are rebuilt from their statement blocks.
With a repo root, each resource is pointed at its `resource` block in the .tf sources.
"""

from __future__ import annotations

import codecs
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from rulebook.adapters import leaves
from rulebook.model import InputError, Inventory, Linked, Ref, Resource, SourceLocation
from rulebook.unknown import Unknown, find_unknown

from .adapter import to_resource
from .files import PLAN_LIMIT, read_regular
from .plan_declarations import declarations, mark_sensitive_entries
from rulebook.policy_document import render as render_document
from .plan_schema import shape_errors
from .plan_provisioners import planned_provisioners
from .plan_sources import POLICY_ATTRS, PlanSources, unknown_policy

ENGINE = "terraform-plan"
AFTER_APPLY = Unknown("known after apply")
SENSITIVE = Unknown("the plan marks this value sensitive; it is not shown or read")
# Computed identity attributes: when unknown and not set in configuration they become a Ref to the
# resource itself, so whatever points at them (role = aws_iam_role.ci.name) still links.
IDENTITY_ATTRS = frozenset({"arn", "id", "name", "unique_id", "principal_id", "client_id", "object_id",
                            "application_id", "role_definition_resource_id", "bucket"})
POLICY_DOCUMENT = "aws_iam_policy_document"
# Policy arguments taking a list of documents (POLICY_ATTRS: every argument holding a policy document;
# only a policy data source's document may stand in for one).
LIST_POLICY_ATTRS = frozenset({"source_policy_documents", "override_policy_documents"})
_MAX_DEPTH = 16  # reference chains through module variables and outputs


# --- loading ---------------------------------------------------------------------------------------

def _decode(raw: bytes) -> str:
    """Text of a plan file: UTF-8 (BOM optional), UTF-16/32 with BOM, or BOM-less UTF-16."""
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(codec)
    if len(raw) >= 4 and raw[0] == 0 and raw[1] != 0 and raw[2] == 0:
        return raw.decode("utf-16-be")
    if len(raw) >= 4 and raw[0] != 0 and raw[1] == 0 and raw[3] == 0:
        return raw.decode("utf-16-le")
    if b"\x00" in raw:
        raise ValueError("binary content (NUL bytes), not JSON text")
    return raw.decode("utf-8")


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def load_plan_json(path: Path) -> tuple[dict | None, InputError | None]:
    """The plan JSON object, or an InputError naming the file (and line for syntax errors)."""
    name = str(path)
    raw, error = read_regular(path, name, PLAN_LIMIT, noun="plan file")
    if error is not None or raw is None:
        return None, error
    if not raw.strip():
        return None, InputError(name, None, "empty file, expected `terraform show -json` plan output")
    try:
        text = _decode(raw)
    except UnicodeDecodeError as exc:
        return None, InputError(name, _line_of(raw, exc.start),
                                f"not UTF-8 or UTF-16 text (invalid byte at offset {exc.start})")
    except ValueError as exc:
        return None, InputError(name, None, str(exc))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, InputError(name, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno}){_wrapper_hint(text)}")
    except RecursionError:
        return None, InputError(name, None, "JSON nested too deeply")
    except ValueError:  # an integer literal longer than Python converts (4,300 digits)
        return None, InputError(name, None, "invalid JSON: a number too large to read")
    if not isinstance(data, dict) or "format_version" not in data:
        return None, InputError(name, None, "JSON is not a Terraform plan: no format_version "
                                "(expected `terraform show -json PLANFILE` output)")
    if "planned_values" not in data and "resource_changes" not in data:
        what = "a state file" if "values" in data else "no planned_values or resource_changes"
        return None, InputError(name, None, f"JSON is not a Terraform plan ({what}); "
                                "expected `terraform show -json PLANFILE` output")
    version = data.get("format_version")
    if not isinstance(version, str) or not re.fullmatch(r"[01]\.\d+", version):
        shown = repr(version) if isinstance(version, str) else f"of type {type(version).__name__}"
        return None, InputError(name, None, f"unsupported plan format_version {shown[:40]} (0.x and 1.x are read)")
    try:
        problems = shape_errors(data)
    except RecursionError:
        problems = ["$: nested too deeply"]
    if problems:
        return None, InputError(name, None, "not a well-formed Terraform plan: " + "; ".join(problems))
    if data.get("errored") is True:
        return None, InputError(name, None, "the plan errored (`errored: true`): Terraform could not finish "
                                "planning, so it does not describe what would be applied; fix the plan's errors")
    if data.get("complete") is False:
        return None, InputError(name, None, "the plan is incomplete (`complete: false`): Terraform deferred "
                                "part of it, so it does not describe everything that would be applied")
    return data, None


_WRAPPER_LINE = re.compile(r"\A\s*\[command\]")


def _wrapper_hint(text: str) -> str:
    """A hint for plans captured through hashicorp/setup-terraform's wrapper, which prints the command first."""
    if _WRAPPER_LINE.match(text):
        return ("; the file starts with a CI wrapper's `[command]` line: capture the plan with the wrapper off "
                "(setup-terraform `terraform_wrapper: false`) or write it with `terraform show -json tfplan > plan.json` "
                "in a step without the wrapper")
    return ""


# --- addresses -------------------------------------------------------------------------------------

Key = int | str | None
ModulePath = tuple[tuple[str, Key], ...]  # (("ci", "a"), ("inner", 0)) for module.ci["a"].module.inner[0]

_MODULE_STEP = re.compile(r'module\.([A-Za-z0-9_-]+)(?:\[(\d+|"(?:[^"\\]|\\.)*")\])?(?:\.|$)')
_RESOURCE_REF = re.compile(r'(data\.)?([A-Za-z][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)'
                           r'(?:\[(\d+|"(?:[^"\\]|\\.)*")\])?(?:\.([A-Za-z_][A-Za-z0-9_-]*))?')


def _key(text: str | None) -> Key:
    if text is None:
        return None
    if text.isdigit():
        return int(text) if len(text) <= 18 else text  # an absurd index stays text (int() refuses 4,300+ digits)
    return json.loads(text)


def _index(key: Key) -> str:
    if key is None:
        return ""
    return f"[{key}]" if isinstance(key, int) else f"[{json.dumps(key)}]"


def parse_module_address(address: str) -> ModulePath:
    steps: list[tuple[str, Key]] = []
    pos = 0
    while pos < len(address):
        match = _MODULE_STEP.match(address, pos)
        if not match:
            break
        steps.append((match.group(1), _key(match.group(2))))
        pos = match.end()
    return tuple(steps)


def module_prefix(path: ModulePath) -> str:
    return "".join(f"module.{name}{_index(key)}." for name, key in path)


def _conf_key(path: ModulePath) -> tuple[str, ...]:
    return tuple(name for name, _ in path)


# --- configuration ---------------------------------------------------------------------------------

@dataclass
class _ConfModule:
    """One module of the configuration: its resources (by local address), calls and outputs."""

    key: tuple[str, ...]
    source: str
    resources: dict[str, dict] = field(default_factory=dict)
    calls: dict[str, dict] = field(default_factory=dict)
    outputs: dict[str, dict] = field(default_factory=dict)


def _local_address(mode: str, tf_type: str, name: str) -> str:
    return f"data.{tf_type}.{name}" if mode == "data" else f"{tf_type}.{name}"


def _walk_config(module: dict, key: tuple[str, ...], source: str,
                 out: dict[tuple[str, ...], _ConfModule]) -> None:
    conf = _ConfModule(key, source)
    for res in module.get("resources") or []:
        if isinstance(res, dict) and res.get("type") and res.get("name"):
            conf.resources[_local_address(res.get("mode", "managed"), res["type"], res["name"])] = res
    conf.calls = {k: v for k, v in (module.get("module_calls") or {}).items() if isinstance(v, dict)}
    conf.outputs = {k: v for k, v in (module.get("outputs") or {}).items() if isinstance(v, dict)}
    out[key] = conf
    for name, call in conf.calls.items():
        if isinstance(call.get("module"), dict):
            _walk_config(call["module"], key + (name,), str(call.get("source", "")), out)


def _same(value: Any, constant: Any) -> bool:
    """Equal, comparing lists as multisets (set-typed arguments come back in the provider's order)."""
    if isinstance(value, list) and isinstance(constant, list):
        key = lambda item: json.dumps(item, sort_keys=True, default=str)  # noqa: E731
        return sorted(map(key, value)) == sorted(map(key, constant))
    return value == constant


def _consistent(block: Any, conf: Any) -> bool:
    """No constant written in the configuration block contradicts a known value of the planned block."""
    if not isinstance(conf, dict):
        return False
    if not isinstance(block, dict):
        return isinstance(block, Unknown)
    for name, expr in conf.items():
        if _is_expression(expr) and "constant_value" in expr:
            value = block.get(name)
            if value is not None and find_unknown(value) is None and not _same(value, expr["constant_value"]):
                return False
    return True


def _pair_blocks(planned: list[Any], conf: list[Any]) -> dict[int, Any]:
    """Planned nested block index -> the configuration block it came from.

    Dynamic blocks are missing from the configuration and set-typed blocks come back reordered, so a
    pair is made only when it is unambiguous: the one configuration block consistent with the planned
    block and claimed by no other planned block, or (when the counts agree) the block at the same
    position if it is consistent. Anything else stays unlinked (its unknowns stay Unknown).
    """
    fitting = [[j for j, c in enumerate(conf) if _consistent(b, c)] for b in planned]
    claims: dict[int, int] = {}
    for options in fitting:
        for j in options:
            claims[j] = claims.get(j, 0) + 1
    same_count = len(planned) == len(conf)
    pairs: dict[int, Any] = {}
    for i, options in enumerate(fitting):
        if len(options) == 1 and claims[options[0]] == 1:
            pairs[i] = conf[options[0]]
        elif same_count and i in options:
            pairs[i] = conf[i]
    return pairs


def _kept(refs: list[Any]) -> list[str]:
    """References without the prefixes Terraform also lists (aws_iam_role.ci after aws_iam_role.ci.name)."""
    strings = [r for r in refs if isinstance(r, str)]
    return [r for i, r in enumerate(strings)
            if not any(o.startswith(r + ".") or o.startswith(r + "[") for o in strings[:i])]


_PATH_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _literal_in(exprs: Any, path: str) -> bool:
    """Whether the configuration writes the value at `path` (a.b[0].c) itself: an expression without
    references. Values the provider computes or that are read from elsewhere are not literals."""
    node = exprs
    for match in _PATH_STEP.finditer(path):
        if _is_expression(node):
            break
        name, index = match.groups()
        if index is not None:
            node = node[int(index)] if isinstance(node, list) and int(index) < len(node) else None
        else:
            node = node.get(name) if isinstance(node, dict) else None
        if node is None:
            return False
    return node == {} or (_is_expression(node) and not node.get("references"))


def _is_expression(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and set(value) <= {"constant_value", "references"}


# --- plan values -----------------------------------------------------------------------------------

@dataclass
class _Instance:
    address: str
    mode: str
    type: str
    name: str
    index: Key
    module: ModulePath
    values: dict[str, Any]
    sensitive: list[str] = field(default_factory=list)
    action: str = ""
    deferred: str | None = None  # Terraform postponed planning it (deferred_changes), with the reason

    @property
    def local(self) -> str:
        return _local_address(self.mode, self.type, self.name)


def _has_true(mask: Any) -> bool:
    if mask is True:
        return True
    if isinstance(mask, dict):
        return any(_has_true(v) for v in mask.values())
    if isinstance(mask, list):
        return any(_has_true(v) for v in mask)
    return False


def overlay_unknown(value: Any, mask: Any, marker: Unknown = AFTER_APPLY) -> Any:
    """`after` with every leaf that `after_unknown` (or another mask) marks true replaced by `marker`."""
    if mask is True:
        return marker
    if not _has_true(mask):
        return value
    if isinstance(mask, dict):
        base = dict(value) if isinstance(value, dict) else {}
        for key, sub in mask.items():
            base[key] = overlay_unknown(base.get(key), sub, marker)
        return base
    base_list = list(value) if isinstance(value, list) else []
    for i, sub in enumerate(mask):
        if i < len(base_list):
            base_list[i] = overlay_unknown(base_list[i], sub, marker)
        else:
            base_list.append(overlay_unknown(None, sub, marker))
    return base_list


def hide_sensitive(value: Any, mask: Any) -> Any:
    """Values the plan marks sensitive never reach the model: they are not decided from (UNKNOWN, fail
    closed) and cannot appear in a message, reason or report."""
    if not _has_true(mask):
        return value
    return _hide(value, mask)


def _hide(value: Any, mask: Any) -> Any:
    if mask is True:
        return SENSITIVE if value is not None else None
    if isinstance(mask, dict) and isinstance(value, dict):
        return {k: _hide(v, mask.get(k)) for k, v in value.items()}
    if isinstance(mask, list) and isinstance(value, list):
        return [_hide(v, mask[i]) if i < len(mask) else v for i, v in enumerate(value)]
    return value


def _true_paths(mask: Any) -> Iterator[str]:
    """Paths a mask (after_sensitive, sensitive_values) marks true."""
    return (path or "(whole value)" for path, flag in leaves(mask) if flag is True)


def _module_resources(module: dict, default_path: ModulePath = ()) -> Iterator[tuple[ModulePath, dict]]:
    path = parse_module_address(module.get("address", "")) if module.get("address") else default_path
    for res in module.get("resources") or []:
        if isinstance(res, dict):
            yield path, res
    for child in module.get("child_modules") or []:
        if isinstance(child, dict):
            yield from _module_resources(child, path)


def _dict_or_empty(values: Any) -> dict:
    return values if isinstance(values, dict) else {}


def _instance(path: ModulePath, res: dict, values: Any, sensitive: Any, action: str = "") -> _Instance | None:
    if not res.get("type") or not res.get("name") or not res.get("address"):
        return None
    return _Instance(address=res["address"], mode=res.get("mode", "managed"), type=res["type"],
                     name=res["name"], index=res.get("index"), module=path,
                     values=_dict_or_empty(hide_sensitive(values, sensitive)),
                     sensitive=list(_true_paths(sensitive)), action=action)


def collect_instances(data: dict) -> dict[str, _Instance]:
    """Every resource instance the plan leaves in place, by absolute address."""
    found: dict[str, _Instance] = {}
    prior = ((data.get("prior_state") or {}).get("values") or {}).get("root_module") or {}
    for path, res in _module_resources(prior):
        if res.get("mode") == "data":
            inst = _instance(path, res, res.get("values"), res.get("sensitive_values"))
            if inst:
                found[inst.address] = inst
    planned = (data.get("planned_values") or {}).get("root_module") or {}
    for path, res in _module_resources(planned):
        inst = _instance(path, res, res.get("values"), res.get("sensitive_values"))
        if inst:
            found[inst.address] = inst
    changes = [(c, None) for c in data.get("resource_changes") or []]
    changes += [(d.get("resource_change"), d.get("reason") or "unknown reason")
                for d in data.get("deferred_changes") or [] if isinstance(d, dict)]
    for change, deferred in changes:
        if not isinstance(change, dict) or change.get("deposed"):
            continue
        body = change.get("change") or {}
        actions = body.get("actions") or []
        if actions in (["delete"], ["forget"]):
            found.pop(change.get("address", ""), None)
            continue
        path = parse_module_address(change.get("module_address") or change.get("address", ""))
        values = overlay_unknown(body.get("after"), body.get("after_unknown"))
        inst = _instance(path, change, values, body.get("after_sensitive"), "/".join(actions))
        if inst:
            inst.deferred = deferred
            found[inst.address] = inst
    return found


# --- source locations ------------------------------------------------------------------------------

_BLOCK_HEAD = re.compile(r'^[ \t]*(resource|data|module|variable|output)[ \t]+"([^"]+)"(?:[ \t]+"([^"]+)")?[ \t]*\{',
                         re.M)
_ONE_LABEL = ("module", "variable", "output")
_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\n")
_SKIP_DIRS = {".terraform", ".git", "node_modules", "__pycache__"}


def _block_end(text: str, start: int) -> int:
    """Offset just after the brace closing the block whose `{` is at `start` (strings, comments skipped)."""
    depth, i, n = 0, start, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif ch == "#" or (ch == "/" and text.startswith("//", i)):
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif ch == "/" and text.startswith("/*", i):
            i = text.find("*/", i)
            i = n if i < 0 else i + 1
        elif ch == "<" and (heredoc := _HEREDOC.match(text, i)):
            end = re.compile(rf"^[ \t]*{re.escape(heredoc.group(1))}[ \t]*$", re.M).search(text, heredoc.end())
            i = n if end is None else end.end() - 1
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


@dataclass(frozen=True)
class _Declared:
    file: str
    line: int
    end_line: int


class SourceIndex:
    """`resource`/`data`/`module` block heads of the .tf files under a repo root, by directory."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._dirs: dict[Path, dict[tuple[str, str], _Declared]] = {}

    def declared(self, directory: Path) -> dict[tuple[str, str], _Declared]:
        """(block kind, "TYPE.NAME" or module name) -> declaration, for the .tf files of one directory."""
        directory = directory.resolve()
        if directory in self._dirs:
            return self._dirs[directory]
        found: dict[tuple[str, str], _Declared] = {}
        try:
            files = sorted(p for p in directory.iterdir() if p.suffix == ".tf" and p.is_file())
        except OSError:
            files = []
        for file in files:
            try:
                text = file.read_text(encoding="utf-8-sig", errors="replace")
            except OSError:
                continue
            rel = file.relative_to(self.root).as_posix() if file.is_relative_to(self.root) else str(file)
            for match in _BLOCK_HEAD.finditer(text):
                kind, first, second = match.groups()
                if kind not in _ONE_LABEL and not second:
                    continue
                name = first if kind in _ONE_LABEL else f"{first}.{second}"
                line = text.count("\n", 0, match.start()) + 1
                end = _block_end(text, match.end() - 1)
                found.setdefault((kind, name), _Declared(rel, line, text.count("\n", 0, end) + 1))
        self._dirs[directory] = found
        return found

    def directories(self, limit: int = 5000, walked: int = 50000) -> list[Path]:
        """Directories holding .tf files (at most `limit`, after at most `walked` directories visited:
        the default root is the current directory, which may be a large tree)."""
        out: list[Path] = []
        for count, (current, dirs, files) in enumerate(os.walk(self.root), start=1):
            dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
            if any(f.endswith(".tf") for f in files):
                out.append(Path(current))
            if len(out) >= limit or count >= walked:
                break
        return out

    def inside(self, directory: Path) -> bool:
        try:
            return directory.resolve().is_relative_to(self.root)
        except OSError:
            return False


def _origin(ref: str, values: list[Any]) -> str:
    """A reference for messages, with the resource attributes a variable or output stands for:
    `var.repository_arn (aws_ecr_repository.app.arn)`."""
    behind = [f"{v.address}.{v.attribute}" for v in values if isinstance(v, Ref)]
    return f"{ref} ({', '.join(behind)})" if behind and ref.startswith(("var.", "module.")) else ref


# --- the reader ------------------------------------------------------------------------------------

class _PlanReader:
    def __init__(self, data: dict, path: Path, repo_root: Path | None, default_root: Path | None = None) -> None:
        self.path = path
        self.instances = collect_instances(data)
        self.config: dict[tuple[str, ...], _ConfModule] = {}
        root = (data.get("configuration") or {}).get("root_module")
        if isinstance(root, dict):
            _walk_config(root, (), ".", self.config)
        self.sources = SourceIndex(repo_root) if repo_root is not None else None
        self._dirs: dict[tuple[str, ...], Path | None] = {}
        self._module_cache: dict[tuple[str, ...], Any] = {}
        self._documents: dict[str, Any] = {}
        self._linking: set[str] = set()
        self._linked: dict[str, dict] = {}
        declared = ((data.get("configuration") or {}).get("root_module") or {}).get("variables") or {}
        secret = {n for n, v in declared.items() if isinstance(v, dict) and v.get("sensitive") is True}
        # sensitive variables stay unset for the .tf sources: what depends on them stays unknown, never shown
        self.variables = {name: v["value"] for name, v in (data.get("variables") or {}).items()
                          if isinstance(v, dict) and "value" in v and name not in secret}
        providers = (data.get("configuration") or {}).get("provider_config")
        self.provider_config: dict = providers if isinstance(providers, dict) else {}
        self._sources: PlanSources | bool | None = None  # False: no sources to read
        self.source_notes: dict[str, list[str]] = {}  # address -> what the .tf sources gave (or why not)
        self.notes: list[str] = []  # about the whole plan (a partial match with the .tf sources)
        self.where = "the repo root"
        self._match: tuple[SourceIndex, tuple[Path, int, int]] | None = None
        self.unmatched = False  # the default root declares none of the plan's blocks: no lines
        if repo_root is None and default_root is not None:
            self._try_default_root(default_root)

    def _try_default_root(self, default_root: Path) -> None:
        """Without --repo-root, read the sources under `default_root` (the current directory) only when a
        folder there declares most of the plan's root module blocks (a folder that happens to declare an
        `aws_iam_role.this` too is not the plan's)."""
        self.sources, self.where = SourceIndex(default_root), "the current directory"
        _, score, wanted = self._root_match()
        if score * 2 <= wanted:
            self.sources, self.unmatched = None, wanted > 0

    # configuration lookups

    def conf_resource(self, inst: _Instance) -> dict | None:
        module = self.config.get(_conf_key(inst.module))
        return module.resources.get(inst.local) if module else None

    def _is_multi(self, module: ModulePath, local: str) -> bool:
        conf = self.config.get(_conf_key(module))
        res = conf.resources.get(local) if conf else None
        return bool(res and ("count_expression" in res or "for_each_expression" in res))

    # references -> values

    def resolve(self, refs: list[str], module: ModulePath, index: Key, depth: int = 0) -> list[Any]:
        """Values the references of one expression stand for: Refs, or documents of policy data sources."""
        out: list[Any] = []
        seen: set[str] = set()
        for ref in _kept(refs):
            for value in self._resolve_one(ref, refs, module, index, depth):
                ident = repr(value) if not isinstance(value, dict) else json.dumps(value, default=str, sort_keys=True)
                if ident not in seen:
                    seen.add(ident)
                    out.append(value)
        return out

    def _resolve_one(self, ref: str, refs: list[str], module: ModulePath, index: Key, depth: int) -> list[Any]:
        if depth > _MAX_DEPTH:
            return []
        head = ref.split(".", 1)[0].split("[", 1)[0]
        if head in ("local", "count", "each", "path", "terraform", "self"):
            return []
        if head == "var":
            return self._through_variable(ref.split(".")[1].split("[")[0], module, depth)
        if head == "module":
            return self._through_output(ref, module, depth)
        match = _RESOURCE_REF.fullmatch(ref) or _RESOURCE_REF.match(ref)
        if not match:
            return []
        data, tf_type, name, key_text, attr = match.groups()
        local = _local_address("data" if data else "managed", tf_type, name)
        key = _key(key_text)
        if key is None and self._is_multi(module, local):
            if "count.index" in refs and isinstance(index, int):
                key = index
            elif "each.key" in refs and isinstance(index, str):
                key = index
            else:
                return []
        address = f"{module_prefix(module)}{local}{_index(key)}"
        if data and tf_type == POLICY_DOCUMENT and attr in ("json", "minified_json"):
            return [self.document(address, module, local, key)]
        return [Ref(address, attr or "id")]

    def _through_variable(self, name: str, module: ModulePath, depth: int) -> list[Any]:
        if not module:
            return []
        parent = self.config.get(_conf_key(module[:-1]))
        call = parent.calls.get(module[-1][0]) if parent else None
        expr = ((call or {}).get("expressions") or {}).get(name)
        if not _is_expression(expr) or "references" not in expr:
            return []
        return self.resolve(expr["references"], module[:-1], module[-1][1], depth + 1)

    def _through_output(self, ref: str, module: ModulePath, depth: int) -> list[Any]:
        match = re.match(r'module\.([A-Za-z0-9_-]+)(?:\[(\d+|"(?:[^"\\]|\\.)*")\])?\.([A-Za-z_][A-Za-z0-9_-]*)', ref)
        if not match:
            return []
        call_name, key_text, output = match.groups()
        conf = self.config.get(_conf_key(module) + (call_name,))
        call = self.config.get(_conf_key(module))
        call_body = call.calls.get(call_name) if call else None
        if conf is None or call_body is None:
            return []
        key = _key(key_text)
        if key is None and ("count_expression" in call_body or "for_each_expression" in call_body):
            return []
        expr = (conf.outputs.get(output) or {}).get("expression")
        if not _is_expression(expr) or "references" not in expr:
            return []
        return self.resolve(expr["references"], module + ((call_name, key),), None, depth + 1)

    # policy documents of aws_iam_policy_document data sources

    def document(self, address: str, module: ModulePath, local: str, key: Key) -> Any:
        if address in self._documents:
            return self._documents[address]
        if address in self._linking:
            return Unknown(f"{address} refers to itself")
        self._linking.add(address)
        inst = self.instances.get(address)
        values: dict | None = None
        if inst is not None:
            text = inst.values.get("json")
            if isinstance(text, str) and text.strip():
                try:
                    doc: Any = json.loads(text)
                except json.JSONDecodeError:
                    doc = text  # the adapter reports it as a malformed document
                self._documents[address] = doc
                self._linking.discard(address)
                return doc
            values = self.linked(inst)
        else:
            conf = self.config.get(_conf_key(module))
            res = conf.resources.get(local) if conf else None
            if res is not None:
                values = self._from_expressions(res.get("expressions") or {}, module, key)
        doc = (render_document(values) if values is not None
               else Unknown(f"{address} is not in the plan"))
        self._documents[address] = doc
        self._linking.discard(address)
        return doc

    def _from_expressions(self, exprs: dict, module: ModulePath, key: Key) -> dict:
        """Arguments of a block from its configuration alone: constants, and references linked."""
        out: dict[str, Any] = {}
        for name, expr in exprs.items():
            if _is_expression(expr):
                if "constant_value" in expr:
                    out[name] = expr["constant_value"]
                elif name in POLICY_ATTRS:
                    out[name] = self._documents_for(expr.get("references") or [], module, key, name)
                else:
                    got = self.resolve(expr.get("references") or [], module, key)
                    out[name] = got[0] if len(got) == 1 else Unknown(
                        f"{name} is computed during apply" + (f" from {', '.join(map(str, got))}" if got else ""))
            elif isinstance(expr, list):
                out[name] = [self._from_expressions(b, module, key) for b in expr if isinstance(b, dict)]
        return out

    # linking unknown values

    def linked(self, inst: _Instance) -> dict:
        """The instance's values with unknown leaves linked through configuration references."""
        if inst.address in self._linked:
            return self._linked[inst.address]
        conf = self.conf_resource(inst)
        values = dict(inst.values)
        if conf is not None:
            exprs = conf.get("expressions") or {}
            values = {k: self._link(v, exprs.get(k), inst, k) for k, v in values.items()}
            for key in list(values):
                if isinstance(values[key], Unknown) and key not in exprs:
                    if key in IDENTITY_ATTRS:
                        values[key] = Ref(inst.address, key)
                    elif key not in ("json", "minified_json"):
                        del values[key]  # computed by the provider, not set by the configuration
            self._from_sources(inst, conf, values)
        self._linked[inst.address] = values
        return values

    # policy arguments the plan leaves unknown, from the .tf sources

    def _from_sources(self, inst: _Instance, conf: dict, values: dict) -> None:
        """Unknown policy arguments (top level or in nested blocks) as the sources compute them."""
        pending = [k for k, v in values.items() if (isinstance(v, Unknown) and k in POLICY_ATTRS)
                   or (isinstance(v, list) and any(unknown_policy(b) for b in v))]
        sources = self._plan_sources() if pending else None
        directory = self.module_dir(_conf_key(inst.module)) if sources is not None else None
        if sources is None or directory is None:
            return
        if not sources.same_block(directory, inst.local, conf.get("expressions") or {}):
            self.source_notes.setdefault(inst.address, []).append(
                "the block in the .tf sources does not refer to what the plan's configuration does (sources "
                "of another commit?): values the plan leaves unknown are not read from them")
            return
        taken: list[str] = []
        for key in pending:
            if isinstance(values[key], list):
                values[key], got = sources.blocks(inst.address, key, values[key])
                taken += got
            elif (found := sources.policy(inst.address, key)) is not None:
                values[key] = found
                taken.append(key)
        self.source_notes.setdefault(inst.address, []).extend(
            f"{attr} is known only after apply in the plan: read from the .tf sources with the plan's variable "
            "values" for attr in taken)

    def _plan_sources(self) -> PlanSources | None:
        if self._sources is None and self.sources is not None:
            root = self.module_dir(())
            self._sources = PlanSources(root, self.sources.root, self.variables) if root is not None else False
        return self._sources or None

    def _link(self, value: Any, expr: Any, inst: _Instance, attr: str) -> Any:
        if _is_expression(expr):
            refs = expr.get("references") or []
            if not refs:
                return value
            if isinstance(value, Unknown) and attr in POLICY_ATTRS:
                return self._documents_for(refs, inst.module, inst.index, attr)
            if isinstance(value, Unknown):
                got = self._fitting(self.resolve(refs, inst.module, inst.index), attr)
                return got[0] if len(got) == 1 else value
            if isinstance(value, str) and attr not in POLICY_ATTRS:
                return self._linked_string(value, refs, inst)
            if isinstance(value, list) and any(isinstance(v, (Unknown, str)) for v in value):
                got = self._fitting(self.resolve(refs, inst.module, inst.index), attr)
                holes = [i for i, v in enumerate(value) if isinstance(v, Unknown)]
                value = [self._linked_string(v, refs, inst, got) if isinstance(v, str) else v for v in value]
                if len(got) == len(holes):
                    for i, got_value in zip(holes, got):
                        value[i] = got_value
            return value
        if isinstance(value, dict) and isinstance(expr, dict):
            return {k: self._link(v, expr.get(k), inst, k) for k, v in value.items()}
        if isinstance(value, list) and isinstance(expr, list):
            pairs = _pair_blocks(value, expr)
            return [self._link(v, pairs.get(i), inst, attr) for i, v in enumerate(value)]
        return value

    def _linked_string(self, value: str, refs: list[str], inst: _Instance, got: list[Any] | None = None) -> str:
        """A known string kept with the resources its expression refers to (`role = aws_iam_role.ci.name`
        in module a is that role, not module b's role of the same name)."""
        if got is None:
            got = self.resolve(refs, inst.module, inst.index)
        targets = tuple(v.address for v in got if isinstance(v, Ref))
        return Linked(value, targets) if targets else value

    def _documents_for(self, refs: list[str], module: ModulePath, index: Key, attr: str) -> Any:
        """An unknown policy argument: the documents of the policy data sources it names, if that is all it names."""
        shown = [r for r in _kept(refs) if not r.startswith(("count.", "each."))]
        found = {ref: self._resolve_one(ref, refs, module, index, 0) for ref in shown}
        docs = [v for got in found.values() for v in got]
        if attr in LIST_POLICY_ATTRS and all(found.values()) and not any(isinstance(v, Ref) for v in docs):
            return docs
        if len(docs) == 1 and len(shown) == 1 and not isinstance(docs[0], Ref):
            return docs[0]
        return Unknown(f"known after apply (computed from {', '.join(_origin(ref, found[ref]) for ref in shown)})")

    @staticmethod
    def _fitting(values: list[Any], attr: str) -> list[Any]:
        """A policy argument takes only documents; any other argument only Refs."""
        if attr in POLICY_ATTRS:
            return [v for v in values if not isinstance(v, Ref)]
        return [v for v in values if isinstance(v, Ref)]

    # source locations

    def module_dir(self, key: tuple[str, ...]) -> Path | None:
        if key in self._dirs:
            return self._dirs[key]
        assert self.sources is not None
        if not key:
            found = self._root_dir()
        else:
            parent = self.module_dir(key[:-1])
            conf = self.config.get(key)
            source = conf.source if conf else ""
            found = None
            if parent is not None and source.startswith(("./", "../")):
                candidate = (parent / source).resolve()
                found = candidate if candidate.is_dir() and self.sources.inside(candidate) else None
        self._dirs[key] = found
        return found

    def _root_dir(self) -> Path | None:
        """The directory under the repo root that declares most of the root module's blocks."""
        best, best_score, wanted = self._root_match()
        if wanted and best_score < wanted:
            assert self.sources is not None
            where = best.relative_to(self.sources.root).as_posix() if best_score else None
            self.notes.append(
                f"{self.path}: the plan's root module matches {where}/ under {self.where} only in part "
                f"({best_score} of its {wanted} blocks declared there): the others point at the plan file"
                if where is not None else
                f"{self.path}: no folder under {self.where} declares the plan's root module blocks "
                f"(0 of {wanted}): findings point at the plan file")
        return best

    def _root_match(self) -> tuple[Path, int, int]:
        """The directory declaring most of the root module's blocks, how many it declares, of how many."""
        assert self.sources is not None
        if self._match is None or self._match[0] is not self.sources:
            self._match = (self.sources, self._best_root())
        return self._match[1]

    def _best_root(self) -> tuple[Path, int, int]:
        assert self.sources is not None
        wanted = {("data" if i.mode == "data" else "resource", f"{i.type}.{i.name}")
                  for i in self.instances.values() if not i.module}
        root_conf = self.config.get(())
        if root_conf:
            wanted |= {("module", name) for name in root_conf.calls}
            wanted |= {("data" if r.get("mode") == "data" else "resource", f"{r['type']}.{r['name']}")
                       for r in root_conf.resources.values()}
        best, best_score = self.sources.root, 0
        for directory in self.sources.directories():
            score = len(wanted & set(self.sources.declared(directory)))
            if score > best_score:
                best, best_score = directory, score
        return best, best_score, len(wanted)

    def _module_sources(self, key: tuple[str, ...]) -> tuple[dict, str, SourceLocation | None] | str:
        """Declarations of one module's directory, its name for messages and the calling block;
        or the note saying why the module's sources are not available."""
        if key in self._module_cache:
            return self._module_cache[key]
        assert self.sources is not None
        directory = self.module_dir(key)
        if directory is None:
            conf = self.config.get(key)
            found: Any = f"module source {conf.source if conf else '?'!r} is not a local directory under the repo root"
        else:
            called_from = None
            parent = self.module_dir(key[:-1]) if key else None
            call = self.sources.declared(parent).get(("module", key[-1])) if parent else None
            if call:
                called_from = SourceLocation(file=call.file, line=call.line, end_line=call.end_line)
            where = (directory.relative_to(self.sources.root).as_posix() if self.sources.inside(directory)
                     else str(directory))
            found = (self.sources.declared(directory), where, called_from)
        self._module_cache[key] = found
        return found

    def declaration_location(self, key: tuple[str, ...], block: str, name: str) -> SourceLocation:
        """Where a variable or output is declared in the sources (the plan file without them)."""
        found = self._module_sources(key) if self.sources is not None else None
        hit = found[0].get((block, name)) if isinstance(found, tuple) else None
        if hit is None:
            return SourceLocation(file=str(self.path))
        return SourceLocation(file=hit.file, line=hit.line, end_line=hit.end_line, called_from=found[2])

    def location(self, inst: _Instance) -> tuple[SourceLocation, str | None]:
        fallback = SourceLocation(file=str(self.path))
        if self.sources is None:
            return fallback, None
        found = self._module_sources(_conf_key(inst.module))
        if isinstance(found, str):
            return fallback, found
        declared, where, called_from = found
        block = "data" if inst.mode == "data" else "resource"
        hit = declared.get((block, f"{inst.type}.{inst.name}"))
        if hit is None:
            return fallback, f'{block} "{inst.type}" "{inst.name}" not found in {where}/ under the repo root'
        return SourceLocation(file=hit.file, line=hit.line, end_line=hit.end_line, called_from=called_from), None

    # assembly

    def resources(self) -> list[Resource]:
        out: list[Resource] = []
        for inst in self.instances.values():
            values = self.linked(inst)
            location, note = self.location(inst)
            resource = to_resource(inst.type, inst.address, values, location, ENGINE, mode=inst.mode)
            if resource is None:
                continue
            if note:
                resource.notes.append(note)
            conf = self.conf_resource(inst)
            if conf is not None:  # only what is literal in the configuration, not values read from elsewhere
                exprs = conf.get("expressions") or {}
                resource.values = [(p, v) for p, v in resource.values if _literal_in(exprs, p)]
            resource.notes.extend(self.source_notes.get(inst.address, ()))
            if inst.deferred:
                resource.notes.append(f"planning deferred by Terraform ({inst.deferred}): values may be incomplete")
            if inst.sensitive:
                resource.notes.append(f"plan marks sensitive: {', '.join(inst.sensitive)}")
                mark_sensitive_entries(resource, inst.sensitive)
            out.append(resource)
            if conf is not None and conf.get("provisioners"):
                out.extend(self.provisioners(inst, conf, location))
        return out + self.providers()

    def provisioners(self, inst: _Instance, conf: dict, location: SourceLocation) -> list[Resource]:
        """The commands a resource runs, each at its provisioner block when the sources are read."""
        sources = self._plan_sources()
        directory = self.module_dir(_conf_key(inst.module)) if sources is not None else None
        same = directory is not None and sources.same_block(directory, inst.local, conf.get("expressions") or {})
        out = []
        for planned in planned_provisioners(conf, inst.address, sources.evaluated if same else None):
            where = planned.source.location if planned.source is not None else location
            here = SourceLocation(location.file, where.line, where.end_line, called_from=location.called_from)
            resource = to_resource(planned.type, planned.address, planned.attrs, here, ENGINE, mode="provisioner")
            if resource is not None:
                resource.values = [(p, v) for p, v in resource.values if _literal_in(planned.expressions, p)]
                out.append(resource)
        return out

    def providers(self) -> list[Resource]:
        """configuration.provider_config as instances of mode "provider" (the adapter picks what it models):
        constants, and the root module's variables they refer to; anything else is Unknown."""
        out: list[Resource] = []
        for key, conf in self.provider_config.items():
            if not isinstance(conf, dict) or not isinstance(conf.get("name"), str):
                continue
            attrs: dict[str, Any] = {"alias": conf["alias"]} if isinstance(conf.get("alias"), str) else {}
            for name, expr in (conf.get("expressions") or {}).items():
                if isinstance(expr, dict) and name in ("allowed_account_ids", "forbidden_account_ids"):
                    attrs[name] = self._provider_value(key, conf, name, expr)
            module = conf.get("module_address")
            address = (f"{module}." if isinstance(module, str) and module else "") + "provider." + \
                ".".join(filter(None, [conf["name"], attrs.get("alias")]))
            resource = to_resource(conf["name"], address, attrs, SourceLocation(file=str(self.path)), ENGINE,
                                   mode="provider")
            if resource is not None:
                out.append(resource)
        return out

    def _provider_value(self, key: str, conf: dict, name: str, expr: dict) -> Any:
        if "constant_value" in expr:
            return expr["constant_value"]
        refs = [r for r in expr.get("references") or () if isinstance(r, str)]
        if not conf.get("module_address") and len(refs) == 1 and refs[0].startswith("var."):
            value = self.variables.get(refs[0][len("var."):])  # `var.ids` (a list) or `[var.id]` (one ID)
            if isinstance(value, list):
                return value
            if isinstance(value, str):
                return [value]
        return Unknown(f"{name} of provider {key} is computed from {', '.join(refs) or 'an expression'}")


def read_plan(path: Path, repo_root: Path | None = None) -> tuple[Inventory | None, list[InputError]]:
    """The inventory of a `terraform show -json` plan, and the input errors met reading it.

    A file that cannot be read as a plan gives (None, [error]). Without repo_root every resource is
    located at the plan file (no line); with it, at its block in the .tf sources when found.
    """
    inventory, errors, _ = read_plan_located(path, repo_root)
    return inventory, errors


def read_plan_located(path: Path, repo_root: Path | None = None, default_root: Path | None = None
                      ) -> tuple[Inventory | None, list[InputError], bool]:
    """As read_plan; without repo_root the sources are looked for under `default_root` and used when a
    folder there declares the plan's root module. The flag: no line could be found for the plan's blocks
    because `default_root` declares none of them (the caller says how to fix it)."""
    data, error = load_plan_json(path)
    if error is not None:
        return None, [error], False
    assert data is not None
    try:
        reader = _PlanReader(data, path, repo_root, default_root)
        return Inventory(reader.resources() + declarations(data, reader.declaration_location),
                         notes=reader.notes), [], reader.unmatched
    except RecursionError:
        return None, [InputError(str(path), None, "plan values nested too deeply")], False
