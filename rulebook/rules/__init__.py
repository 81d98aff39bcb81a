"""Every rule of the rulebook. Importing this package registers them all in REGISTRY."""

from __future__ import annotations

import importlib
import pkgutil

from .base import ENGINES as ENGINES_OF_EXAMPLES, REGISTRY, Context, Example, Result, Rule, rule

_FAMILIES = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name not in ("base", "helpers"))
for _name in _FAMILIES:
    importlib.import_module(f"{__name__}.{_name}")


def all_rules() -> list[Rule]:
    return [REGISTRY[k] for k in sorted(REGISTRY)]


__all__ = ["ENGINES_OF_EXAMPLES", "REGISTRY", "Context", "Example", "Result", "Rule", "rule", "all_rules"]
