"""What the storage rules share: which stores are artifact stores, how they are named in messages, and
the policies that govern a bucket."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

from ... import actions as catalogue
from ...conditions import NETWORK_KEYS, Allowed, deny_exceptions
from ...identities import document
from ...model import Resource
from ...policy import PolicyDocument, Statement, names_everyone
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
    """Whether a bucket policy statement names every principal (any principal type counts)."""
    return names_everyone(statement)


Governing = list[tuple[Resource, PolicyDocument | Unknown]]


def bucket_policies(ctx: Any, bucket: Resource) -> tuple[Governing, list[tuple[Resource, PolicyDocument | Unknown,
                                                                                Unknown]]]:
    """The policy documents governing a bucket (its legacy inline policy, aws_s3_bucket_policy resources
    naming it), and those that may govern it, with the reason the link is not decided."""
    def compute(c: Any) -> tuple[dict[str, list[Resource]], dict[str, list[Possible]], dict[str, Possible]]:
        inventory = c.inventory
        return linked(inventory, inventory.of_kind("aws.s3.bucket"), inventory.of_kind("aws.s3.bucket_policy"),
                      "bucket")
    owned, possible, crowded = ctx.derived("rulebook.rules.bkt.bucket_policies", compute)
    read: dict[str, PolicyDocument | Unknown | None] = ctx.derived("rulebook.rules.bkt.policy_documents",
                                                                   lambda c: {})

    def parsed(holder: Resource) -> PolicyDocument | Unknown | None:  # each document read once per run
        if holder.address not in read:
            read[holder.address] = policy_of(holder)
        return read[holder.address]

    docs = [(holder, doc) for holder in [bucket] + owned.get(bucket.address, [])
            if (doc := parsed(holder)) is not None]
    if bucket.address in crowded:  # too many to read one by one: one of them, not known, may govern it
        first, reason = crowded[bucket.address]
        return docs, [(first, reason, Unknown(f"which bucket policy governs it: {reason.reason}"))]
    maybe = [(holder, doc, Unknown(f"whether {holder.address} governs it: {reason.reason}"))
             for holder, reason in possible.get(bucket.address, []) if (doc := parsed(holder)) is not None]
    return docs, maybe


# --- the network a bucket policy confines object access to -------------------------------------------

READ, WRITE = "s3:GetObject", "s3:PutObject"


@dataclass(frozen=True)
class NetworkDeny:
    """A Deny with Principal * that refuses object access to every caller outside some networks."""

    covered: frozenset[str]  # of READ / WRITE
    allowed: tuple[Allowed, ...]  # the networks that escape it (key and values)
    undecided: Unknown | None = None  # a part that cannot be read at plan time


def _covers(statement: Statement, action: str) -> bool | Unknown:
    """Does the statement's Action (or NotAction) cover `action`? An entry not known at plan time may
    name it: Unknown unless a known entry decides."""
    entries = statement.not_actions or statement.actions
    if any(isinstance(a, str) and catalogue.matches(a, action) for a in entries):
        return not statement.not_actions
    unknown = next((a for a in entries if isinstance(a, Unknown)), None)
    return unknown if unknown is not None else bool(statement.not_actions)


def _on_objects(statement: Statement) -> bool | Unknown:
    """Does the statement apply to the bucket's objects (`*`, `arn:aws:s3:::bucket/*`, a key pattern)?"""
    if statement.not_resources:
        return True  # everything except a few named resources
    undecided: Unknown | None = None
    for value in statement.resources:
        if isinstance(value, Unknown):
            undecided = undecided if undecided is not None else value
        elif isinstance(value, str) and (value.strip() == "*" or ("/" in value and value.rstrip().endswith("*"))):
            return True
    return undecided if undecided is not None else False


def network_deny(statement: Statement) -> NetworkDeny | None:
    """The statement as a network Deny (BKT-004, the access map's networks), or None when it is not one:
    not a Deny, not on everyone, not on object reads or writes, or with another way out."""
    if statement.effect != "Deny":
        return None
    everyone = public_principal(statement)
    if isinstance(everyone, Unknown):
        return NetworkDeny(frozenset(), (), everyone)
    if everyone is not True or statement.not_principals is not None:
        return None
    covers = [(a, _covers(statement, a)) for a in (READ, WRITE)]
    covered = frozenset(a for a, c in covers if c is True)
    unknown_action = next((c for _, c in covers if isinstance(c, Unknown)), None)
    on_objects = _on_objects(statement)
    if (not covered and unknown_action is None) or on_objects is False:
        return None
    only = deny_exceptions(statement).only(NETWORK_KEYS)
    if only is None:
        return None
    if isinstance(only, Unknown):
        return NetworkDeny(covered, (), only)
    undecided = on_objects if isinstance(on_objects, Unknown) else unknown_action
    return NetworkDeny(covered, only, undecided)
