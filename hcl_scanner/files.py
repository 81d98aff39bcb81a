"""Which Terraform inputs are read, and their size limits; the reading itself is rulebook.files.read_regular
(regular files only, opened without blocking, size checked before a byte is read)."""

from __future__ import annotations

import os
from pathlib import Path

from rulebook.files import kind_of, read_regular

TF_LIMIT = 10 * 1024 * 1024  # no hand-written Terraform file comes near this; generated 50 MB files are refused
PLAN_LIMIT = 256 * 1024 * 1024  # `terraform show -json` of thousands of resources stays well below this

__all__ = ["TF_LIMIT", "PLAN_LIMIT", "read_regular", "kind_of", "is_input_candidate"]


def is_input_candidate(path: Path) -> bool:
    """True for anything but a directory or a missing path: the reader, not a silent filter, decides
    whether it can be read (a FIFO named terraform.tfvars is reported, not skipped)."""
    try:
        return not path.is_dir() and os.path.lexists(path)
    except OSError:
        return True
