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
