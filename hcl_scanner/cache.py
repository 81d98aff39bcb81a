"""Parse-result cache keyed by file content, so a re-scan of unchanged files skips parsing.

Entries are `marshal` dumps of the plain-tuple syntax tree (no code can be loaded from them,
unlike pickle). The key hashes the content with the tool version and the parser source, so an
upgrade invalidates old entries. Writes go to a temporary file that is renamed into place:
two scans running at once either see a complete entry or none.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

_FORMAT = b"cicd-guard-parse-cache-1"


def cache_dir() -> Path:
    """$CICD_GUARD_CACHE_DIR, else $XDG_CACHE_HOME/cicd-guard, else ~/.cache/cicd-guard."""
    explicit = os.environ.get("CICD_GUARD_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cicd-guard"


def enabled() -> bool:
    return os.environ.get("CICD_GUARD_NO_CACHE", "") not in ("1", "true", "yes")


@lru_cache(maxsize=1)
def _salt() -> bytes:
    """Tool version + the parser's own source: any change to either invalidates every entry."""
    try:
        version = metadata.version("cicd-guard")
    except metadata.PackageNotFoundError:
        version = "0"
    try:
        hcl2_version = metadata.version("python-hcl2")
    except metadata.PackageNotFoundError:
        hcl2_version = "?"
    source = (Path(__file__).parent / "syntax.py").read_bytes()
    return b"|".join([_FORMAT, version.encode(), hcl2_version.encode(), hashlib.sha256(source).digest()])


def key_for(content: bytes) -> str:
    return hashlib.sha256(_salt() + b"\0" + content).hexdigest()


def _path(key: str) -> Path:
    """Parse results fan out over 256 folders; named entries ("tables-<hash>") live in their own."""
    kind, _, digest = key.rpartition("-")
    if kind:
        return cache_dir() / kind / digest
    return cache_dir() / key[:2] / key[2:]


def get(key: str) -> Any | None:
    """The cached value, or None (missing, unreadable or corrupt entries are just misses)."""
    if not enabled():
        return None
    path = _path(key)
    try:
        data = path.read_bytes()
        return marshal.loads(data)
    except (OSError, ValueError, EOFError, TypeError):
        return None


def put(key: str, value: Any) -> None:
    """Store atomically; a cache that cannot be written is silently skipped (scans still work)."""
    if not enabled():
        return
    target = _path(key)
    folder = target.parent
    try:
        data = marshal.dumps(value)
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except (OSError, ValueError, RecursionError):
        return
