"""Test-only rules, loaded into the pack process through CICD_GUARD_EXTRA_RULES (and by fixtures).

TST-901 (resource scope, two severities): ECR repositories with mutable tags are high, unset medium.
TST-902 (inventory scope): every IAM role must have a tag `owner`; undecidable tags are UNKNOWN.
"""

from __future__ import annotations

from rulebook.findings import Severity
from rulebook.rules.base import REGISTRY, Result, rule
from rulebook.unknown import Unknown

IDS = ("TST-901", "TST-902")


def register() -> None:
    if "TST-901" in REGISTRY:
        return

    @rule(id="TST-901", title="Repository tags are pinned", severity=Severity.HIGH, practice="P8",
          kinds=("aws.ecr.repository",), severities=(Severity.HIGH, Severity.MEDIUM),
          rationale="test rule", remediation="Set image_tag_mutability to IMMUTABLE.")
    def tst_901(resource, ctx):
        value = resource.get("image_tag_mutability")
        if isinstance(value, Unknown):
            yield Result.undecided(resource, value, "the tag mutability")
        elif value is None:
            yield Result.fail(resource, "tag mutability is not set", severity=Severity.MEDIUM)
        elif value != "IMMUTABLE":
            yield Result.fail(resource, f"tags are {value}")

    @rule(id="TST-902", title="Roles name an owner", severity=Severity.MEDIUM, practice="P2", scope="inventory",
          kinds=("aws.iam.role",), rationale="test rule", remediation="Tag the role with owner.")
    def tst_902(ctx):
        for role in ctx.inventory.of_kind("aws.iam.role"):
            if isinstance(role.tags, Unknown):
                yield Result.undecided(role, role.tags, "the tags")
            elif "owner" not in role.tags:
                yield Result.fail(role, f"role {role.get('name')} has no owner tag")


def unregister() -> None:
    for rule_id in IDS:
        REGISTRY.pop(rule_id, None)


register()
