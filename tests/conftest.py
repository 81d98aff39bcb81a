"""Shared fixtures: build model resources directly, without an engine."""

from __future__ import annotations

import pytest

from rulebook.model import Inventory, Resource, SourceLocation


def make(kind: str, address: str, line: int = 1, file: str = "main.tf", **props) -> Resource:
    return Resource(kind=kind, address=address, engine="terraform", props=props,
                    location=SourceLocation(file=file, line=line, end_line=line + 2))


@pytest.fixture
def inventory_of():
    return lambda *resources: Inventory(list(resources))
