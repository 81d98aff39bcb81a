"""Report formats. Every reporter redacts secrets itself (see rulebook.redact), whatever the rules did."""

from __future__ import annotations

import os
from typing import Callable

from ..findings import Report
from . import json_report, junit, sarif, text

Renderer = Callable[..., str]

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_report.render,
    "sarif": sarif.render,
    "junit": junit.render,
}


def render(report: Report, fmt: str, color: bool = False, repo_root: str | os.PathLike | None = None,
           strict: bool = False) -> str:
    """The report in format `fmt`; `strict` marks unknowns under mandatory rules as blocking."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return renderer(report, color=color, repo_root=repo_root, strict=strict)


__all__ = ["FORMATS", "render"]
