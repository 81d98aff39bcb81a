"""IDF-005: no role trust lets any principal assume it without a bounding condition. A semantics table
over model roles, then exact (rule, status, resource, line) rows through the Terraform scanner
(jsonencode, heredoc, aws_iam_policy_document), a plan, and the Pulumi gate (dict and JSON string)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builders import make
from hcl_scanner.plan import read_plan
from rulebook.config import Config
from rulebook.engine import evaluate
from rulebook.model import Inventory
from rulebook.rules import REGISTRY
from rulebook.unknown import Unknown
from test_bkt_rules import gate_rows, tf_rows

RULE = ["IDF-005"]
ORG = {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}


def _role(principal, condition=None, effect="Allow", key="Principal"):
    statement = {"Effect": effect, "Action": "sts:AssumeRole", key: principal}
    if condition is not None:
        statement["Condition"] = condition
    return make("aws.iam.role", "role", name="r", assume_role_policy={"Version": "2012-10-17",
                                                                      "Statement": [statement]})


def _statuses(*resources) -> list[tuple[str, str]]:
    findings = evaluate(Inventory(list(resources)), Config(), rules=[REGISTRY["IDF-005"]])
    return [(f.status.value, f.resource) for f in findings]


@pytest.mark.parametrize("principal, condition, effect, expected", [
    ("*", None, "Allow", "failed"),
    ({"AWS": "*"}, None, "Allow", "failed"),
    ({"AWS": ["arn:aws:iam::111122223333:root", "*"]}, None, "Allow", "failed"),
    ({"AWS": "*"}, ORG, "Allow", None),
    ({"AWS": "*"}, {"StringEquals": {"sts:ExternalId": "acme-7f3e"}}, "Allow", None),
    ({"AWS": "*"}, {"StringEquals": {"STS:EXTERNALID": "acme-7f3e"}}, "Allow", None),  # keys ignore case
    ("*", {"StringEquals": {"aws:SourceAccount": "111122223333"}}, "Allow", None),
    ("*", {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}, "Allow", None),
    ("*", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/ci-*"}}, "Allow", None),
    ("*", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ci"}}, "Allow", "failed"),
    ({"AWS": "*"}, {"StringLike": {"sts:ExternalId": "*"}}, "Allow", "failed"),
    ({"AWS": "*"}, {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}, "Allow", "failed"),
    ({"AWS": "*"}, {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}, "Allow", "failed"),
    ({"AWS": "*"}, {"Bool": {"aws:SecureTransport": "true"}}, "Allow", "failed"),
    ({"AWS": "*"}, None, "Deny", None),
    ({"AWS": "arn:aws:iam::111122223333:root"}, None, "Allow", None),
    ({"Service": "codebuild.amazonaws.com"}, None, "Allow", None),
    ({"Federated": Unknown("EKS provider ARN from a remote module")}, None, "Allow", None),  # not an AWS principal
    # the account of an ARN rendered from a value known only at apply: one account, it bounds
    ("*", {"ArnLike": {"aws:PrincipalArn": "arn:${data.aws_partition.current.partition}:iam::"
                                           "${data.aws_caller_identity.current.account_id}:role/ci"}}, "Allow", None),
    ("*", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/${aws:username}"}}, "Allow", "unknown"),
    ({"AWS": Unknown("principal known after apply")}, None, "Allow", "unknown"),
    ({"AWS": "*"}, {"StringEquals": {"aws:PrincipalOrgID": Unknown("org known after apply")}}, "Allow", "unknown"),
    ({"AWS": "*"}, None, Unknown("effect known after apply"), "unknown"),
])
def test_semantics(principal, condition, effect, expected):
    assert _statuses(_role(principal, condition, effect)) == ([(expected, "role")] if expected else [])


def test_not_principal_is_everyone_else():
    role = _role({"AWS": "arn:aws:iam::111122223333:root"}, key="NotPrincipal")
    assert _statuses(role) == [("failed", "role")]


def test_messages():
    open_role = _role({"AWS": "*"}, {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})
    later = make("aws.iam.role", "later", name="later", assume_role_policy=Unknown("policy known after apply"))
    findings = evaluate(Inventory([open_role, later]), Config(), rules=[REGISTRY["IDF-005"]])
    assert sorted((f.resource, f.severity.value, f.message) for f in findings) == [
        ("later", "critical", "cannot decide whether the trust policy lets any principal assume the role: policy "
                              "known after apply"),
        ("role", "critical", "statement #1 of the trust policy lets any principal (Principal *) assume the role "
                             "without a condition on aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, "
                             "aws:SourceAccount or sts:ExternalId: "
                             "StringNotEquals on aws:PrincipalOrgID admits every caller outside its values"),
    ]


TF = '''
variable "org_id" {
  type    = string
  default = "o-a1b2c3d4e5"
}

variable "later_external_id" {
  type = string
}

resource "aws_iam_role" "json_open" {
  name = "json-open"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }]
  })
}

resource "aws_iam_role" "json_org" {
  name = "json-org"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
      Condition = { StringEquals = { "aws:PrincipalOrgID" = var.org_id } }
    }]
  })
}

resource "aws_iam_role" "heredoc_star" {
  name               = "heredoc-star"
  assume_role_policy = <<EOF
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*"}]}
EOF
}

data "aws_iam_policy_document" "external" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = ["acme-7f3e"]
    }
  }
}

resource "aws_iam_role" "doc_external" {
  name               = "doc-external"
  assume_role_policy = data.aws_iam_policy_document.external.json
}

data "aws_iam_policy_document" "dynamic_loose" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    dynamic "condition" {
      for_each = ["aws:PrincipalOrgID"]
      content {
        test     = "StringLike"
        variable = condition.value
        values   = ["o-*"]
      }
    }
  }
}

resource "aws_iam_role" "doc_dynamic" {
  name               = "doc-dynamic"
  assume_role_policy = data.aws_iam_policy_document.dynamic_loose.json
}

resource "aws_iam_role" "later" {
  name = "later"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
      Condition = { StringEquals = { "sts:ExternalId" = var.later_external_id } }
    }]
  })
}
'''


def test_terraform(tmp_path):
    assert tf_rows(tmp_path, TF, RULE) == [
        ("IDF-005", "failed", "aws_iam_role.json_open", 11),
        ("IDF-005", "failed", "aws_iam_role.heredoc_star", 32),
        ("IDF-005", "failed", "aws_iam_role.doc_dynamic", 78),
        ("IDF-005", "unknown", "aws_iam_role.later", 83),
    ]


def test_plan(tmp_path):
    def change(name: str, after: dict, after_unknown: dict | None = None) -> dict:
        return {"address": f"aws_iam_role.{name}", "mode": "managed", "type": "aws_iam_role", "name": name,
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {"actions": ["create"], "before": None, "after": after,
                           "after_unknown": after_unknown or {}, "before_sensitive": False, "after_sensitive": {}}}

    def trust(statement: dict) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]})

    path = Path(tmp_path) / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "terraform_version": "1.6.6",
                                "planned_values": {"root_module": {}}, "resource_changes": [
        change("open", {"name": "open", "assume_role_policy": trust(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"}})}),
        change("org", {"name": "org", "assume_role_policy": trust(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*", "Condition": ORG})}),
        change("later", {"name": "later"}, {"assume_role_policy": True}),
    ]}))
    inventory, errors = read_plan(path, None)
    assert errors == []
    findings = evaluate(inventory, Config(), rules=[REGISTRY["IDF-005"]])
    assert sorted((f.status.value, f.resource) for f in findings) == [
        ("failed", "aws_iam_role.open"), ("unknown", "aws_iam_role.later")]


PULUMI = '''
import json
import pulumi_aws as aws

aws.iam.Role("open", name="open", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*"}]}))
aws.iam.Role("open-dict", name="open-dict", assume_role_policy={"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"}}]})
aws.iam.Role("org", name="org", assume_role_policy={"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"},
     "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]})
aws.iam.Role("external", name="external", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": ["*"]},
     "Condition": {"StringEquals": {"sts:ExternalId": "acme-7f3e"}}}]}))
'''


def test_pulumi(tmp_path):
    assert gate_rows(tmp_path, PULUMI, "pulumi_aws", RULE) == [
        ("IDF-005", "failed", "open", 4),
        ("IDF-005", "failed", "open-dict", 6),
    ]
