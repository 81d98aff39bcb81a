"""AWS managed policies by ARN (partition from aws.get_partition, job-function paths) and Azure built-in
roles by role definition id, through the gate and the policy pack: the same findings as Terraform's."""

from __future__ import annotations

import pytest

from conftest import PROGRAMS

pytest.importorskip("pulumi_aws")
pytest.importorskip("pulumi_azure_native")

from preview_gate import run_gate  # noqa: E402


def test_managed_policies_and_builtin_roles_are_known():
    report = run_gate(PROGRAMS / "catalogues")
    assert report.errors == []
    rows = sorted((f.rule_id, f.status.value, f.resource, f.line) for f in report.findings
                  if f.rule_id.startswith("REG-"))
    # build: ReadOnlyAccess lists repositories; Billing and AmazonEKS_CNI_Policy grant nothing on registries.
    # vault-officer: Key Vault Secrets Officer on a vault decides nothing; group-reader: Reader lists registries.
    assert rows == [("REG-003", "failed", "build", 9), ("REG-003", "failed", "group-reader", 29),
                    ("REG-004", "failed", "build", 9), ("REG-005", "failed", "build", 9),
                    ("REG-005", "failed", "group-reader", 29)]
    listing = next(f for f in report.findings if f.rule_id == "REG-003" and f.resource == "build")
    assert listing.message.endswith("through statement 'ReadOnlyActionsGroup1' of AWS managed policy "
                                    "ReadOnlyAccess attached by readonly")
