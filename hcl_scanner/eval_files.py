"""file(), filebase64(), fileexists() and templatefile(): reading files a pull request controls.

Only regular files inside the repository are read (the enclosing git work tree of the scan root,
else --repo-root, else the scan root): a path that leaves it, or that is a FIFO, a device or a
symlink to one, is an input error naming the argument's file and line, never a read. A template
that calls templatefile() again is bounded by MAX_TEMPLATE_DEPTH.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

from rulebook.unknown import Unknown

from .budgets import MAX_TEMPLATE_DEPTH, BudgetError
from .named_values import EvalError
from .files import read_regular
from .loader import MAX_BYTES, decode
from .syntax import HclSyntaxError, _template, _template_parts

TEMPLATE_ENV = "\0template"  # env key: inside templatefile() only the given variables exist


class FileFunctions:
    """Mixin of the Evaluator."""

    def repository(self, scope: Any) -> str:
        return str(self.loader.repository(scope.root_dir, self.scan_root))

    def _refuse(self, message: str) -> Unknown:
        self.error(self.where[0], self.where[1], message)
        return Unknown(message)

    def file_function(self, name: str, args: list, scope: Any) -> Any:
        if not args:
            raise EvalError(f"{name}: a path is required")
        if isinstance(args[0], Unknown):
            return args[0]
        path = self._str(args[0])
        candidate = Path(path) if os.path.isabs(path) else scope.root_dir / path
        real = os.path.realpath(candidate)
        root = self.repository(scope)
        if real != root and not real.startswith(root.rstrip(os.sep) + os.sep):
            return self._refuse(f"{name}({path!r}) reads outside the repository; not read")
        if name == "fileexists":
            return os.path.isfile(real)
        data, error = read_regular(real, path, MAX_BYTES)
        if error is not None:
            if error.message.startswith("cannot read"):  # missing or unreadable: Terraform's own error
                raise EvalError(f"{name}({path!r}): {error.message}")
            return self._refuse(f"{name}({path!r}) {error.message}")
        if name == "filebase64":
            return base64.b64encode(data).decode()
        text, error = decode(data, path)
        if error is not None:
            raise EvalError(f"{name}({path!r}): {error.message}")
        if name == "file":
            return text
        return self._templatefile(path, text, args[1] if len(args) > 1 else {}, scope)

    def _templatefile(self, path: str, text: str, variables: Any, scope: Any) -> Any:
        if isinstance(variables, Unknown):
            return variables
        if not isinstance(variables, dict):
            raise EvalError("templatefile: variables must be an object")
        if self.template_depth >= MAX_TEMPLATE_DEPTH:
            raise BudgetError(f"templatefile({path!r}) nested more than {MAX_TEMPLATE_DEPTH} templates deep")
        try:
            template = _template(_template_parts(text))
        except HclSyntaxError as exc:
            raise EvalError(f"templatefile({path!r}): {exc}") from None
        self.template_depth += 1
        try:
            return self.ev(template, scope, {**variables, TEMPLATE_ENV: True})
        finally:
            self.template_depth -= 1
