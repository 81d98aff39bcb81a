"""Exact results for the identity-federation rules (IDF-002..IDF-005) and their helpers where the rule tests
left a decision unobserved: which unknown an undecided subject keeps, how `writes` reads each kind of grant
and store access, the audiences of a federated credential in every shape, and the undecided paths of each
rule (an unknown issuer, effect, principal or claim) with their exact reasons. Each case here changes its
result when the decision it pins is changed."""

from __future__ import annotations

import pytest

from builders import make
from rulebook.access import AzureGrant, Grant
from rulebook.azure_roles import AzureRole, Capability
from rulebook.conditions import ClaimValues, Pattern
from rulebook.config import Config
from rulebook.engine import evaluate
from rulebook.identities import Identity
from rulebook.model import Inventory, Ref
from rulebook.registry_actions import ActionClass
from rulebook.rules import REGISTRY
from rulebook.rules.base import Context
from rulebook.rules.idf import _subjects, _writers
from rulebook.rules.idf.idf_002_audience_pinned import AZURE_AUDIENCE, audience_verdict, credential_audiences
from rulebook.store_access import StoreAccess, StoreEntry
from rulebook.unknown import Unknown

GH = "token.actions.githubusercontent.com"
GH_ARN = f"arn:aws:iam::111122223333:oidc-provider/{GH}"
PUSH = ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]
REPO_ARN = "arn:aws:ecr:eu-west-1:111122223333:repository/acme/app"


def findings(resources, rules, **config) -> list[tuple[str, str, str, str]]:
    found = evaluate(Inventory(list(resources)), Config(**config), rules=[REGISTRY[r] for r in rules])
    return [(f.rule_id, f.status.value, f.resource, f.message) for f in found]


# --- judge: the subjects a trust admits -------------------------------------------------------------------

ISSUER = "ci.example.com"  # no subject grammar is known for it: every subject reads as Unknown
KNOWN = lambda reading, _: reading.repository is not None  # noqa: E731


def test_an_undecided_entry_keeps_the_reason_of_its_first_unreadable_subject():
    values = ClaimValues("sub", False, ((Pattern("first", False), Pattern("second", False)),))
    verdict = _subjects.judge(values, ISSUER, KNOWN)
    assert verdict == _subjects.Verdict(Unknown(f"the subject format of issuer {ISSUER} is not one cicd-guard "
                                                f"knows ('first')"))


def test_no_bounding_entry_never_passes():
    assert _subjects.judge(ClaimValues("sub", False, ()), GH, KNOWN) == _subjects.Verdict(False)


def test_a_failing_entry_beside_an_unknown_one_is_undecided():
    values = ClaimValues("sub", False, ((Pattern("repo:acme/*", True),),), unknown=Unknown("entry not known"))
    assert _subjects.judge(values, GH, KNOWN) == _subjects.Verdict(Unknown("entry not known"))
    empty = ClaimValues("sub", False, (), unknown=Unknown("entry not known"))
    assert _subjects.judge(empty, GH, KNOWN) == _subjects.Verdict(Unknown("entry not known"))


def test_shown_spells_literal_wildcards_back():
    assert _subjects.shown(Pattern("repo:acme/\x01:\x02", False)) == "repo:acme/*:?"


# --- writes: who may publish ------------------------------------------------------------------------------

DEPLOY = Identity(make("aws.iam.role", "aws_iam_role.deploy", name="deploy"), "role", "deploy")
OTHER = Identity(make("aws.iam.role", "aws_iam_role.other", name="other"), "role", "other")
ACR_PUSH_ROLE = AzureRole("AcrPush", "8311e382-0749-4cb8-b61a-304f252e45ec", frozenset({Capability.PUSH}))
U1, U2, U3 = Unknown("first unknown"), Unknown("second unknown"), Unknown("identity unknown")


def writes(monkeypatch, ident=DEPLOY, grants=(), azure=(), stores=()) -> _writers.Writes:
    monkeypatch.setattr(_writers, "grants_of", lambda ctx, i: list(grants) if i is ident else [])
    monkeypatch.setattr(_writers, "azure_grants", lambda ctx: list(azure))
    monkeypatch.setattr(_writers, "_stores", lambda ctx: list(stores))
    return _writers.writes(Context(Inventory([]), Config()), ident)


def ecr(action_class, unknown=None, actions=()) -> Grant:
    return Grant(action_class, frozenset(actions), ("*",), identity=DEPLOY, unknown=unknown)


def acr(ident, role=ACR_PUSH_ROLE, unknown=None, address="azurerm_role_assignment.push") -> AzureGrant:
    return AzureGrant(make("azure.role_assignment", address), role,
                      role.capabilities if role is not None else frozenset(), None, ident, "ServicePrincipal",
                      unknown=unknown)


def bucket(*accesses) -> StoreEntry:
    return StoreEntry("S3 bucket acme-artifacts", "aws_s3_bucket.artifacts", list(accesses))


def access(capability, holder=DEPLOY, certain=True, reason="", through="policy p") -> StoreAccess:
    return StoreAccess(capability, holder.name, holder.address, through, certain=certain, reason=reason)


def test_writes_ecr_push_and_undecidable_grants(monkeypatch):
    assert writes(monkeypatch, grants=[ecr(ActionClass.PUSH, actions=["ecr:PutImage", "ecr:BatchGetImage"])]) == \
        _writers.Writes(True, ("push images (ecr:BatchGetImage, ecr:PutImage) through policy",))
    # a grant whose actions are decided (pull) says nothing about publishing, whatever else it leaves open
    assert writes(monkeypatch, grants=[ecr(ActionClass.PULL, unknown=U1)]) == _writers.Writes(False)
    # the first undecidable grant names the reason; a decided one after it does not clear it
    assert writes(monkeypatch, grants=[ecr(None, U1), ecr(None), ecr(None, U2)]) == _writers.Writes(U1)


def test_writes_azure_roles(monkeypatch):
    assert writes(monkeypatch, azure=[acr(OTHER, address="azurerm_role_assignment.other"), acr(DEPLOY)]) == \
        _writers.Writes(True, ("push images through built-in role AcrPush (azurerm_role_assignment.push)",))
    undecided = acr(DEPLOY, role=None, unknown=Unknown("role not known"))
    assert writes(monkeypatch, azure=[undecided]) == \
        _writers.Writes(Unknown("azurerm_role_assignment.push: role not known"))
    # an undecidable ECR grant came first: its reason is kept
    assert writes(monkeypatch, grants=[ecr(None, U1)], azure=[undecided]) == _writers.Writes(U1)


def test_writes_artifact_stores(monkeypatch):
    store = bucket(access("write", OTHER), access("read"), access("write"))
    assert writes(monkeypatch, stores=[store]) == \
        _writers.Writes(True, ("write S3 bucket acme-artifacts through policy p",))
    assert writes(monkeypatch, stores=[bucket(access("administer"))]) == \
        _writers.Writes(True, ("administer S3 bucket acme-artifacts through policy p",))
    for capability in ("write", "administer", "unknown"):
        uncertain = access(capability, certain=False, reason=f"{capability} is conditional")
        assert writes(monkeypatch, stores=[bucket(uncertain)]) == \
            _writers.Writes(Unknown(f"S3 bucket acme-artifacts: {capability} is conditional")), capability
    # without a reason, what the access comes through is named
    assert writes(monkeypatch, stores=[bucket(access("write", certain=False))]) == \
        _writers.Writes(Unknown("S3 bucket acme-artifacts: policy p"))
    assert writes(monkeypatch, grants=[ecr(None, U1)], stores=[bucket(access("unknown", certain=False))]) == \
        _writers.Writes(U1)
    assert writes(monkeypatch, stores=[bucket(access("read", certain=False))]) == _writers.Writes(False)


def test_writes_falls_back_to_what_the_identity_leaves_unknown(monkeypatch):
    ident = Identity(make("aws.iam.role", "aws_iam_role.deploy", name="deploy"), "role", "deploy",
                     unknowns=[U3, U2])
    assert writes(monkeypatch, ident) == _writers.Writes(U3)
    assert writes(monkeypatch, ident, grants=[ecr(None, U1)]) == _writers.Writes(U1)
    assert writes(monkeypatch) == _writers.Writes(False)


# --- IDF-002: audiences -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    (AZURE_AUDIENCE, (True, "")),  # one audience written as a plain string
    ([AZURE_AUDIENCE], (True, "")),
    (None, (False, "no audience")),
    ([], (False, "no audience")),
    ("api://other", (False, "'api://other'")),
    ([AZURE_AUDIENCE, "api://other"], (False, "'api://AzureADTokenExchange', 'api://other'")),
    (Unknown("audiences known after apply"), (Unknown("audiences known after apply"), "")),
    ([AZURE_AUDIENCE, Unknown("var.audience")], (Unknown("var.audience"), "")),
])
def test_credential_audiences(value, expected):
    assert credential_audiences(value) == expected


def test_audience_verdict():
    exact, wild = Pattern("sts.amazonaws.com", False), Pattern("sts.*", True)
    assert audience_verdict(ClaimValues("aud", Unknown("aud not known")), ()) == (Unknown("aud not known"), "")
    assert audience_verdict(ClaimValues("aud", False, ((exact,),)), ()) == (True, "")
    assert audience_verdict(ClaimValues("aud", False, ((wild,),)), ()) == \
        (False, "admits 'sts.*', a pattern instead of an exact audience")
    assert audience_verdict(ClaimValues("aud", False, ((exact,),)), ("api://a", "api://b")) == \
        (False, "admits 'sts.amazonaws.com', not only the configured audiences (api://a, api://b)")
    both = ClaimValues("aud", False, ((exact, wild),))
    assert audience_verdict(both, ()) == (False, "admits 'sts.amazonaws.com', 'sts.*', a pattern instead of an exact "
                                                 "audience")


def test_idf_002_undecided_audiences():
    role = make("aws.iam.role", "aws_iam_role.deploy", 3, name="deploy", assume_role_policy={
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": GH_ARN},
            "Condition": {"StringEquals": {f"{GH}:aud": Unknown("var.audience has no value"),
                                           f"{GH}:sub": "repo:acme/app:environment:production"}}}]})
    ident = make("azure.identity", "azurerm_user_assigned_identity.deploy", 1, name="id-deploy",
                 id="/subscriptions/0/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/d")
    cred = make("azure.federated_credential", "azurerm_federated_identity_credential.deploy", 10,
                identity=Ref("azurerm_user_assigned_identity.deploy", "id"), issuer=f"https://{GH}",
                subject="repo:acme/app:environment:production", audiences=Unknown("var.audiences has no value"))
    assert findings([role, ident, cred], ["IDF-002"]) == [
        ("IDF-002", "unknown", "aws_iam_role.deploy",
         "cannot decide whether statement #1 of the trust policy of aws_iam_role.deploy pins "
         "token.actions.githubusercontent.com:aud: StringEquals on token.actions.githubusercontent.com:aud: "
         "var.audience has no value"),
        ("IDF-002", "unknown", "azurerm_federated_identity_credential.deploy",
         "cannot decide whether federated credential azurerm_federated_identity_credential.deploy accepts exactly "
         "api://AzureADTokenExchange: var.audiences has no value"),
    ]


# --- IDF-005: roles assumable by anyone ------------------------------------------------------------------


def trusting(statements, address="aws_iam_role.open"):
    return make("aws.iam.role", address, 5, name=address.split(".")[1],
                assume_role_policy={"Version": "2012-10-17", "Statement": statements})


def test_idf_005_network_keys_do_not_bound_who_assumes():
    role = trusting([{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*",
                      "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}])
    assert findings([role], ["IDF-005"]) == [
        ("IDF-005", "failed", "aws_iam_role.open",
         "statement #1 of the trust policy lets any principal (Principal *) assume the role without a condition on "
         "aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount or "
         "sts:ExternalId")]


def test_idf_005_statements_not_known():
    role = trusting(Unknown("statements known after apply"))
    assert findings([role], ["IDF-005"]) == [
        ("IDF-005", "unknown", "aws_iam_role.open",
         "cannot decide whether the trust policy lets any principal assume the role: statements known after apply")]


def test_idf_005_undecided_and_not_principal_messages():
    roles = [
        trusting([{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": Unknown("var.principal")}}],
                 "aws_iam_role.principal"),
        trusting([{"Effect": Unknown("var.effect"), "Action": "sts:AssumeRole", "Principal": "*"}],
                 "aws_iam_role.effect"),
        trusting([{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*",
                   "Condition": {"StringEquals": {"aws:PrincipalOrgID": Unknown("var.org")}}}], "aws_iam_role.org"),
        trusting([{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}}], "aws_iam_role.not"),
    ]
    assert findings(roles, ["IDF-005"]) == [
        ("IDF-005", "unknown", "aws_iam_role.effect",
         "cannot decide whether statement #1 of the trust policy allows or denies: var.effect"),
        ("IDF-005", "failed", "aws_iam_role.not",
         "statement #1 of the trust policy lets every principal but those it names (NotPrincipal) assume the role "
         "without a condition on aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount or "
         "sts:ExternalId"),
        ("IDF-005", "unknown", "aws_iam_role.org",
         "cannot decide whether statement #1 of the trust policy bounds who may assume the role: aws:PrincipalOrgID "
         "value: var.org"),
        ("IDF-005", "unknown", "aws_iam_role.principal",
         "cannot decide whether statement #1 of the trust policy names every principal: var.principal"),
    ]


def test_idf_002_without_an_audience_condition():
    role = make("aws.iam.role", "aws_iam_role.deploy", 3, name="deploy", assume_role_policy={
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": GH_ARN},
            "Condition": {"StringEquals": {f"{GH}:sub": "repo:acme/app:environment:production"}}}]})
    assert findings([role], ["IDF-002"]) == [
        ("IDF-002", "failed", "aws_iam_role.deploy",
         "statement #1 of the trust policy of aws_iam_role.deploy does not pin the audience of "
         "token.actions.githubusercontent.com tokens (token.actions.githubusercontent.com:aud): no condition on "
         "token.actions.githubusercontent.com:aud")]


# --- IDF-004: a configuration without OIDC settings -------------------------------------------------------


def test_idf_004_reads_a_configuration_without_deploy_subject_patterns():
    from types import SimpleNamespace

    from rulebook.oidc_trust import ci_trusts
    from rulebook.rules.idf.idf_004_protected_context import protected_context

    statement = {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": GH_ARN},
                 "Condition": {"StringEquals": {f"{GH}:aud": "sts.amazonaws.com"},
                               "StringLike": {f"{GH}:sub": "repo:acme/app:pull_request"}}}
    resources = [make("aws.iam.role", "aws_iam_role.deploy", 3, name="deploy",
                      assume_role_policy={"Version": "2012-10-17", "Statement": [statement]}),
                 make("aws.iam.inline_policy", "aws_iam_role_policy.deploy", 20, identity="deploy",
                      identity_type="role", policy={"Version": "2012-10-17", "Statement": [
                          {"Effect": "Allow", "Action": ["ecr:PutImage"], "Resource": REPO_ARN}]})]
    ctx = Context(Inventory(resources), SimpleNamespace())  # tools may build a Context with their own settings
    results = [protected_context(trust, ctx) for trust in ci_trusts(ctx)]
    assert [(r.resource.address, r.message, r.unknown) for r in results if r is not None] == [
        ("aws_iam_role.deploy",
         "role deploy may push images (ecr:PutImage) through statement #1 of aws_iam_role_policy.deploy, and "
         "statement #1 of the trust policy of aws_iam_role.deploy lets pull requests of repository acme/app "
         "(subject 'repo:acme/app:pull_request') assume it; pin the subject to a protected environment or ref",
         False)]
