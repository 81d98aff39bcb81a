"""Effective registry privileges: wildcards, NotAction/NotResource, explicit deny, managed policies,
resource policies, unknown propagation."""

from __future__ import annotations

import pytest

from rulebook.access import (all_resources, covers_all_repositories, enumeration_deny, grants_of, grants_on,
                             identity_grants, registry_grants, resource_policy_grants)
from rulebook.accounts import OWN, principal_account
from rulebook.config import Config
from rulebook.identities import identity_for
from rulebook.model import Inventory, Ref, Resource, SourceLocation
from rulebook.registry_actions import ActionClass
from rulebook.rules.base import Context
from rulebook.unknown import Unknown

A = ActionClass
ACCOUNT = "111122223333"
APP = f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/app"
SECRET = f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/secret"


def res(kind: str, address: str, **props) -> Resource:
    return Resource(kind=kind, address=address, engine="terraform", props=props,
                    location=SourceLocation(file="main.tf", line=1))


def repo(name: str) -> Resource:
    return res("aws.ecr.repository", f"aws_ecr_repository.{name}", name=name,
               arn=f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/{name}")


def role(*statements: dict, name: str = "ci", managed: tuple = ()) -> Resource:
    return res("aws.iam.role", f"aws_iam_role.{name}", name=name, arn=f"arn:aws:iam::{ACCOUNT}:role/{name}",
               inline_policies=[{"Version": "2012-10-17", "Statement": list(statements)}] if statements else [],
               managed_policy_arns=list(managed))


def allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action, resource="*", **extra) -> dict:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def ctx_of(*resources: Resource) -> Context:
    return Context(Inventory(list(resources)), Config())


def classes(ctx: Context, address: str = "aws_iam_role.ci") -> dict[ActionClass, frozenset[str]]:
    out: dict[ActionClass, set[str]] = {}
    for g in grants_of(ctx, identity_for(ctx, address)):
        assert g.unknown is None, g.unknown
        out.setdefault(g.action_class, set()).update(g.actions)
    return {k: frozenset(v) for k, v in out.items()}


# --- wildcards and NotAction -----------------------------------------------------------------


def test_ecr_star_grants_every_class_on_every_repository():
    ctx = ctx_of(role(allow("ecr:*")))
    grants = grants_of(ctx, identity_for(ctx, "aws_iam_role.ci"))
    assert {g.action_class for g in grants} == set(ActionClass)
    assert all(g.all_actions and g.on_all_resources is True and g.resources == ("*",) for g in grants)
    assert all(g.origin == "statement #1 of inline policy of aws_iam_role.ci" for g in grants)
    assert {g.resource.address for g in grants} == {"aws_iam_role.ci"}


def test_star_action_covers_the_registry_too():
    ctx = ctx_of(role(allow("*")))
    got = classes(ctx)
    assert set(got) == set(ActionClass) and "ecr-public:PutImage" in got[A.PUSH]


def test_describe_wildcard_is_enumeration_not_push():
    got = classes(ctx_of(role(allow("ecr:Describe*"))))
    assert got[A.ENUMERATE] == {"ecr:DescribeRepositories", "ecr:DescribeRegistry"}
    assert got[A.IMAGE_LISTING] == {"ecr:DescribeImages"}
    assert A.PUSH not in got and A.PULL not in got


def test_image_infix_wildcard_reaches_push_pull_and_admin():
    got = classes(ctx_of(role(allow("ecr:*Image*"))))
    assert "ecr:PutImage" in got[A.PUSH] and "ecr:BatchGetImage" in got[A.PULL]
    assert "ecr:BatchDeleteImage" in got[A.ADMIN] and A.ENUMERATE not in got


def test_not_action_leaves_push_allowed():
    statement = {"Effect": "Allow", "NotAction": ["ecr:Describe*", "ecr:List*"], "Resource": "*"}
    ctx = ctx_of(role(statement))
    got = classes(ctx)
    assert "ecr:PutImage" in got[A.PUSH]
    # NotAction is "everything else": the ECR Public listing actions stay allowed
    assert got[A.ENUMERATE] == {"ecr-public:DescribeRepositories", "ecr-public:DescribeRegistries"}
    assert got[A.IMAGE_LISTING] == {"ecr-public:DescribeImages", "ecr-public:DescribeImageTags"}
    # ...which is every ECR Public action: the statement grants that whole service
    assert all(g.all_actions for g in grants_of(ctx, identity_for(ctx, "aws_iam_role.ci")))


def test_not_action_leaves_enumeration_allowed():
    got = classes(ctx_of(role({"Effect": "Allow", "NotAction": "ecr:*Upload*", "Resource": "*"})))
    assert got[A.ENUMERATE] == {"ecr:DescribeRepositories", "ecr:DescribeRegistry", "ecr-public:DescribeRepositories",
                                "ecr-public:DescribeRegistries"}
    assert {a for a in got[A.PUSH] if a.startswith("ecr:")} == {"ecr:PutImage", "ecr:BatchCheckLayerAvailability"}


def test_not_action_outside_the_registry_grants_everything_in_it():
    ctx = ctx_of(role({"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}))
    grants = grants_of(ctx, identity_for(ctx, "aws_iam_role.ci"))
    assert {g.action_class for g in grants} == set(ActionClass) and all(g.all_actions for g in grants)


def test_auth_alone_and_non_registry_actions():
    ctx = ctx_of(role(allow("ecr:GetAuthorizationToken"), allow("s3:*")))
    (grant,) = grants_of(ctx, identity_for(ctx, "aws_iam_role.ci"))
    assert grant.action_class is A.AUTH and grant.actions == {"ecr:GetAuthorizationToken"}


# --- resources ---------------------------------------------------------------------------------


def test_named_repository_versus_all_repositories():
    app, secret = repo("app"), repo("secret")
    ctx = ctx_of(role(allow("ecr:BatchGetImage", APP), allow("ecr:PutImage", f"arn:aws:ecr:*:{ACCOUNT}:repository/*"),
                      allow("ecr:ListImages", Ref("aws_ecr_repository.secret", "arn"))), app, secret)
    pull, push, listing = grants_of(ctx, identity_for(ctx, "aws_iam_role.ci"))
    assert pull.on_all_resources is False and pull.covers(app) is True and pull.covers(secret) is False
    assert push.on_all_resources is True and push.covers(secret) is True
    assert listing.on_all_resources is False and listing.covers(secret) is True and listing.covers(app) is False


def test_not_resource_is_all_but_some():
    app, secret = repo("app"), repo("secret")
    statement = {"Effect": "Allow", "Action": "ecr:BatchGetImage", "NotResource": SECRET}
    ctx = ctx_of(role(statement), app, secret)
    (grant,) = grants_of(ctx, identity_for(ctx, "aws_iam_role.ci"))
    assert grant.resources == ("*",) and grant.not_resources == (SECRET,)
    assert grant.on_all_resources is True
    assert grant.covers(app) is True and grant.covers(secret) is False


@pytest.mark.parametrize("pattern, everything", [
    ("*", True), ("arn:aws:ecr:*:*:repository/*", True), (f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/*", True),
    ("arn:aws:ecr:*:*:*", True), (APP, False), ("arn:aws:ecr:*:*:repository/app-*", False),
    ("arn:aws:s3:::bucket/*", False),
])
def test_covers_all_repositories(pattern, everything):
    assert covers_all_repositories(pattern) is everything


def test_all_resources_with_unknown():
    unknown = Unknown("repository arn from a module")
    assert all_resources([unknown]) is unknown
    assert all_resources([unknown, "*"]) is True
    assert all_resources([APP]) is False


# --- explicit deny -----------------------------------------------------------------------------


def test_deny_on_same_action_and_resource_leaves_nothing():
    got = classes(ctx_of(role(allow("ecr:DescribeRepositories"), deny("ecr:DescribeRepositories"))))
    assert got == {}


def test_deny_on_other_resource_or_action_leaves_the_grant():
    ctx = ctx_of(role(allow("ecr:DescribeRepositories"), deny("ecr:DescribeRepositories", APP),
                      deny("ecr:DescribeImages")))
    (grant,) = grants_of(ctx, identity_for(ctx, "aws_iam_role.ci"))
    assert grant.action_class is A.ENUMERATE and grant.resources == ("*",)


def test_deny_removes_only_the_covered_part():
    ctx = ctx_of(role(allow(["ecr:BatchGetImage", "ecr:PutImage"], [APP, SECRET]), deny("ecr:Put*", SECRET)))
    got = {(g.action_class, g.resources) for g in grants_of(ctx, identity_for(ctx, "aws_iam_role.ci"))}
    assert got == {(A.PULL, (APP, SECRET)), (A.PUSH, (APP,))}


def test_conditional_deny_does_not_remove_the_grant():
    cond = {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}
    got = classes(ctx_of(role(allow("ecr:DescribeRepositories"), deny("ecr:DescribeRepositories", Condition=cond))))
    assert got == {A.ENUMERATE: {"ecr:DescribeRepositories"}}


def test_deny_with_not_action_and_deny_from_another_policy():
    policy = res("aws.iam.policy", "aws_iam_policy.guard", name="guard",
                 policy={"Statement": [{"Effect": "Deny", "NotAction": "ecr:GetAuthorizationToken", "Resource": "*"}]})
    ctx = ctx_of(role(allow("ecr:*"), managed=(Ref("aws_iam_policy.guard", "arn"),)), policy)
    assert classes(ctx) == {A.AUTH: {"ecr:GetAuthorizationToken"}}


def test_group_deny_applies_to_members():
    user = res("aws.iam.user", "aws_iam_user.dev", name="dev", inline=None)
    group = res("aws.iam.group", "aws_iam_group.devs", name="devs")
    member = res("aws.iam.group_membership", "m", groups=["devs"], users=["dev"])
    grant = res("aws.iam.inline_policy", "aws_iam_user_policy.p", identity="dev", identity_type="user",
                policy={"Statement": [allow("ecr:PutImage")]})
    guard = res("aws.iam.inline_policy", "aws_iam_group_policy.g", identity="devs", identity_type="group",
                policy={"Statement": [deny("ecr:PutImage")]})
    ctx = ctx_of(user, group, member, grant, guard)
    assert classes(ctx, "aws_iam_user.dev") == {}


# --- AWS managed policies by ARN ------------------------------------------------------------


@pytest.mark.parametrize("name, present, absent", [
    ("AmazonEC2ContainerRegistryReadOnly", {A.ENUMERATE, A.PULL, A.IMAGE_LISTING, A.AUTH}, {A.PUSH, A.ADMIN}),
    ("AmazonEC2ContainerRegistryPowerUser", {A.PUSH, A.PULL, A.ENUMERATE}, {A.ADMIN}),
    ("AmazonEC2ContainerRegistryFullAccess", {A.ADMIN, A.PUSH, A.ENUMERATE}, set()),
    ("AmazonEC2ContainerRegistryPullOnly", {A.PULL, A.AUTH}, {A.ENUMERATE, A.PUSH, A.ADMIN, A.IMAGE_LISTING}),
    # beyond the registry's own policies: ReadOnlyAccess's ecr:Describe*/List*/BatchGet*, and policies
    # that are known to grant nothing on registries
    ("ReadOnlyAccess", {A.ENUMERATE, A.PULL, A.IMAGE_LISTING}, {A.PUSH, A.ADMIN}),
    ("job-function/Billing", set(), set(A)),
    ("AmazonEKS_CNI_Policy", set(), set(A)),
])
def test_managed_policies_attached_by_arn(name, present, absent):
    attach = res("aws.iam.policy_attachment", "aws_iam_role_policy_attachment.a",
                 roles=[Ref("aws_iam_role.ci", "name")], policy_arn=f"arn:aws:iam::aws:policy/{name}")
    ctx = ctx_of(role(), attach)
    got = classes(ctx)
    assert present <= set(got) and not (absent & set(got))
    grants = grants_of(ctx, identity_for(ctx, "aws_iam_role.ci"))
    assert all(g.source.managed_arn == f"arn:aws:iam::aws:policy/{name}" for g in grants)
    assert all(g.on_all_resources is True for g in grants)


def test_full_access_counts_as_all_registry_actions():
    ctx = ctx_of(role(managed=("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess",)))
    assert all(g.all_actions for g in grants_of(ctx, identity_for(ctx, "aws_iam_role.ci")))


# --- REG-004 helper --------------------------------------------------------------------------


@pytest.mark.parametrize("statement, present", [
    (deny("ecr:DescribeRepositories"), True),
    (deny(["ecr:Describe*"], f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/*"), True),
    (deny("ecr:*"), True),
    ({"Effect": "Deny", "NotAction": "ecr:GetAuthorizationToken", "Resource": "*"}, True),
    (deny("ecr:DescribeRepositories", APP), False),
    (deny("ecr:DescribeImages"), False),
    (deny("ecr:DescribeRepositories", Condition={"Bool": {"aws:ViaAWSService": "false"}}), False),
    ({"Effect": "Deny", "Action": "ecr:DescribeRepositories", "NotResource": APP}, False),
])
def test_enumeration_deny(statement, present):
    ctx = ctx_of(role(allow("ecr:BatchGetImage", APP), statement))
    verdict = enumeration_deny(ctx, identity_for(ctx, "aws_iam_role.ci"))
    assert verdict.present is present
    if present:
        assert verdict.reason == "statement #2 of inline policy of aws_iam_role.ci"


def test_enumeration_deny_undecidable_when_a_policy_is_unknown():
    ctx = ctx_of(role(allow("ecr:BatchGetImage", APP), managed=("arn:aws:iam::aws:policy/SomethingNew",)))
    verdict = enumeration_deny(ctx, identity_for(ctx, "aws_iam_role.ci"))
    assert isinstance(verdict.present, Unknown)
    assert verdict.reason == ("AWS managed policy SomethingNew attached by aws_iam_role.ci is not one whose "
                              "statements cicd-guard knows")


# --- resource policies -------------------------------------------------------------------------


def repo_policy(*statements: dict) -> Resource:
    return res("aws.ecr.repository_policy", "aws_ecr_repository_policy.app", repository=Ref("aws_ecr_repository.app",
                                                                                             "name"),
               policy={"Version": "2012-10-17", "Statement": list(statements)})


def test_public_principal_without_and_with_restricting_condition():
    app = repo("app")
    open_ = {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}
    org = {"Sid": "Org", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "ecr:BatchGetImage",
           "Condition": {"stringequals": {"AWS:principalorgid": "o-abc123"}}}
    ctx = ctx_of(app, repo_policy(open_, org))
    first, second = resource_policy_grants(ctx)
    assert first.principal_is_public and first.conditions == () and first.target is app
    assert first.resources == (APP,) and first.resource.address == "aws_ecr_repository_policy.app"
    assert first.origin == "statement 'Open' of aws_ecr_repository_policy.app"
    assert second.principal_is_public and [c.key for c in second.conditions] == ["AWS:principalorgid"]


def test_cross_account_push_and_all_actions_in_a_repository_policy():
    app = repo("app")
    push = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
            "Action": ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"]}
    everything = {"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "ecr:*"}
    ctx = ctx_of(app, repo_policy(push, everything))
    grants = resource_policy_grants(ctx)
    (cross_push,) = [g for g in grants if principal_account(g.principal) == "999988887777"]
    assert cross_push.action_class is A.PUSH and not cross_push.all_actions
    star = [g for g in grants if principal_account(g.principal) == "444455556666"]
    assert {g.action_class for g in star} == set(ActionClass) and all(g.all_actions for g in star)
    assert cross_push.cross_account() is True
    assert principal_account("arn:aws:iam::999988887777:role/x") == "999988887777"
    assert principal_account("*") is None
    assert principal_account(Ref("aws_iam_role.ci", "arn"), ctx_of(role())) == ACCOUNT
    assert principal_account(Ref("aws_iam_role.ci", "arn"), ctx_of(res("aws.iam.role", "aws_iam_role.ci"))) == OWN
    unreadable = principal_account(Ref("data.aws_iam_role.ci", "arn"), ctx)
    assert unreadable == Unknown("data.aws_iam_role.ci.arn is not declared in this stack/module, so its account "
                                 "cannot be read")
    assert isinstance(principal_account("AROAEXAMPLEID1234567"), Unknown)


def test_an_arn_built_from_the_caller_identity_is_in_the_deployment_account():
    text = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"
    caller = res("aws.caller_identity", "data.aws_caller_identity.current")
    assert principal_account(text, ctx_of(caller)) == OWN
    other = res("aws.iam.role", "data.aws_caller_identity.current")  # same address, another kind
    assert principal_account(text, ctx_of(other)) == Unknown(f"the account of principal {text} cannot be read from it")
    assert isinstance(principal_account(text, ctx_of()), Unknown)
    assert isinstance(principal_account(text.replace("account_id", "user_id"), ctx_of(caller)), Unknown)


def test_same_account_and_undecidable_account():
    same = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/deployer"}, "Action": "ecr:PutImage"}
    ctx = ctx_of(repo("app"), repo_policy(same))
    (grant,) = resource_policy_grants(ctx)
    assert grant.cross_account() is False and grant.principal_is_public is False
    unknown_repo = res("aws.ecr.repository", "aws_ecr_repository.app", name="app", arn=Unknown("after apply"))
    (grant,) = resource_policy_grants(ctx_of(unknown_repo, repo_policy(same)))
    verdict = grant.cross_account()
    assert isinstance(verdict, Unknown)
    assert verdict.reason == ("this stack's own AWS accounts are not known (no provider allowed_account_ids, "
                              "aws_accounts setting or declared ARN names them), so whether 111122223333 is another "
                              "account cannot be decided")


def test_deny_in_a_repository_policy_applies_to_its_principals():
    app = repo("app")
    ctx = ctx_of(app, repo_policy({"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"},
                                  {"Effect": "Deny", "Principal": "*", "Action": "ecr:*"}))
    assert resource_policy_grants(ctx) == []


def test_resource_policy_naming_the_identity_becomes_its_grant():
    app = repo("app")
    ctx = ctx_of(role(), app, repo_policy(
        {"Sid": "CiPull", "Effect": "Allow", "Principal": {"AWS": Ref("aws_iam_role.ci", "arn")},
         "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}))
    (grant,) = grants_of(ctx, identity_for(ctx, "aws_iam_role.ci"))
    assert grant.action_class is A.PULL and grant.source.is_resource_policy
    assert grant.resources == (APP,) and grant.target is app and grant.covers(app) is True
    assert grant.on_all_resources is False
    assert len(registry_grants(ctx)) == 2  # once for the identity, once as the policy's own grant


# --- unknown propagation --------------------------------------------------------------------


def test_unknown_parts_yield_unknown_grants():
    u_action, u_res = Unknown("actions from var.actions"), Unknown("repository arn from a module")
    policy = res("aws.iam.policy", "aws_iam_policy.p", name="p", policy=Unknown("rendered at apply time"))
    ctx = ctx_of(role(allow([u_action, "ecr:PutImage"]), allow("ecr:BatchGetImage", u_res),
                      managed=(Ref("aws_iam_policy.p", "arn"), "arn:aws:iam::aws:policy/service-role/Future")), policy)
    grants = grants_of(ctx, identity_for(ctx, "aws_iam_role.ci"))
    summary = [(g.action_class, g.unknown.reason if g.unknown is not None else None) for g in grants]
    assert summary == [
        (None, "actions of statement #1: actions from var.actions"),
        (A.PUSH, None),
        (A.PULL, "resource of statement #2: repository arn from a module"),
        (None, "rendered at apply time"),
        (None, "AWS managed policy Future attached by aws_iam_role.ci is not one whose statements cicd-guard knows"),
    ]
    assert grants[2].on_all_resources is u_res


def test_unknown_principal_in_resource_policy():
    app = repo("app")
    ctx = ctx_of(app, repo_policy({"Sid": "X", "Effect": "Allow", "Principal": {"AWS": Unknown("var.reader_arn")},
                                   "Action": "ecr:BatchGetImage"}))
    (grant,) = resource_policy_grants(ctx)
    assert grant.action_class is None
    assert grant.unknown.reason == "principal of statement 'X' in aws_ecr_repository_policy.app: var.reader_arn"


def test_identity_grants_are_computed_once():
    ctx = ctx_of(role(allow("ecr:*")))
    assert identity_grants(ctx) is identity_grants(ctx)


def test_grants_on_a_repository_for_the_access_map():
    app, secret = repo("app"), repo("secret")
    ctx = ctx_of(role(allow("ecr:BatchGetImage", APP), allow("ecr:PutImage", Unknown("arn from a module"))),
                 app, secret, repo_policy({"Effect": "Allow", "Principal": "*", "Action": "ecr:ListImages"}))
    on_app = [(g.action_class, g.identity.name if g.identity else g.principal, verdict)
              for g, verdict in grants_on(ctx, app)]
    assert [(c, who) for c, who, _ in on_app] == [(A.PULL, "ci"), (A.PUSH, "ci"), (A.IMAGE_LISTING, "*")]
    assert on_app[0][2] is True and isinstance(on_app[1][2], Unknown) and on_app[2][2] is True
    assert [(g.action_class, v) for g, v in grants_on(ctx, secret)][0][0] is A.PUSH
