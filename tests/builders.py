"""Builders for model resources, so rule tests need no engine."""

from __future__ import annotations

from rulebook.model import Resource, SourceLocation


def make(kind: str, address: str, line: int = 1, file: str = "main.tf", **props) -> Resource:
    return Resource(kind=kind, address=address, engine="terraform", props=props,
                    location=SourceLocation(file=file, line=line, end_line=line + 2))
