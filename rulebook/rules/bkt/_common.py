"""What the storage rules share: which stores are artifact stores, and how they are named in messages."""

from __future__ import annotations

import fnmatch
from typing import Any

from ...model import Resource
from ...unknown import Unknown


def store_name(resource: Resource) -> Any:
    """The bucket or account name (a str, Unknown, or None when not set)."""
    return resource.get("bucket") if resource.kind.startswith("aws.s3.") else resource.get("name")


def label(resource: Resource) -> str:
    name = store_name(resource)
    return name if isinstance(name, str) else resource.address


def artifact_store(resource: Resource, config: Any) -> bool | Unknown:
    """Whether the configured `artifact_buckets` selector (names globs, tags) picks this bucket or
    storage account; every store when nothing is configured."""
    names, tags = config.artifact_bucket_names, config.artifact_bucket_tags
    if not names and not tags:
        return True
    undecided: Unknown | None = None
    if names:
        name = store_name(resource)
        if isinstance(name, Unknown):
            undecided = name
        elif isinstance(name, str) and any(fnmatch.fnmatchcase(name, p) for p in names):
            return True
    if tags:
        own = resource.tags
        if isinstance(own, Unknown):
            undecided = undecided if undecided is not None else own
        elif all(isinstance(own.get(k), str) and fnmatch.fnmatchcase(own[k], v) for k, v in tags.items()):
            return True
        elif any(isinstance(own.get(k), Unknown) for k in tags):
            undecided = undecided if undecided is not None else next(own[k] for k in tags
                                                                      if isinstance(own.get(k), Unknown))
    return undecided if undecided is not None else False
