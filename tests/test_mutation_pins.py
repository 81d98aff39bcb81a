"""Decisions that a changed line of code would have flipped without any test noticing (surviving
mutants of the review): each pinned with an exact result."""

from __future__ import annotations

import json

import pytest
from pulumi.runtime.proto import analyzer_pb2

from builders import make
from preview_gate.analyzer import reconcile_config
from rulebook.model import Ref
from rulebook.redact import redact
from rulebook.rules.base import Result
from rulebook.rules.helpers import flag
from rulebook.unknown import Unknown
from test_reg_rules import (ACCOUNT, ACR_ID, ACR_PUSH, APP, OWNER, DENY_LISTING, MANAGED, PULL, PUSH, acr, allow, assignment, identity, policy,
                            repo, repo_policy, role, rows, run)


# --- REG-006 ------------------------------------------------------------------------------------------------

def test_reg006_azure_deploy_identity_whose_principal_type_is_unknown_is_undecided():
    deploy = identity("deploy", stage="deploy", ptype=Unknown("principal_type is known after apply"))
    findings = run([acr(), deploy, assignment("push", 20, ACR_ID, "deploy", role_definition_id=ACR_PUSH)],
                   ["REG-006"])
    assert [(f.status.value, f.resource, f.message) for f in findings] == [
        ("unknown", "azurerm_role_assignment.push",
         "cannot decide whether identity id-deploy is a deploy identity: principal_type is known after apply")]


def test_reg006_azure_deploy_service_principal_passes():
    deploy = identity("deploy", stage="deploy")
    assert run([acr(), deploy, assignment("push", 20, ACR_ID, "deploy", role_definition_id=ACR_PUSH)],
               ["REG-006"]) == []


def test_reg006_azure_undeclared_principal_named_a_deploy_identity_passes_only_by_config():
    push = assignment("push", 20, ACR_ID, "outside", role_definition_id=ACR_PUSH)
    push.props["principal_id"] = "11111111-2222-3333-4444-555555555555"
    push.props["principal_type"] = "ServicePrincipal"
    assert rows(run([acr(), push], ["REG-006"])) == [("REG-006", "unknown", "azurerm_role_assignment.push", 20)]
    assert run([acr(), push], ["REG-006"], deploy_identities=("11111111-*",)) == []


def test_reg006_push_to_an_undeclared_iam_user_fails():
    user = {"Sid": "Dev", "Effect": "Allow", "Action": PUSH, "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/dev"}}
    findings = run([repo(), repo_policy(50, user)], ["REG-006"])
    assert [(f.status.value, f.resource, f.message) for f in findings] == [
        ("failed", "aws_ecr_repository_policy.app",
         f"arn:aws:iam::{ACCOUNT}:user/dev may push images (ecr:CompleteLayerUpload, ecr:InitiateLayerUpload, "
         "ecr:PutImage, ecr:UploadLayerPart) through statement 'Dev' of aws_ecr_repository_policy.app")]


def test_reg006_push_to_an_undeclared_role_is_undecided_not_failed():
    role = {"Sid": "Rel", "Effect": "Allow", "Action": PUSH, "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/rel"}}
    assert rows(run([repo(), repo_policy(50, role)], ["REG-006"])) == [
        ("REG-006", "unknown", "aws_ecr_repository_policy.app", 50)]


def test_reg006_push_by_a_declared_deploy_role_through_a_repository_policy_passes():
    push = {"Sid": "Push", "Effect": "Allow", "Action": PUSH, "Principal": {"AWS": Ref("aws_iam_role.rel", "arn")}}
    assert run([repo(), role("rel", 3, tags={"cicd-stage": "deploy"}), repo_policy(50, push)], ["REG-006"]) == []


# --- the gate: enforcement levels ---------------------------------------------------------------------------

def _info(*levels: int) -> analyzer_pb2.AnalyzerInfo:
    return analyzer_pb2.AnalyzerInfo(name="pack", policies=[
        analyzer_pb2.PolicyInfo(name=f"p{i}", enforcementLevel=level) for i, level in enumerate(levels)])


def test_gate_keeps_a_policy_level_when_its_config_names_none():
    result = reconcile_config(_info(analyzer_pb2.MANDATORY, analyzer_pb2.ADVISORY),
                              {"p0": {}, "p1": {}})
    assert {name: level for name, (level, _) in result.items()} == {"p0": "mandatory", "p1": "advisory"}


def _levels(info: analyzer_pb2.AnalyzerInfo, given: dict) -> dict[str, str]:
    return {n: lv for n, (lv, _) in reconcile_config(info, given).items() if n in ("p0", "p1")}


def test_gate_config_level_overrides_and_all_applies_to_every_policy():
    info = _info(analyzer_pb2.MANDATORY, analyzer_pb2.ADVISORY)
    assert _levels(info, {"p1": "mandatory"}) == {"p0": "mandatory", "p1": "mandatory"}
    assert _levels(info, {"all": "disabled"}) == {"p0": "disabled", "p1": "disabled"}
    assert _levels(info, {"all": "advisory", "p0": "mandatory"}) == {"p0": "mandatory", "p1": "advisory"}


# --- small readers shared by rules ----------------------------------------------------------------------

def test_flag_reads_three_valued_booleans():
    block = make("aws.s3.public_access_block", "b", 1, a=True, b="FALSE", c="True", d=None, e="yes", f=0,
                 g=Unknown("later"))
    assert [flag(block, p) for p in "abcd"] == [True, False, True, None]
    assert flag(block, "e") == Unknown("e has a non-boolean value 'yes'")
    assert flag(block, "f") == Unknown("f has a non-boolean value 0")
    assert flag(block, "g") == Unknown("later")


def test_result_texts():
    resource = make("aws.s3.bucket", "b", 1)
    assert Result.undecided(resource, Unknown("why")) == Result(resource, "cannot decide: why", True)
    assert Result.undecided(resource, "why", "what") == Result(resource, "cannot decide what: why", True)
    assert Result.fail(resource, "bad").unknown is False


def test_redaction_keeps_no_part_of_an_unquoted_value():
    assert redact("password=abca") == "password=<redacted>"   # first and last characters alike: not quotes
    assert redact("token=XX") == "token=<redacted>"
    assert redact("token='quoted'") == "token='<redacted>'"


# --- policies whose holder cannot be resolved (orphans) ---------------------------------------------------

_UNRESOLVED = Unknown("var.role_name")
_S3_ONLY = policy(allow("s3:GetObject"))
_PUSH = policy(allow(PUSH, APP))


def _attachment(**props):
    return make("aws.iam.policy_attachment", "aws_iam_role_policy_attachment.x", 7, roles=[_UNRESOLVED], **props)


def _customer(doc):
    return make("aws.iam.policy", "aws_iam_policy.p", 3, name="p", arn=f"arn:aws:iam::{ACCOUNT}:policy/p", policy=doc)


@pytest.mark.parametrize("resources, expected", [
    ([_attachment(policy_arn=f"{MANAGED}AmazonEC2ContainerRegistryPowerUser")], "unknown"),
    ([_attachment(policy_arn=f"{MANAGED}AmazonS3ReadOnlyAccess")], None),
    ([_attachment(policy_arn=f"{MANAGED}NoSuchPolicyEver")], "unknown"),
    ([_customer(_PUSH), _attachment(policy_arn=Ref("aws_iam_policy.p", "arn"))], "unknown"),
    ([_customer(_S3_ONLY), _attachment(policy_arn=Ref("aws_iam_policy.p", "arn"))], None),
    ([_customer(_S3_ONLY), _attachment(policy_arn=f"arn:aws:iam::{ACCOUNT}:policy/p")], None),
    ([_customer(None), _attachment(policy_arn=Ref("aws_iam_policy.p", "arn"))], "unknown"),
    ([_attachment(policy_arn=Ref("aws_iam_policy.gone", "arn"))], "unknown"),
    ([_attachment(policy_arn=Unknown("later"))], "unknown"),
    ([_attachment(policy_arns=[f"{MANAGED}AmazonS3ReadOnlyAccess", f"{MANAGED}AmazonEC2ContainerRegistryPowerUser"])],
     "unknown"),
    ([_attachment(policy_arns=[f"{MANAGED}AmazonS3ReadOnlyAccess"])], None),
    ([_attachment(policy_arns=Unknown("later"))], "unknown"),
    ([make("aws.iam.inline_policy", "aws_iam_role_policy.x", 7, identity=_UNRESOLVED, policy=_PUSH)], "unknown"),
    ([make("aws.iam.inline_policy", "aws_iam_role_policy.x", 7, identity=_UNRESOLVED, policy=_S3_ONLY)], None),
    ([make("aws.iam.inline_policy", "aws_iam_role_policy.x", 7, identity=_UNRESOLVED)], None),
], ids=["managed-push", "managed-s3", "managed-unknown", "customer-push", "customer-s3", "customer-by-arn-s3",
        "customer-without-document", "customer-not-here", "arn-unknown", "exclusive-push", "exclusive-s3",
        "exclusive-unknown", "inline-push", "inline-s3", "inline-empty"])
def test_reg006_policies_whose_holder_is_unresolved(resources, expected):
    findings = run(resources, ["REG-006"])
    holder = resources[-1].address
    assert [(f.status.value, f.resource) for f in findings] == ([(expected, holder)] if expected else [])


# --- REG-004: a deny that may belong to the identity ---------------------------------------------------------

_PULL_ONLY = allow(["ecr:BatchGetImage"], APP)


def _orphan_inline(doc):
    return make("aws.iam.inline_policy", "aws_iam_role_policy.deny", 9, identity=_UNRESOLVED, policy=doc)


@pytest.mark.parametrize("orphan, expected", [
    (None, "failed"),
    (_orphan_inline(policy(DENY_LISTING)), "unknown"),              # it may be this identity's deny
    (_orphan_inline(Unknown("known after apply")), "unknown"),        # may hold the deny
    (_orphan_inline(policy(allow("s3:GetObject"))), "failed"),       # cannot protect anything: fail regardless
    (_orphan_inline(policy({**DENY_LISTING, "Resource": APP})), "failed"),  # one repository is not every one
], ids=["no-orphan", "orphan-deny", "orphan-unknown", "orphan-unrelated", "orphan-narrow-deny"])
def test_reg004_fails_unless_a_policy_of_unknown_holder_may_supply_the_deny(orphan, expected):
    resources = [role("build", 3, _PULL_ONLY)] + ([orphan] if orphan is not None else [])
    findings = [f for f in run(resources, ["REG-004"]) if f.resource == "aws_iam_role.build"]
    assert [(f.status.value, f.resource) for f in findings] == [(expected, "aws_iam_role.build")]
    if expected == "unknown":
        assert findings[0].message.startswith(
            "cannot decide whether role build denies repository listing: aws_iam_role_policy.deny may deny it, but "
            "whom it applies to cannot be resolved: ")


# --- REG-004: a policy whose holder cannot be resolved ------------------------------------------------------

def _orphan(**props):
    return make("aws.iam.policy_attachment", "aws_iam_role_policy_attachment.x", 7,
                roles=[Unknown("var.role_name")], **props)


def _iam_policy(name, line, *statements):
    return make("aws.iam.policy", f"aws_iam_policy.{name}", line, name=name,
                arn=f"arn:aws:iam::{ACCOUNT}:policy/{name}", **({"policy": json.dumps(policy(*statements))}
                                                                 if statements else {}))


_MAY_DENY = ("cannot decide whether role ci denies repository listing: aws_iam_role_policy_attachment.x may deny "
             "it, but whom it applies to cannot be resolved: aws_iam_role_policy_attachment.x attaches a policy to "
             "an identity that cannot be resolved: var.role_name")
_NO_DENY = ("CI/CD role ci (trusted by CI OIDC issuer token.actions.githubusercontent.com) has registry access but "
            "no policy of aws_iam_role.ci denies ecr:DescribeRepositories on all repositories")


@pytest.mark.parametrize("extra, status", [
    ([_orphan(policy_arn=Unknown("var.arn"))], "unknown"),
    ([_orphan(policy_arn=MANAGED + "AmazonEC2ContainerRegistryReadOnly")], "failed"),  # known: denies nothing
    ([_orphan(policy_arn=MANAGED + "NoSuchPolicy")], "unknown"),  # an AWS managed policy not in the catalogue
    ([_orphan(policy_arn=f"arn:aws:iam::{ACCOUNT}:policy/elsewhere")], "unknown"),  # not declared here
    ([_orphan(policy_arn="")], "unknown"),
    ([_iam_policy("guard", 20, DENY_LISTING), _orphan(policy_arn=Ref("aws_iam_policy.guard", "arn"))], "unknown"),
    ([_iam_policy("plain", 20, allow(PULL, APP)), _orphan(policy_arn=Ref("aws_iam_policy.plain", "arn"))], "failed"),
    ([_iam_policy("empty", 20), _orphan(policy_arn=Ref("aws_iam_policy.empty", "arn"))], "unknown"),  # no document
    ([_orphan(policy_arns=Unknown("var.arns"))], "unknown"),
    ([_iam_policy("plain", 20, allow(PULL, APP)), _orphan(policy_arns=[Ref("aws_iam_policy.plain", "arn")])],
     "failed"),
    ([_iam_policy("guard", 20, DENY_LISTING), _iam_policy("plain", 21, allow(PULL, APP)),
      _orphan(policy_arn=Ref("aws_iam_policy.plain", "arn"), policy_arns=[Ref("aws_iam_policy.guard", "arn")])],
     "unknown"),
    # a reference to a resource that is not an IAM policy (here a repository policy without a deny) is no
    # document the stack declares: whatever it attaches is not known
    ([repo(), repo_policy(50, allow(PULL)), _orphan(policy_arn=Ref("aws_ecr_repository_policy.app", "arn"))],
     "unknown"),
])
def test_reg004_an_attachment_whose_holder_is_not_resolved_leaves_the_missing_deny_undecided(extra, status):
    findings = run([role("ci", 3, allow(PULL, APP))] + extra, ["REG-004"])
    assert [(f.status.value, f.resource, f.message) for f in findings] == [
        (status, "aws_iam_role.ci", _MAY_DENY if status == "unknown" else _NO_DENY)]


# --- Azure assignments to principals not declared here, unknown roles and scopes (REG-001, REG-006) -----------

_GUID = "11111111-2222-3333-4444-555555555555"
_SP = Ref("azuread_service_principal.ops", "object_id")
_ON_ACR = f"on registry {ACR_ID} through azurerm_role_assignment.x"


def _to(principal, scope=ACR_ID, role_id=OWNER):
    grant = assignment("x", 20, scope, role_definition_id=role_id)
    grant.props["principal_id"] = principal
    return grant


@pytest.mark.parametrize("resources, config, expected", [
    ([_to(_GUID)], {}, [
        ("REG-001", "failed", f"principal {_GUID} holds built-in role Owner, every registry action, {_ON_ACR}"),
        ("REG-006", "unknown", f"cannot decide whether principal {_GUID} is a deploy identity: principal of "
                               f"azurerm_role_assignment.x: '{_GUID}' names no identity declared here")]),
    ([_to(_GUID)], {"admin_identities": ("11111111-*",)}, [
        ("REG-006", "unknown", f"cannot decide whether principal {_GUID} is a deploy identity: principal of "
                               f"azurerm_role_assignment.x: '{_GUID}' names no identity declared here")]),
    ([_to(_SP)], {"admin_identities": ("azuread_service_principal.ops",)}, [
        ("REG-006", "unknown", "cannot decide whether principal azuread_service_principal.ops is a deploy identity: "
                               "principal of azurerm_role_assignment.x: azuread_service_principal.ops.object_id "
                               "refers to a resource that is not in this stack/module")]),
    ([_to(_SP)], {"admin_identities": ("azuread_service_principal.ops.object_id",)}, [
        ("REG-001", "failed", "principal azuread_service_principal.ops holds built-in role Owner, every registry "
                              f"action, {_ON_ACR}"),
        ("REG-006", "unknown", "cannot decide whether principal azuread_service_principal.ops is a deploy identity: "
                               "principal of azurerm_role_assignment.x: azuread_service_principal.ops.object_id "
                               "refers to a resource that is not in this stack/module")]),
    ([_to(Unknown("known after apply"))], {}, [
        ("REG-001", "failed", f"a principal not known at plan time holds built-in role Owner, every registry action, "
                              f"{_ON_ACR}"),
        ("REG-006", "unknown", "cannot decide whether a principal not known at plan time is a deploy identity: "
                               "principal of azurerm_role_assignment.x: known after apply")]),
    ([_to("*")], {}, [
        ("REG-001", "failed", f"principal everyone (*) holds built-in role Owner, every registry action, {_ON_ACR}"),
        ("REG-006", "unknown", "cannot decide whether principal everyone (*) is a deploy identity: principal of "
                               "azurerm_role_assignment.x: '*' names no identity declared here")]),
    ([identity(), assignment("x", 20, ACR_ID, role_definition_id=Unknown("var.role"))], {}, [
        ("REG-001", "unknown", "cannot decide whether identity id-build holds every registry action: "
                               "role_definition_id of azurerm_role_assignment.x: var.role"),
        ("REG-006", "unknown", "cannot decide whether identity id-build may push images: "
                               "role_definition_id of azurerm_role_assignment.x: var.role")]),
    ([identity(), assignment("x", 20, Unknown("var.scope"), role_definition_id=OWNER)], {}, [
        ("REG-001", "unknown", "cannot decide whether identity id-build holds every registry action: "
                               "assignment scope: var.scope"),
        ("REG-006", "unknown", "cannot decide whether identity id-build may push images: assignment scope: var.scope")]),
    ([identity(), assignment("x", 20, None, role_definition_id=ACR_PUSH)], {}, [
        ("REG-006", "unknown", "cannot decide whether identity id-build may push images: "
                               "assignment scope None is not a resource id")]),  # AcrPush: no wildcard for REG-001
    ([identity(), assignment("x", 20, "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/"
                                      "storageAccounts/s", role_definition_id=OWNER)], {}, []),  # holds no registry
])
def test_azure_principals_roles_and_scopes_are_named_exactly(resources, config, expected):
    findings = run([acr()] + resources, ["REG-001", "REG-006"], **config)
    assert [(f.rule_id, f.status.value, f.message) for f in findings] == expected
    assert {f.resource for f in findings} <= {"azurerm_role_assignment.x"}


# --- the registry rules' wording helpers --------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("arn:aws:iam::111122223333:role/ci", "role"),
    (" arn:aws:iam::111122223333:user/dev ", "user"),
    ("arn:aws:iam::111122223333:role/team/app", "role"),  # a path: the kind is before the first slash
    ("arn:aws:iam::111122223333:user/odd:name", "user"),  # a colon in the resource part stays in it
    ("arn:aws:iam::111122223333:policy/guard", None),
    ("arn:aws:sts::111122223333:assumed-role/ci/session", None),
    ("nra:aws:iam::111122223333:role/ci", None),
    ("arn:aws:ecr:eu-west-1:111122223333:role/ci", None),  # a role-like path outside IAM
    ("arn:aws:iam::role/ci", None),
    (Unknown("var.arn"), None),
])
def test_iam_type_of_an_arn(value, expected):
    from rulebook.rules.reg._common import _iam_type
    assert _iam_type(value) == expected


@pytest.mark.parametrize("parts, expected", [
    (["a"], "a"), (["a", "a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c", "b"], "a, b and c")])
def test_join_lists_each_origin_once(parts, expected):
    from rulebook.rules.reg._common import _join
    assert _join(parts) == expected


@pytest.mark.parametrize("actions, expected", [
    (["b", "A", "a"], "A, a, b"),
    (["B", "a"], "a, B"),  # not by code point (B before a)
    (["ecr:a", "ecr:_"], "ecr:_, ecr:a"),  # lower case, not upper case (_ sorts between them)  # sorted without regard to case, then by case (not in the set's order)
    ([f"ecr:{n}" for n in "GFEDCBA"], "ecr:A, ecr:B, ecr:C, ecr:D, ecr:E, ecr:F and 1 more"),
    ([f"ecr:{n}" for n in "FEDCBA"], "ecr:A, ecr:B, ecr:C, ecr:D, ecr:E, ecr:F"),
])
def test_list_shows_six_actions_then_a_count(actions, expected):
    from rulebook.rules.reg._common import _list
    assert _list(actions) == expected
