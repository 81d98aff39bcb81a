"""Registry least privilege (P2, P3, P4): who may pull, push, list and administer registries.

The AWS rules read the effective registry grants of rulebook.access (every policy reaching an
identity, explicit denies already subtracted, wildcards and NotAction expanded); the Azure rules read
role assignments through rulebook.azure_roles. Findings about an identity's grants are reported on
the identity, findings about a repository/registry policy on that policy, Azure findings on the
role assignment. Whatever cannot be decided is reported UNKNOWN with its reason.
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")):
    importlib.import_module(f"{__name__}.{_module}")
