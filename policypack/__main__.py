"""The cicd-guard policy pack: run by `pulumi preview --policy-pack <this directory>`.

Policies are built from the rulebook registry, so every rule (and any custom rule module named in
CICD_GUARD_EXTRA_RULES) is enforced without editing this file.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from policypack.policies import PACK_NAME, build_policies, load_extra_rules

load_extra_rules()

PolicyPack(
    name=PACK_NAME,
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=build_policies(),
    description="Plan-time guardrails against CI/CD supply-chain attacks: registry least privilege, "
                "artifact storage isolation, identity federation and secrets (cicd-guard rulebook).",
    display_name="cicd-guard",
    provider="aws, azure",
    tags=["security", "ci-cd", "supply-chain"],
)
