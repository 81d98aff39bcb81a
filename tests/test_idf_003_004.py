"""IDF-003 (subject pinned to one repository) and IDF-004 (publishing identities only from protected
contexts): a semantics table over model resources, then exact (rule, status, resource, line) rows through
the Terraform scanner (HCL and a plan) and the Pulumi pack (the gate)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builders import make
from hcl_scanner.plan import read_plan
from rulebook.config import Config
from rulebook.engine import evaluate
from rulebook.model import Inventory, Ref
from rulebook.rules import REGISTRY
from rulebook.unknown import Unknown
from test_bkt_rules import gate_rows, tf_rows

RULES = ["IDF-003", "IDF-004"]
GH = "token.actions.githubusercontent.com"
GH_ARN = f"arn:aws:iam::111122223333:oidc-provider/{GH}"
PUSH = ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]
REPO_ARN = "arn:aws:ecr:eu-west-1:111122223333:repository/acme/app"
ACR_PUSH = "/providers/Microsoft.Authorization/roleDefinitions/8311e382-0749-4cb8-b61a-304f252e45ec"
ACR_PULL = "/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d"
BLOB_CONTRIBUTOR = "/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe"


def trust(condition: dict | None, federated=GH_ARN) -> dict:
    statement = {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": federated}}
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def role(condition: dict | None, push: bool = True, federated=GH_ARN, name="deploy") -> list:
    resources = [make("aws.iam.role", f"aws_iam_role.{name}", 3, name=name,
                      assume_role_policy=trust(condition, federated))]
    actions = PUSH if push else ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources.append(make("aws.iam.inline_policy", f"aws_iam_role_policy.{name}", 20, identity=name,
                          identity_type="role", policy={"Version": "2012-10-17", "Statement": [
                              {"Effect": "Allow", "Action": actions, "Resource": REPO_ARN}]}))
    return resources


def judge(resources, **config) -> dict[str, str]:
    findings = evaluate(Inventory(resources), Config(**config), rules=[REGISTRY[r] for r in RULES])
    return {f.rule_id: f.status.value for f in findings}


def sub(value, op="StringLike", key=f"{GH}:sub") -> dict:
    audience = key.rsplit(":", 1)[0] + ":aud"
    if op == "StringEquals":
        return {"StringEquals": {audience: "sts.amazonaws.com", key: value}}
    return {"StringEquals": {audience: "sts.amazonaws.com"}, op: {key: value}}


@pytest.mark.parametrize("condition, expected", [
    (None, {"IDF-003": "failed", "IDF-004": "failed"}),  # no sub condition
    ({"StringEquals": {f"{GH}:aud": "sts.amazonaws.com"}}, {"IDF-003": "failed", "IDF-004": "failed"}),
    (sub("*"), {"IDF-003": "failed", "IDF-004": "failed"}),
    (sub("repo:*"), {"IDF-003": "failed", "IDF-004": "failed"}),
    (sub("repo:acme/*"), {"IDF-003": "failed", "IDF-004": "failed"}),
    # a wildcard spanning repositories: what follows it may come from any of them
    (sub("repo:acme/app*:environment:production"), {"IDF-003": "failed", "IDF-004": "failed"}),
    (sub("repo:acme/app:*:environment:production"), {}),
    (sub("workflow:deploy:repo:acme/app:environment:production"), {"IDF-003": "failed", "IDF-004": "failed"}),
    (sub("repo:acme/app:*"), {"IDF-004": "failed"}),
    (sub("repo:acme/app:pull_request"), {"IDF-004": "failed"}),
    (sub("repo:acme/app:ref:refs/heads/*"), {"IDF-004": "failed"}),
    (sub("repo:acme/app:environment:production"), {}),
    (sub("repo:acme/app:ref:refs/heads/main"), {}),
    (sub("repo:acme/app:ref:refs/tags/v*"), {}),
    # StringEquals compares literally: `*` is a character there, not a wildcard
    (sub("repo:acme/*", op="StringEquals"), {"IDF-004": "failed"}),
    (sub("repo:acme/app:environment:production", op="StringEquals"), {}),
    # ForAnyValue:StringLike with a list: one wildcard entry is enough to admit several repositories
    (sub(["repo:acme/app:environment:production", "repo:acme/*"], op="ForAnyValue:StringLike"),
     {"IDF-003": "failed", "IDF-004": "failed"}),
    (sub(["repo:acme/app:environment:production", "repo:acme/app:ref:refs/heads/main"], op="ForAnyValue:StringLike"),
     {}),
    # several exact repositories: each subject names one
    (sub(["repo:acme/app:environment:production", "repo:acme/web:environment:production"]), {}),
    # keys in unusual case; IfExists and negated operators bound nothing
    (sub("repo:acme/app:environment:production", key=f"{GH.upper()}:SUB"), {}),
    (sub("repo:acme/app:environment:production", op="StringLikeIfExists"), {"IDF-003": "failed", "IDF-004": "failed"}),
    (sub("repo:evil/*", op="StringNotLike"), {"IDF-003": "failed", "IDF-004": "failed"}),
    # two entries on the same key AND together: the narrower decides
    ({"StringLike": {f"{GH}:sub": "repo:acme/*"}, "StringEquals": {f"{GH}:sub": "repo:acme/app:ref:refs/heads/main"}},
     {}),
    # job_workflow_ref pins a reusable workflow (as its own condition or inside a customised sub)
    ({"StringLike": {f"{GH}:sub": "repo:acme/app:*"},
      "StringEquals": {f"{GH}:job_workflow_ref": "acme/workflows/.github/workflows/deploy.yml@refs/heads/main"}}, {}),
    ({"StringLike": {f"{GH}:sub": "repo:acme/app:*",
                     f"{GH}:job_workflow_ref": "acme/workflows/.github/workflows/deploy.yml@*"}},
     {"IDF-004": "failed"}),
    (sub("repo:acme/app:job_workflow_ref:acme/workflows/.github/workflows/deploy.yml@refs/heads/main"), {}),
    # immutable IDs (customised subject)
    (sub("repository_owner_id:72338139:repository_id:590297138:environment:production"), {}),
    (sub("repository_owner_id:72338139:*"), {"IDF-003": "failed", "IDF-004": "failed"}),
    # an entry with no values matches no token (a module whose subject list is empty): nothing is admitted
    (sub([]), {}),
    (sub([], op="StringEquals"), {}),
    # values unknown at plan time never pass
    (sub(Unknown("var.subject has no value")), {"IDF-003": "unknown", "IDF-004": "unknown"}),
    (sub("repo:acme/${aws:username}:environment:production"), {"IDF-003": "failed", "IDF-004": "failed"}),
])
def test_github_semantics(condition, expected):
    assert judge(role(condition)) == expected


def deny(condition, action="sts:AssumeRoleWithWebIdentity", principal=None) -> dict:
    return {"Effect": "Deny", "Action": action, "Principal": principal or {"Federated": GH_ARN},
            "Condition": condition}


PROD = "repo:acme/app:environment:production"
AUD_ONLY = {"StringEquals": {f"{GH}:aud": "sts.amazonaws.com"}}


@pytest.mark.parametrize("denies, expected", [
    ([], {"IDF-003": "failed", "IDF-004": "failed"}),
    # a Deny refusing every token outside one subject pins it as an Allow's condition would
    ([deny({"StringNotLike": {f"{GH}:sub": PROD}})], {}),
    ([deny({"StringNotEquals": {f"{GH}:sub": [PROD, "repo:acme/app:ref:refs/heads/main"]}})], {}),
    ([deny({"StringNotEqualsIfExists": {f"{GH}:sub": PROD}})], {}),  # also refuses tokens without sub
    ([deny({"StringNotLike": {f"{GH}:sub": PROD}}, action="sts:*", principal="*")], {}),
    ([deny({"StringNotLike": {f"{GH}:sub": "repo:acme/app:*"}})], {"IDF-004": "failed"}),
    ([deny({"StringNotLike": {f"{GH}:sub": "repo:acme/*"}})], {"IDF-003": "failed", "IDF-004": "failed"}),
    ([deny({"StringNotLike": {f"{GH}:sub": "*"}})], {"IDF-003": "failed", "IDF-004": "failed"}),
    # Denies that do not refuse every other token: nothing subtracted
    ([deny({"StringNotLike": {f"{GH}:sub": PROD}, "Bool": {"aws:SecureTransport": "false"}})],
     {"IDF-003": "failed", "IDF-004": "failed"}),  # only when a second condition also holds
    ([deny({"StringLike": {f"{GH}:sub": PROD}})], {"IDF-003": "failed", "IDF-004": "failed"}),  # refuses prod
    ([deny({"ForAnyValue:StringNotLike": {f"{GH}:sub": PROD}})], {"IDF-003": "failed", "IDF-004": "failed"}),
    ([deny({"StringNotLike": {f"{GH}:sub": Unknown("var.sub")}})], {"IDF-003": "failed", "IDF-004": "failed"}),
    ([deny({"StringNotLike": {f"{GH}:sub": PROD}}, action="sts:AssumeRole")],
     {"IDF-003": "failed", "IDF-004": "failed"}),  # another action
    ([deny({"StringNotLike": {f"{GH}:sub": PROD}},
           principal={"Federated": "arn:aws:iam::111122223333:oidc-provider/gitlab.com"})],
     {"IDF-003": "failed", "IDF-004": "failed"}),  # another issuer
    ([{**deny({"StringNotLike": {f"{GH}:sub": PROD}}), "NotAction": "sts:AssumeRole", "Action": None}],
     {"IDF-003": "failed", "IDF-004": "failed"}),
    ([deny({"StringNotEquals": {"aws:PrincipalTag/team": "ci"}})], {"IDF-003": "failed", "IDF-004": "failed"}),
    ([deny({"StringNotLike": {f"{GH}:sub": Ref("aws_ssm_parameter.sub", "value")}})],
     {"IDF-003": "failed", "IDF-004": "failed"}),  # known only after apply: no bound
    ([deny({"StringNotLike": {f"{GH}:sub": "repo:acme/app:environment:${local.env}"}})],
     {"IDF-003": "failed", "IDF-004": "failed"}),  # a stack value rendered into the text: no bound
])
def test_deny_statements_of_the_trust_bound_the_subject(denies, expected):
    resources = role(AUD_ONLY)
    resources[0].props["assume_role_policy"]["Statement"] += [
        {k: v for k, v in d.items() if v is not None} for d in denies]
    assert judge(resources) == expected


def test_a_deny_bound_keeps_what_the_allow_could_not_decide():
    """The Allow's subject is not known and the Deny spares every acme repository: the bound does not pin
    one repository, and the Allow's unknown value may: UNKNOWN, not a failure."""
    from rulebook.conditions import ClaimValues, Pattern, bounded_by

    values = ClaimValues("k", Unknown("var.sub"), (), "", Unknown("var.sub"))
    bound = (Pattern("repo:acme/*", True),)
    assert bounded_by(values, [bound]) == ClaimValues("k", False, (bound,), "", Unknown("var.sub"))
    assert bounded_by(values, []) is values
    resources = role({"StringEquals": {f"{GH}:aud": "sts.amazonaws.com"},
                      "StringLike": {f"{GH}:sub": Unknown("var.sub")}})
    resources[0].props["assume_role_policy"]["Statement"].append(deny({"StringNotLike": {f"{GH}:sub": "repo:acme/*"}}))
    assert judge(resources) == {"IDF-003": "unknown", "IDF-004": "unknown"}


def test_a_deny_bounds_the_audience_too():
    resources = role(sub(PROD, op="StringEquals"))
    statement = resources[0].props["assume_role_policy"]["Statement"][0]
    statement["Condition"] = {"StringEquals": {f"{GH}:sub": PROD}}
    findings = evaluate(Inventory(resources), Config(), rules=[REGISTRY["IDF-002"]])
    assert [(f.rule_id, f.status.value) for f in findings] == [("IDF-002", "failed")]
    resources[0].props["assume_role_policy"]["Statement"].append(
        deny({"StringNotEquals": {f"{GH}:aud": "sts.amazonaws.com"}}))
    assert evaluate(Inventory(resources), Config(), rules=[REGISTRY["IDF-002"]]) == []


def test_a_role_that_cannot_publish_needs_only_a_pinned_repository():
    assert judge(role(sub("repo:acme/app:pull_request"), push=False)) == {}
    assert judge(role(sub("repo:acme/*"), push=False)) == {"IDF-003": "failed"}


def test_a_role_whose_permissions_are_unknown_is_undecided_for_idf_004():
    resources = role(sub("repo:acme/app:pull_request"))[:1]
    resources.append(make("aws.iam.inline_policy", "aws_iam_role_policy.deploy", 20, identity="deploy",
                          identity_type="role", policy=Unknown("rendered by a module")))
    assert judge(resources) == {"IDF-004": "unknown"}


def test_enterprise_issuer():
    federated = f"arn:aws:iam::111122223333:oidc-provider/{GH}/acme-corp"
    key = f"{GH}/acme-corp:sub"
    assert judge(role(sub("repo:acme/*", key=key), federated=federated)) == {"IDF-003": "failed", "IDF-004": "failed"}
    assert judge(role(sub("repo:acme/app:environment:production", key=key), federated=federated)) == {}
    # a positive condition on a key of another issuer form: its tokens lack the key, IAM refuses them all
    assert judge(role({"StringLike": {f"{GH}:sub": "repo:acme/*"}}, federated=federated)) == {}
    assert judge(role({"StringEquals": {f"{key}": "repo:acme/app:pull_request"}})) == {}
    assert judge(role({"StringEqualsIfExists": {f"{key}": "repo:acme/app:pull_request"}})) == \
        {"IDF-003": "failed", "IDF-004": "failed"}


@pytest.mark.parametrize("issuer, subject, expected", [
    ("gitlab.com", "project_path:acme/app:ref_type:branch:ref:main", {}),
    ("gitlab.com", "project_path:acme/*", {"IDF-003": "failed", "IDF-004": "failed"}),
    ("gitlab.com", "project_path:acme/app:ref_type:branch:ref:*", {"IDF-004": "failed"}),
    ("app.terraform.io", "organization:acme:project:ci:workspace:app:run_phase:apply", {}),
    ("app.terraform.io", "organization:acme:project:ci:workspace:app:run_phase:*", {"IDF-004": "failed"}),
    ("app.terraform.io", "organization:acme:project:*:workspace:*:run_phase:apply", {"IDF-003": "failed"}),
    ("oidc.circleci.com/org/0c9a", "org/0c9a/project/77f1/user/*", {"IDF-004": "failed"}),
    ("oidc.circleci.com/org/0c9a", "org/0c9a/project/*", {"IDF-003": "failed", "IDF-004": "failed"}),
    ("api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc", "{8d9f}{4b1c}:*", {}),
    ("api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc", "{8d9f}:*", {"IDF-004": "failed"}),
    ("api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc", "*", {"IDF-003": "failed",
                                                                                   "IDF-004": "failed"}),
    ("vstoken.dev.azure.com/6f0e", "sc://acme/platform/deploy-prod", {}),
    ("vstoken.dev.azure.com/6f0e", "sc://acme/*", {"IDF-003": "failed", "IDF-004": "failed"}),
])
def test_other_issuers(issuer, subject, expected):
    federated = f"arn:aws:iam::111122223333:oidc-provider/{issuer}"
    assert judge(role(sub(subject, key=f"{issuer}:sub"), federated=federated)) == expected


def test_an_issuer_from_the_configuration():
    federated = "arn:aws:iam::111122223333:oidc-provider/gitlab.acme.internal"
    cases = {"project_path:acme/*": {"IDF-003": "failed", "IDF-004": "failed"},
             "project_path:acme/app:ref_type:tag:ref:*": {},
             "deploy-*": {"IDF-003": "unknown", "IDF-004": "unknown"}}  # a shape no CI uses: never a pass
    for subject, expected in cases.items():
        resources = role(sub(subject, key="gitlab.acme.internal:sub"), federated=federated)
        assert judge(resources, oidc_issuers=("gitlab.acme.internal",)) == expected, subject
        assert judge(resources) == {}, subject  # without the setting it is not a CI issuer


def test_deploy_subject_patterns():
    resources = role(sub("repo:acme/app:ref:refs/heads/release-*"))
    assert judge(resources) == {"IDF-004": "failed"}
    assert judge(resources, deploy_subject_patterns=("repo:acme/*:ref:refs/heads/release-*",)) == {}


def test_oidc_provider_declared_in_the_stack():
    provider = make("aws.iam.oidc_provider", "aws_iam_openid_connect_provider.github", 1,
                    url=f"https://{GH}", arn=Ref("aws_iam_openid_connect_provider.github", "arn"))
    federated = Ref("aws_iam_openid_connect_provider.github", "arn")
    assert judge([provider, *role(sub("repo:acme/*"), federated=federated)]) == {"IDF-003": "failed",
                                                                                 "IDF-004": "failed"}
    later = make("aws.iam.oidc_provider", "aws_iam_openid_connect_provider.github", 1,
                 url=Unknown("known after apply"), arn=Ref("aws_iam_openid_connect_provider.github", "arn"))
    assert judge([later, *role(None, federated=federated)]) == {"IDF-003": "unknown", "IDF-004": "unknown"}
    # the condition keys name the issuer when the provider's URL is not known
    assert judge([later, *role(sub("repo:acme/*"), federated=federated)]) == {"IDF-003": "failed",
                                                                              "IDF-004": "failed"}
    assert judge([later, *role(sub("repo:acme/app:environment:production"), federated=federated)]) == {}


def test_saml_and_other_oidc_issuers_are_not_judged():
    saml = "arn:aws:iam::111122223333:saml-provider/Okta"
    assert judge(role({"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}, federated=saml)) == {}
    eks = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"
    assert judge(role(None, federated=eks)) == {}
    # an EKS provider from another module: not known, but its subjects are Kubernetes service accounts
    irsa = {"StringEquals": {Unknown("module.eks.oidc_provider is not known"): "system:serviceaccount:kube-system:x"}}
    assert judge(role(irsa, federated=Unknown("module.eks.oidc_provider_arn is not known"))) == {}
    assert judge(role(None, federated=Unknown("module.eks.oidc_provider_arn is not known"))) == \
        {"IDF-003": "unknown", "IDF-004": "unknown"}


def test_messages():
    findings = evaluate(Inventory(role(sub("repo:acme/*"))), Config(), rules=[REGISTRY[r] for r in RULES])
    assert sorted((f.rule_id, f.severity.value, f.message) for f in findings) == [
        ("IDF-003", "critical", "statement #1 of the trust policy of aws_iam_role.deploy lets any repository of acme "
                                "matching acme/* on token.actions.githubusercontent.com assume role deploy (subject "
                                "'repo:acme/*')"),
        ("IDF-004", "high", "role deploy may push images (ecr:CompleteLayerUpload, ecr:InitiateLayerUpload, "
                            "ecr:PutImage, ecr:UploadLayerPart) through statement #1 of aws_iam_role_policy.deploy, "
                            "and statement #1 of the trust policy of aws_iam_role.deploy "
                            "lets any branch, tag, environment or pull request of any repository of acme matching "
                            "acme/* (subject 'repo:acme/*') assume it; pin the subject to a protected environment or "
                            "ref"),
    ]
    findings = evaluate(Inventory(role(None)), Config(), rules=[REGISTRY["IDF-003"]])
    assert [f.message for f in findings] == [
        "statement #1 of the trust policy of aws_iam_role.deploy lets any workflow of any repository using "
        "token.actions.githubusercontent.com assume role deploy: no condition on "
        "token.actions.githubusercontent.com:sub"]


# --- Azure: federated credentials and the roles of their identity ---------------------------------------


def azure(subject=None, expression=None, role_id=ACR_PUSH, issuer=f"https://{GH}") -> list:
    ident = make("azure.identity", "azurerm_user_assigned_identity.deploy", 1, name="id-deploy",
                 id="/subscriptions/0/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/d",
                 principal_id=Ref("azurerm_user_assigned_identity.deploy", "principal_id"),
                 principal_type="ServicePrincipal")
    cred = make("azure.federated_credential", "azurerm_federated_identity_credential.deploy", 10,
                identity=Ref("azurerm_user_assigned_identity.deploy", "id"), issuer=issuer, subject=subject,
                audiences=["api://AzureADTokenExchange"], claims_matching_expression=expression)
    registry = make("azure.acr.registry", "azurerm_container_registry.ci", 20, name="acmeci",
                    id=Ref("azurerm_container_registry.ci", "id"))
    assignment = make("azure.role_assignment", "azurerm_role_assignment.deploy", 30,
                      scope=Ref("azurerm_container_registry.ci", "id"), role_definition_id=role_id,
                      principal_id=Ref("azurerm_user_assigned_identity.deploy", "principal_id"),
                      principal_type="ServicePrincipal")
    return [ident, cred, registry, assignment]


@pytest.mark.parametrize("subject, expression, role_id, expected", [
    ("repo:acme/app:environment:production", None, ACR_PUSH, {}),
    ("repo:acme/*", None, ACR_PUSH, {"IDF-003": "failed", "IDF-004": "failed"}),
    ("repo:acme/app:pull_request", None, ACR_PUSH, {"IDF-004": "failed"}),
    ("repo:acme/app:pull_request", None, ACR_PULL, {}),  # the identity cannot push
    (None, None, ACR_PUSH, {"IDF-003": "failed", "IDF-004": "failed"}),
    (Unknown("var.subject has no value"), None, ACR_PUSH, {"IDF-003": "unknown", "IDF-004": "unknown"}),
    (None, "claims['sub'] matches 'repo:acme/*'", ACR_PUSH, {"IDF-003": "failed", "IDF-004": "failed"}),
    (None, "claims['sub'] matches 'repo:acme/app:ref:refs/heads/*'", ACR_PUSH, {"IDF-004": "failed"}),
    (None, "claims['sub'] matches 'repo:acme/app:ref:refs/heads/*' and claims['job_workflow_ref'] eq "
           "'acme/w/.github/workflows/deploy.yml@refs/heads/main'", ACR_PUSH, {}),
    (None, "claims['sub'] matches 'repo:acme/app:environment:*'", BLOB_CONTRIBUTOR, {"IDF-004": "failed"}),
    (None, "claims['sub'] matches 'repo:acme/a' or claims['sub'] matches 'repo:b/*'", ACR_PUSH,
     {"IDF-003": "unknown", "IDF-004": "unknown"}),
])
def test_azure_semantics(subject, expression, role_id, expected):
    resources = azure(subject, expression, role_id)
    if role_id == BLOB_CONTRIBUTOR:
        account = make("azure.storage.account", "azurerm_storage_account.artifacts", 40, name="acmeartifacts",
                       id=Ref("azurerm_storage_account.artifacts", "id"), shared_key_access_enabled=False)
        resources[3].props["scope"] = Ref("azurerm_storage_account.artifacts", "id")
        resources.append(account)
    assert judge(resources) == expected


def test_azure_credentials_of_another_issuer_are_not_judged():
    assert judge(azure("anything", issuer="https://sts.windows.net/0000/")) == {}


# --- Terraform: HCL --------------------------------------------------------------------------------------

TF = '''
locals {
  github = "token.actions.githubusercontent.com"
}

resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "jsonencode" {
  name = "jsonencode"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Condition = {
        StringEquals = { "${local.github}:aud" = "sts.amazonaws.com" }
        StringLike   = { "${local.github}:sub" = "repo:acme/*" }
      }
    }]
  })
}

resource "aws_iam_role" "heredoc" {
  name               = "heredoc"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
    "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:pull_request"}}
  }]
}
EOF
}

data "aws_iam_policy_document" "pinned" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:acme/app:environment:production"]
    }
  }
}

resource "aws_iam_role" "document" {
  name               = "document"
  assume_role_policy = data.aws_iam_policy_document.pinned.json
}

variable "subjects" {
  type    = map(list(string))
  default = { "token.actions.githubusercontent.com:sub" = ["repo:acme/app:ref:refs/heads/*"] }
}

data "aws_iam_policy_document" "dynamic" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    dynamic "condition" {
      for_each = var.subjects
      content {
        test     = "StringLike"
        variable = condition.key
        values   = condition.value
      }
    }
  }
}

resource "aws_iam_role" "dynamic" {
  name               = "dynamic"
  assume_role_policy = data.aws_iam_policy_document.dynamic.json
}

variable "unset_subject" {
  type = string
}

resource "aws_iam_role" "unknown" {
  name = "unknown"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = var.unset_subject } }
    }]
  })
}

resource "aws_iam_policy" "push" {
  name = "push"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]
      Resource = "arn:aws:ecr:eu-west-1:111122223333:repository/acme/app"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "push" {
  for_each   = toset(["jsonencode", "heredoc", "document", "dynamic", "unknown"])
  role       = each.key
  policy_arn = aws_iam_policy.push.arn
}
'''


def test_terraform(tmp_path):
    assert tf_rows(tmp_path, TF, RULES) == [
        ("IDF-003", "failed", "aws_iam_role.jsonencode", 11),
        ("IDF-004", "failed", "aws_iam_role.jsonencode", 11),
        ("IDF-004", "failed", "aws_iam_role.heredoc", 27),
        ("IDF-004", "failed", "aws_iam_role.dynamic", 90),
        ("IDF-003", "unknown", "aws_iam_role.unknown", 99),
        ("IDF-004", "unknown", "aws_iam_role.unknown", 99),
    ]


TF_AZURE = '''
resource "azurerm_user_assigned_identity" "deploy" {
  name                = "id-deploy"
  resource_group_name = "rg-ci"
  location            = "westeurope"
}

resource "azurerm_federated_identity_credential" "deploy" {
  name                = "github-deploy"
  resource_group_name = "rg-ci"
  parent_id           = azurerm_user_assigned_identity.deploy.id
  issuer              = "https://token.actions.githubusercontent.com"
  subject             = "repo:acme/app:pull_request"
  audience            = ["api://AzureADTokenExchange"]
}

resource "azurerm_container_registry" "ci" {
  name                = "acmeci"
  resource_group_name = "rg-ci"
  location            = "westeurope"
  sku                 = "Premium"
}

resource "azurerm_role_assignment" "push" {
  scope                = azurerm_container_registry.ci.id
  role_definition_name = "AcrPush"
  principal_id         = azurerm_user_assigned_identity.deploy.principal_id
}

resource "azuread_application" "release" {
  display_name = "release"
}

resource "azuread_service_principal" "release" {
  client_id = azuread_application.release.client_id
}

resource "azuread_application_flexible_federated_identity_credential" "release" {
  application_id             = azuread_application.release.id
  display_name               = "release"
  audience                   = "api://AzureADTokenExchange"
  issuer                     = "https://token.actions.githubusercontent.com"
  claims_matching_expression = "claims['sub'] matches 'repo:acme/*'"
}

resource "azuread_application_federated_identity_credential" "pinned" {
  application_id = azuread_application.release.id
  display_name   = "pinned"
  audiences      = ["api://AzureADTokenExchange"]
  issuer         = "https://token.actions.githubusercontent.com"
  subject        = "repo:acme/app:environment:production"
}

resource "azurerm_storage_account" "artifacts" {
  name                      = "acmeartifacts"
  resource_group_name       = "rg-ci"
  location                  = "westeurope"
  account_tier              = "Standard"
  account_replication_type  = "ZRS"
  shared_access_key_enabled = false
}

resource "azurerm_role_assignment" "release" {
  scope                = azurerm_storage_account.artifacts.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azuread_service_principal.release.object_id
}
'''


def test_terraform_azure(tmp_path):
    assert tf_rows(tmp_path, TF_AZURE, RULES) == [
        ("IDF-004", "failed", "azurerm_federated_identity_credential.deploy", 8),
        ("IDF-003", "failed", "azuread_application_flexible_federated_identity_credential.release", 38),
        ("IDF-004", "failed", "azuread_application_flexible_federated_identity_credential.release", 38),
    ]


# --- Terraform: plan JSON --------------------------------------------------------------------------------


def _plan(tmp_path: Path, changes: list[dict]) -> Inventory:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "terraform_version": "1.6.6",
                                "planned_values": {"root_module": {}}, "resource_changes": changes}))
    inventory, errors = read_plan(path, None)
    assert errors == []
    return inventory


def _change(address: str, tf_type: str, after: dict, after_unknown: dict | None = None) -> dict:
    return {"address": address, "mode": "managed", "type": tf_type, "name": address.split(".")[-1],
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": after_unknown or {},
                       "before_sensitive": False, "after_sensitive": {}}}


@pytest.mark.parametrize("subject, unknown, expected", [
    ("repo:acme/*", False, [("IDF-003", "failed"), ("IDF-004", "failed")]),
    ("repo:acme/app:pull_request", False, [("IDF-004", "failed")]),
    ("repo:acme/app:environment:production", False, []),
    (None, True, [("IDF-003", "unknown"), ("IDF-004", "unknown")]),
])
def test_plan(tmp_path, subject, unknown, expected):
    role_after = {"name": "deploy", "tags": {}}
    if not unknown:
        role_after["assume_role_policy"] = json.dumps(trust({"StringLike": {f"{GH}:sub": subject}}))
    push = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": PUSH,
                                                                "Resource": REPO_ARN}]})
    inventory = _plan(tmp_path, [
        _change("aws_iam_role.deploy", "aws_iam_role", role_after, {"assume_role_policy": True} if unknown else {}),
        _change("aws_iam_role_policy.push", "aws_iam_role_policy", {"name": "push", "role": "deploy", "policy": push}),
    ])
    findings = evaluate(inventory, Config(), rules=[REGISTRY[r] for r in RULES])
    assert sorted((f.rule_id, f.status.value) for f in findings) == expected
    assert {f.resource for f in findings} <= {"aws_iam_role.deploy"}


# --- Pulumi: through the gate ----------------------------------------------------------------------------

PULUMI_AWS = '''
import json
import pulumi_aws as aws

def trust(subject):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
        "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": subject}}}]}

PUSH = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Action": ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"],
    "Resource": "arn:aws:ecr:eu-west-1:111122223333:repository/acme/app"}]})

wide = aws.iam.Role("wide", name="wide", assume_role_policy=trust("repo:acme/*"))
aws.iam.RolePolicy("wide-push", role=wide.name, policy=PUSH)
branches = aws.iam.Role("branches", name="branches", assume_role_policy=json.dumps(trust("repo:acme/app:pull_request")))
aws.iam.RolePolicy("branches-push", role=branches.name, policy=PUSH)
pinned = aws.iam.Role("pinned", name="pinned", assume_role_policy=json.dumps(trust("repo:acme/app:environment:prod")))
aws.iam.RolePolicy("pinned-push", role=pinned.name, policy=PUSH)
'''


def test_pulumi_aws(tmp_path):
    assert gate_rows(tmp_path, PULUMI_AWS, "pulumi_aws", RULES) == [
        ("IDF-003", "failed", "wide", 14),
        ("IDF-004", "failed", "wide", 14),
        ("IDF-004", "failed", "branches", 16),
    ]


PULUMI_AZURE = '''
import pulumi_azure_native as azure_native

ACR_PUSH = "/providers/Microsoft.Authorization/roleDefinitions/8311e382-0749-4cb8-b61a-304f252e45ec"
registry = azure_native.containerregistry.Registry("registry", registry_name="acmeci", resource_group_name="rg-ci",
    sku={"name": "Premium"}, admin_user_enabled=False)

def identity(name, **credential):
    ident = azure_native.managedidentity.UserAssignedIdentity(name, resource_name_=f"id-{name}",
        resource_group_name="rg-ci")
    azure_native.managedidentity.FederatedIdentityCredential(f"{name}-github", resource_group_name="rg-ci",
        federated_identity_credential_resource_name="github", resource_name_=ident.name,
        issuer="https://token.actions.githubusercontent.com", audiences=["api://AzureADTokenExchange"], **credential)
    azure_native.authorization.RoleAssignment(f"{name}-push", principal_id=ident.principal_id,
        principal_type="ServicePrincipal", scope=registry.id, role_definition_id=ACR_PUSH)

identity("wildcard", subject="repo:acme/*")
identity("branches", subject="repo:acme/app:ref:refs/heads/*")
identity("pinned", subject="repo:acme/app:environment:production")
'''


def test_pulumi_azure_native(tmp_path):
    assert sorted(gate_rows(tmp_path, PULUMI_AZURE, "pulumi_azure_native", RULES)) == [
        ("IDF-003", "failed", "wildcard-github", 10),
        ("IDF-004", "failed", "branches-github", 10),
        ("IDF-004", "failed", "wildcard-github", 10),
    ]


@pytest.mark.parametrize("tf_type, props", [
    # azure-native 3.x SDKs do not take the expression yet; the engine passes what a newer API version sends
    ("azure-native:managedidentity:FederatedIdentityCredential",
     {"resourceName": "id-deploy", "issuer": "https://token.actions.githubusercontent.com",
      "audiences": ["api://AzureADTokenExchange"],
      "claimsMatchingExpression": {"value": "claims['sub'] matches 'repo:acme/*'", "languageVersion": 1}}),
    ("azuread:index/applicationFlexibleFederatedIdentityCredential:ApplicationFlexibleFederatedIdentityCredential",
     {"applicationId": "/applications/1", "issuer": "https://token.actions.githubusercontent.com",
      "audience": "api://AzureADTokenExchange", "claimsMatchingExpression": "claims['sub'] matches 'repo:acme/*'"}),
])
def test_pulumi_flexible_credentials(tf_type, props):
    from policypack.adapter import to_resource

    cred = to_resource(tf_type, "flexible", props)
    assert cred.kind == "azure.federated_credential"
    assert cred.props["claims_matching_expression"] == "claims['sub'] matches 'repo:acme/*'"
    findings = evaluate(Inventory([cred]), Config(), rules=[REGISTRY[r] for r in RULES])
    assert [(f.rule_id, f.status.value) for f in findings] == [("IDF-003", "failed"), ("IDF-004", "unknown")]


@pytest.mark.parametrize("subject, expected", [
    ("repo:acme/*", [("IDF-003", "failed"), ("IDF-004", "unknown")]),  # the identity is not in this plan
    ("repo:acme/app:environment:production", []),
])
def test_plan_azure_federated_credential(tmp_path, subject, expected):
    change = _change("azurerm_federated_identity_credential.deploy", "azurerm_federated_identity_credential", {
        "name": "github", "resource_group_name": "rg-ci", "issuer": f"https://{GH}", "subject": subject,
        "audience": ["api://AzureADTokenExchange"],
        "parent_id": "/subscriptions/0/resourceGroups/rg-ci/providers/Microsoft.ManagedIdentity/userAssignedIdentities/x",
    })
    change["provider_name"] = "registry.terraform.io/hashicorp/azurerm"
    findings = evaluate(_plan(tmp_path, [change]), Config(), rules=[REGISTRY[r] for r in RULES])
    assert sorted((f.rule_id, f.status.value, f.resource) for f in findings) == [
        (rule, status, "azurerm_federated_identity_credential.deploy") for rule, status in expected]


def test_a_role_that_writes_artifacts_publishes():
    bucket = make("aws.s3.bucket", "aws_s3_bucket.artifacts", 40, bucket="acme-artifacts",
                  arn="arn:aws:s3:::acme-artifacts")
    resources = role(sub("repo:acme/app:ref:refs/heads/*"), push=False)
    resources[1].props["policy"] = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme-artifacts/*"}]}
    assert judge([bucket, *resources]) == {"IDF-004": "failed"}
    # a bucket the artifact_buckets setting does not select is not an artifact store
    assert judge([bucket, *resources], artifact_bucket_names=("other-*",)) == {}
    resources[1].props["policy"]["Statement"][0]["Action"] = "s3:GetObject"
    assert judge([bucket, *resources]) == {}


IRSA_FROM_A_REMOTE_CLUSTER = '''
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [module.eks.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${replace(module.eks.oidc_provider_arn, "/^(.*provider/)/", "")}:sub"
      values   = ["system:serviceaccount:kube-system:cert-manager"]
    }
    condition {
      test     = "StringEquals"
      variable = "${replace(module.eks.oidc_provider_arn, "/^(.*provider/)/", "")}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cert_manager" {
  name               = "cert-manager"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}
'''


def test_terraform_irsa_trust_of_a_cluster_from_a_remote_module_is_not_a_ci_trust(tmp_path):
    """The provider ARN and the condition keys come from a module not scanned; the values under those
    keys are Kubernetes service accounts, which no CI issuer's token carries."""
    assert tf_rows(tmp_path, IRSA_FROM_A_REMOTE_CLUSTER, RULES) == []
    bare = IRSA_FROM_A_REMOTE_CLUSTER.replace("system:serviceaccount:kube-system:cert-manager", "repo:acme/*")
    assert [r[:3] for r in tf_rows(tmp_path, bare, RULES)] == [("IDF-003", "unknown", "aws_iam_role.cert_manager")]


TF_EMPTY_SUBJECTS = '''
variable "subjects" {
  type    = list(string)
  default = []
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = [for s in var.subjects : "repo:${s}"]
    }
  }
}

resource "aws_iam_role" "empty" {
  name               = "empty"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role" "open" {
  name = "open"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
      Condition = { StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" } }
    }]
  })
}
'''


def test_terraform_empty_subject_list_admits_no_token(tmp_path):
    """terraform-aws-iam's iam-github-oidc-role evaluated with its defaults (`subjects = []`): the sub
    condition is written with no values, which matches no token; only a trust without it is open."""
    assert tf_rows(tmp_path, TF_EMPTY_SUBJECTS, ["IDF-003"]) == [
        ("IDF-003", "failed", "aws_iam_role.open", 32),
    ]


def test_deny_bounds_are_worked_out_once_per_claim_not_once_per_allow(monkeypatch):
    """A hostile trust with many Allow and Deny statements: each Deny is read once per claim key asked,
    whatever the number of Allow statements (the work is their sum, not their product)."""
    import rulebook.oidc_trust as oidc_trust

    calls = []
    real = oidc_trust.deny_bound
    monkeypatch.setattr(oidc_trust, "deny_bound",
                        lambda deny, key: calls.append(key.rsplit(":", 1)[1]) or real(deny, key))
    resources = role(AUD_ONLY)
    statements = resources[0].props["assume_role_policy"]["Statement"]
    statements += [statements[0]] * 39 + [deny({"StringNotLike": {f"{GH}:sub": PROD}})] * 40
    assert judge(resources) == {}
    assert len(calls) == 40 * len(set(calls))
