"""The module tree of a root: provider blocks, module calls and the walk over every resource instance.

A mixin of the Evaluator (evaluator.py), beside named_values.py (variables, locals, outputs,
resource expansion).
"""

from __future__ import annotations

from typing import Any

from rulebook.unknown import Unknown

from rulebook.model import SourceLocation

from . import suppressions
from .modules import Decl, ModuleDef, is_path_source, local_source_dir
from .named_values import (META_ATTRS, EvalError, EvaluatedResource, Input, ModuleInstanceValue, RemoteModuleValue,
                           Scope)
from .sensitive import strip


class ModuleTree:
    """Mixin of the Evaluator: providers, module calls, and `resources()` over a whole tree."""

    def provider_default_tags(self, scope: "Scope") -> dict[str | None, Any]:
        """default_tags of the root module's aws provider blocks, by alias (None = default)."""
        root = scope
        while root.parent is not None:
            root = root.parent
        if root.default_tags is None:
            root.default_tags = {}
            for decl in root.mod.providers:
                if decl.type != "aws":
                    continue
                alias = decl.attr("alias")
                alias_value = self.eval_attr(alias, root, {}, (decl.file, decl.line)) if alias is not None else None
                blocks = [b for b in decl.body if b[0] == "b" and b[1] == "default_tags"]
                if not blocks:
                    continue
                tags = self.eval_body(blocks[0][3], root, {}, decl.file).get("tags", {})
                root.default_tags[alias_value if isinstance(alias_value, str) else None] = tags
        return root.default_tags

    def _with_default_tags(self, decl: Decl, scope: "Scope", attrs: dict) -> dict:
        """tags_all as the AWS provider computes it: provider default_tags overlaid by the resource's tags."""
        defaults = self.provider_default_tags(scope)
        if not defaults or "tags_all" in attrs:
            return attrs
        provider = decl.attr("provider")
        alias = provider[2] if provider is not None and provider[0] == "attr" else None
        base = defaults.get(alias)
        if base is None:
            return attrs
        own = attrs.get("tags", {})
        if isinstance(base, Unknown) or isinstance(own, Unknown):
            tags_all: Any = base if isinstance(base, Unknown) else own
        elif isinstance(base, dict) and isinstance(own, (dict, type(None))):
            tags_all = {**base, **(own or {})}
        else:
            return attrs
        return {**attrs, "tags_all": tags_all}

    # --- modules -----------------------------------------------------------------------
    def module_value(self, scope: "Scope", name: str) -> Any:
        return self.module_instances(scope, name)[0]

    def module_instances(self, scope: "Scope", name: str) -> tuple[Any, list["Scope"]]:
        if name in scope.modules:
            return scope.modules[name]
        decl = scope.mod.modules.get(name)
        if decl is None:
            raise EvalError(f"reference to undeclared module {name!r}")
        return self.named(("mod", id(scope), name), lambda: self._module_call(scope, name, decl),
                          lambda: self._long_cycle(f"module.{name}", decl))

    def _module_call(self, scope: "Scope", name: str, decl: Decl) -> tuple[Any, list["Scope"]]:
        if name in scope.modules:
            return scope.modules[name]
        scope.modules[name] = (Unknown(f"module {name} refers to itself"), [])
        try:
            scope.modules[name] = self._instantiate(scope, decl)
        except BaseException:
            del scope.modules[name]  # unwound to compute a dependency first: retried later
            raise
        return scope.modules[name]

    def _instantiate(self, scope: "Scope", decl: Decl) -> tuple[Any, list["Scope"]]:
        base = f"{scope.prefix}module.{decl.name}"
        location = SourceLocation(decl.file, decl.line, decl.end_line, called_from=scope.call_location)
        source_node = decl.attr("source")
        source = self.eval_attr(source_node, scope, {}, (decl.file, decl.line)) if source_node is not None else None
        if not isinstance(source, str):
            self.error(decl.file, decl.line, f"module {decl.name}: source must be a literal string")
            return Unknown(f"module {decl.name} has no readable source"), []
        if not is_path_source(source):
            reason = f"module {base} (source {source!r}) is a remote module and was not scanned"
            note = f"{decl.file}:{decl.line}: {reason}"
            if note not in self.notes:
                self.notes.append(note)
            return RemoteModuleValue(reason), []
        folder, refused = local_source_dir(scope.mod.path, source, self.loader.repository(scope.root_dir, self.scan_root))
        if folder is None:
            self.error(decl.file, decl.line, f"module {decl.name}: {refused}")
            return Unknown(f"module {decl.name} {refused}"), []
        if str(folder) in scope.ancestry:
            self.error(decl.file, decl.line, f"module {decl.name} calls itself through {source}")
            return Unknown(f"module {decl.name} is recursive"), []
        if not folder.is_dir():
            self.error(decl.file, decl.line, f"module {decl.name}: source directory {source} does not exist")
            return Unknown(f"module {decl.name} source {source} not found"), []
        child_def = self.loader.load(folder)
        for error in child_def.errors:
            self.error(error.file, error.line, error.message)
        inherited, errs = suppressions.for_block(decl.parsed, decl.line)
        for err in errs:
            self.error(err.file, err.line, err.message)
        inherited = scope.inherited + inherited
        children: list[Scope] = []

        def make(prefix: str, env: dict, notes: list[str]) -> ModuleInstanceValue:
            inputs = {item[1]: Input(item[2], scope, env, (decl.file, item[3]))
                      for item in decl.body if item[0] == "a" and item[1] not in META_ATTRS}
            child = Scope(child_def, prefix + ".", inputs, location, inherited, scope.root_dir,
                          scope.ancestry + (str(folder),))
            child.notes = notes
            child.parent = scope
            children.append(child)
            return ModuleInstanceValue(child)

        value, _ = self._expand(decl, scope, base, make)
        return value, children

    # --- walking a whole module tree ---------------------------------------------------
    def resources(self, scope: "Scope") -> list[EvaluatedResource]:
        """Every resource instance of this module instance and its children, in declaration order."""
        out: list[EvaluatedResource] = []
        for decl in scope.mod.resources.values():
            _, instances = self.resource_instances(scope, decl.mode, decl.type, decl.name)
            own, errs = suppressions.for_block(decl.parsed, decl.line)
            for err in errs:
                self.error(err.file, err.line, err.message)
            location = SourceLocation(decl.file, decl.line, decl.end_line, called_from=scope.call_location)
            for inst in instances:
                try:
                    attrs = inst.attrs(self)
                    if decl.mode == "managed" and decl.type.startswith("aws_"):
                        attrs = self._with_default_tags(decl, scope, attrs)
                except (EvalError, RecursionError) as exc:
                    self.error(decl.file, decl.line, f"cannot evaluate {inst.address}: {exc}")
                    continue
                except Exception as exc:  # noqa: BLE001 - a scanner bug must cost one resource, loudly
                    self.error(decl.file, decl.line, f"internal error evaluating {inst.address}: "
                               f"{type(exc).__name__}: {exc}")
                    continue
                connection = self.connection(decl.body)
                if connection is not None:  # literal arguments only: the secret scan reads them
                    attrs = {**attrs, "connection": connection}
                paths: set[str] = set()
                if self.marks_seen:
                    attrs = strip(attrs, "", paths)
                address = self.scrub(inst.address)
                evaluated = EvaluatedResource(address, decl.type, decl.mode, attrs, location,
                                              scope.inherited + own, list(inst.notes) + scope.notes,
                                              frozenset(paths), decl.body)
                out.append(evaluated)
                try:
                    out.extend(self.provisioners(decl, inst, address, evaluated))
                except Exception as exc:  # noqa: BLE001 - a scanner bug must cost the commands, loudly
                    self.error(decl.file, decl.line, f"internal error evaluating the provisioners of {address}: "
                               f"{type(exc).__name__}: {exc}")
        for name in scope.mod.modules:
            _, children = self.module_instances(scope, name)
            for child in children:
                out.extend(self.resources(child))
        for local_name in scope.mod.locals:  # surfaces cycles in locals nobody references
            self.local(scope, local_name)
        for parsed in scope.mod.files:
            for err in suppressions.orphans(parsed, _all_block_comment_lines(scope.mod, parsed.path)):
                self.error(err.file, err.line, err.message)
        return out


def _block_comment_lines(decl: Decl) -> set[int]:
    return set(suppressions.attached_lines(decl.parsed, decl.line))


def _all_block_comment_lines(mod: ModuleDef, path: str) -> set[int]:
    lines: set[int] = set()
    for table in (mod.resources, mod.modules):
        for decl in table.values():
            if decl.file == path:
                lines |= _block_comment_lines(decl)
    return lines
