"""Identities: every policy reaching them, unresolvable references, CI/CD / deploy / admin classification."""

from __future__ import annotations

import pytest

from rulebook.ci_principals import SERVICE_PRINCIPALS, describe
from rulebook.config import Config
from rulebook.identities import identities, identity_for, unresolved
from rulebook.model import Inventory, Ref, Resource, SourceLocation
from rulebook.policy import PolicyDocument
from rulebook.rules.base import Context
from rulebook.unknown import Unknown

GITHUB_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
    "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
    "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}]}
SERVICE_TRUST = {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                            "Principal": {"Service": "monitoring.rds.amazonaws.com"}}]}  # not a CI service
READONLY = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"


def res(kind: str, address: str, tags=None, **props) -> Resource:
    r = Resource(kind=kind, address=address, engine="terraform", props=props,
                 location=SourceLocation(file="main.tf", line=1))
    if tags is not None:
        r.tags = tags
    return r


def ctx_of(*resources: Resource, **config) -> Context:
    return Context(Inventory(list(resources)), Config(**config))


def allow(*actions: str, resource: str = "*") -> dict:
    return {"Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": resource}]}


def test_every_policy_reaching_a_role():
    role = res("aws.iam.role", "aws_iam_role.ci", name="ci", arn=Unknown("arn known after apply"),
               assume_role_policy=GITHUB_TRUST, inline_policies=[allow("ecr:GetAuthorizationToken")],
               managed_policy_arns=[READONLY, Ref("aws_iam_policy.push", "arn")])
    push = res("aws.iam.policy", "aws_iam_policy.push", name="push", arn=Unknown("later"),
               policy=allow("ecr:PutImage"))
    inline = res("aws.iam.inline_policy", "aws_iam_role_policy.extra", identity=Ref("aws_iam_role.ci", "name"),
                 identity_type="role", policy='{"Statement": {"Effect": "Deny", "Action": "ecr:Describe*", '
                                              '"Resource": "*"}}')
    attach = res("aws.iam.policy_attachment", "aws_iam_role_policy_attachment.pull", roles=["ci"],
                 policy_arn="arn:aws-us-gov:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly")
    ctx = ctx_of(role, push, inline, attach)
    (ident,) = identities(ctx)
    assert ident.type == "role" and ident.name == "ci" and ident.address == "aws_iam_role.ci"
    assert [(p.via, p.resource.address) for p in ident.policies] == [
        ("inline", "aws_iam_role.ci"),
        ("managed_policy_arns", "aws_iam_role.ci"),
        ("managed_policy_arns", "aws_iam_role.ci"),
        ("inline_policy", "aws_iam_role_policy.extra"),
        ("attachment", "aws_iam_role_policy_attachment.pull"),
    ]
    managed, customer = ident.policies[1], ident.policies[2]
    assert managed.managed_arn == READONLY and managed.document.origin.startswith("AWS managed policy")
    assert customer.policy is push and customer.label == "policy aws_iam_policy.push attached by aws_iam_role.ci"
    assert list(ident.policies[3].document.denies())[0].actions == ("ecr:Describe*",)
    assert ident.unknowns == [] and unresolved(ctx) == []
    assert isinstance(ident.trust_policy, PolicyDocument)
    assert ident.cicd is True
    assert ident.cicd_reasons == ["trusted by CI OIDC issuer token.actions.githubusercontent.com"]
    assert ident.oidc_issuers == ["token.actions.githubusercontent.com"]
    assert ident.deploy is False and ident.admin is False and ident.is_human is False
    assert identities(ctx) is identities(ctx)  # memoised per run
    assert identity_for(ctx, role) is ident


def test_unknown_managed_policy_and_missing_customer_policy_are_kept_as_unknown():
    role = res("aws.iam.role", "aws_iam_role.build", name="build",
               managed_policy_arns=["arn:aws:iam::aws:policy/service-role/AWSCodeBuildAdminAccess",
                                    "arn:aws:iam::111122223333:policy/elsewhere",
                                    Ref("aws_iam_policy.gone", "arn")])
    (ident,) = identities(ctx_of(role))
    assert [type(p.document) for p in ident.policies] == [Unknown, Unknown, Unknown]
    assert [u.reason for u in ident.unknowns] == [
        "AWS managed policy AWSCodeBuildAdminAccess attached by aws_iam_role.build is not one whose statements "
        "cicd-guard knows",
        "policy arn:aws:iam::111122223333:policy/elsewhere attached by aws_iam_role.build is not declared here",
        "policy aws_iam_policy.gone.arn attached by aws_iam_role.build is not in this stack/module",
    ]


def test_unresolvable_references_are_reported_not_dropped():
    role = res("aws.iam.role", "aws_iam_role.ci", name="ci")
    to_missing = res("aws.iam.policy_attachment", "aws_iam_role_policy_attachment.a",
                     roles=[Ref("aws_iam_role.missing", "name")], policy_arn=READONLY)
    to_unknown = res("aws.iam.policy_attachment", "aws_iam_role_policy_attachment.b",
                     roles=Unknown("role list from a module output"), policy_arn=READONLY)
    inline = res("aws.iam.inline_policy", "aws_iam_user_policy.x", identity="nobody", identity_type="user",
                 policy=allow("ecr:*"))
    unknown_policy = res("aws.iam.inline_policy", "aws_iam_role_policy.y", identity="ci", identity_type="role",
                         policy=Unknown("rendered from a template at apply time"))
    bad_json = res("aws.iam.inline_policy", "aws_iam_role_policy.z", identity="ci", identity_type="role",
                   policy="{oops")
    ctx = ctx_of(role, to_missing, to_unknown, inline, unknown_policy, bad_json)
    assert [(u.resource.address, u.unknown.reason) for u in unresolved(ctx)] == [
        ("aws_iam_user_policy.x", "aws_iam_user_policy.x applies to an identity that cannot be resolved: "
                                  "'nobody' names no user declared here"),
        ("aws_iam_role_policy_attachment.a", "aws_iam_role_policy_attachment.a attaches a policy to an identity "
                                             "that cannot be resolved: aws_iam_role.missing.name refers to a "
                                             "resource that is not in this stack/module"),
        ("aws_iam_role_policy_attachment.b", "roles of aws_iam_role_policy_attachment.b: role list from a module "
                                             "output"),
    ]
    (ident,) = identities(ctx)
    assert [u.reason for u in ident.unknowns] == [
        "rendered from a template at apply time",
        "policy of aws_iam_role_policy.z cannot be read: policy is not valid JSON: Expecting property name "
        "enclosed in double quotes at line 1",
    ]


def test_users_get_group_policies_through_membership():
    user = res("aws.iam.user", "aws_iam_user.dev", name="dev", arn="arn:aws:iam::111122223333:user/dev")
    group = res("aws.iam.group", "aws_iam_group.devs", name="devs")
    membership = res("aws.iam.group_membership", "aws_iam_group_membership.m",
                     groups=[Ref("aws_iam_group.devs", "name")], users=["dev"])
    attach = res("aws.iam.policy_attachment", "aws_iam_group_policy_attachment.p",
                 groups=["devs"], policy_arn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser")
    ctx = ctx_of(user, group, membership, attach)
    dev, devs = identities(ctx)
    assert [g.address for g in dev.groups] == ["aws_iam_group.devs"] and devs.members == [dev]
    (via_group,) = dev.policies
    assert via_group.group is group and via_group.managed_arn.endswith("/AmazonEC2ContainerRegistryPowerUser")
    assert via_group.label.endswith("(via group aws_iam_group.devs)")
    assert dev.is_human is True and devs.is_human is True


def test_resource_policies_that_name_the_identity():
    role = res("aws.iam.role", "aws_iam_role.ci", name="ci", arn="arn:aws:iam::111122223333:role/ci")
    other = res("aws.iam.role", "aws_iam_role.other", name="other", arn=Unknown("later"))
    repo = res("aws.ecr.repository", "aws_ecr_repository.app", name="app",
               arn="arn:aws:ecr:eu-west-1:111122223333:repository/app")
    policy = res("aws.ecr.repository_policy", "aws_ecr_repository_policy.app", repository="app", policy={
        "Statement": [
            {"Sid": "CiPush", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/ci"},
             "Action": ["ecr:PutImage"]},
            {"Sid": "OtherByName", "Effect": "Allow",
             "Principal": {"AWS": ["arn:aws:iam::111122223333:role/team/other"]}, "Action": "ecr:BatchGetImage"},
            {"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"},
            {"Sid": "Later", "Effect": "Allow", "Principal": {"AWS": Unknown("principal from variable")},
             "Action": "ecr:BatchGetImage"},
        ]})
    registry = res("aws.ecr.registry_policy", "aws_ecr_registry_policy.r", policy={"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": Ref("aws_iam_role.other", "arn")}, "Action": "ecr:ReplicateImage",
         "Resource": "*"}]})
    ctx = ctx_of(role, other, repo, policy, registry)
    ci, oth = identities(ctx)
    (ci_pol,) = ci.policies
    assert ci_pol.is_resource_policy and ci_pol.target is repo
    assert [s.sid for s in ci_pol.document.statements] == ["CiPush"]
    assert [(p.resource.address, [s.sid for s in p.document.statements]) for p in oth.policies] == [
        ("aws_ecr_repository_policy.app", ["OtherByName"]), ("aws_ecr_registry_policy.r", [None])]
    assert [(u.resource.address, u.unknown.reason) for u in unresolved(ctx)] == [
        ("aws_ecr_repository_policy.app", "principal of statement 'Later' in aws_ecr_repository_policy.app: "
                                          "principal from variable")]


def test_cicd_by_service_principal_tag_and_configured_issuer():
    codebuild = res("aws.iam.role", "aws_iam_role.cb", name="cb", assume_role_policy={"Statement": [
        {"Effect": "Allow", "Principal": {"Service": ["codebuild.amazonaws.com"]}, "Action": "sts:AssumeRole"}]})
    tagged = res("aws.iam.role", "aws_iam_role.tagged", name="tagged", tags={"cicd-stage": "Deploy"},
                 assume_role_policy=SERVICE_TRUST)
    gitlab = res("aws.iam.role", "aws_iam_role.gl", name="gl", assume_role_policy={"Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
         "Principal": {"Federated": Ref("aws_iam_openid_connect_provider.gl", "arn")}}]})
    provider = res("aws.iam.oidc_provider", "aws_iam_openid_connect_provider.gl", url="https://gitlab.corp.example")
    plain = res("aws.iam.role", "aws_iam_role.app", name="app", assume_role_policy=SERVICE_TRUST)
    ctx = ctx_of(codebuild, tagged, gitlab, provider, plain, oidc_issuers=("https://gitlab.corp.example",))
    cb, tg, gl, app = identities(ctx)
    assert cb.cicd is True and cb.cicd_reasons == ["trusted by service codebuild.amazonaws.com (CodeBuild runs build and test jobs)"]
    assert tg.cicd is True and tg.cicd_reasons == ["tagged cicd-stage=deploy"]
    assert tg.deploy is True and tg.deploy_reasons == ["tagged cicd-stage=deploy"]
    assert gl.cicd is True and gl.oidc_issuers == ["https://gitlab.corp.example"]
    assert app.cicd is False and app.deploy is False


def trust(principal: dict, action: str = "sts:AssumeRole") -> dict:
    return {"Statement": [{"Effect": "Allow", "Action": action, "Principal": principal}]}


@pytest.mark.parametrize("service,expected", [(s, ci) for s, (ci, _) in SERVICE_PRINCIPALS.items()]
                         + [("states.amazonaws.com", False), ("CodeBuild.amazonaws.com", True)])
def test_service_principals_are_ci_or_not_from_one_table(service, expected):
    role = res("aws.iam.role", "aws_iam_role.r", name="r", assume_role_policy=trust({"Service": service}))
    (ident,) = identities(ctx_of(role))
    assert ident.cicd is expected
    assert ident.cicd_reasons == ([f"trusted by service {service.lower()} ({SERVICE_PRINCIPALS[service.lower()][1]})"]
                                  if expected else [])


SAML_ARN = "arn:aws:iam::111122223333:saml-provider/Okta"
SAML = res("aws.iam.saml_provider", "aws_iam_saml_provider.okta", name="Okta", arn=Unknown("after apply"))
FEDERATED = [
    # id, Federated principal, extra resources, cicd
    ("SAML provider declared here", Ref("aws_iam_saml_provider.okta", "arn"), [SAML], False),
    ("SAML provider by ARN", SAML_ARN, [], False),
    ("OIDC provider not declared here", Ref("data.aws_iam_openid_connect_provider.gh", "arn"), [], "unknown"),
]


@pytest.mark.parametrize("principal,extra,cicd", [c[1:] for c in FEDERATED], ids=[c[0] for c in FEDERATED])
def test_saml_federation_is_human_sign_on_not_ci(principal, extra, cicd):
    role = res("aws.iam.role", "aws_iam_role.r", name="r",
               assume_role_policy=trust({"Federated": principal}, "sts:AssumeRoleWithSAML"))
    ident = identity_for(ctx_of(role, *extra), "aws_iam_role.r")
    assert ("unknown" if isinstance(ident.cicd, Unknown) else ident.cicd) == cicd


def test_what_counts_is_written_once():
    text = describe()
    assert "`ec2.amazonaws.com` (EC2 instances run self-hosted CI runners and build agents)" in text
    assert "`ecr.amazonaws.com`" in text and "SAML provider (human single sign-on) are not" in text


def test_deploy_and_admin_from_configuration():
    deployer = res("aws.iam.role", "aws_iam_role.deployer", name="release-publisher")
    admin = res("aws.iam.role", "aws_iam_role.admin", name="platform-admin", arn="arn:aws:iam::1:role/platform-admin")
    ctx = ctx_of(deployer, admin, deploy_identities=("release-*",),
                 admin_identities=("arn:aws:iam::*:role/platform-*",))
    d, a = identities(ctx)
    assert d.deploy is True and d.deploy_reasons == ["matches deploy_identities in the configuration"]
    assert d.admin is False
    assert a.admin is True and a.admin_reasons == ["matches admin_identities in the configuration"]
    assert a.deploy is False


@pytest.mark.parametrize("document,services", [
    (trust({"Service": "ecr.amazonaws.com"}), "ecr.amazonaws.com"),
    (trust({"Service": ["pullthroughcache.ecr.amazonaws.com", "ECR.amazonaws.com"]}),
     "pullthroughcache.ecr.amazonaws.com, ecr.amazonaws.com"),
    (trust({"Service": ["ecr.amazonaws.com", "codebuild.amazonaws.com"]}), None),  # a pipeline may assume it
    (trust({"AWS": "arn:aws:iam::111122223333:root"}), None),
    ({"Statement": [trust({"Service": "ecr.amazonaws.com"})["Statement"][0],
                    {"Effect": Unknown("var.effect"), "Action": "sts:AssumeRole", "Principal": "*"}]}, None),
    ({"Statement": []}, None),
], ids=["ecr", "pull-through and ecr", "ecr and codebuild", "account", "undecided statement", "nobody"])
def test_a_role_only_the_registry_service_assumes_is_part_of_the_registry(document, services):
    role = res("aws.iam.role", "aws_iam_role.templates", name="templates", assume_role_policy=document)
    (ident,) = identities(ctx_of(role))
    assert ident.admin is (services is not None)
    assert ident.admin_reasons == ([f"assumed only by the registry's own service ({services}): part of the "
                                    "registry, not an identity people or pipelines hold"] if services else [])


def test_unknown_tags_and_trust_make_the_classification_unknown():
    role = res("aws.iam.role", "aws_iam_role.r", name="r", tags=Unknown("tags from a module"),
               assume_role_policy=Unknown("trust policy computed later"))
    trust_only = res("aws.iam.role", "aws_iam_role.t", name="t", assume_role_policy=Unknown("computed later"))
    tagged_but_unknown_trust = res("aws.iam.role", "aws_iam_role.u", name="u", tags={"cicd-stage": "build"},
                                   assume_role_policy=Unknown("computed later"))
    r, t, u = identities(ctx_of(role, trust_only, tagged_but_unknown_trust))
    assert isinstance(r.cicd, Unknown) and r.cicd.reason == "tags of aws_iam_role.r are not known at plan time: " \
                                                            "tags from a module"
    assert isinstance(r.deploy, Unknown)
    assert isinstance(t.cicd, Unknown) and t.cicd.reason == "trust policy of aws_iam_role.t: computed later"
    assert t.deploy is False
    assert u.cicd is True and u.deploy is False


def test_azure_principals_federated_credentials_and_assignments():
    uami = res("azure.identity", "azurerm_user_assigned_identity.ci", name="ci",
               principal_id=Unknown("known after apply"), principal_type="ServicePrincipal")
    human = res("azure.identity", "azuread_user.dev", name="dev", principal_id="00000000-0000-0000-0000-0000000000aa",
                principal_type="User")
    cred = res("azure.federated_credential", "azurerm_federated_identity_credential.gh",
               identity=Ref("azurerm_user_assigned_identity.ci", "id"),
               issuer="https://token.actions.githubusercontent.com", subject="repo:o/r:environment:prod")
    by_ref = res("azure.role_assignment", "azurerm_role_assignment.push", scope="/subscriptions/s",
                 role_definition_name="AcrPush", principal_id=Ref("azurerm_user_assigned_identity.ci", "principal_id"))
    by_id = res("azure.role_assignment", "azurerm_role_assignment.dev", scope="/subscriptions/s",
                role_definition_name="AcrPull", principal_id="00000000-0000-0000-0000-0000000000aa")
    stranger = res("azure.role_assignment", "azurerm_role_assignment.x", scope="/subscriptions/s",
                   role_definition_name="AcrPull", principal_id="11111111-0000-0000-0000-000000000000")
    ctx = ctx_of(uami, human, cred, by_ref, by_id, stranger)
    ci, dev = identities(ctx)
    assert ci.federated_credentials == [cred] and ci.role_assignments == [by_ref]
    assert ci.cicd is True and ci.cicd_reasons == [
        "federated credential azurerm_federated_identity_credential.gh trusts CI issuer "
        "token.actions.githubusercontent.com"]
    assert ci.is_human is False and dev.is_human is True and dev.role_assignments == [by_id]
    assert [(u.resource.address, u.unknown.reason) for u in unresolved(ctx)] == [
        ("azurerm_role_assignment.x", "principal of azurerm_role_assignment.x: "
                                      "'11111111-0000-0000-0000-000000000000' names no identity declared here")]


def test_attachment_of_several_policies_at_once():
    role = res("aws.iam.role", "aws_iam_role.ci", name="ci")
    exclusive = res("aws.iam.policy_attachment", "aws_iam_role_policy_attachments_exclusive.ci",
                    roles=[Ref("aws_iam_role.ci", "name")],
                    policy_arns=["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly", Unknown("var.extra")])
    (ident,) = identities(ctx_of(role, exclusive))
    first, second = ident.policies
    assert first.managed_arn == "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly"
    assert isinstance(second.document, Unknown)
    assert second.document.reason == "policy attached by aws_iam_role_policy_attachments_exclusive.ci: var.extra"
