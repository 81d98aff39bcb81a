"""Statements of the AWS managed policies the registry and storage rules need to see through.

The documents live in data/aws_managed_policies.json with their source and policy version (no
maintained PyPI package ships AWS managed policy documents). Lookup is by ARN in any partition
(aws, aws-cn, aws-us-gov) and path; an AWS managed ARN that is not in the file returns None so
that the caller reports it as Unknown rather than assuming it grants nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from .policy import PolicyDocument, parse_policy

_ARN = re.compile(r"^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::aws:policy(/(?:[^/]+/)*)([^/]+)$")


@dataclass(frozen=True, slots=True)
class ManagedPolicyArn:
    partition: str
    path: str  # "/" or "/service-role/" ...
    name: str


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    name: str
    path: str
    version: str
    document: PolicyDocument


def parse_arn(value: Any) -> ManagedPolicyArn | None:
    """Split an AWS managed policy ARN; None for anything else (customer policies, Refs, Unknown)."""
    if not isinstance(value, str):
        return None
    match = _ARN.match(value.strip())
    if not match:
        return None
    return ManagedPolicyArn(match.group(1), match.group(2), match.group(3))


def is_aws_managed_arn(value: Any) -> bool:
    return parse_arn(value) is not None


@lru_cache(maxsize=1)
def _catalogue() -> dict[tuple[str, str], ManagedPolicy]:
    raw = json.loads(resources.files("rulebook").joinpath("data/aws_managed_policies.json").read_text("utf-8"))
    out: dict[tuple[str, str], ManagedPolicy] = {}
    for entry in raw["policies"]:
        origin = f"AWS managed policy {entry['name']} ({entry['version']})"
        document = parse_policy(entry["document"], origin)
        assert isinstance(document, PolicyDocument)
        out[(entry["path"], entry["name"].lower())] = ManagedPolicy(entry["name"], entry["path"], entry["version"],
                                                                    document)
    return out


def known_policies() -> tuple[str, ...]:
    """Names of the managed policies whose statements are known."""
    return tuple(sorted(p.name for p in _catalogue().values()))


def lookup(arn: Any) -> ManagedPolicy | None:
    """The known managed policy an ARN names, or None (not an AWS managed ARN, or not one we know)."""
    parsed = parse_arn(arn)
    if parsed is None:
        return None
    # managed policy names are unique regardless of case in IAM
    return _catalogue().get((parsed.path, parsed.name.lower()))


def managed_policy(arn: Any) -> PolicyDocument | None:
    """The statements of the AWS managed policy at `arn`, or None when it is not known."""
    found = lookup(arn)
    return found.document if found else None


def arn_for(name: str, partition: str = "aws") -> str:
    """The ARN of a known managed policy by name (tests, docs and examples)."""
    for policy in _catalogue().values():
        if policy.name.lower() == name.lower():
            return f"arn:{partition}:iam::aws:policy{policy.path}{policy.name}"
    raise KeyError(name)
