"""Provisioner and connection blocks: the commands a deployment runs, evaluated in the resource's scope.

`provisioner "local-exec"` runs `command` where Terraform runs (the CI runner); `provisioner
"remote-exec"` runs `inline` lines or `script`/`scripts` files on the host it connects to. Each
provisioner becomes an instance of mode "provisioner" (address `RESOURCE.provisioner[N]`, located at
its block) for the adapter. A part of a command known only when it runs (`self.public_ip`, a
variable without a value) is kept as its reference text `${self.public_ip}`, so the rest is still
read. Script files are read as file() reads them (inside the repository only); nothing is executed.

A `connection` block is kept for the secret scan of literal values only (`password = "..."`): its
other arguments (hosts, `file("~/.ssh/id_rsa")`) are not evaluated, so a key read from the operator's
home directory is not an input error.
"""

from __future__ import annotations

from typing import Any

from rulebook.model import Ref, SourceLocation
from rulebook.unknown import Unknown

from .modules import Decl
from .named_values import EvalError, EvaluatedResource, ResourceInstance
from .provenance import chain
from .sensitive import strip

PROVISIONER = "provisioner"
CONNECTION = "connection"
KEYWORDS = ("when", "on_failure")  # bare keywords (`when = destroy`), not references
SCRIPT_TEXTS = "script_texts"  # the contents of remote-exec `script`/`scripts`, as the reader read them


def blocks(body: list, btype: str) -> list[tuple]:
    """The nested blocks of one type, in order: (type, labels, body, line, end line)."""
    return [item[1:] for item in body if item[0] == "b" and item[1] == btype]


def literal_arguments(body: list) -> dict:
    """The arguments of a block written as plain literals (`password = "..."`), nothing evaluated."""
    return {item[1]: item[2][1] for item in body if item[0] == "a" and item[2][0] == "lit"}


def _reference_text(node: Any) -> str:
    names = chain(node)
    return "${" + (".".join(names) if names else "...") + "}"


class Provisioners:
    """Mixin of the Evaluator: provisioner instances and connection blocks of a resource instance."""

    def provisioners(self, decl: Decl, inst: ResourceInstance, address: str,
                     parent: EvaluatedResource) -> list[EvaluatedResource]:
        """One instance per provisioner block of the resource, in order."""
        env = {**inst.env, "self": inst}
        out = []
        for index, (_, labels, sub, line, end) in enumerate(blocks(decl.body, PROVISIONER)):
            saved = self.where
            self.where = (decl.file, line)
            try:
                attrs = self._provisioner_attrs(sub, inst.scope, env)
            finally:
                self.where = saved
            paths: set[str] = set()
            if self.marks_seen:
                attrs = strip(attrs, "", paths)
            location = SourceLocation(decl.file, line, end, called_from=parent.location.called_from)
            out.append(EvaluatedResource(f"{address}.provisioner[{index}]", labels[0] if labels else "",
                                         PROVISIONER, attrs, location, parent.suppressions, list(parent.notes),
                                         frozenset(paths), sub))
        return out

    def connection(self, body: list) -> list[dict] | None:
        """The resource's own connection block, literal arguments only (for the secret scan)."""
        found = blocks(body, CONNECTION)
        return [literal_arguments(b[2]) for b in found] if found else None

    def _provisioner_attrs(self, body: list, scope: Any, env: dict) -> dict:
        attrs: dict = {}
        for item in body:
            if item[0] == "b":
                if item[1] == CONNECTION:
                    attrs.setdefault(CONNECTION, []).append(literal_arguments(item[3]))
                continue
            name, node = item[1], item[2]
            if name in KEYWORDS:
                attrs[name] = node[1] if node[0] == "var" else self.materialize(self.eval_attr(node, scope, env))
            elif name == "command":
                attrs[name] = self.command_text(node, scope, env)
            elif name == "inline":
                attrs[name] = ([self.command_text(n, scope, env) for n in node[1]] if node[0] == "tuple"
                               else self.materialize(self.eval_attr(node, scope, env)))
            else:
                attrs[name] = self.materialize(self.eval_attr(node, scope, env))
        attrs.setdefault("when", "create")
        if "script" in attrs or "scripts" in attrs:
            attrs[SCRIPT_TEXTS] = self._script_texts(attrs, scope)
        return attrs

    def command_text(self, node: tuple, scope: Any, env: dict) -> Any:
        """A command string; an interpolated value not known before it runs stays `${reference}` text."""
        if node[0] != "tmpl":
            return self.materialize(self.eval_attr(node, scope, env))
        out: list[str] = []
        marked = False
        for part in node[1]:
            if isinstance(part, str):
                out.append(part)
                continue
            value = self.eval_attr(part if part[0] not in ("if", "for") else ("tmpl", (part,)), scope, env)
            value, part_marked = self._unmark(value)
            marked = marked or part_marked
            if isinstance(value, (Unknown, Ref, ResourceInstance)):
                out.append(_reference_text(part))
                continue
            try:
                out.append(self._str(value))
            except EvalError as exc:
                return Unknown(f"cannot evaluate: {exc}")
        return self.mark("".join(out)) if marked else "".join(out)

    def _script_texts(self, attrs: dict, scope: Any) -> list[Any] | Unknown:
        """The files remote-exec copies to the host, read like file() (inside the repository only)."""
        paths = attrs.get("scripts") if attrs.get("scripts") is not None else [attrs.get("script")]
        if isinstance(paths, Unknown):
            return paths
        if not isinstance(paths, list):
            return Unknown("scripts is not a list of paths")
        texts: list[Any] = []
        for path in paths:
            if not isinstance(path, str):
                texts.append(Unknown(f"the script path {path!s} is not known at plan time"))
                continue
            try:
                texts.append(self.file_function("file", [path], scope))
            except EvalError as exc:
                texts.append(Unknown(str(exc)))
        return texts
