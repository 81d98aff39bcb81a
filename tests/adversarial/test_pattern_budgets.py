"""Patterns written by a pull request (policy wildcards, claims expressions) or a config (deploy subject globs)
cannot make matching hang: `*a*a*a...b` against a long value took minutes on a backtracking engine."""

from __future__ import annotations

from rulebook.conditions import Pattern
from rulebook.conditions.operators import glob
from rulebook.oidc_subjects import covered
from rulebook.oidc_trust import MAX_EXPRESSION, flexible_claims
from rulebook.unknown import Unknown

HOSTILE = "*a" * 40 + "b"


def test_a_policy_wildcard_cannot_backtrack():
    assert glob(HOSTILE, False).fullmatch("a" * 100_000) is None
    assert glob(HOSTILE, True).fullmatch("A" * 50_000 + "B") is not None
    assert glob("repo:acme/*", False).fullmatch("repo:acme/app\nx") is not None  # `*` spans lines, as in IAM


def test_a_configured_deploy_subject_glob_cannot_backtrack():
    subject = Pattern("repo:" + "a" * 100_000, False)
    assert covered(subject, [HOSTILE]) is None
    assert covered(subject, ["repo:*"]) == "repo:*"


def test_a_claims_expression_has_a_length_budget():
    blanks = "claims['sub'] matches 'repo:acme/app'" + " " * 1_000_000 + "an"
    assert flexible_claims(blanks) == Unknown(f"claims matching expression of {len(blanks)} characters is longer "
                                              f"than cicd-guard reads ({MAX_EXPRESSION})")
    assert flexible_claims("claims['sub'] matches 'repo:acme/app' and claims['aud'] eq 'x'") == {
        "sub": [Pattern("repo:acme/app", False)], "aud": [Pattern("x", False)]}
