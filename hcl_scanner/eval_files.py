"""file(), filebase64(), fileexists() and templatefile(): reading files a pull request controls.

Only regular files inside the repository are read (the enclosing git work tree of the scan root,
else --repo-root, else the scan root): a path that leaves it, or that is a FIFO, a device or a
symlink to one, is an input error naming the argument's file and line, never a read. A template
that calls templatefile() again is bounded by MAX_TEMPLATE_DEPTH.
"""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path
from typing import Any

from rulebook.unknown import Unknown

from .budgets import MAX_TEMPLATE_DEPTH, BudgetError
from .declarations import EvalError
from .loader import MAX_BYTES, decode
from .syntax import HclSyntaxError, _template, _template_parts

TEMPLATE_ENV = "\0template"  # env key: inside templatefile() only the given variables exist


def repository_of(folder: Path, fallback: Path | None) -> str:
    """The enclosing git work tree of `folder`, else `fallback`, else `folder` itself (real paths)."""
    start = os.path.realpath(folder)
    current = start
    while True:
        if os.path.lexists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return os.path.realpath(fallback) if fallback is not None else start


def read_regular(path: str, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; OSError (with a reason) otherwise.

    Opened without blocking and checked on the open descriptor, so a FIFO never blocks the scan."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file (a FIFO, device, socket or directory); not read")
        if info.st_size > limit:
            raise OSError(0, f"file over the {limit // 1048576} MB limit; not read")
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise OSError(0, f"file over the {limit // 1048576} MB limit; not read")
        return data
    finally:
        os.close(fd)


class FileFunctions:
    """Mixin of the Evaluator."""

    _repository: str | None = None

    def repository(self) -> str:
        if self._repository is None:
            self._repository = repository_of(self.scan_root, self.repo_root)
        return self._repository

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
        root = self.repository()
        if real != root and not real.startswith(root.rstrip(os.sep) + os.sep):
            return self._refuse(f"{name}({path!r}) reads outside the repository; not read")
        if name == "fileexists":
            return os.path.isfile(real)
        try:
            data = read_regular(real, MAX_BYTES)
        except OSError as exc:
            if exc.errno == 0:
                return self._refuse(f"{name}({path!r}): {exc.strerror}")
            raise EvalError(f"{name}({path!r}): {exc.strerror or exc}") from None
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
