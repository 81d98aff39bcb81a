"""Policy arguments a plan leaves unknown, read from the .tf sources beside it (`--repo-root`).

`jsonencode({... Resource = aws_ecr_repository.app.arn})` is unknown as a whole in a plan while the
repository is new. Evaluated from the sources with the plan's variable values it is a document that
names the repository (a Ref), which is all the rules need. A block is read only when it refers to the
same objects in the sources as in the plan's configuration, so sources from another commit are not
taken for the plan's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rulebook.unknown import Unknown, find_unknown

from .modules import ModuleLoader
from .named_values import EvaluatedResource
from .references import body_roots, configuration_roots

# arguments holding a policy document
POLICY_ATTRS = frozenset({"policy", "assume_role_policy", "source_json", "override_json",
                          "source_policy_documents", "override_policy_documents"})


def unknown_policy(block: Any) -> bool:
    """A nested block (inline_policy) with a policy argument the plan does not know."""
    return isinstance(block, dict) and any(isinstance(block.get(k), Unknown) for k in POLICY_ATTRS)


class PlanSources:
    """The root module beside a plan, evaluated once (lazily) with the plan's variable values."""

    def __init__(self, root: Path, repo_root: Path, variables: dict[str, Any]) -> None:
        self.root, self.repo_root, self.variables = root, repo_root, variables
        self.loader = ModuleLoader(repo_root)
        self._evaluated: dict[str, EvaluatedResource] | None = None
        self._roots: dict[tuple[Path, str], set[str] | None] = {}  # every instance of a block shares them

    def evaluated(self, address: str) -> EvaluatedResource | None:
        """The instance (a resource or a provisioner) as the sources compute it."""
        if self._evaluated is None:
            from . import evaluate_root
            try:
                evaluated = evaluate_root(self.root, self.variables, self.repo_root, self.loader)
            except Exception:  # noqa: BLE001 - sources that cannot be evaluated leave the unknowns as they are
                evaluated = []
            self._evaluated = {item.address: item for item in evaluated}
        return self._evaluated.get(address)

    def _attrs(self, address: str) -> dict:
        found = self.evaluated(address)
        return found.attrs if found is not None else {}

    def same_block(self, directory: Path, local: str, expressions: dict) -> bool:
        """Does the block `local` in `directory` refer to what the plan's configuration says it does?"""
        key = (directory, local)
        if key not in self._roots:
            mod = self.loader.load(directory)
            decl = mod.resources.get(local)
            self._roots[key] = body_roots(decl.body, set(mod.resources)) if decl is not None else None
        return self._roots[key] is not None and self._roots[key] == configuration_roots(expressions)

    def policy(self, address: str, attr: str) -> Any:
        """The argument as the sources compute it, when that decides it; None otherwise."""
        value = self._attrs(address).get(attr)
        return None if value is None or find_unknown(value) is not None else value

    def blocks(self, address: str, attr: str, blocks: list[Any]) -> tuple[list[Any], list[str]]:
        """Nested blocks whose policy the plan leaves unknown take it from the one block of the sources
        that agrees with them on every known plain argument (their name); and what was taken."""
        sources = self._attrs(address).get(attr)
        if not isinstance(sources, list):
            return blocks, []
        out, taken = [], []
        for block in blocks:
            if not unknown_policy(block):
                out.append(block)
                continue
            known = {k: v for k, v in block.items()
                     if k not in POLICY_ATTRS and isinstance(v, (str, int, float, bool))}
            matches = [b for b in sources if isinstance(b, dict) and all(b.get(k) == v for k, v in known.items())]
            block = dict(block)
            for key in [k for k, v in block.items() if k in POLICY_ATTRS and isinstance(v, Unknown)]:
                found = matches[0].get(key) if len(matches) == 1 else None
                if found is not None and find_unknown(found) is None:
                    block[key] = found
                    taken.append(f"{attr}.{key}")
            out.append(block)
        return out, taken
