"""Remediation per cloud and engine: the fix for a finding's cloud (then engine) comes first in every
reporter, in the policy pack's violations and in the gate; a rule giving one remediation string keeps
working unchanged; the docs list every fix under its label."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

import throwaway_rule
from hcl_scanner import scan
from rulebook.docs import rule_page
from rulebook.engine import evaluate
from rulebook.findings import Report
from rulebook.reporters import render
from rulebook.rules import REGISTRY
from rulebook.rules.base import Fix, cloud_of, engine_of, parse_fixes

AWS_FIX = "AWS: Replace the wildcard with the actions the job needs"
AZURE_FIX = "Azure: Assign AcrPull or AcrPush on the registry instead of Owner, Contributor"

BOTH_CLOUDS = '''
resource "aws_iam_role" "ci" {
  name               = "ci-runner"
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "ci" {
  role   = aws_iam_role.ci.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "ecr:*", Resource = "*" }] })
}

resource "azurerm_container_registry" "acr" {
  name                = "acmeci"
  resource_group_name = "ci"
  location            = "westeurope"
  sku                 = "Premium"
}

resource "azurerm_user_assigned_identity" "ci" {
  name                = "ci-build"
  resource_group_name = "ci"
  location            = "westeurope"
}

resource "azurerm_role_assignment" "ci" {
  scope                = azurerm_container_registry.acr.id
  role_definition_name = "Owner"
  principal_id         = azurerm_user_assigned_identity.ci.principal_id
}
'''


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Report:
    root = tmp_path_factory.mktemp("both")
    (root / "main.tf").write_text(BOTH_CLOUDS)
    result = scan([str(root)], repo_root=str(root))
    assert result.errors == []
    findings = [f for inv in result.inventories for f in evaluate(inv, rules=[REGISTRY["REG-001"]])]
    return Report(findings=findings, rules_run=["REG-001"])


def _by_resource(report: Report) -> dict[str, str]:
    return {f.resource: f.remediation for f in report.findings}


def test_each_finding_shows_its_clouds_fix_first(report):
    fixes = _by_resource(report)
    assert sorted(fixes) == ["aws_iam_role.ci", "azurerm_role_assignment.ci"]
    assert fixes["aws_iam_role.ci"].startswith(AWS_FIX)
    assert fixes["azurerm_role_assignment.ci"].startswith(AZURE_FIX)
    assert fixes["aws_iam_role.ci"].split("\n\n")[1].startswith("Azure: ")  # the other cloud's fix follows
    assert fixes["azurerm_role_assignment.ci"].split("\n\n")[1].startswith("AWS: ")


def test_text_report_shows_the_clouds_fix(report):
    lines = render(report, "text").splitlines()
    fixes = [line.strip() for line in lines if line.strip().startswith("fix: ")]
    assert [f[:40] for f in fixes] == ["fix: AWS: Replace the wildcard with the ",
                                       "fix: Azure: Assign AcrPull or AcrPush on"]


def test_json_report_orders_the_remediation_by_cloud_without_hard_breaks(report):
    findings = {f["resource"]: f["remediation"] for f in json.loads(render(report, "json"))["findings"]}
    assert findings["aws_iam_role.ci"].startswith(AWS_FIX)
    assert findings["azurerm_role_assignment.ci"].startswith(AZURE_FIX)
    assert all("\n" not in p for text in findings.values() for p in text.split("\n\n"))


def test_sarif_results_carry_the_ordered_remediation_and_the_rule_help_every_fix(report):
    run = json.loads(render(report, "sarif"))["runs"][0]
    results = {r["locations"][0]["logicalLocations"][0]["name"]: r["properties"]["remediation"]
               for r in run["results"]}
    assert results["azurerm_role_assignment.ci"].startswith(AZURE_FIX)
    assert results["aws_iam_role.ci"].startswith(AWS_FIX)
    help_ = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "REG-001")["help"]
    assert "Remediation: AWS: Replace the wildcard" in help_["text"] and "\n\nAzure: Assign AcrPull" in help_["text"]
    assert "**AWS**: Replace the wildcard" in help_["markdown"] and "**Azure**: Assign AcrPull" in help_["markdown"]


def test_junit_detail_carries_the_clouds_fix_first(report):
    cases = {c.get("name").split(" ")[0]: c for c in ET.fromstring(render(report, "junit")).iter("testcase")}
    detail = cases["azurerm_role_assignment.ci"].find("failure").text
    assert "remediation: " + AZURE_FIX in detail
    assert "remediation: " + AWS_FIX in cases["aws_iam_role.ci"].find("failure").text


def test_a_single_remediation_string_still_works():
    throwaway_rule.register()
    try:
        rule = REGISTRY[throwaway_rule.RULE_ID]
        assert rule.fixes == ()
        for cloud, engine in (("", ""), ("aws", "terraform"), ("azure", "pulumi")):
            assert rule.remediation_for(cloud, engine) == "Set `open = false` on the widget."
    finally:
        throwaway_rule.unregister()


def test_fix_order_cloud_and_engine_then_cloud_then_engine_then_general_then_others():
    rule = REGISTRY["SEC-001"]
    paragraphs = rule.remediation_for("azure", "pulumi").split("\n\n")
    assert [p.split(":")[0] for p in paragraphs[:2]] == ["Azure", "Pulumi"]
    assert paragraphs[2].startswith("Remove the value and rotate the credential. Read it at run time from a secret")
    assert paragraphs[-1].startswith("AWS: ")
    # a finding with no cloud (a Terraform variable) gets the text for every cloud first
    assert rule.remediation_for("", "terraform").startswith("Remove the value and rotate the credential. Read it")
    ordered = sorted([Fix("e", engine="pulumi"), Fix("c", cloud="azure"), Fix("x", cloud="aws"),
                      Fix("ce", cloud="azure", engine="pulumi")], key=lambda f: f.rank("azure", "pulumi"))
    assert [f.text for f in ordered] == ["ce", "c", "e", "x"]


@pytest.mark.parametrize("key", ["gcp", "aws/ansible", "cdk", "azure/"])
def test_unknown_fix_keys_are_refused(key):
    with pytest.raises(ValueError, match="needs a text and a cloud"):
        parse_fixes("TST-1", {key: "do it"})


def test_cloud_and_engine_of_a_resource():
    assert [cloud_of(k) for k in ("azure.acr.registry", "aws.iam.role", "terraform.variable", "unmapped")] == \
        ["azure", "aws", "", ""]
    assert [engine_of(e) for e in ("terraform-plan", "terraform", "pulumi", "other")] == \
        ["terraform", "terraform", "pulumi", ""]


def test_docs_list_every_fix_under_its_label():
    page = rule_page(REGISTRY["REG-001"])
    remediation = page.split("## Remediation\n", 1)[1].split("\n## ", 1)[0]
    assert remediation.lstrip().startswith("**AWS**: Replace the wildcard")
    assert "\n\n**Azure**: Assign AcrPull or AcrPush" in remediation


SPLIT = ("REG-001", "REG-002", "REG-003", "REG-005", "REG-006", "NET-001", "IDF-001", "IDF-003", "IDF-004",
         "SEC-001", "SEC-002", "SEC-003")


@pytest.mark.parametrize("rule_id", SPLIT)
def test_rules_for_both_clouds_have_a_fix_per_cloud(rule_id):
    """(A new rule may start with one remediation string; these are split.)"""
    rule = REGISTRY[rule_id]
    assert {cloud_of(k) for k in rule.kinds} >= {"aws", "azure"}
    assert [f.cloud for f in rule.fixes if f.cloud] == ["aws", "azure"]
    assert rule.remediation_for("azure", "terraform").startswith("Azure: ")
    assert rule.remediation_for("aws", "terraform").startswith("AWS: ")


@pytest.mark.parametrize("rule_id, terraform, pulumi", [
    ("BKT-001", "Terraform: Add an `aws_s3_bucket_public_access_block`",
     "Pulumi: Add an `aws.s3.BucketPublicAccessBlock`"),
    ("BKT-006", "Terraform: Set `allow_nested_items_to_be_public = false`",
     "Pulumi: Set `allow_blob_public_access=False`"),
    ("REG-008", "Terraform: Set `admin_enabled = false`", "Pulumi: Set `admin_user_enabled=False`"),
])
def test_engine_spellings_come_first_for_their_engine(rule_id, terraform, pulumi):
    rule = REGISTRY[rule_id]
    cloud = cloud_of(rule.kinds[0])
    assert rule.remediation_for(cloud, "terraform").startswith(terraform)
    assert rule.remediation_for(cloud, "pulumi").startswith(pulumi)
