"""Registry grants of one statement and of repository policies (rulebook/access.py): exact results that
surviving mutants of the full mutation run of 2026-12-04 changed without any test noticing.

Pinned here: every field of the grant an unknown Action gives; the reason of a grant whose condition is
not known; that an action wholly denied does not end the reading of its class; the order of the grants
of one statement (by class, then by the resources left); and the fields of the grants of repository
policies (undecided statements, unknown principals, NotPrincipal, principal types). Equivalent mutants
are listed in docs/mutation/access.md.
"""

from __future__ import annotations

from test_mutants_access import ACCOUNT, APP, LATER, ROLE_A, ctx_of, repo, repo_policy_of, res, stmt

from rulebook.access import _Deny, _grants_for_statement, resource_policy_grants
from rulebook.model import Ref
from rulebook.registry_actions import ActionClass
from rulebook.unknown import Unknown

SOURCE_ACCOUNT = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}


def fields(g) -> tuple:
    return (g.action_class, g.actions, g.resources, g.not_resources, g.statement, g.conditions, g.principal,
            g.unknown)


def test_an_unknown_action_is_a_grant_of_no_actions_with_the_statement_its_resources_and_conditions():
    s = stmt(Effect="Allow", Action=[Unknown("var.action")], Resource=APP, Condition=SOURCE_ACCOUNT)
    (grant,) = _grants_for_statement(s, [], (APP,), ("x",), principal="*")
    assert fields(grant) == (None, frozenset(), (APP,), ("x",), s, s.conditions, "*",
                             Unknown("actions of statement #1: var.action"))
    assert [c.key for c in grant.conditions] == ["aws:SourceAccount"]


def test_a_condition_not_known_makes_every_grant_of_the_statement_undecided_and_says_it_is_the_condition():
    s = stmt(Effect="Allow", Action="ecr:PutImage", Resource="*",
             Condition={"StringEquals": {"aws:SourceAccount": LATER}})
    assert [(g.action_class, sorted(g.actions), g.resources, g.unknown)
            for g in _grants_for_statement(s, [], ("*",), (), principal="*")] == [
        (ActionClass.PUSH, ["ecr:PutImage"], ("*",), Unknown("condition of statement #1: known after apply"))]


def test_an_action_wholly_denied_does_not_end_the_reading_of_its_class():
    """Every ECR action is allowed and every one but one per class is denied: each class keeps its one."""
    kept = ["ecr:DeleteRepository", "ecr:BatchGetImage", "ecr:PutImage", "ecr:ListImages",
            "ecr:DescribeRepositories", "ecr:GetAuthorizationToken"]
    deny = stmt(Effect="Deny", NotAction=kept, Resource="*")
    s = stmt(Effect="Allow", Action="ecr:*", Resource="*")
    got = [(g.action_class, sorted(g.actions)) for g in
           _grants_for_statement(s, [_Deny(deny, ("*",), ())], ("*",), (), principal="*")]
    assert got == [(ActionClass.ADMIN, ["ecr:DeleteRepository"]), (ActionClass.AUTH, ["ecr:GetAuthorizationToken"]),
                   (ActionClass.ENUMERATE, ["ecr:DescribeRepositories"]),
                   (ActionClass.IMAGE_LISTING, ["ecr:ListImages"]), (ActionClass.PULL, ["ecr:BatchGetImage"]),
                   (ActionClass.PUSH, ["ecr:PutImage"])]


def test_the_grants_of_one_statement_come_by_class_then_by_the_text_of_the_resources_left():
    """Four push actions keep four different sets of resources after the denies; the order compares the
    text of each set (`('r1', 'r2')` before `('r1',)`), not the tuples."""
    def deny(action, *resources):
        return _Deny(stmt(Effect="Deny", Action=action, Resource=list(resources)), resources, ())

    s = stmt(Effect="Allow", Action=["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
                                     "ecr:CompleteLayerUpload", "ecr:BatchGetImage"], Resource=["r1", "r2", "r3"])
    denies = [deny("ecr:PutImage", "r2", "r3"), deny("ecr:UploadLayerPart", "r1"),
              deny("ecr:CompleteLayerUpload", "r3")]
    assert [(g.action_class, sorted(g.actions), g.resources)
            for g in _grants_for_statement(s, denies, ("r1", "r2", "r3"), (), principal="*")] == [
        (ActionClass.PULL, ["ecr:BatchGetImage"], ("r1", "r2", "r3")),
        (ActionClass.PUSH, ["ecr:CompleteLayerUpload"], ("r1", "r2")),
        (ActionClass.PUSH, ["ecr:InitiateLayerUpload"], ("r1", "r2", "r3")),
        (ActionClass.PUSH, ["ecr:PutImage"], ("r1",)),
        (ActionClass.PUSH, ["ecr:UploadLayerPart"], ("r2", "r3"))]


def test_a_repository_policy_deny_with_not_resource_spares_the_repository_it_names():
    """Deny push to role a everywhere but app: the push on app that the Allow grants stays."""
    policy = repo_policy_of("app", Ref("aws_ecr_repository.app", "name"), {"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ROLE_A}, "Action": "ecr:PutImage"},
        {"Effect": "Deny", "Principal": {"AWS": ROLE_A}, "Action": "ecr:PutImage", "NotResource": APP}]})
    assert [(g.principal, g.action_class, sorted(g.actions), g.resources, g.unknown)
            for g in resource_policy_grants(ctx_of(repo(), policy))] == [
        (ROLE_A, ActionClass.PUSH, ["ecr:PutImage"], (APP,), None)]
