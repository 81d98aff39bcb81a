"""REG-001..REG-010 over model inventories: every case of the registry least-privilege issue, failing and
passing, asserted as exact (rule, status, resource, line) rows; then the same cases through both engines."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import pytest

from builders import make
from rulebook.config import Config
from rulebook.engine import evaluate
from rulebook.findings import Severity
from rulebook.model import Inventory, Ref, Resource
from rulebook.rules import REGISTRY
from rulebook.unknown import Unknown

TODAY = dt.date(2026, 11, 25)
ACCOUNT = "111122223333"
APP = f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/acme/app"
OIDC = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
GITHUB_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": OIDC},
    "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                   "token.actions.githubusercontent.com:sub": "repo:acme/app:environment:prod"}}}]}
SERVICE_TRUST = {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                            "Principal": {"Service": "monitoring.rds.amazonaws.com"}}]}  # not a CI service
PUSH = ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]
PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
DENY_LISTING = {"Effect": "Deny", "Action": ["ecr:DescribeRepositories", "ecr:DescribeRegistry"], "Resource": "*"}
MANAGED = "arn:aws:iam::aws:policy/"

ACR_ID = "/subscriptions/0000/resourceGroups/rg-ci/providers/Microsoft.ContainerRegistry/registries/acmeci"
RG_ID = "/subscriptions/0000/resourceGroups/rg-ci"
SUB_ID = "/subscriptions/0000"
ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
ACR_PUSH = "8311e382-0749-4cb8-b61a-304f252e45ec"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"


def rows(findings):
    return [(f.rule_id, f.status.value, f.resource, f.line) for f in findings]


def run(resources, rule_ids=None, **config):
    rules = [REGISTRY[r] for r in (rule_ids or sorted(k for k in REGISTRY if k.startswith("REG-")))]
    return evaluate(Inventory(list(resources)), Config(**config), rules=rules, today=TODAY)


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def role(name="ci", line=1, *statements, trust=None, tags=None, managed=()) -> Resource:
    r = make("aws.iam.role", f"aws_iam_role.{name}", line, name=name, arn=f"arn:aws:iam::{ACCOUNT}:role/{name}",
             assume_role_policy=GITHUB_TRUST if trust is None else trust,
             inline_policies=[policy(*statements)] if statements else [], managed_policy_arns=list(managed))
    if tags is not None:
        r.tags = tags
    return r


def attach(address, line, arn, **targets) -> Resource:
    return make("aws.iam.policy_attachment", address, line, policy_arn=arn, **targets)


def repo(name="app", line=40, **props) -> Resource:
    return make("aws.ecr.repository", f"aws_ecr_repository.{name}", line, name=f"acme/{name}",
                arn=f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/acme/{name}", **props)


def repo_policy(line, *statements, address="aws_ecr_repository_policy.app") -> Resource:
    return make("aws.ecr.repository_policy", address, line, repository=Ref("aws_ecr_repository.app", "name"),
                policy=policy(*statements))


# --- REG-001: wildcards -------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["ecr:*", "*", ["ecr:*", "s3:GetObject"], "ECR:*"])
def test_reg001_wildcard_on_an_identity(action):
    findings = run([role("ci", 3, allow(action), DENY_LISTING)], ["REG-001"])
    assert rows(findings) == [("REG-001", "failed", "aws_iam_role.ci", 3)]
    wanted = action if isinstance(action, str) else ", ".join(action)
    assert findings[0].message == (f"role ci is allowed every registry action ({wanted}) through statement #1 of "
                                   f"inline policy of aws_iam_role.ci")


def test_reg001_not_action_that_leaves_a_whole_registry_service():
    statement = {"Effect": "Allow", "NotAction": ["iam:*", "s3:*"], "Resource": "*"}
    findings = run([role("ci", 3, statement)], ["REG-001"])
    assert rows(findings) == [("REG-001", "failed", "aws_iam_role.ci", 3)]
    assert findings[0].message == ("role ci is allowed every registry action (NotAction iam:*, s3:*) through "
                                   "statement #1 of inline policy of aws_iam_role.ci")


def test_reg001_named_actions_pass():
    assert run([role("ci", 3, allow(PULL, APP), allow("ecr:GetAuthorizationToken"))], ["REG-001"]) == []


def test_reg001_wildcard_in_a_repository_policy():
    statement = {"Sid": "Team", "Effect": "Allow", "Action": "ecr:*",
                 "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/platform"}}
    findings = run([repo(), repo_policy(50, statement)], ["REG-001"])
    assert rows(findings) == [("REG-001", "failed", "aws_ecr_repository_policy.app", 50)]
    assert findings[0].message == (f"arn:aws:iam::{ACCOUNT}:role/platform is allowed every registry action (ecr:*) "
                                   f"through statement 'Team' of aws_ecr_repository_policy.app")


def test_reg001_full_access_managed_policy():
    findings = run([role("ci", 3), attach("aws_iam_role_policy_attachment.ci", 9,
                                          MANAGED + "AmazonEC2ContainerRegistryFullAccess", roles=["ci"])],
                   ["REG-001"])
    assert rows(findings) == [("REG-001", "failed", "aws_iam_role.ci", 3)]
    assert findings[0].message == ("role ci is allowed every registry action (ecr:*, cloudtrail:LookupEvents) "
                                   "through statement #1 of AWS managed policy AmazonEC2ContainerRegistryFullAccess "
                                   "attached by aws_iam_role_policy_attachment.ci")


def test_reg001_unknown_policy_is_undecided():
    findings = run([role("ci", 3), make("aws.iam.inline_policy", "aws_iam_role_policy.ci", 9, identity="ci",
                                        identity_type="role", policy=Unknown("rendered by a module"))], ["REG-001"])
    assert rows(findings) == [("REG-001", "unknown", "aws_iam_role.ci", 3)]
    assert findings[0].message == "cannot decide whether role ci holds every registry action: rendered by a module"


# --- REG-002: administration (high) and pull+push (medium) ---------------------------------------------


def test_reg002_admin_actions_high():
    findings = run([role("ci", 3, allow(["ecr:BatchDeleteImage", "ecr:SetRepositoryPolicy"], APP))], ["REG-002"])
    assert rows(findings) == [("REG-002", "failed", "aws_iam_role.ci", 3)]
    assert findings[0].severity is Severity.HIGH
    assert findings[0].message == ("role ci may administer the registry (ecr:BatchDeleteImage, "
                                   "ecr:SetRepositoryPolicy) through statement #1 of inline policy of aws_iam_role.ci")


def test_reg002_pull_and_push_medium():
    findings = run([role("ci", 3, allow(PULL, APP), allow(PUSH, APP))], ["REG-002"])
    assert rows(findings) == [("REG-002", "failed", "aws_iam_role.ci", 3)]
    assert findings[0].severity is Severity.MEDIUM
    assert findings[0].message == (
        "role ci may both pull (ecr:BatchCheckLayerAvailability, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer) "
        "through statement #1 of inline policy of aws_iam_role.ci and push (ecr:CompleteLayerUpload, "
        "ecr:InitiateLayerUpload, ecr:PutImage, ecr:UploadLayerPart) through statement #2 of inline policy of "
        "aws_iam_role.ci")


def test_reg002_image_infix_wildcard_reaches_admin():
    findings = run([role("ci", 3, allow("ecr:*Image*", APP))], ["REG-002"])
    assert rows(findings) == [("REG-002", "failed", "aws_iam_role.ci", 3)] and findings[0].severity is Severity.HIGH


@pytest.mark.parametrize("actions", [PULL, PUSH, ["ecr:GetAuthorizationToken"]])
def test_reg002_read_only_or_write_only_pass(actions):
    assert run([role("ci", 3, allow(actions, APP))], ["REG-002"]) == []


def test_reg002_power_user_is_pull_and_push():
    findings = run([role("ci", 3, managed=(MANAGED + "AmazonEC2ContainerRegistryPowerUser",))], ["REG-002"])
    assert rows(findings) == [("REG-002", "failed", "aws_iam_role.ci", 3)] and findings[0].severity is Severity.MEDIUM


def test_reg002_admin_identities_are_exempt():
    resources = [role("platform", 3, allow("ecr:*"))]
    assert rows(run(resources, ["REG-002"])) == [("REG-002", "failed", "aws_iam_role.platform", 3)]
    assert run(resources, ["REG-002"], admin_identities=("platform",)) == []


# --- REG-003: listing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("statement", [
    allow("ecr:DescribeRepositories"),
    allow("ecr:Describe*"),
    allow(["ecr:describeregistry"]),
    {"Effect": "Allow", "NotAction": "ecr:*Upload*", "Resource": "*"},
])
def test_reg003_listing_fails_high(statement):
    findings = run([role("ci", 3, statement)], ["REG-003"])
    assert rows(findings) == [("REG-003", "failed", "aws_iam_role.ci", 3)] and findings[0].severity is Severity.HIGH


@pytest.mark.parametrize("name, listed", [
    ("AmazonEC2ContainerRegistryReadOnly", True),
    ("AmazonEC2ContainerRegistryPowerUser", True),
    ("AmazonEC2ContainerRegistryFullAccess", True),
    ("AmazonEC2ContainerRegistryPullOnly", False),
])
def test_reg003_managed_policies_by_arn(name, listed):
    findings = run([role("ci", 3), attach("aws_iam_role_policy_attachment.ci", 9, MANAGED + name,
                                          roles=[Ref("aws_iam_role.ci", "name")])], ["REG-003"])
    assert rows(findings) == ([("REG-003", "failed", "aws_iam_role.ci", 3)] if listed else [])
    if listed:
        assert f"AWS managed policy {name} attached by aws_iam_role_policy_attachment.ci" in findings[0].message


def test_reg003_image_listing_on_one_named_repository_is_low():
    findings = run([role("ci", 3, allow(["ecr:ListImages", "ecr:DescribeImages"], APP))], ["REG-003"])
    assert rows(findings) == [("REG-003", "failed", "aws_iam_role.ci", 3)] and findings[0].severity is Severity.LOW
    assert findings[0].message.startswith("role ci may describe named repositories or list their images "
                                          "(ecr:DescribeImages, ecr:ListImages)")


def test_reg003_explicit_deny_removes_listing_and_unknown_resource_is_undecided():
    assert run([role("ci", 3, allow("ecr:Describe*"), {"Effect": "Deny", "Action": "ecr:Describe*",
                                                      "Resource": "*"})], ["REG-003"]) == []
    findings = run([role("ci", 3, allow("ecr:ListImages", Unknown("var.repository_arn")))], ["REG-003"])
    assert rows(findings) == [("REG-003", "unknown", "aws_iam_role.ci", 3)]
    assert findings[0].message.endswith("var.repository_arn")


# --- REG-004: the required deny -------------------------------------------------------------------------


def test_reg004_ci_role_with_deny_passes():
    assert run([role("ci", 3, allow(PULL, APP), DENY_LISTING)], ["REG-004"]) == []


@pytest.mark.parametrize("deny", [
    {"Effect": "Deny", "Action": "ecr:DescribeRepositories", "Resource": APP},  # wrong resource
    {"Effect": "Deny", "Action": "ecr:DescribeImages", "Resource": "*"},  # wrong action
    {"Effect": "Deny", "Action": "ecr:DescribeRepositories", "Resource": "*",
     "Condition": {"Bool": {"aws:ViaAWSService": "false"}}},  # conditional
])
def test_reg004_deny_on_the_wrong_resource_or_action(deny):
    findings = run([role("ci", 3, allow(PULL, APP), deny)], ["REG-004"])
    assert rows(findings) == [("REG-004", "failed", "aws_iam_role.ci", 3)]
    assert findings[0].message == ("CI/CD role ci (trusted by CI OIDC issuer token.actions.githubusercontent.com) "
                                   "has registry access but no policy of aws_iam_role.ci denies "
                                   "ecr:DescribeRepositories on all repositories")


def test_reg004_only_ci_identities_with_registry_access():
    assert run([role("app", 3, allow(PULL, APP), trust=SERVICE_TRUST)], ["REG-004"]) == []  # not CI/CD
    assert run([role("ci", 3, allow("s3:GetObject"))], ["REG-004"]) == []  # no registry access
    tagged = role("runner", 3, allow(PULL, APP), trust=SERVICE_TRUST, tags={"cicd-stage": "test"})
    assert rows(run([tagged], ["REG-004"])) == [("REG-004", "failed", "aws_iam_role.runner", 3)]
    unknown = role("runner", 3, allow(PULL, APP), trust=SERVICE_TRUST, tags=Unknown("tags from var.tags"))
    assert rows(run([unknown], ["REG-004"])) == [("REG-004", "unknown", "aws_iam_role.runner", 3)]


def test_reg004_deny_in_an_attached_customer_policy():
    guard = make("aws.iam.policy", "aws_iam_policy.guard", 20, name="guard", arn=f"arn:aws:iam::{ACCOUNT}:policy/guard",
                 policy=json.dumps(policy(DENY_LISTING)))
    resources = [role("ci", 3, allow(PULL, APP)), guard,
                 attach("aws_iam_role_policy_attachment.guard", 30, Ref("aws_iam_policy.guard", "arn"), roles=["ci"])]
    assert run(resources, ["REG-004"]) == []


# --- REG-005: named repositories ------------------------------------------------------------------------


def test_reg005_auth_on_star_is_fine_pull_on_star_is_not():
    assert run([role("ci", 3, allow("ecr:GetAuthorizationToken"), allow(PULL, APP))], ["REG-005"]) == []
    findings = run([role("ci", 3, allow("ecr:GetAuthorizationToken"), allow(PULL))], ["REG-005"])
    assert rows(findings) == [("REG-005", "failed", "aws_iam_role.ci", 3)]
    assert findings[0].message == (
        "role ci holds registry actions on every repository (ecr:BatchCheckLayerAvailability, ecr:BatchGetImage, "
        "ecr:GetDownloadUrlForLayer) through statement #2 of inline policy of aws_iam_role.ci")


@pytest.mark.parametrize("resource", [f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/*", "arn:aws:ecr:*:*:*"])
def test_reg005_all_repositories_pattern(resource):
    assert rows(run([role("ci", 3, allow(PULL, resource))], ["REG-005"])) == [
        ("REG-005", "failed", "aws_iam_role.ci", 3)]


def test_reg005_pull_only_managed_policy_passes_listing_fails_scope():
    resources = [role("ci", 3, managed=(MANAGED + "AmazonEC2ContainerRegistryPullOnly",))]
    assert rows(run(resources, ["REG-003", "REG-005"])) == [("REG-005", "failed", "aws_iam_role.ci", 3)]


def test_reg005_unknown_resource_is_undecided():
    findings = run([role("ci", 3, allow(PULL, Unknown("module.registry.arn")))], ["REG-005"])
    assert rows(findings) == [("REG-005", "unknown", "aws_iam_role.ci", 3)]
    assert findings[0].message == ("cannot decide whether role ci holds registry actions on every repository: "
                                   "resource of statement #1: module.registry.arn")


def test_reg005_registry_wide_only_actions_do_not_count():
    assert run([role("ci", 3, allow("ecr:DescribeRegistry"))], ["REG-005"]) == []


# --- REG-006: push only from the deploy identity ---------------------------------------------------------


def test_reg006_push_by_a_build_role():
    findings = run([role("build", 3, allow(PUSH, APP), tags={"cicd-stage": "build"})], ["REG-006"])
    assert rows(findings) == [("REG-006", "failed", "aws_iam_role.build", 3)]
    assert findings[0].message == (
        "role build is not a deploy identity (tag cicd-stage = deploy or deploy_identities) and may push images "
        "(ecr:CompleteLayerUpload, ecr:InitiateLayerUpload, ecr:PutImage, ecr:UploadLayerPart) through statement #1 "
        "of inline policy of aws_iam_role.build")


def test_reg006_push_by_deploy_roles_passes():
    tagged = role("deploy", 3, allow(PUSH, APP), tags={"CICD-Stage": "Deploy"})
    named = role("release", 10, allow(PUSH, APP))
    assert run([tagged, named], ["REG-006"], deploy_identities=("rel*",)) == []
    assert rows(run([named], ["REG-006"])) == [("REG-006", "failed", "aws_iam_role.release", 10)]


def test_reg006_push_by_a_user_and_by_a_group_and_its_members():
    user = make("aws.iam.user", "aws_iam_user.dev", 1, name="dev")
    group = make("aws.iam.group", "aws_iam_group.devs", 5, name="devs")
    member = make("aws.iam.group_membership", "aws_iam_group_membership.devs", 9, groups=["devs"], users=["dev"])
    power = attach("aws_iam_group_policy_attachment.devs", 12, MANAGED + "AmazonEC2ContainerRegistryPowerUser",
                   groups=[Ref("aws_iam_group.devs", "name")])
    releaser = make("aws.iam.user", "aws_iam_user.releaser", 20, name="releaser")
    releaser.tags = {"cicd-stage": "deploy"}
    own = make("aws.iam.inline_policy", "aws_iam_user_policy.releaser", 25, identity="releaser", identity_type="user",
               policy=policy(allow(PUSH, APP)))
    findings = run([user, group, member, power, releaser, own], ["REG-006"], deploy_identities=("releaser",))
    assert rows(findings) == [("REG-006", "failed", "aws_iam_user.dev", 1),
                              ("REG-006", "failed", "aws_iam_group.devs", 5),
                              ("REG-006", "failed", "aws_iam_user.releaser", 20)]
    assert findings[2].message.startswith("user releaser is an IAM user (a person), not a deploy identity, and may "
                                          "push images")
    assert "(via group aws_iam_group.devs)" in findings[0].message


def test_reg006_not_action_leaves_push():
    statement = {"Effect": "Allow", "NotAction": ["ecr:Describe*", "ecr:List*"], "Resource": "*"}
    assert rows(run([role("ci", 3, statement)], ["REG-006"])) == [("REG-006", "failed", "aws_iam_role.ci", 3)]


def test_reg006_unknown_deploy_tag_and_unresolved_attachment():
    unknown = role("ci", 3, allow(PUSH, APP), tags=Unknown("var.tags"))
    findings = run([unknown], ["REG-006"])
    assert rows(findings) == [("REG-006", "unknown", "aws_iam_role.ci", 3)]
    assert findings[0].message == ("cannot decide whether role ci is a deploy identity: tags of aws_iam_role.ci are "
                                   "not known at plan time: var.tags")
    orphan = attach("aws_iam_role_policy_attachment.x", 7, MANAGED + "AmazonEC2ContainerRegistryPowerUser",
                    roles=[Unknown("var.role_name")])
    findings = run([orphan], ["REG-006"])
    assert rows(findings) == [("REG-006", "unknown", "aws_iam_role_policy_attachment.x", 7)]
    assert findings[0].message == ("cannot decide who may push images through it: aws_iam_role_policy_attachment.x "
                                   "attaches a policy to an identity that cannot be resolved: var.role_name")


def test_reg006_push_granted_by_a_repository_policy():
    push = {"Sid": "Push", "Effect": "Allow", "Action": PUSH, "Principal": {"AWS": Ref("aws_iam_role.build", "arn")}}
    resources = [repo(), role("build", 3), repo_policy(50, push)]
    assert rows(run(resources, ["REG-006"])) == [("REG-006", "failed", "aws_iam_role.build", 3)]
    outside = {"Sid": "Push", "Effect": "Allow", "Action": PUSH,
               "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/release"}}
    findings = run([repo(), repo_policy(50, outside)], ["REG-006"])
    assert rows(findings) == [("REG-006", "unknown", "aws_ecr_repository_policy.app", 50)]
    assert run([repo(), repo_policy(50, outside)], ["REG-006"], deploy_identities=("*:role/release",)) == []


# --- REG-002/003: principals a repository policy names that the stack does not declare --------------------

OUTSIDE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/platform"
OUTSIDERS = [
    # id, principal, actions, config, rows, message of the first row
    ("literal role may delete", OUTSIDE_ROLE, ["ecr:DeleteRepository"], {},
     [("REG-002", "failed", "aws_ecr_repository_policy.app", 50)],
     f"role {OUTSIDE_ROLE} (not declared here) may administer the registry (ecr:DeleteRepository) through "
     f"statement 'Outside' of aws_ecr_repository_policy.app"),
    ("literal user pulls and pushes", f"arn:aws:iam::{ACCOUNT}:user/dev", PULL + PUSH, {},
     [("REG-002", "failed", "aws_ecr_repository_policy.app", 50)], ""),
    ("literal role lists", OUTSIDE_ROLE, ["ecr:DescribeImages"], {},
     [("REG-003", "failed", "aws_ecr_repository_policy.app", 50)],
     f"role {OUTSIDE_ROLE} (not declared here) may describe named repositories or list their images "
     f"(ecr:DescribeImages) through statement 'Outside' of aws_ecr_repository_policy.app"),
    ("a reference is not a literal ARN", Ref("data.aws_caller_identity.current", "account_id"),
     ["ecr:SetRepositoryPolicy"], {}, [], ""),
    ("admin identities are exempt", OUTSIDE_ROLE, ["ecr:DeleteRepository"], {"admin_identities": ("*:role/platform",)},
     [], ""),
    ("pull only", OUTSIDE_ROLE, PULL, {}, [], ""),
    ("an account is REG-007's", ACCOUNT, ["ecr:DeleteRepository"], {}, [], ""),
]


@pytest.mark.parametrize("principal,actions,config,expected,message", [c[1:] for c in OUTSIDERS],
                         ids=[c[0] for c in OUTSIDERS])
def test_reg002_reg003_judge_principals_not_declared_here(principal, actions, config, expected, message):
    statement = {"Sid": "Outside", "Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions}
    findings = run([repo(), repo_policy(50, statement)], ["REG-002", "REG-003"], **config)
    assert rows(findings) == expected
    if message:
        assert findings[0].message == message


def test_a_declared_role_named_by_arn_is_judged_once_as_an_identity():
    statement = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/ci"},
                 "Action": ["ecr:DeleteRepository"]}
    findings = run([role("ci", 3), repo(), repo_policy(50, statement)], ["REG-002"])
    assert rows(findings) == [("REG-002", "failed", "aws_iam_role.ci", 3)]


# --- REG-007: resource policies -------------------------------------------------------------------------


ORG = "o-a1b2c3d4e5"
OPEN = {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": PULL}
KEYS = "aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:SourceVpce, aws:PrincipalArn"
PULL_TEXT = "pull (ecr:BatchCheckLayerAvailability, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer)"
REG007_PUBLIC = [
    # id, Condition of a Principal "*" pull statement, status (None: passes), message
    ("no condition", None, "failed",
     f"everyone (Principal *) is allowed {PULL_TEXT} through statement 'Open' of aws_ecr_repository_policy.app "
     f"without a condition on {KEYS}"),
    ("organisation", {"StringEquals": {"aws:PrincipalOrgID": ORG}}, None, ""),
    ("organisation, odd case", {"stringequals": {"AWS:PRINCIPALORGID": ORG}}, None, ""),
    ("everyone outside the organisation", {"StringNotEquals": {"aws:PrincipalOrgID": ORG}}, "failed",
     f"everyone (Principal *) is allowed {PULL_TEXT} through statement 'Open' of aws_ecr_repository_policy.app "
     f"without a condition on {KEYS} that restricts it (StringNotEquals on aws:PrincipalOrgID admits every caller "
     f"outside its values)"),
    ("endpoint if it exists", {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-0abc"}}, "failed", ""),
    ("any account's role", {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:*"}}, "failed", ""),
    ("roles of one account", {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/ci-*"}}, None, ""),
    ("organisation paths", {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": f"{ORG}/r-ab12/*"}}, None, ""),
    ("a condition that bounds no caller", {"Bool": {"aws:SecureTransport": "true"}}, "failed", ""),
    ("a key cicd-guard cannot judge", {"StringEquals": {"ecr:SomeKey": "x"}}, "unknown",
     "cannot decide whether statement 'Open' of aws_ecr_repository_policy.app restricts everyone (Principal *): "
     "statement 'Open' has a condition on ecr:SomeKey, a key whose callers cicd-guard cannot tell"),
    ("organisation unknown", {"StringEquals": {"aws:PrincipalOrgID": Unknown("var.org_id")}}, "unknown", ""),
    ("condition unknown", Unknown("dynamic condition"), "unknown", ""),
]


@pytest.mark.parametrize("condition,status,message", [c[1:] for c in REG007_PUBLIC], ids=[c[0] for c in REG007_PUBLIC])
def test_reg007_public_principal_and_its_conditions(condition, status, message):
    statement = dict(OPEN, Condition=condition) if condition is not None else OPEN
    findings = run([repo(), repo_policy(50, statement)], ["REG-007"])
    assert rows(findings) == ([("REG-007", status, "aws_ecr_repository_policy.app", 50)] if status else [])
    if message:
        assert findings[0].message == message


PARTNER = "999988887777"
OURS_BY_ARN = f"ours: {ACCOUNT} from the ARN of aws_ecr_repository.app"


def test_reg007_cross_account_pull_and_push():
    pull = {"Sid": "PartnerPull", "Effect": "Allow", "Principal": {"AWS": PARTNER}, "Action": PULL}
    findings = run([repo(), repo_policy(50, pull)], ["REG-007"])
    assert rows(findings) == [("REG-007", "failed", "aws_ecr_repository_policy.app", 50)]
    assert findings[0].message == (f"{PARTNER}, another account ({OURS_BY_ARN}), is allowed {PULL_TEXT} through "
                                   f"statement 'PartnerPull' of aws_ecr_repository_policy.app without a condition on "
                                   f"{KEYS}")
    restricted = dict(pull, Condition={"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{PARTNER}:role/ci"}})
    assert run([repo(), repo_policy(50, restricted)], ["REG-007"]) == []
    push = {"Sid": "PartnerPush", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{PARTNER}:root"},
            "Action": PUSH, "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}}
    findings = run([repo(), repo_policy(50, push)], ["REG-007"])
    assert rows(findings) == [("REG-007", "failed", "aws_ecr_repository_policy.app", 50)]
    assert findings[0].message == (
        f"arn:aws:iam::{PARTNER}:root, another account ({OURS_BY_ARN}), may push images (ecr:CompleteLayerUpload, "
        "ecr:InitiateLayerUpload, ecr:PutImage, ecr:UploadLayerPart) through statement 'PartnerPush' of "
        "aws_ecr_repository_policy.app")


def test_reg007_same_account_service_and_undecidable_account():
    same = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/deploy"}, "Action": PUSH}
    service = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": PULL}
    assert run([repo(), repo_policy(50, same, service)], ["REG-007"]) == []
    later = make("aws.ecr.repository", "aws_ecr_repository.app", 40, name="acme/app", arn=Unknown("after apply"))
    other = {"Effect": "Allow", "Principal": {"AWS": PARTNER}, "Action": PULL}
    findings = run([later, repo_policy(50, other)], ["REG-007"])
    assert rows(findings) == [("REG-007", "unknown", "aws_ecr_repository_policy.app", 50)]
    assert findings[0].message == (
        f"cannot decide whether {PARTNER} is another account: this stack's own AWS accounts are not known (no "
        f"provider allowed_account_ids, aws_accounts setting or declared ARN names them), so whether {PARTNER} is "
        f"another account cannot be decided")


def provider(line=1, ids=(ACCOUNT,), alias=None) -> Resource:
    address = "provider.aws" + (f".{alias}" if alias else "")
    return make("aws.provider", address, line, allowed_account_ids=ids if isinstance(ids, Unknown) else list(ids),
                alias=alias)


CALLER = make("aws.caller_identity", "data.aws_caller_identity.current", 1, account_id=Unknown("read at apply"))
LATER = make("aws.ecr.repository", "aws_ecr_repository.app", 40, name="acme/app", arn=Unknown("after apply"))
PARTNER_PULL = {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": PARTNER}, "Action": PULL}
REG007_ACCOUNTS = [
    # id, extra resources, config, principal, status, where own accounts come from (in the message)
    ("provider", [provider(alias="prod")], {}, PARTNER, "failed", f"{ACCOUNT} from allowed_account_ids of "
                                                                  f"provider.aws.prod"),
    ("aliases add up", [provider(ids=("444455556666",)), provider(alias="prod")], {}, "444455556666", None, ""),
    ("setting", [], {"aws_accounts": (ACCOUNT,), "source": "cicd-guard.yaml"}, PARTNER, "failed",
     f"{ACCOUNT} from the aws_accounts setting (cicd-guard.yaml)"),
    ("setting names the partner", [], {"aws_accounts": (ACCOUNT, PARTNER)}, PARTNER, None, ""),
    ("provider list unknown", [provider(ids=Unknown("var.allowed_account_ids"))], {}, PARTNER, "unknown", ""),
    ("own role declared here", [make("aws.iam.role", "aws_iam_role.ci", 1, name="ci", arn=Unknown("after apply"))],
     {}, Ref("aws_iam_role.ci", "arn"), None, ""),
    ("role looked up by a data source", [provider()], {}, Ref("data.aws_iam_role.ci", "arn"), "unknown", ""),
    ("unique ID", [provider()], {}, "AROAEXAMPLEID1234567", "unknown", ""),
    ("the deployment's own identity", [CALLER], {}, Ref("data.aws_caller_identity.current", "arn"), None, ""),
    ("the deployment's account, read at plan time", [make("aws.caller_identity", "data.aws_caller_identity.current",
                                                          1, account_id=ACCOUNT)], {}, PARTNER, "failed",
     f"{ACCOUNT} from the account of data.aws_caller_identity.current (where the deployment runs)"),
]


@pytest.mark.parametrize("extra,config,principal,status,source", [c[1:] for c in REG007_ACCOUNTS],
                         ids=[c[0] for c in REG007_ACCOUNTS])
def test_reg007_own_accounts_and_where_they_come_from(extra, config, principal, status, source):
    statement = dict(PARTNER_PULL, Principal={"AWS": principal})
    findings = run([LATER, *extra, repo_policy(50, statement)], ["REG-007"], **config)
    assert rows(findings) == ([("REG-007", status, "aws_ecr_repository_policy.app", 50)] if status else [])
    if source:
        assert f"another account (ours: {source})" in findings[0].message


def test_reg007_unreadable_principal_accounts_say_why():
    data_role = dict(PARTNER_PULL, Principal={"AWS": Ref("data.aws_iam_role.ci", "arn")})
    (finding,) = run([LATER, provider(), repo_policy(50, data_role)], ["REG-007"])
    assert finding.message == ("cannot decide whether data.aws_iam_role.ci is another account: "
                               "data.aws_iam_role.ci.arn is not declared in this stack/module, so its account cannot "
                               "be read")


def test_reg007_registry_policy_and_unknown_principal():
    registry = make("aws.ecr.registry_policy", "aws_ecr_registry_policy.this", 60, policy=policy(
        {"Effect": "Allow", "Principal": "*", "Action": "ecr:ReplicateImage",
         "Resource": f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/*"}))
    assert rows(run([registry], ["REG-007"])) == [("REG-007", "failed", "aws_ecr_registry_policy.this", 60)]
    unknown = {"Effect": "Allow", "Principal": {"AWS": Unknown("var.reader")}, "Action": PULL}
    assert rows(run([repo(), repo_policy(50, unknown)], ["REG-007"])) == [
        ("REG-007", "unknown", "aws_ecr_repository_policy.app", 50)]


# --- Azure ----------------------------------------------------------------------------------------------


def acr(line=1, **props) -> Resource:
    base = dict(name="acmeci", id=ACR_ID, admin_enabled=False, anonymous_pull_enabled=False,
                public_network_access_enabled=False)
    return make("azure.acr.registry", "azurerm_container_registry.ci", line, **{**base, **props})


def identity(name="build", line=5, stage="build", ptype="ServicePrincipal") -> Resource:
    r = make("azure.identity", f"azurerm_user_assigned_identity.{name}", line, name=f"id-{name}",
             principal_id=f"pid-{name}", principal_type=ptype)
    r.tags = {"cicd-stage": stage} if stage else {}
    return r


def assignment(name, line, scope, principal="build", **role) -> Resource:
    return make("azure.role_assignment", f"azurerm_role_assignment.{name}", line, scope=scope,
                principal_id=Ref(f"azurerm_user_assigned_identity.{principal}", "principal_id"), **role)


def test_azure_acr_pull_at_registry_scope_passes_every_rule():
    resources = [acr(), identity(), assignment("pull", 20, Ref("azurerm_container_registry.ci", "id"),
                                               role_definition_name="AcrPull")]
    assert run(resources) == []


@pytest.mark.parametrize("scope, kind", [(RG_ID, "resource group"), (SUB_ID, "subscription"),
                                         (Ref("data.azurerm_subscription.current", "id"), "subscription")])
def test_azure_acr_push_at_wide_scope_is_reg005(scope, kind):
    resources = [identity("deploy", stage="deploy"), assignment("push", 20, scope, "deploy",
                                                                role_definition_id=ACR_PUSH)]
    findings = run(resources)
    assert rows(findings) == [("REG-005", "failed", "azurerm_role_assignment.push", 20)]
    shown = scope.address if isinstance(scope, Ref) else scope
    assert findings[0].message == (f"identity id-deploy holds built-in role AcrPush on {kind} {shown}, every registry "
                                   f"in it, instead of on one registry (azurerm_role_assignment.push)")


@pytest.mark.parametrize("role_id, name", [(OWNER, "Owner"), (f"{SUB_ID}/providers/Microsoft.Authorization/"
                                                               f"roleDefinitions/{CONTRIBUTOR}", "Contributor")])
def test_azure_owner_or_contributor_on_the_registry(role_id, name):
    resources = [acr(), identity(), assignment("own", 20, ACR_ID, role_definition_id=role_id)]
    findings = run(resources)
    assert rows(findings) == [("REG-001", "failed", "azurerm_role_assignment.own", 20),
                              ("REG-002", "failed", "azurerm_role_assignment.own", 20),
                              ("REG-003", "failed", "azurerm_role_assignment.own", 20),
                              ("REG-006", "failed", "azurerm_role_assignment.own", 20)]
    assert findings[0].message == (f"identity id-build holds built-in role {name}, every registry action, on registry "
                                   f"{ACR_ID} through azurerm_role_assignment.own")
    admin = run(resources, admin_identities=("id-build",))
    assert rows(admin) == [("REG-006", "failed", "azurerm_role_assignment.own", 20)]  # push stays deploy-only


def test_azure_custom_role_with_every_registry_operation():
    custom = make("azure.role_definition", "azurerm_role_definition.registry_all", 30, name="registry-all",
                  actions=["Microsoft.ContainerRegistry/*"], not_actions=[], data_actions=[], not_data_actions=[])
    resources = [acr(), identity(), custom, assignment("custom", 40, ACR_ID, role_definition_id=Ref(
        "azurerm_role_definition.registry_all", "role_definition_resource_id"))]
    assert ("REG-001", "failed", "azurerm_role_assignment.custom", 40) in rows(run(resources, ["REG-001"]))


@pytest.mark.parametrize("ptype", ["User", "Group"])
def test_azure_push_to_users_or_groups(ptype):
    person = identity("dev", stage="deploy", ptype=ptype)
    resources = [acr(), person, assignment("push", 20, ACR_ID, "dev", role_definition_name="AcrPush",
                                           principal_type=ptype)]
    findings = run(resources)
    assert rows(findings) == [("REG-006", "failed", "azurerm_role_assignment.push", 20)]
    assert findings[0].message == (f"identity id-dev is a user or group and may push images through built-in role "
                                   f"AcrPush on registry {ACR_ID} (azurerm_role_assignment.push)")


def test_azure_push_by_deploy_identity_passes_and_by_build_identity_fails():
    registry = Ref("azurerm_container_registry.ci", "id")
    deploy = [acr(), identity("deploy", stage="deploy"), assignment("push", 20, registry, "deploy",
                                                                  role_definition_name="AcrPush")]
    assert run(deploy) == []
    build = [acr(), identity("build"), assignment("push", 20, registry, "build", role_definition_id=ACR_PUSH)]
    assert rows(run(build)) == [("REG-006", "failed", "azurerm_role_assignment.push", 20)]


def test_azure_role_via_looked_up_definition_by_name_and_bare_guid():
    lookup = make("azure.role_definition", "data.azurerm_role_definition.push", 10, name="AcrPush")
    by_lookup = assignment("push", 20, RG_ID, role_definition_id=Ref("data.azurerm_role_definition.push", "id"))
    by_guid = assignment("pull", 30, RG_ID, role_definition_id=ACR_PULL)
    assert rows(run([identity(), lookup, by_lookup, by_guid])) == [
        ("REG-005", "failed", "azurerm_role_assignment.push", 20),
        ("REG-006", "failed", "azurerm_role_assignment.push", 20),
        ("REG-005", "failed", "azurerm_role_assignment.pull", 30),
    ]


def test_azure_reader_on_registry_is_listing_and_unknown_role_is_undecided():
    resources = [acr(), identity(), assignment("read", 20, ACR_ID, role_definition_id=READER)]
    assert rows(run(resources)) == [("REG-003", "failed", "azurerm_role_assignment.read", 20)]
    odd = [acr(), identity(), assignment("odd", 20, ACR_ID, role_definition_name="Some Future Role")]
    assert {r[:3] for r in rows(run(odd))} == {(rid, "unknown", "azurerm_role_assignment.odd")
                                             for rid in ("REG-001", "REG-002", "REG-003", "REG-005", "REG-006")} - {
        ("REG-005", "unknown", "azurerm_role_assignment.odd")}
    storage = [identity(), assignment("blob", 20, Ref("azurerm_storage_container.x", "id"),
                                      role_definition_name="Storage Blob Data Contributor")]
    storage.append(make("azure.storage.container", "azurerm_storage_container.x", 30, public_access="none"))
    assert run(storage) == []  # not a registry scope: the role does not matter


def test_azure_unresolved_principal():
    resources = [acr(), make("azure.role_assignment", "azurerm_role_assignment.ext", 20, scope=ACR_ID,
                             role_definition_name="AcrPush", principal_id="00000000-0000-0000-0000-000000000001",
                             principal_type="ServicePrincipal")]
    findings = run(resources)
    assert rows(findings) == [("REG-006", "unknown", "azurerm_role_assignment.ext", 20)]
    assert run(resources, deploy_identities=("00000000-0000-0000-0000-000000000001",)) == []


# --- REG-008 / REG-009 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("props, message", [
    ({"admin_enabled": True}, "registry acmeci enables the admin user (a shared password)"),
    ({"anonymous_pull_enabled": "true"}, "registry acmeci enables anonymous pull"),
    ({"admin_enabled": True, "anonymous_pull_enabled": True},
     "registry acmeci enables the admin user (a shared password) and anonymous pull"),
])
def test_reg008_shared_credentials(props, message):
    findings = run([acr(**props)], ["REG-008"])
    assert rows(findings) == [("REG-008", "failed", "azurerm_container_registry.ci", 1)]
    assert findings[0].message == message


def test_reg008_passes_and_unknown():
    assert run([acr()], ["REG-008"]) == []
    assert run([make("azure.acr.registry", "r", 1, name="x")], ["REG-008"]) == []  # provider defaults: off
    assert rows(run([acr(admin_enabled=Unknown("var.admin"))], ["REG-008"])) == [
        ("REG-008", "unknown", "azurerm_container_registry.ci", 1)]


@pytest.mark.parametrize("props, status", [
    ({"public_network_access_enabled": True}, "failed"),
    ({"public_network_access_enabled": None}, "failed"),  # default: enabled, rule set default: Allow
    ({"public_network_access_enabled": True, "network_default_action": "Allow"}, "failed"),
    ({"public_network_access_enabled": True, "network_default_action": "Deny", "ip_rules": ["0.0.0.0/0"]}, "failed"),
    ({"public_network_access_enabled": False}, None),
    ({"public_network_access_enabled": True, "network_default_action": "deny", "ip_rules": ["203.0.113.0/28"]}, None),
    ({"public_network_access_enabled": Unknown("var.public")}, "unknown"),
    ({"public_network_access_enabled": True, "network_default_action": Unknown("var.action")}, "unknown"),
])
def test_reg009_network(props, status):
    findings = run([acr(**props)], ["REG-009"])
    assert rows(findings) == ([("REG-009", status, "azurerm_container_registry.ci", 1)] if status else [])


def test_reg009_rules_wider_than_the_configured_ci_ranges():
    registry = acr(public_network_access_enabled=True, network_default_action="Deny",
                   ip_rules=["10.0.0.0/8", "203.0.113.8/29"], subnet_ids=["/subscriptions/0000/x/subnets/other"])
    findings = run([registry], ["REG-009"], cidrs=("203.0.113.0/24",),
                   azure_subnet_ids=("/subscriptions/0000/x/subnets/ci",))
    assert rows(findings) == [("REG-009", "failed", "azurerm_container_registry.ci", 1)]
    assert findings[0].message == ("registry acmeci admits 10.0.0.0/8, /subscriptions/0000/x/subnets/other, outside "
                                   "the configured CI network")
    assert run([registry], ["REG-009"]) == []  # without configured ranges only `everywhere` rules fail


# --- REG-010 --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("props, status", [
    ({"image_tag_mutability": "MUTABLE"}, "failed"),
    ({}, "failed"),
    ({"image_tag_mutability": "MUTABLE_WITH_EXCLUSION"}, "failed"),
    ({"image_tag_mutability": "IMMUTABLE"}, None),
    ({"image_tag_mutability": "immutable_with_exclusion"}, None),
    ({"image_tag_mutability": Unknown("var.mutability")}, "unknown"),
    ({"public": True}, None),
])
def test_reg010_tag_mutability(props, status):
    findings = run([repo(**props)], ["REG-010"])
    assert rows(findings) == ([("REG-010", status, "aws_ecr_repository.app", 40)] if status else [])


# --- metadata -------------------------------------------------------------------------------------------


def test_every_reg_rule_has_complete_metadata():
    ids = [f"REG-{i:03d}" for i in range(1, 11)]
    for rid in ids:
        rule = REGISTRY[rid]
        assert rule.rationale and rule.remediation_for() and rule.title
        for engine in ("terraform", "pulumi"):
            mine = [x for x in rule.examples if x.engine == engine]
            assert sorted(x.passing for x in mine) == [False, True], (rid, engine)
            assert all(x.resource for x in mine if not x.passing), (rid, engine)
    assert REGISTRY["REG-002"].severities == (Severity.HIGH, Severity.MEDIUM)
    assert {REGISTRY[r].scope for r in ("REG-008", "REG-009", "REG-010")} == {"resource"}
    assert {REGISTRY[r].scope for r in ids[:7]} == {"inventory"}


# --- the same cases through the engines -------------------------------------------------------------------


def _tf_findings(tmp_path: Path, text: str, rule_ids, **config):
    from hcl_scanner import scan

    root = tmp_path / "root"
    root.mkdir(exist_ok=True)
    (root / "main.tf").write_text(text)
    result = scan([str(root)], repo_root=str(root))
    assert result.errors == []
    rules = [REGISTRY[r] for r in rule_ids]
    return [f for inv in result.inventories for f in evaluate(inv, Config(**config), rules=rules, today=TODAY)]


HCL_FORMS = {
    "jsonencode": '''
resource "aws_iam_role_policy" "ci" {
  role   = aws_iam_role.ci.name
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "ecr:Describe*", Resource = "*" }] })
}
''',
    "heredoc": '''
resource "aws_iam_role_policy" "ci" {
  role   = aws_iam_role.ci.name
  policy = <<EOF
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ecr:DescribeRepositories"], "Resource": "*"}]}
EOF
}
''',
    "policy_document_source": '''
data "aws_iam_policy_document" "base" {
  statement {
    actions   = ["ecr:DescribeRegistry"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "ci" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  statement {
    actions   = ["ecr:BatchGetImage"]
    resources = ["arn:aws:ecr:eu-west-1:111122223333:repository/app"]
  }
}

resource "aws_iam_role_policy" "ci" {
  role   = aws_iam_role.ci.name
  policy = data.aws_iam_policy_document.ci.json
}
''',
}
TF_ROLE = '''
resource "aws_iam_role" "ci" {
  name               = "ci-build"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codebuild.amazonaws.com" } }] })
}
'''


@pytest.mark.parametrize("form", sorted(HCL_FORMS))
def test_terraform_policy_forms_reach_reg003(tmp_path, form):
    findings = _tf_findings(tmp_path, TF_ROLE + HCL_FORMS[form], ["REG-003"])
    assert rows(findings) == [("REG-003", "failed", "aws_iam_role.ci", 2)]


def test_terraform_managed_policy_attachment_and_azure_role_lookup(tmp_path):
    text = TF_ROLE + '''
resource "aws_iam_role_policy_attachment" "ci" {
  role       = aws_iam_role.ci.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly"
}

data "azurerm_role_definition" "push" {
  name = "AcrPush"
}

resource "azurerm_role_assignment" "push" {
  scope              = "/subscriptions/0000/resourceGroups/rg-ci"
  role_definition_id = data.azurerm_role_definition.push.id
  principal_id       = "00000000-0000-0000-0000-000000000002"
  principal_type     = "User"
}
'''
    findings = _tf_findings(tmp_path, text, ["REG-003", "REG-005", "REG-006"])
    assert rows(findings) == [("REG-005", "failed", "aws_iam_role.ci", 2),
                              ("REG-005", "failed", "azurerm_role_assignment.push", 16),
                              ("REG-006", "failed", "azurerm_role_assignment.push", 16)]


TF_CASES = {
    # every REG rule runs: the rows are all the registry findings of the snippet
    "repository_policy_star_and_not_action_push": ('''
resource "aws_ecr_repository" "app" {
  name                 = "acme/app"
  image_tag_mutability = "IMMUTABLE"
}

resource "aws_ecr_repository_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    Statement = [{
      Sid       = "Platform"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:role/platform" }
      Action    = "ecr:*"
    }]
  })
}

resource "aws_iam_role" "build" {
  name               = "ci-build"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
}

resource "aws_iam_role_policy" "build" {
  role   = aws_iam_role.build.id
  policy = jsonencode({ Statement = [{ Effect = "Allow", NotAction = ["ecr:Describe*", "ecr:List*", "ecr:Batch*", "ecr:Delete*", "ecr:Create*", "ecr:Put*", "ecr:Set*", "ecr:Start*", "ecr:Tag*", "ecr:Untag*", "ecr:Update*", "ecr:Replicate*", "ecr:Get*", "ecr:Stop*", "ecr:Validate*", "ecr:Register*", "ecr:Deregister*", "ecr-public:*"], Resource = aws_ecr_repository.app.arn }] })
}
''', {}, [("REG-001", "failed", "aws_ecr_repository_policy.app", 7),
          # role/platform is not declared here: judged on what the policy grants it (ecr:*) ...
          ("REG-002", "failed", "aws_ecr_repository_policy.app", 7),
          ("REG-003", "failed", "aws_ecr_repository_policy.app", 7),
          # ... whether it deploys is not known, and the repository's account is only known after apply
          ("REG-006", "unknown", "aws_ecr_repository_policy.app", 7),
          ("REG-007", "unknown", "aws_ecr_repository_policy.app", 7),
          ("REG-004", "failed", "aws_iam_role.build", 19),  # an EC2 role is a CI/CD identity (runners)
          ("REG-006", "failed", "aws_iam_role.build", 19)]),
    "power_user_for_users_and_groups_deploy_role_passes": ('''
resource "aws_iam_user" "dev" {
  name = "dev"
}

resource "aws_iam_group" "devs" {
  name = "developers"
}

resource "aws_iam_user_group_membership" "dev" {
  user   = aws_iam_user.dev.name
  groups = [aws_iam_group.devs.name]
}

resource "aws_iam_policy_attachment" "power" {
  name       = "power"
  groups     = [aws_iam_group.devs.name]
  policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"
}

resource "aws_iam_role" "release" {
  name               = "release"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codepipeline.amazonaws.com" } }] })
  tags               = { cicd-stage = "deploy" }
}

resource "aws_iam_role_policy" "release" {
  role   = aws_iam_role.release.name
  policy = <<-EOT
    {"Statement": [
      {"Effect": "Deny", "Action": ["ecr:DescribeRepositories", "ecr:DescribeRegistry"], "Resource": "*"},
      {"Effect": "Allow", "Action": ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"],
       "Resource": "arn:aws:ecr:eu-west-1:111122223333:repository/acme/app"}
    ]}
  EOT
}

resource "aws_iam_role" "publisher" {
  name               = "publisher"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
}

resource "aws_iam_role_policy" "publisher" {
  role   = aws_iam_role.publisher.name
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "ecr:PutImage", Resource = "arn:aws:ecr:eu-west-1:111122223333:repository/acme/app" }] })
}
''', {"deploy_identities": ["publisher"]}, [
        ("REG-002", "failed", "aws_iam_user.dev", 2), ("REG-003", "failed", "aws_iam_user.dev", 2),
        ("REG-005", "failed", "aws_iam_user.dev", 2), ("REG-006", "failed", "aws_iam_user.dev", 2),
        ("REG-002", "failed", "aws_iam_group.devs", 6), ("REG-003", "failed", "aws_iam_group.devs", 6),
        ("REG-005", "failed", "aws_iam_group.devs", 6), ("REG-006", "failed", "aws_iam_group.devs", 6),
        ("REG-004", "failed", "aws_iam_role.publisher", 38)]),  # EC2 runner role without the listing deny
    "cross_account_push_and_org_condition_in_odd_case": ('''
resource "aws_ecr_repository" "app" {
  name                 = "acme/app"
  image_tag_mutability = "IMMUTABLE"
}

data "aws_iam_policy_document" "app" {
  statement {
    sid     = "Org"
    actions = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:PrincipalOrgId"
      values   = ["o-a1b2c3d4e5"]
    }
  }
  statement {
    sid     = "PartnerPush"
    actions = ["ecr:PutImage"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::999988887777:root"]
    }
  }
}

resource "aws_ecr_repository_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy     = data.aws_iam_policy_document.app.json
}

resource "aws_ecr_registry_policy" "this" {
  policy = jsonencode({
    Statement = [{
      Sid       = "PartnerPushEverywhere"
      Effect    = "Allow"
      Principal = { AWS = "999988887777" }
      Action    = ["ecr:PutImage", "ecr:InitiateLayerUpload"]
      Resource  = "arn:aws:ecr:eu-west-1:111122223333:repository/*"
    }]
  })
}
''', {}, [("REG-006", "unknown", "aws_ecr_repository_policy.app", 31),  # account known only after apply
          ("REG-007", "unknown", "aws_ecr_repository_policy.app", 31),
          ("REG-006", "unknown", "aws_ecr_registry_policy.this", 36),
          ("REG-007", "failed", "aws_ecr_registry_policy.this", 36)]),
    "azure_role_assignments": ('''
resource "azurerm_container_registry" "ci" {
  name                          = "acmeci"
  resource_group_name           = "rg-ci"
  location                      = "westeurope"
  sku                           = "Premium"
  public_network_access_enabled = false
}

resource "azurerm_user_assigned_identity" "build" {
  name                = "id-build"
  resource_group_name = "rg-ci"
  location            = "westeurope"
}

resource "azurerm_role_assignment" "pull" {
  scope                = azurerm_container_registry.ci.id
  role_definition_name = "AcrPull"
  principal_id         = azurerm_user_assigned_identity.build.principal_id
}

resource "azurerm_role_assignment" "owner" {
  scope              = azurerm_container_registry.ci.id
  role_definition_id = "/subscriptions/0000/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
  principal_id       = azurerm_user_assigned_identity.build.principal_id
}

resource "azurerm_role_assignment" "team_push" {
  scope              = "/subscriptions/0000/resourceGroups/rg-ci"
  role_definition_id = "8311e382-0749-4cb8-b61a-304f252e45ec"
  principal_id       = "00000000-0000-0000-0000-000000000004"
  principal_type     = "Group"
}
''', {}, [("REG-001", "failed", "azurerm_role_assignment.owner", 22),
          ("REG-002", "failed", "azurerm_role_assignment.owner", 22),
          ("REG-003", "failed", "azurerm_role_assignment.owner", 22),
          ("REG-006", "failed", "azurerm_role_assignment.owner", 22),
          ("REG-005", "failed", "azurerm_role_assignment.team_push", 28),
          ("REG-006", "failed", "azurerm_role_assignment.team_push", 28)]),
}


TF_ACCOUNTS = '''
variable "accounts" {
  default = ["111122223333"]
}

provider "aws" {
  allowed_account_ids = var.accounts
}

resource "aws_ecr_repository" "app" {
  name                 = "acme/app"
  image_tag_mutability = "IMMUTABLE"
}

resource "aws_ecr_repository_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    Statement = [{
      Sid       = "Partner"
      Effect    = "Allow"
      Principal = { AWS = "999988887777" }
      Action    = ["ecr:BatchGetImage"]
    }, {
      Sid       = "OutsideTheOrganisation"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["ecr:BatchGetImage"]
      Condition = { StringNotEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } }
    }]
  })
}
'''


def test_terraform_provider_accounts_and_a_negated_condition(tmp_path):
    findings = _tf_findings(tmp_path, TF_ACCOUNTS, ["REG-007"])
    assert [(*r, f.message.split(" is allowed")[0]) for r, f in zip(rows(findings), findings)] == [
        ("REG-007", "failed", "aws_ecr_repository_policy.app", 15,
         "999988887777, another account (ours: 111122223333 from allowed_account_ids of provider.aws),"),
        ("REG-007", "failed", "aws_ecr_repository_policy.app", 15, "everyone (Principal *)")]
    assert findings[1].message.endswith("(StringNotEquals on aws:PrincipalOrgID admits every caller outside its "
                                        "values)")


def _plan(provider_config: dict, variables: dict) -> dict:
    policy = json.dumps({"Statement": [{"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "999988887777"},
                                        "Action": "ecr:BatchGetImage"}]})
    def change(type_, name, after, unknown):
        return {"address": f"{type_}.{name}", "mode": "managed", "type": type_, "name": name,
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": unknown}}
    return {"format_version": "1.2", "terraform_version": "1.9.0", "variables": variables,
            "resource_changes": [
                change("aws_ecr_repository", "app", {"name": "acme/app", "image_tag_mutability": "IMMUTABLE"},
                       {"arn": True, "id": True}),
                change("aws_ecr_repository_policy", "app", {"repository": "acme/app", "policy": policy}, {})],
            "configuration": {"provider_config": provider_config, "root_module": {}}}


PLAN_PROVIDERS = [
    ("variable", {"aws": {"name": "aws", "expressions": {"allowed_account_ids": {"references": ["var.ids"]}}}},
     {"ids": {"value": ["111122223333"]}}, "failed", "provider.aws"),
    ("alias constant", {"aws.prod": {"name": "aws", "alias": "prod", "expressions": {
        "allowed_account_ids": {"constant_value": ["111122223333"]}}}}, {}, "failed", "provider.aws.prod"),
    ("expression", {"aws": {"name": "aws", "expressions": {"allowed_account_ids": {"references": [
        "local.ids"]}}}}, {}, "unknown", ""),
    ("none", {}, {}, "unknown", ""),
]


@pytest.mark.parametrize("config,variables,status,provider", [c[1:] for c in PLAN_PROVIDERS],
                         ids=[c[0] for c in PLAN_PROVIDERS])
def test_plan_provider_config_names_the_accounts(tmp_path, config, variables, status, provider):
    from hcl_scanner import scan

    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_plan(config, variables)))
    result = scan([str(path)])
    assert result.errors == []
    findings = [f for inv in result.inventories for f in evaluate(inv, Config(), rules=[REGISTRY["REG-007"]],
                                                                  today=TODAY)]
    assert [(f.rule_id, f.status.value, f.resource) for f in findings] == [
        ("REG-007", status, "aws_ecr_repository_policy.app")]
    if provider:
        assert f"(ours: 111122223333 from allowed_account_ids of {provider})" in findings[0].message


@pytest.mark.parametrize("case", sorted(TF_CASES))
def test_terraform_cases(tmp_path, case):
    text, config, expected = TF_CASES[case]
    config = {k: tuple(v) for k, v in config.items()}
    findings = _tf_findings(tmp_path, text, [f"REG-{i:03d}" for i in range(1, 11)], **config)
    assert sorted(rows(findings), key=lambda r: (r[3], r[0])) == sorted(expected, key=lambda r: (r[3], r[0]))


PULUMI_PROGRAMS = {
    "dict_policy_document_args": ('''
import json
import pulumi_aws as aws

role = aws.iam.Role("ci", name="ci-build", assume_role_policy=json.dumps({"Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "codebuild.amazonaws.com"}}]}))
doc = aws.iam.get_policy_document(statements=[{"actions": ["ecr:Describe*"], "resources": ["*"]}])
aws.iam.RolePolicy("ci-policy", role=role.name, policy=doc.json)
''', [("REG-003", "failed", "ci")]),
    "json_string_push_by_user": ('''
import json
import pulumi_aws as aws

dev = aws.iam.User("dev", name="dev")
aws.iam.UserPolicy("dev-push", user=dev.name, policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Resource": "arn:aws:ecr:eu-west-1:111122223333:repository/app",
    "Action": ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"]}]}))
''', [("REG-006", "failed", "dev")]),
    "repository_policy_org_condition": ('''
import json
import pulumi_aws as aws

app = aws.ecr.Repository("app", name="app", image_tag_mutability="IMMUTABLE")
aws.ecr.RepositoryPolicy("app", repository=app.name, policy=json.dumps({"Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"],
    "Condition": {"StringEquals": {"aws:principalOrgId": "o-a1b2c3d4e5"}}}]}))
''', []),
    "repository_policy_open_outside_the_organisation": ('''
import json
import pulumi_aws as aws

app = aws.ecr.Repository("app", name="app", image_tag_mutability="IMMUTABLE")
aws.ecr.RepositoryPolicy("app-policy", repository=app.name, policy=json.dumps({"Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"],
    "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}))
''', [("REG-007", "failed", "app-policy")]),
    "repository_policy_unknown_condition_key": ('''
import json
import pulumi_aws as aws

app = aws.ecr.Repository("app", name="app", image_tag_mutability="IMMUTABLE")
aws.ecr.RepositoryPolicy("app-policy", repository=app.name, policy=json.dumps({"Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"],
    "Condition": {"StringEquals": {"ecr:SomeKey": "x"}}}]}))
''', [("REG-007", "unknown", "app-policy")]),
    "azure_native_push_to_a_user_at_subscription_scope": ('''
import pulumi_azure_native as azure_native

azure_native.authorization.RoleAssignment(
    "dev-push", scope="/subscriptions/0000", principal_id="00000000-0000-0000-0000-000000000003",
    principal_type="User",
    role_definition_id="/subscriptions/0000/providers/Microsoft.Authorization/roleDefinitions/"
                       "8311e382-0749-4cb8-b61a-304f252e45ec")
azure_native.containerregistry.Registry("ci", registry_name="acmeci", resource_group_name="rg-ci",
    sku={"name": "Premium"}, admin_user_enabled=False, public_network_access="Disabled")
''', [("REG-005", "failed", "dev-push"), ("REG-006", "failed", "dev-push")]),
}


@pytest.mark.parametrize("case", sorted(PULUMI_PROGRAMS))
def test_pulumi_programs(tmp_path, case):
    code, expected = PULUMI_PROGRAMS[case]
    sdk = "pulumi_azure_native" if "pulumi_azure_native" in code else "pulumi_aws"
    if importlib.util.find_spec(sdk) is None:
        pytest.skip(f"{sdk} is not installed")
    from preview_gate import inventory_of

    (tmp_path / "__main__.py").write_text(code)
    (tmp_path / "Pulumi.yaml").write_text("name: reg-case\nruntime: python\n")
    inventory = inventory_of(tmp_path)
    assert inventory.errors == []
    findings = evaluate(inventory, Config(), rules=[REGISTRY[f"REG-{i:03d}"] for i in range(1, 11)], today=TODAY)
    assert [(f.rule_id, f.status.value, f.resource) for f in findings
            if f.rule_id in {r for r, _, _ in expected} or not expected] == expected


# --- every documented example, through its engine ----------------------------------------------------------

_SDK = {"pulumi_azure_native": "pulumi_azure_native", "pulumi_aws": "pulumi_aws"}
EXAMPLES = [(rid, i) for rid in sorted(k for k in REGISTRY if k.startswith("REG-"))
            for i in range(len(REGISTRY[rid].examples))]


def _example_id(case) -> str:
    rid, i = case
    ex = REGISTRY[rid].examples[i]
    return f"{rid}-{ex.engine}-{'passing' if ex.passing else 'failing'}"


@pytest.mark.parametrize("case", EXAMPLES, ids=[_example_id(c) for c in EXAMPLES])
def test_documented_example(tmp_path, case):
    rid, i = case
    rule = REGISTRY[rid]
    example = rule.examples[i]
    if example.engine == "terraform":
        findings = _tf_findings(tmp_path, example.code, [rid])
    else:
        for module in _SDK:
            if f"import {module}" in example.code and importlib.util.find_spec(module) is None:
                pytest.skip(f"{module} is not installed: the Pulumi example of {rid} is not run")
        from preview_gate import inventory_of

        (tmp_path / "__main__.py").write_text(example.code)
        (tmp_path / "Pulumi.yaml").write_text("name: example\nruntime: python\n")
        inventory = inventory_of(tmp_path)
        assert inventory.errors == []
        findings = evaluate(inventory, Config(), rules=[rule], today=TODAY)
    if example.passing:
        assert findings == []
    else:
        assert [(f.status.value, f.resource) for f in findings] == [("failed", example.resource)]


ECR_TEMPLATE_ROLE = '''
resource "aws_iam_role" "templates" {
  name = "ecr-creation-templates"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ecr.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "templates" {
  role = aws_iam_role.templates.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["ecr:CreateRepository", "ecr:ReplicateImage"],
                   Resource = "arn:aws:ecr:eu-west-1:111122223333:repository/mirror/*" }]
  })
}
'''


def test_terraform_a_role_only_ecr_assumes_is_not_judged_as_an_identity(tmp_path):
    from test_bkt_rules import tf_rows

    assert tf_rows(tmp_path, ECR_TEMPLATE_ROLE, ["REG-002"]) == []
    pipeline = ECR_TEMPLATE_ROLE.replace('Service = "ecr.amazonaws.com"',
                                         'Service = ["ecr.amazonaws.com", "codebuild.amazonaws.com"]')
    assert tf_rows(tmp_path, pipeline, ["REG-002"]) == [("REG-002", "failed", "aws_iam_role.templates", 2)]


PUSH_TO = '''
data "aws_caller_identity" "current" {}
resource "aws_ecr_repository" "app" {
  name                 = "app"
  image_tag_mutability = "IMMUTABLE"
}
resource "aws_ecr_repository_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { AWS = PRINCIPAL }, Action = ["ecr:PutImage"] }]
  })
}
'''


@pytest.mark.parametrize("principal, reason", [
    ("data.aws_caller_identity.current.arn",
     "data.aws_caller_identity.current is the identity that runs the deployment, known only when it runs"),
    ('"arn:aws:iam::111122223333:role/publisher"', "arn:aws:iam::111122223333:role/publisher is not declared here"),
], ids=["the deploying identity", "a role of another stack"])
def test_reg006_says_why_a_pushing_principal_of_a_registry_policy_is_undecided(tmp_path, principal, reason):
    import hcl_scanner
    from rulebook.engine import evaluate

    (tmp_path / "main.tf").write_text(PUSH_TO.replace("PRINCIPAL", principal))
    [inventory] = hcl_scanner.scan([str(tmp_path)]).inventories
    findings = evaluate(inventory, rules=[REGISTRY["REG-006"]])
    who = reason.split(" is ", 1)[0]
    assert [(f.status.value, f.resource, f.message) for f in findings] == [
        ("unknown", "aws_ecr_repository_policy.app",
         f"cannot decide whether {who} may push images: {reason}; list it in deploy_identities if it is a "
         "deploy identity")]
