"""Parse-result cache keyed by file content, so a re-scan of unchanged files skips parsing.

Entries are `marshal` dumps of the plain-tuple syntax tree (no code can be loaded from them,
unlike pickle). The key hashes the content with the tool version and the parser's sources, so an
upgrade invalidates old entries; each entry also repeats its key, and the loader checks the tree's
shape node by node (shapes.py) before use, so a corrupt, truncated, misplaced or foreign entry is a
miss, never a crash. What an unauthenticated cache cannot know is who wrote it: anyone who can
write the cache directory can make a well-formed entry that hides a block. So a cache must not be
shared across trust boundaries (README, "Parse cache"), unless CICD_GUARD_CACHE_KEY is set: then
every entry carries an HMAC under that secret and entries without a valid one are misses. Only parse results live here; the parser's tables ship
inside the package. Writes go to a temporary file that is renamed into place: two scans running
at once either see a complete entry or none.
"""

from __future__ import annotations

import hashlib
import hmac
import marshal
import os
import re
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from . import files

MAX_ENTRY = 64 * 1024 * 1024  # a parse tree is a few times its source (itself at most files.TF_LIMIT)
_KEY = re.compile(r"[0-9a-f]{64}")

_FORMAT = b"cicd-guard-parse-cache-3"
_SOURCES = ("syntax.py", "syntax_errors.py", "shapes.py", "loader.py")
_disabled = False


def cache_dir() -> Path:
    """$CICD_GUARD_CACHE_DIR, else $XDG_CACHE_HOME/cicd-guard, else ~/.cache/cicd-guard."""
    explicit = os.environ.get("CICD_GUARD_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cicd-guard"


def enabled() -> bool:
    """Off with `--no-cache` (disable()) or CICD_GUARD_NO_CACHE=1."""
    return not _disabled and os.environ.get("CICD_GUARD_NO_CACHE", "").lower() not in ("1", "true", "yes")


def disable() -> None:
    """Neither read nor write the cache for the rest of this process (`scan --no-cache`)."""
    global _disabled
    _disabled = True


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
    here = Path(__file__).parent
    sources = hashlib.sha256(b"".join((here / name).read_bytes() for name in _SOURCES)).digest()
    return b"|".join([_FORMAT, version.encode(), hcl2_version.encode(), sources])


def key_for(content: bytes) -> str:
    return hashlib.sha256(_salt() + b"\0" + content).hexdigest()


def _path(key: str) -> Path:
    """Entries fan out over 256 folders."""
    return cache_dir() / key[:2] / key[2:]


def _secret() -> bytes:
    return os.environ.get("CICD_GUARD_CACHE_KEY", "").encode()


def _tag(key: str, payload: bytes) -> bytes:
    """HMAC of the entry under CICD_GUARD_CACHE_KEY; empty without one (unauthenticated cache)."""
    secret = _secret()
    return hmac.new(secret, key.encode() + b"\0" + payload, hashlib.sha256).digest() if secret else b""


def encode_entry(key: str, value: Any) -> bytes:
    payload = marshal.dumps(value)
    return marshal.dumps((_FORMAT, key, payload, _tag(key, payload)))


def get(key: str) -> Any | None:
    """The cached value, or None (missing, unreadable, corrupt, misplaced or, with
    CICD_GUARD_CACHE_KEY set, unauthenticated entries are misses). The value's own shape is the
    caller's to check."""
    if not enabled() or not _KEY.fullmatch(key):
        return None
    data, error = files.read_regular(_path(key), key, MAX_ENTRY)
    if error is not None or data is None:
        return None
    try:
        entry = marshal.loads(data)
        if not (isinstance(entry, tuple) and len(entry) == 4 and entry[0] == _FORMAT and entry[1] == key
                and isinstance(entry[2], bytes) and isinstance(entry[3], bytes)):
            return None
        if _secret() and not hmac.compare_digest(entry[3], _tag(key, entry[2])):
            return None
        return marshal.loads(entry[2])
    except (ValueError, EOFError, TypeError, RecursionError, MemoryError):
        return None


def put(key: str, value: Any) -> None:
    """Store atomically; a cache that cannot be written is silently skipped (scans still work)."""
    if not enabled() or not _KEY.fullmatch(key):
        return
    target = _path(key)
    folder = target.parent
    try:
        data = encode_entry(key, value)
        if len(data) > MAX_ENTRY:
            return
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
