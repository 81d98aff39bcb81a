"""Secrets in CI/CD configuration (P1 audit and inventory secrets, P7 central secret management).

Detection lives in rulebook.secrets (detect-secrets' plugins and filters, secret-like names, the
redacted form); these rules decide where a found secret is a finding. A secret value never reaches
a message: only its redacted form (first characters and length) and its location.
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")):
    importlib.import_module(f"{__name__}.{_module}")
