"""The cicd-guard policy pack: run by `pulumi preview --policy-pack <this directory>`.

Policies are built from the rulebook registry, so every rule (and any custom rule module named in
CICD_GUARD_EXTRA_RULES) is enforced without editing this file.
"""

import gc

from pulumi_policy import EnforcementLevel, PolicyPack

from policypack import sdk_speedups, secret_inputs
from policypack.policies import PACK_NAME, build_policies, load_extra_rules

load_extra_rules()
# The SDK builds many short-lived objects per AnalyzeStack; fewer young-generation collections cut
# stack analysis by about a third on large stacks at the same peak memory.
gc.set_threshold(50_000, 20, 20)
sdk_speedups.apply()
secret_inputs.apply()  # Pulumi secrets stay recognisable (not plain-text literals)

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
