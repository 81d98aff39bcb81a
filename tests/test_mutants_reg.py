"""Registry rules (REG-001..010) pinned where their surviving mutants showed that no test looked:
the UNKNOWN branches and their reasons, loops that must go on past an entry that does not matter
(`continue`, not `break`), the fallbacks of messages, and the small helpers of `reg/_common.py`.
Every case asserts the exact findings (rule, status, resource, message)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from builders import make
from rulebook.config import Config
from rulebook.engine import evaluate
from rulebook.model import Inventory, Ref, Resource
from rulebook.registry_actions import ActionClass
from rulebook.rules import REGISTRY
from rulebook.rules.reg._common import _first_unknown, _readable, _reason
from rulebook.unknown import Unknown

from test_reg_rules import ACCOUNT, APP, GITHUB_TRUST as TRUST, OIDC  # the same stack as the REG tests

OTHER = "444455556666"
PUSH = ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]
PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
ACR_ID = "/subscriptions/0000/resourceGroups/rg-ci/providers/Microsoft.ContainerRegistry/registries/acmeci"
RG_ID = "/subscriptions/0000/resourceGroups/rg-ci"


def run(resources, rule_id, **config):
    found = evaluate(Inventory(list(resources)), Config(**config), rules=[REGISTRY[rule_id]])
    return [(f.rule_id, f.status.value, f.resource, f.message) for f in found]


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def role(name, *statements, stage=None, policy=None) -> Resource:
    inline = [policy] if policy is not None else [{"Version": "2012-10-17", "Statement": list(statements)}] \
        if statements else []
    r = make("aws.iam.role", f"aws_iam_role.{name}", 1, name=name, arn=f"arn:aws:iam::{ACCOUNT}:role/{name}",
             assume_role_policy=TRUST, inline_policies=inline, managed_policy_arns=[])
    r.tags = {"cicd-stage": stage} if stage else {}
    return r


def repo(name="app", **props) -> Resource:
    return make("aws.ecr.repository", f"aws_ecr_repository.{name}", 40, name=f"acme/{name}",
                arn=f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/acme/{name}", **props)


def repo_policy(name, *statements, policy=None) -> Resource:
    return make("aws.ecr.repository_policy", f"aws_ecr_repository_policy.{name}", 50,
                repository=Ref(f"aws_ecr_repository.{name}", "name"),
                policy=policy if policy is not None else {"Version": "2012-10-17", "Statement": list(statements)})


def grant_to(principal, action, sid=None) -> dict:
    s = {"Effect": "Allow", "Principal": principal, "Action": action}
    return {"Sid": sid, **s} if sid else s


def acr(**props) -> Resource:
    base = dict(name="acmeci", id=ACR_ID, admin_enabled=False, anonymous_pull_enabled=False,
                public_network_access_enabled=False)
    return make("azure.acr.registry", "azurerm_container_registry.ci", 1, **{**base, **props})


def identity(name, stage="build") -> Resource:
    r = make("azure.identity", f"azurerm_user_assigned_identity.{name}", 5, name=f"id-{name}",
             principal_id=f"pid-{name}", principal_type="ServicePrincipal")
    r.tags = {"cicd-stage": stage}
    return r


def assignment(name, scope, principal, **props) -> Resource:
    if isinstance(principal, str) and not principal.startswith(("0", "azurerm", "module")):
        principal = Ref(f"azurerm_user_assigned_identity.{principal}", "principal_id")
    return make("azure.role_assignment", f"azurerm_role_assignment.{name}", 20, scope=scope,
                principal_id=principal, **props)


# --- _common helpers ------------------------------------------------------------------------------------


def test_first_unknown_reads_only_grants_whose_actions_are_not_known():
    first, second = Unknown("resource of statement #1: var.arn"), Unknown("actions of statement #2: var.actions")
    grants = [SimpleNamespace(action_class=ActionClass.PULL, unknown=first),
              SimpleNamespace(action_class=None, unknown=None),
              SimpleNamespace(action_class=None, unknown=second)]
    assert _first_unknown(grants) is second
    assert _first_unknown(grants[:2]) is None


def test_reason_and_readable_keep_known_values_only():
    unknown = Unknown("var.policy")
    assert _reason(unknown, "fallback") is unknown
    assert _reason(None, "fallback") == "fallback"
    assert _readable(Unknown("var.policy")) is None
    assert _readable(None) is None


# --- REG-002 / REG-003 ----------------------------------------------------------------------------------


def test_reg002_and_reg003_policy_not_known_is_undecided():
    ci = role("ci", policy=Unknown("var.policy"))
    assert run([ci], "REG-002") == [("REG-002", "unknown", "aws_iam_role.ci", "cannot decide whether role ci may "
                                     "administer the registry or both pull and push: var.policy")]
    assert run([ci], "REG-003") == [("REG-003", "unknown", "aws_iam_role.ci", "cannot decide whether role ci may "
                                     "list registry repositories: var.policy")]


def test_reg003_describe_registry_on_a_named_repository_lists_everything():
    ci = role("ci", allow("ecr:DescribeRegistry", APP))
    assert run([ci], "REG-003") == [("REG-003", "failed", "aws_iam_role.ci", "role ci may list registry repositories "
                                     "or images (ecr:DescribeRegistry) through statement #1 of inline policy of "
                                     "aws_iam_role.ci")]


def test_reg003_list_images_on_a_named_repository_is_narrow():
    ci = role("ci", allow("ecr:ListImages", APP))
    assert run([ci], "REG-003") == [("REG-003", "failed", "aws_iam_role.ci", "role ci may describe named repositories "
                                     "or list their images (ecr:ListImages) through statement #1 of inline policy of "
                                     "aws_iam_role.ci")]


def test_reg003_first_unknown_resource_gives_the_reason():
    ci = role("ci", allow("ecr:ListImages", Unknown("var.first")), allow("ecr:DescribeRepositories",
                                                                         Unknown("var.second")))
    assert run([ci], "REG-003") == [("REG-003", "unknown", "aws_iam_role.ci", "cannot decide whether role ci may list "
                                     "registry repositories: resource of statement #1: var.first")]


def outsider(name: str) -> str:
    return f"arn:aws:iam::{OTHER}:role/{name}"


def test_outsiders_are_found_past_service_principals_and_declared_identities():
    """A Service principal and a declared role come first in the policy: the outside role after them counts."""
    policy = repo_policy("app", grant_to({"Service": "codebuild.amazonaws.com"}, PULL),
                         grant_to({"AWS": f"arn:aws:iam::{ACCOUNT}:role/ci"}, PULL),
                         grant_to({"AWS": outsider("ext")}, [*PULL, *PUSH]))
    assert run([role("ci"), repo(), policy], "REG-002") == [(
        "REG-002", "failed", "aws_ecr_repository_policy.app",
        f"role {outsider('ext')} (not declared here) may both pull (ecr:BatchGetImage, ecr:GetDownloadUrlForLayer) "
        "through statement #3 of aws_ecr_repository_policy.app and push (ecr:CompleteLayerUpload, "
        "ecr:InitiateLayerUpload, ecr:PutImage, ecr:UploadLayerPart) through statement #3 of "
        "aws_ecr_repository_policy.app")]


def test_outsiders_are_kept_apart_by_principal_and_by_policy():
    """Pull for one outside role and push for another, or pull and push for one role in two repository
    policies: no single principal holds both through one policy."""
    one = repo_policy("app", grant_to({"AWS": outsider("reader")}, PULL), grant_to({"AWS": outsider("writer")}, PUSH))
    assert run([repo(), one], "REG-002") == []
    two = [repo(), repo("web"), repo_policy("app", grant_to({"AWS": outsider("ext")}, PULL)),
           repo_policy("web", grant_to({"AWS": outsider("ext")}, PUSH))]
    assert run(two, "REG-002") == []


# --- orphan policies (holder not resolved) ----------------------------------------------------------------


def orphan_attachment(name: str, *roles) -> Resource:
    return make("aws.iam.policy_attachment", f"aws_iam_policy_attachment.{name}", 9,
                policy_arn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser", roles=list(roles))


def test_orphans_are_reported_once_each_and_all_of_them():
    """The first attachment has two unresolved holders (two entries for one resource): it is reported once,
    and the attachment after it is still reported."""
    resources = [orphan_attachment("x", Unknown("var.a"), Unknown("var.b")), orphan_attachment("y", Unknown("var.c"))]
    why = "attaches a policy to an identity that cannot be resolved"
    assert run(resources, "REG-006") == [
        ("REG-006", "unknown", "aws_iam_policy_attachment.x",
         f"cannot decide who may push images through it: aws_iam_policy_attachment.x {why}: var.a"),
        ("REG-006", "unknown", "aws_iam_policy_attachment.y",
         f"cannot decide who may push images through it: aws_iam_policy_attachment.y {why}: var.c")]
    assert run(resources, "REG-005") == [
        ("REG-005", "unknown", "aws_iam_policy_attachment.x",
         f"cannot decide who holds registry actions through it: aws_iam_policy_attachment.x {why}: var.a"),
        ("REG-005", "unknown", "aws_iam_policy_attachment.y",
         f"cannot decide who holds registry actions through it: aws_iam_policy_attachment.y {why}: var.c")]


def test_orphan_with_only_pull_matters_to_reg005_and_not_to_reg006():
    pull = make("aws.iam.policy_attachment", "aws_iam_policy_attachment.pull", 9,
                policy_arn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly", roles=[Unknown("var.r")])
    why = "aws_iam_policy_attachment.pull attaches a policy to an identity that cannot be resolved: var.r"
    assert run([pull], "REG-005") == [("REG-005", "unknown", "aws_iam_policy_attachment.pull",
                                       f"cannot decide who holds registry actions through it: {why}")]
    assert run([pull], "REG-006") == []


# --- REG-005 --------------------------------------------------------------------------------------------


def test_reg005_aws_roles_are_judged_after_an_azure_identity():
    resources = [identity("build"), role("ci", allow(PULL))]
    assert run(resources, "REG-005") == [(
        "REG-005", "failed", "aws_iam_role.ci", "role ci holds registry actions on every repository "
        "(ecr:BatchGetImage, ecr:GetDownloadUrlForLayer) through statement #1 of inline policy of aws_iam_role.ci")]


def test_reg005_policy_not_known_is_undecided():
    assert run([role("ci", policy=Unknown("var.policy"))], "REG-005") == [(
        "REG-005", "unknown", "aws_iam_role.ci",
        "cannot decide whether role ci holds registry actions on every repository: var.policy")]


def test_reg005_repository_policy_speaks_only_for_its_repository():
    grant = repo_policy("app", grant_to({"AWS": f"arn:aws:iam::{ACCOUNT}:role/ci"}, [*PULL, "ecr:GetAuthorizationToken"]))
    assert run([role("ci"), repo(), grant], "REG-005") == []


def test_reg005_statement_without_repository_scoped_actions_does_not_stop_the_others():
    ci = role("ci", allow("ecr:DescribeRegistry"), allow(PULL))
    assert run([ci], "REG-005") == [(
        "REG-005", "failed", "aws_iam_role.ci", "role ci holds registry actions on every repository "
        "(ecr:BatchGetImage, ecr:GetDownloadUrlForLayer) through statement #2 of inline policy of aws_iam_role.ci")]


def test_reg005_lists_only_the_actions_that_can_be_scoped():
    ci = role("ci", allow(["ecr:DescribeRepositories", "ecr:DescribeRegistry"]))
    assert run([ci], "REG-005") == [(
        "REG-005", "failed", "aws_iam_role.ci", "role ci holds registry actions on every repository "
        "(ecr:DescribeRepositories) through statement #1 of inline policy of aws_iam_role.ci")]


def test_reg005_first_unknown_resource_gives_the_reason():
    ci = role("ci", allow(PULL, Unknown("var.first")), allow(PUSH, Unknown("var.second")))
    assert run([ci], "REG-005") == [("REG-005", "unknown", "aws_iam_role.ci", "cannot decide whether role ci holds "
                                     "registry actions on every repository: resource of statement #1: var.first")]


def test_reg005_azure_role_not_known_at_a_wide_scope():
    resources = [identity("build"), assignment("odd", RG_ID, "build", role_definition_name="Some Future Role")]
    assert run(resources, "REG-005") == [(
        "REG-005", "unknown", "azurerm_role_assignment.odd", "cannot decide whether identity id-build holds registry "
        "roles beyond one registry: role 'Some Future Role' is neither a known built-in role nor declared here")]


# --- REG-006 --------------------------------------------------------------------------------------------


def test_reg006_policy_not_known_is_undecided_unless_a_deploy_identity():
    assert run([role("ci", policy=Unknown("var.policy"), stage="build")], "REG-006") == [
        ("REG-006", "unknown", "aws_iam_role.ci", "cannot decide whether role ci may push images: var.policy")]
    assert run([role("ci", policy=Unknown("var.policy"), stage="deploy")], "REG-006") == []


def test_reg006_identities_after_one_without_push_are_judged():
    resources = [role("reader", allow(PULL, APP)), role("builder", allow(PUSH, APP))]
    assert run(resources, "REG-006") == [(
        "REG-006", "failed", "aws_iam_role.builder", "role builder is not a deploy identity (tag cicd-stage = deploy "
        "or deploy_identities) and may push images (ecr:CompleteLayerUpload, ecr:InitiateLayerUpload, ecr:PutImage, "
        "ecr:UploadLayerPart) through statement #1 of inline policy of aws_iam_role.builder")]


def test_reg006_repository_policy_push_after_a_pull_statement():
    bob = {"AWS": f"arn:aws:iam::{ACCOUNT}:user/bob"}
    resources = [repo(), repo_policy("app", grant_to(bob, PULL), grant_to(bob, PUSH))]
    assert run(resources, "REG-006") == [(
        "REG-006", "failed", "aws_ecr_repository_policy.app", f"arn:aws:iam::{ACCOUNT}:user/bob may push images "
        "(ecr:CompleteLayerUpload, ecr:InitiateLayerUpload, ecr:PutImage, ecr:UploadLayerPart) through statement #2 "
        "of aws_ecr_repository_policy.app")]


BUILD_PUSH = ("REG-006", "failed", "azurerm_role_assignment.push",
              "identity id-build is not a deploy identity (tag cicd-stage = deploy or deploy_identities) and may push "
              f"images through built-in role AcrPush on registry {ACR_ID} (azurerm_role_assignment.push)")


def test_reg006_azure_assignments_after_a_pull_or_a_deploy_push_are_judged():
    pull_first = [acr(), identity("build"), assignment("pull", ACR_ID, "build", role_definition_name="AcrPull"),
                  assignment("push", ACR_ID, "build", role_definition_name="AcrPush")]
    assert run(pull_first, "REG-006") == [BUILD_PUSH]
    deploy_first = [acr(), identity("deploy", "deploy"), identity("build"),
                    assignment("deploy", ACR_ID, "deploy", role_definition_name="AcrPush"),
                    assignment("push", ACR_ID, "build", role_definition_name="AcrPush")]
    assert run(deploy_first, "REG-006") == [BUILD_PUSH]


def test_reg006_azure_principal_outside_the_stack_listed_as_deploy_identity():
    resources = [acr(), assignment("ext", ACR_ID, Ref("module.runner", "principal_id"), role_definition_name="AcrPush",
                                   principal_type="ServicePrincipal")]
    assert run(resources, "REG-006") == [(
        "REG-006", "unknown", "azurerm_role_assignment.ext", "cannot decide whether principal module.runner is a deploy "
        "identity: principal of azurerm_role_assignment.ext: module.runner.principal_id refers to a resource that is "
        "not in this stack/module")]
    assert run(resources, "REG-006", deploy_identities=("module.runner",)) == []


# --- REG-007 --------------------------------------------------------------------------------------------


NO_CONDITION = "without a condition on aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:SourceVpce, aws:PrincipalArn"


def test_reg007_service_principals_are_skipped_and_the_rest_judged():
    resources = [repo(), repo_policy("app", grant_to({"Service": "codebuild.amazonaws.com"}, PUSH), grant_to("*", PULL))]
    assert run(resources, "REG-007") == [(
        "REG-007", "failed", "aws_ecr_repository_policy.app", "everyone (Principal *) is allowed pull "
        f"(ecr:BatchGetImage, ecr:GetDownloadUrlForLayer) through statement #2 of aws_ecr_repository_policy.app "
        f"{NO_CONDITION}")]


def test_reg007_source_ip_does_not_bound_a_public_grant():
    statement = {**grant_to("*", PULL), "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}
    assert run([repo(), repo_policy("app", statement)], "REG-007") == [(
        "REG-007", "failed", "aws_ecr_repository_policy.app", "everyone (Principal *) is allowed pull "
        f"(ecr:BatchGetImage, ecr:GetDownloadUrlForLayer) through statement #1 of aws_ecr_repository_policy.app "
        f"{NO_CONDITION}")]


def test_reg007_policy_not_known_is_undecided():
    assert run([repo(), repo_policy("app", policy=Unknown("var.policy"))], "REG-007") == [(
        "REG-007", "unknown", "aws_ecr_repository_policy.app",
        "cannot decide whether it opens the registry to other accounts: var.policy")]


# --- REG-008 / REG-009 / REG-010 ------------------------------------------------------------------------


def test_reg008_unknown_flag_is_undecided():
    assert run([acr(admin_enabled=Unknown("var.admin"))], "REG-008") == [(
        "REG-008", "unknown", "azurerm_container_registry.ci",
        "cannot decide whether the admin user (a shared password) is enabled: var.admin")]


EVERYWHERE = "registry acmeci accepts traffic from everywhere: public network access is enabled and the network " \
             "rule set's default action is "


@pytest.mark.parametrize("props, status, message", [
    ({"public_network_access_enabled": Unknown("var.public")}, "unknown",
     "cannot decide whether public network access is enabled: var.public"),
    ({"public_network_access_enabled": True, "network_default_action": Unknown("var.action")}, "unknown",
     "cannot decide the network rule set's default action: var.action"),
    ({"public_network_access_enabled": True}, "failed", EVERYWHERE + "Allow (not set)"),
    ({"public_network_access_enabled": True, "network_default_action": "Allow"}, "failed", EVERYWHERE + "Allow"),
    ({"public_network_access_enabled": True, "network_default_action": "Deny", "ip_rules": ["0.0.0.0/0", "8.8.8.0/24"]},
     "failed", "registry acmeci admits 0.0.0.0/0, 8.8.8.0/24: public internet addresses, and no CI ranges are "
               "configured to allow them (ci_network.cidrs)"),
    ({"public_network_access_enabled": True, "network_default_action": "Deny", "ip_rules": Unknown("var.ips")},
     "unknown", "cannot decide whether the registry's network rules stay within the CI network: var.ips"),
], ids=["public-unknown", "action-unknown", "action-unset", "action-allow", "two-public-rules", "rules-unknown"])
def test_reg009_every_branch_says_exactly_why(props, status, message):
    assert run([acr(**props)], "REG-009") == [("REG-009", status, "azurerm_container_registry.ci", message)]


@pytest.mark.parametrize("props, status, message", [
    ({"image_tag_mutability": Unknown("var.mutability")}, "unknown",
     "cannot decide whether image tags are immutable: var.mutability"),
    ({"image_tag_mutability": "MUTABLE"}, "failed",
     "repository acme/app has image_tag_mutability MUTABLE; pushed tags can be overwritten"),
    ({}, "failed", "repository acme/app keeps the default MUTABLE image tags; pushed tags can be overwritten"),
], ids=["unknown", "mutable", "default"])
def test_reg010_every_branch_says_exactly_why(props, status, message):
    assert run([repo(**props)], "REG-010") == [("REG-010", status, "aws_ecr_repository.app", message)]


def test_reg005_registry_policy_grant_is_not_a_grant_on_every_repository():
    """A registry policy has no repository of its own (its statements default to `*`): it is not the
    identity's own policy, so REG-005 does not read it."""
    registry = make("aws.ecr.registry_policy", "aws_ecr_registry_policy.r", 60, policy={
        "Version": "2012-10-17", "Statement": [grant_to({"AWS": f"arn:aws:iam::{ACCOUNT}:role/ci"}, PULL)]})
    assert run([role("ci"), registry], "REG-005") == []


def test_reg005_orphan_inline_policy_with_pull_only():
    inline = make("aws.iam.inline_policy", "aws_iam_role_policy.pull", 9, identity=Unknown("var.role"),
                  identity_type="role", policy={"Version": "2012-10-17", "Statement": [allow(PULL, APP)]})
    assert run([inline], "REG-005") == [(
        "REG-005", "unknown", "aws_iam_role_policy.pull", "cannot decide who holds registry actions through it: "
        "aws_iam_role_policy.pull applies to an identity that cannot be resolved: var.role")]


def test_reg006_repository_policy_push_after_one_by_a_listed_deploy_identity():
    deployer, bob = f"arn:aws:iam::{OTHER}:role/deployer", f"arn:aws:iam::{ACCOUNT}:user/bob"
    resources = [repo(), repo_policy("app", grant_to({"AWS": deployer}, PUSH), grant_to({"AWS": bob}, PUSH))]
    assert run(resources, "REG-006", deploy_identities=(deployer,)) == [(
        "REG-006", "failed", "aws_ecr_repository_policy.app", f"{bob} may push images (ecr:CompleteLayerUpload, "
        "ecr:InitiateLayerUpload, ecr:PutImage, ecr:UploadLayerPart) through statement #2 of "
        "aws_ecr_repository_policy.app")]


def test_reg006_azure_assignment_after_an_undecided_one_is_judged():
    resources = [acr(), identity("build"), assignment("odd", ACR_ID, "build", role_definition_name="Some Future Role"),
                 assignment("push", ACR_ID, "build", role_definition_name="AcrPush")]
    assert run(resources, "REG-006") == [
        ("REG-006", "unknown", "azurerm_role_assignment.odd", "cannot decide whether identity id-build may push "
         "images: role 'Some Future Role' is neither a known built-in role nor declared here"),
        BUILD_PUSH]


def test_reg006_push_by_a_group_names_it_as_people():
    group = make("aws.iam.group", "aws_iam_group.devs", 5, name="devs")
    power = make("aws.iam.policy_attachment", "aws_iam_group_policy_attachment.devs", 12,
                 policy_arn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser",
                 groups=[Ref("aws_iam_group.devs", "name")])
    assert run([group, power], "REG-006") == [(
        "REG-006", "failed", "aws_iam_group.devs", "group devs is an IAM group (people), not a deploy identity, and "
        "may push images (ecr:BatchCheckLayerAvailability, ecr:CompleteLayerUpload, ecr:InitiateLayerUpload, "
        "ecr:PutImage, ecr:UploadLayerPart) through statement #1 of AWS managed policy "
        "AmazonEC2ContainerRegistryPowerUser attached by aws_iam_group_policy_attachment.devs")]


def test_reg007_service_principal_with_actions_not_known_is_not_an_account():
    statement = grant_to({"Service": "codebuild.amazonaws.com"}, Unknown("var.actions"))
    assert run([repo(), repo_policy("app", statement)], "REG-007") == []


# --- REG-004 --------------------------------------------------------------------------------------------


def test_reg004_ci_role_after_an_azure_identity_and_a_role_without_grants():
    resources = [identity("build"), role("idle"), role("ci", allow(PULL, APP))]
    assert run(resources, "REG-004") == [(
        "REG-004", "failed", "aws_iam_role.ci", "CI/CD role ci (trusted by CI OIDC issuer "
        "token.actions.githubusercontent.com) has registry access but no policy of aws_iam_role.ci denies "
        "ecr:DescribeRepositories on all repositories")]


def test_reg004_undecided_branches_say_why():
    tags = role("ci", allow(PULL, APP))
    tags.tags = Unknown("var.tags")
    tags.props["assume_role_policy"] = {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                       "Principal": {"Service": "monitoring.rds.amazonaws.com"}}]}
    deny = {"Effect": "Deny", "Action": ["ecr:DescribeRepositories", "ecr:DescribeRegistry"],
            "Resource": Unknown("var.denied")}
    assert run([tags], "REG-004") + run([role("ci", allow(PULL, APP), deny)], "REG-004") + run(
        [role("ci", allow(Unknown("var.actions"), APP))], "REG-004") == [
        ("REG-004", "unknown", "aws_iam_role.ci", "cannot decide whether role ci is a CI/CD identity: tags of "
         "aws_iam_role.ci are not known at plan time: var.tags"),
        ("REG-004", "unknown", "aws_iam_role.ci", "cannot decide whether role ci denies repository listing: "
         "var.denied"),
        ("REG-004", "unknown", "aws_iam_role.ci", "cannot decide whether role ci has registry access: actions of "
         "statement #1: var.actions")]


# --- REG-007 loops ----------------------------------------------------------------------------------------


def test_reg007_policies_after_an_unknown_one_are_judged():
    unknown = make("aws.ecr.repository_policy", "aws_ecr_repository_policy.first", 50,
                   repository=Ref("aws_ecr_repository.web", "name"), policy=Unknown("var.policy"))
    resources = [repo(), repo("web"), unknown, repo_policy("app", grant_to("*", PULL))]
    assert run(resources, "REG-007") == [
        ("REG-007", "failed", "aws_ecr_repository_policy.app", "everyone (Principal *) is allowed pull "
         f"(ecr:BatchGetImage, ecr:GetDownloadUrlForLayer) through statement #1 of aws_ecr_repository_policy.app "
         f"{NO_CONDITION}"),
        ("REG-007", "unknown", "aws_ecr_repository_policy.first",
         "cannot decide whether it opens the registry to other accounts: var.policy")]


PARTNER_PUSH = ("REG-007", "failed", "aws_ecr_repository_policy.app", f"arn:aws:iam::{OTHER}:root, another account "
                f"(ours: {ACCOUNT} from the ARN of aws_ecr_repository.app), may push images (ecr:CompleteLayerUpload, "
                "ecr:InitiateLayerUpload, ecr:PutImage, ecr:UploadLayerPart) through statement #{n} of "
                "aws_ecr_repository_policy.app")
PUBLIC_PULL = ("REG-007", "failed", "aws_ecr_repository_policy.app", "everyone (Principal *) is allowed pull "
               "(ecr:BatchGetImage, ecr:GetDownloadUrlForLayer) through statement #{n} of aws_ecr_repository_policy.app "
               f"{NO_CONDITION}")


def numbered(row, n):
    return (*row[:3], row[3].replace("#{n}", f"#{n}"))


def test_reg007_statements_after_a_cross_account_push_or_an_own_account_pull():
    partner, own = {"AWS": f"arn:aws:iam::{OTHER}:root"}, {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    resources = [repo(), repo_policy("app", grant_to(own, PULL), grant_to(partner, PUSH), grant_to("*", PULL))]
    assert run(resources, "REG-007") == [numbered(PARTNER_PUSH, 2), numbered(PUBLIC_PULL, 3)]


@pytest.mark.parametrize("first, row", [({"AWS": f"arn:aws:iam::{OTHER}:root"}, PARTNER_PUSH), ("*", PUBLIC_PULL)],
                         ids=["cross-account-push", "public-pull"])
def test_reg007_a_failed_policy_is_not_also_undecided(first, row):
    actions = PUSH if row is PARTNER_PUSH else PULL
    resources = [repo(), repo_policy("app", grant_to(first, actions), grant_to({"AWS": Unknown("var.reader")}, PULL))]
    assert run(resources, "REG-007") == [numbered(row, 1)]


@pytest.mark.parametrize("principal", ["", None])
def test_reg006_names_the_empty_principal_attribute_not_none(principal):
    registry = make("azure.acr.registry", "azurerm_container_registry.ci", 1, name="acmeci")
    assignment = make("azure.role_assignment", "azurerm_role_assignment.x", 5, role_definition_name="AcrPush",
                      scope=Ref("azurerm_container_registry.ci", "id"), principal_id=principal)
    [finding] = evaluate(Inventory([registry, assignment]), Config(), rules=[REGISTRY["REG-006"]])
    assert (finding.status.value, finding.resource) == ("unknown", "azurerm_role_assignment.x")
    assert finding.message.startswith("cannot decide whether a principal not set (principal_id is empty) is a "
                                      "deploy identity")
    assert finding.message.endswith("principal of azurerm_role_assignment.x: it is empty or not set")


# --- REG-001 / REG-002 (first run of their mutants) -------------------------------------------------------


def test_reg001_a_repository_policy_grant_is_reported_once_on_the_policy_and_later_roles_still_judged():
    """Role a holds ecr:* only through the repository policy (reported there, not again on the role's
    side); role b, judged after it, holds ecr:* through its own policy."""
    a = role("a")
    b = role("b", allow("ecr:*"))
    policy = repo_policy("app", grant_to({"AWS": f"arn:aws:iam::{ACCOUNT}:role/a"}, "ecr:*"))
    assert run([a, b, repo(), policy], "REG-001") == [
        ("REG-001", "failed", "aws_iam_role.b",
         "role b is allowed every registry action (ecr:*) through statement #1 of inline policy of aws_iam_role.b"),
        ("REG-001", "failed", "aws_ecr_repository_policy.app",
         f"arn:aws:iam::{ACCOUNT}:role/a is allowed every registry action (ecr:*) through statement #1 of "
         f"aws_ecr_repository_policy.app")]


def test_reg002_orphan_policy_says_what_it_could_not_decide():
    assert run([orphan_attachment("x", Unknown("var.a"))], "REG-002") == [
        ("REG-002", "unknown", "aws_iam_policy_attachment.x",
         "cannot decide who may administer, pull or push through it: aws_iam_policy_attachment.x attaches a "
         "policy to an identity that cannot be resolved: var.a")]


def test_reg001_a_failed_policy_is_not_also_undecided():
    """A statement not known beside an ecr:* one: the resource already fails, so no UNKNOWN is added (for
    an identity's policy and for a repository policy alike)."""
    undecided = {"Effect": Unknown("var.effect"), "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
    assert run([role("b", allow("ecr:*"), undecided)], "REG-001") == [
        ("REG-001", "failed", "aws_iam_role.b",
         "role b is allowed every registry action (ecr:*) through statement #1 of inline policy of aws_iam_role.b")]
    other = {"AWS": f"arn:aws:iam::{OTHER}:root"}
    policy = repo_policy("app", grant_to(other, "ecr:*"), {**grant_to(other, "ecr:BatchGetImage"),
                                                          "Effect": Unknown("var.e")})
    assert run([repo(), policy], "REG-001") == [
        ("REG-001", "failed", "aws_ecr_repository_policy.app",
         f"arn:aws:iam::{OTHER}:root is allowed every registry action (ecr:*) through statement #1 of "
         f"aws_ecr_repository_policy.app")]


@pytest.mark.parametrize("policy, reason", [
    ({"Version": "2012-10-17", "Statement": [{**grant_to({"AWS": f"arn:aws:iam::{OTHER}:root"}, "ecr:BatchGetImage"),
                                              "Effect": Unknown("var.e")}]},
     "statement #1 of aws_ecr_repository_policy.app: var.e"),
    (Unknown("var.policy"), "var.policy"),
])
def test_reg001_repository_policy_not_known_is_undecided(policy, reason):
    assert run([repo(), repo_policy("app", policy=policy)], "REG-001") == [
        ("REG-001", "unknown", "aws_ecr_repository_policy.app",
         f"cannot decide whether it allows every registry action: {reason}")]


# --- full run of REG-001..004 and _common.py ---------------------------------------------------------------


def test_reg001_a_user_named_by_a_literal_is_said_to_be_not_declared_here():
    attachment = make("aws.iam.policy_attachment", "aws_iam_user_policy_attachment.u", 9, users=["ci-bot"],
                      policy_arn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess")
    assert run([attachment], "REG-001") == [(
        "REG-001", "failed", "aws_iam_user_policy_attachment.u", "user ci-bot (not declared here) is allowed every "
        "registry action (ecr:*, cloudtrail:LookupEvents) through statement #1 of AWS managed policy "
        "AmazonEC2ContainerRegistryFullAccess attached by aws_iam_user_policy_attachment.u")]


def test_reg001_statements_sharing_a_sid_are_one_origin_reported_once():
    """The finding names a statement by its Sid: a second statement with the same Sid in the same policy is
    the same origin, so the identity (or the principal of a repository policy) fails once, on the first."""
    ci = role("ci", {**allow("ecr:*"), "Sid": "Wild"}, {**allow("*"), "Sid": "Wild"})
    other = {"AWS": f"arn:aws:iam::{OTHER}:root"}
    policy = repo_policy("app", {**grant_to(other, "ecr:*"), "Sid": "Wild"}, {**grant_to(other, "*"), "Sid": "Wild"})
    assert run([ci, repo(), policy], "REG-001") == [
        ("REG-001", "failed", "aws_iam_role.ci",
         "role ci is allowed every registry action (ecr:*) through statement 'Wild' of inline policy of "
         "aws_iam_role.ci"),
        ("REG-001", "failed", "aws_ecr_repository_policy.app",
         f"arn:aws:iam::{OTHER}:root is allowed every registry action (ecr:*) through statement 'Wild' of "
         "aws_ecr_repository_policy.app")]


def test_reg003_admin_identities_are_exempt_for_a_declared_role_and_an_outside_role():
    ci = role("ci", allow("ecr:DescribeRepositories"))
    policy = repo_policy("app", grant_to({"AWS": outsider("platform")}, "ecr:DescribeRepositories"))
    resources = [ci, repo(), policy]
    own = ("REG-003", "failed", "aws_iam_role.ci", "role ci may list registry repositories or images "
           "(ecr:DescribeRepositories) through statement #1 of inline policy of aws_iam_role.ci")
    outside = ("REG-003", "failed", "aws_ecr_repository_policy.app", f"role {outsider('platform')} (not declared "
               "here) may describe named repositories or list their images (ecr:DescribeRepositories) through "
               "statement #1 of aws_ecr_repository_policy.app")
    assert run(resources, "REG-003") == [own, outside]
    assert run(resources, "REG-003", admin_identities=("ci",)) == [outside]
    assert run(resources, "REG-003", admin_identities=("*:role/platform",)) == [own]


def test_reg003_orphan_policy_says_what_it_could_not_decide():
    assert run([orphan_attachment("x", Unknown("var.a"))], "REG-003") == [
        ("REG-003", "unknown", "aws_iam_policy_attachment.x",
         "cannot decide who may list repositories through it: aws_iam_policy_attachment.x attaches a policy to an "
         "identity that cannot be resolved: var.a")]


def test_reg003_azure_principal_outside_the_stack_listed_as_admin():
    resources = [acr(), assignment("ext", ACR_ID, "0000-ext", role_definition_name="Reader")]
    assert run(resources, "REG-003") == [(
        "REG-003", "failed", "azurerm_role_assignment.ext", "principal 0000-ext may list registry content (reader) "
        f"through built-in role Reader on registry {ACR_ID} (azurerm_role_assignment.ext)")]
    assert run(resources, "REG-003", admin_identities=("0000-ext",)) == []


def test_reg004_names_the_first_reason_a_role_is_ci_cd():
    """Tagged as a build identity and trusted by the CI OIDC issuer: the message gives the first reason."""
    assert run([role("ci", allow(PULL, APP), stage="build")], "REG-004") == [(
        "REG-004", "failed", "aws_iam_role.ci", "CI/CD role ci (tagged cicd-stage=build) has registry access but no "
        "policy of aws_iam_role.ci denies ecr:DescribeRepositories on all repositories")]


def test_reg001_an_orphan_matters_only_when_it_may_hold_every_registry_action():
    """REG-001 asks only for a holder of every registry action: an orphan policy that grants only pull
    does not matter to it; one that grants ecr:* does."""
    pull = make("aws.iam.policy_attachment", "aws_iam_policy_attachment.pull", 9,
                policy_arn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly", roles=[Unknown("var.r")])
    assert run([pull], "REG-001") == []
    full = make("aws.iam.policy_attachment", "aws_iam_policy_attachment.full", 9,
                policy_arn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess", roles=[Unknown("var.r")])
    assert run([pull, full], "REG-001") == [
        ("REG-001", "unknown", "aws_iam_policy_attachment.full",
         "cannot decide who holds every registry action through it: aws_iam_policy_attachment.full attaches a "
         "policy to an identity that cannot be resolved: var.r")]
