"""A test-only rule that reports the Pulumi runtime settings a policy sees inside the pack process.

Loaded through CICD_GUARD_EXTRA_RULES by the test that proves the pack's SDK speed-up still applies
the stack's settings on every call, in every gRPC worker thread.
"""

from __future__ import annotations

import pulumi

from rulebook.findings import Severity
from rulebook.rules.base import REGISTRY, Result, rule

if "TST-903" not in REGISTRY:
    @rule(id="TST-903", title="Runtime settings probe", severity=Severity.LOW, practice="P8",
          kinds=("aws.ecr.repository",), rationale="test rule", remediation="none")
    def tst_903(resource, ctx):
        seen = (f"project={pulumi.get_project()} stack={pulumi.get_stack()} org={pulumi.get_organization()} "
                f"config={pulumi.Config('probe').get('colour')}")
        yield Result.fail(resource, seen)
