"""Reading input files that a pull request controls: regular files only, never past a size limit.

An input path (a .tf or .tfvars file, a plan, cicd-guard.yaml, a Pulumi stack file) can be a FIFO
(a read blocks forever), a device (`/dev/zero` never ends) or a symlink to either. Every input is
therefore opened without blocking and checked on the open descriptor (no window between the check
and the read) to be a regular file of at most `limit` bytes before a byte is read. The engines'
readers (hcl_scanner/files.py, preview_gate) and the config loader all come through here.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .model import InputError

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_regular(path: str | Path, display: str, limit: int, head: int | None = None,
                 noun: str = "") -> tuple[bytes | None, InputError | None]:
    """The file's bytes (the first `head` bytes when given), or the InputError saying why not
    ("cannot read <noun>: ...")."""
    cannot = f"cannot read {noun}:" if noun else "cannot read:"
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        return None, InputError(display, None, f"{cannot} {exc.strerror or exc}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, InputError(display, None, f"is {kind_of(info.st_mode)}, not a regular file; not read")
        if head is None and info.st_size > limit:
            return None, InputError(display, None, f"file is {info.st_size / 1048576:.1f} MB, over the "
                                    f"{_limit(limit)} limit; not scanned")
        want = head if head is not None else limit + 1
        data = _read_up_to(fd, want)
    except OSError as exc:
        return None, InputError(display, None, f"{cannot} {exc.strerror or exc}")
    finally:
        os.close(fd)
    if head is None and len(data) > limit:  # grew while being read
        return None, InputError(display, None, f"file is over the {_limit(limit)} limit; not scanned")
    return data, None


def _read_up_to(fd: int, size: int) -> bytes:
    chunks: list[bytes] = []
    left = size
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _limit(count: int) -> str:
    return f"{count // 1048576} MB" if count >= 1048576 else f"{count} bytes"
