"""The access map of artifact stores: who can read, write and administer each bucket and storage
account, through what, and from which networks it accepts traffic (model inventories, Terraform,
and a Pulumi program)."""

from __future__ import annotations

import importlib.util
import json

import pytest

from builders import make
from rulebook.access_map import build, render
from rulebook.config import Config
from rulebook.model import Inventory, Ref
from rulebook.unknown import Unknown

ACCOUNT = "111122223333"
TRUST = {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "codebuild.amazonaws.com"}}]}
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def role(name, *statements):
    return make("aws.iam.role", f"aws_iam_role.{name}", 1, name=name, arn=f"arn:aws:iam::{ACCOUNT}:role/{name}",
                assume_role_policy=TRUST, inline_policies=[{"Statement": list(statements)}])


def rows(amap):
    """(store, holder, capability, certain) of every store access."""
    return sorted((s.label, a.holder, a.capability, a.certain) for s in amap.stores for a in s.accesses)


BUCKET = make("aws.s3.bucket", "aws_s3_bucket.art", 10, bucket="acme-ci-art", arn="arn:aws:s3:::acme-ci-art")


def test_s3_identities_policies_acls_and_networks():
    reader = role("build", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-ci-art/*"})
    admin = role("ops", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    other = role("other", {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::elsewhere/*"})
    later = role("later", {"Effect": "Allow", "Action": "s3:PutObject", "Resource": Unknown("var.arn has no value")})
    policy = make("aws.s3.bucket_policy", "aws_s3_bucket_policy.art", 20, bucket=Ref("aws_s3_bucket.art", "id"),
                  policy={"Statement": [
                      {"Sid": "Deploy", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/deploy"},
                       "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme-ci-art/*"},
                      {"Sid": "Org", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": "arn:aws:s3:::acme-ci-art/*",
                       "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}},
                      {"Sid": "CiOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                       "Resource": "arn:aws:s3:::acme-ci-art/*",
                       "Condition": {"StringNotEquals": {"aws:SourceVpce": Ref("aws_vpc_endpoint.s3", "id")}}}]})
    deploy = role("deploy")
    endpoint = make("aws.ec2.vpc_endpoint", "aws_vpc_endpoint.s3", 30, vpc_id="vpc-ci")
    acl = make("aws.s3.bucket_acl", "aws_s3_bucket_acl.art", 40, bucket=Ref("aws_s3_bucket.art", "id"),
               grants=[{"type": "Group", "uri": ALL_USERS, "permissions": ["READ"]}])
    amap = build(Inventory([BUCKET, reader, admin, other, later, deploy, policy, endpoint, acl]))
    assert rows(amap) == [
        ("S3 bucket acme-ci-art", "AllUsers (everyone) (ACL grant)", "read", True),
        ("S3 bucket acme-ci-art", "everyone (Principal *)", "read", True),
        ("S3 bucket acme-ci-art", "role build", "read", True),
        ("S3 bucket acme-ci-art", "role deploy", "write", True),
        ("S3 bucket acme-ci-art", "role later", "write", False),
        ("S3 bucket acme-ci-art", "role ops", "administer", True),
        ("S3 bucket acme-ci-art", "role ops", "read", True),
        ("S3 bucket acme-ci-art", "role ops", "write", True),
    ]
    (store,) = amap.stores
    assert store.networks == ["VPC endpoint aws_vpc_endpoint.s3 in VPC vpc-ci (objects: reads and writes only "
                              "from there, statement 'CiOnly')"]
    org = next(a for a in store.accesses if a.holder == "everyone (Principal *)")
    assert org.reason == "only callers bounded by aws:PrincipalOrgID"
    assert {h.label for h in amap.holders} >= {"role build", "role deploy", "role ops"}


def test_s3_public_acl_and_unconfined_network():
    legacy = make("aws.s3.bucket", "aws_s3_bucket.legacy", 1, bucket="acme-legacy", acl="public-read-write")
    (store,) = build(Inventory([legacy])).stores
    assert sorted((a.holder, a.capability) for a in store.accesses) == [
        ("everyone (ACL)", "read"), ("everyone (ACL)", "write")]
    assert store.networks == ["anywhere: no bucket policy confines object access to a network"]


def test_artifact_selector_limits_the_stores():
    logs = make("aws.s3.bucket", "aws_s3_bucket.logs", 1, bucket="acme-logs")
    amap = build(Inventory([BUCKET, logs]), Config(artifact_bucket_names=("acme-ci-*",)))
    assert [s.label for s in amap.stores] == ["S3 bucket acme-ci-art"]


SA_ID = "/subscriptions/0/resourceGroups/rg-ci/providers/Microsoft.Storage/storageAccounts/acmeci"


def assignment(name, scope, role_id=None, principal="00000000-0000-0000-0000-000000000001", **extra):
    return make("azure.role_assignment", f"azurerm_role_assignment.{name}", 5, scope=scope,
                role_definition_id=role_id, principal_id=principal, **extra)


def test_azure_roles_keys_anonymous_containers_and_networks():
    account = make("azure.storage.account", "azurerm_storage_account.ci", 1, name="acmeci", id=SA_ID,
                   allow_blob_public_access=True, network_default_action="Deny", ip_rules=["10.42.0.0/16"])
    container = make("azure.storage.container", "azurerm_storage_container.site", 3,
                     account=Ref("azurerm_storage_account.ci", "id"), public_access="blob")
    identity = make("azure.identity", "azurerm_user_assigned_identity.build", 4, name="id-build",
                    principal_id="00000000-0000-0000-0000-000000000001", principal_type="ServicePrincipal")
    reader = assignment("read", Ref("azurerm_storage_account.ci", "id"),
                        "/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1")
    wide = assignment("wide", "/subscriptions/0/resourceGroups/rg-ci", role_definition_name="Contributor",
                      principal="00000000-0000-0000-0000-000000000009")
    acr = assignment("acr", "/subscriptions/0/resourceGroups/rg-ci/providers/Microsoft.ContainerRegistry/registries/r",
                     role_definition_name="AcrPull")
    unknown_scope = assignment("later", Unknown("var.scope has no value"), role_definition_name="Storage Blob Data Owner")
    amap = build(Inventory([account, container, identity, reader, wide, acr, unknown_scope]))
    assert rows(amap) == [
        ("storage account acmeci", "anyone (anonymous)", "read", True),
        ("storage account acmeci", "anyone holding an account key or SAS token", "administer", True),
        ("storage account acmeci", "anyone holding an account key or SAS token", "read", True),
        ("storage account acmeci", "anyone holding an account key or SAS token", "write", True),
        ("storage account acmeci", "identity id-build", "administer", False),  # Owner, scope unknown
        ("storage account acmeci", "identity id-build", "read", False),
        ("storage account acmeci", "identity id-build", "read", True),  # Storage Blob Data Reader on the account
        ("storage account acmeci", "identity id-build", "write", False),
        ("storage account acmeci", "principal 00000000-0000-0000-0000-000000000009", "administer", True),
        ("storage account acmeci", "principal 00000000-0000-0000-0000-000000000009", "read", True),
        ("storage account acmeci", "principal 00000000-0000-0000-0000-000000000009", "write", True),
    ]
    assert amap.stores[0].networks == ["CIDR 10.42.0.0/16"]


@pytest.mark.parametrize("props, networks", [
    ({"public_network_access_enabled": False}, ["private endpoints only (public network access disabled)"]),
    ({}, ["anywhere: network rules default to Allow"]),
    ({"network_default_action": "Deny", "subnet_ids": ["/sub/build"]}, ["subnet /sub/build"]),
])
def test_azure_networks(props, networks):
    account = make("azure.storage.account", "azurerm_storage_account.ci", 1, name="acmeci",
                   shared_key_access_enabled=False, **props)
    (store,) = build(Inventory([account])).stores
    assert store.networks == networks and store.accesses == []


def test_json_and_mermaid_show_stores_and_networks():
    legacy = make("aws.s3.bucket", "aws_s3_bucket.legacy", 1, bucket="acme-legacy", acl="public-read")
    amap = build(Inventory([legacy]), title="stack")
    (data,) = json.loads(render(amap, "json"))
    assert data["artifact_stores"] == [{
        "store": "S3 bucket acme-legacy", "address": "aws_s3_bucket.legacy",
        "networks": ["anywhere: no bucket policy confines object access to a network"],
        "access": [{"capability": "read", "holder": "everyone (ACL)", "holder_address": None,
                    "through": "canned ACL public-read (the bucket's acl)", "actions": [], "certain": True,
                    "reason": None}]}]
    mermaid = render(amap, "mermaid").splitlines()
    assert '  t1[("S3 bucket acme-legacy")]:::store' in mermaid
    assert '  n2{{"anywhere: no bucket policy confines object access to a network"}}:::network' in mermaid
    assert "  n2 -.->|traffic| t1" in mermaid
    assert '  i3 -->|"read"| t1' in mermaid
    text = render(amap, "text")
    assert "ARTIFACT STORE NETWORKS\nS3 bucket acme-legacy: anywhere" in text


def test_terraform_reference_stacks():
    from hcl_scanner import scan

    from pathlib import Path
    root = Path(__file__).resolve().parents[1] / "reference_stacks"
    (inventory,) = scan([str(root / "azure-terraform")]).inventories
    (store,) = build(inventory).stores
    assert [(a.holder, a.capability) for a in store.accesses] == [
        ("identity id-ci-build", "read"), ("identity id-ci-deploy", "read"), ("identity id-ci-deploy", "write")]
    assert store.networks == ["private endpoints only (public network access disabled)"]


def test_pulumi_program(tmp_path):
    if importlib.util.find_spec("pulumi_aws") is None:
        pytest.skip("pulumi_aws is not installed")
    from preview_gate import inventory_of

    (tmp_path / "Pulumi.yaml").write_text("name: store-map\nruntime: python\n")
    (tmp_path / "__main__.py").write_text('''
import json
import pulumi_aws as aws

art = aws.s3.Bucket("art", bucket="acme-ci-art")
aws.s3.BucketPolicy("art", bucket=art.id, policy=json.dumps({"Statement": [
    {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::acme-ci-art/*",
     "Condition": {"NotIpAddress": {"aws:SourceIp": ["10.42.0.0/16"]}}},
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-ci-art/*"}]}))
''')
    (store,) = build(inventory_of(tmp_path)).stores
    assert [(a.holder, a.capability) for a in store.accesses] == [("everyone (Principal *)", "read")]
    assert store.networks == ["CIDR 10.42.0.0/16 (objects: reads and writes only from there, statement #1)"]
