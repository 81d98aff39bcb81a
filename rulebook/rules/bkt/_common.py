"""What the storage rules share: which stores are artifact stores, how they are named in messages, and
the policies that govern a bucket."""

from __future__ import annotations

import fnmatch
from typing import Any

from ...identities import document
from ...model import Resource
from ...policy import PolicyDocument, Statement
from ...unknown import Unknown
from ..helpers import Possible, linked


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


# --- bucket and access point policies ----------------------------------------------------------------

POLICY_HOLDERS = ("aws.s3.bucket", "aws.s3.bucket_policy", "aws.s3.access_point", "aws.s3.access_point_policy")


def policy_of(resource: Resource) -> PolicyDocument | Unknown | None:
    """The policy a bucket, bucket policy, access point or access point policy carries (None: none)."""
    return document(resource.get("policy"), resource.address)


def public_principal(statement: Statement) -> bool | Unknown:
    """Whether a statement names every principal: Principal "*", {"AWS": "*"} or {"AWS": ["*"]}
    (any principal type), or NotPrincipal (everyone but the few it names)."""
    if statement.not_principals is not None:
        return True
    undecided: Unknown | None = None
    for values in (statement.principals or {}).values():
        for value in values:
            if isinstance(value, Unknown):
                undecided = undecided if undecided is not None else value
            elif isinstance(value, str) and value.strip() == "*":
                return True
    return undecided if undecided is not None else False


def bucket_policies(ctx: Any, bucket: Resource) -> tuple[list[tuple[Resource, PolicyDocument | Unknown]],
                                                          Unknown | None]:
    """Every policy document governing a bucket (its legacy inline policy, aws_s3_bucket_policy
    resources naming it), and the reason a policy resource might govern it but cannot be linked."""
    def compute(c: Any) -> tuple[dict[str, list[Resource]], dict[str, list[Possible]]]:
        inventory = c.inventory
        return linked(inventory, inventory.of_kind("aws.s3.bucket"), inventory.of_kind("aws.s3.bucket_policy"),
                      "bucket")
    owned, possible = ctx.derived("rulebook.rules.bkt.bucket_policies", compute)
    out: list[tuple[Resource, PolicyDocument | Unknown]] = []
    for holder in [bucket] + owned.get(bucket.address, []):
        doc = policy_of(holder)
        if doc is not None:
            out.append((holder, doc))
    maybe = possible.get(bucket.address)
    if not maybe:
        return out, None
    holder, reason = maybe[0]
    return out, Unknown(f"whether {holder.address} governs it: {reason.reason}")
