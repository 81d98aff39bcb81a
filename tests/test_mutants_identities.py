"""Identities (rulebook/identities.py): exact results of the decisions that surviving mutants of the full
mutation run changed without any test noticing.

Pinned here: which identities the statements of resource policies reach (a bucket's own `policy`, a
principal named by unique id, twice in one statement, after an unknown one, a user, an undecided
repository), the document each of them gets (its statements, no unknowns, the origin even when the policy
came already parsed without one), and that a policy absent or unreadable does not stop the next.
Equivalent mutants are listed in docs/mutation/access.md.
"""

from __future__ import annotations

from test_mutants_access import ACCOUNT, APP, LATER, NOT_JSON, ROLE_A, ctx_of, repo, repo_policy_of, res

from rulebook.identities import identity_for, unresolved
from rulebook.model import Resource
from rulebook.policy import PolicyDocument, parse_policy
from rulebook.unknown import Unknown

PULL = {"Effect": "Allow", "Action": "ecr:BatchGetImage"}


def reached(ctx, address: str) -> list[tuple]:
    return [(p.via, p.resource.address, p.target.address if isinstance(p.target, Resource) else p.target,
             p.document) for p in identity_for(ctx, address).policies]


def test_resource_policy_statements_reach_roles_and_users_by_arn_unique_id_and_name_once_each():
    role = res("aws.iam.role", "aws_iam_role.a", name="a", arn=ROLE_A)
    later = res("aws.iam.role", "aws_iam_role.later", name="later", arn=LATER, unique_id="AROALATER")
    user = res("aws.iam.user", "aws_iam_user.dev", name="dev", arn=LATER)
    statements = [
        {**PULL, "Principal": {"AWS": [ROLE_A, "AROALATER", ROLE_A]}},
        {**PULL, "Principal": {"AWS": [Unknown("var.who"), f"arn:aws:iam::{ACCOUNT}:user/dev"]}},
        {**PULL, "Principal": {"AWS": "AROALATER"}, "Sid": "again"},
    ]
    policy = repo_policy_of("app", "app", {"Statement": statements})
    ctx = ctx_of(role, later, user, repo(), policy)
    full = parse_policy({"Statement": statements}, "aws_ecr_repository_policy.app").statements
    origin = "aws_ecr_repository_policy.app"
    assert reached(ctx, "aws_iam_role.a") == [
        ("resource_policy", origin, "aws_ecr_repository.app", PolicyDocument((full[0],), (), origin))]
    assert reached(ctx, "aws_iam_role.later") == [
        ("resource_policy", origin, "aws_ecr_repository.app", PolicyDocument((full[0], full[2]), (), origin))]
    assert reached(ctx, "aws_iam_user.dev") == [
        ("resource_policy", origin, "aws_ecr_repository.app", PolicyDocument((full[1],), (), origin))]
    assert [(u.resource.address, u.unknown) for u in unresolved(ctx)] == [
        (origin, Unknown(f"principal of statement #2 in {origin}: var.who"))]


def test_a_buckets_own_policy_an_undecided_repository_and_a_policy_given_parsed_without_origin():
    role = res("aws.iam.role", "aws_iam_role.a", name="a", arn=ROLE_A)
    statement = {**PULL, "Principal": {"AWS": ROLE_A}}
    two = [res("aws.ecr.repository", f"aws_ecr_repository.{n}", name="shared", arn=f"{APP}-{n}") for n in ("x", "y")]
    parsed = parse_policy({"Statement": [statement]}, "")
    resources = [
        role, *two,
        repo_policy_of("none", "shared", None),
        repo_policy_of("bad", "shared", "{"),
        repo_policy_of("shared", "shared", {"Statement": [statement]}),
        res("aws.ecr.registry_policy", "aws_ecr_registry_policy.r", policy=parsed),
        res("aws.s3.bucket", "aws_s3_bucket.plain", bucket="plain"),
        res("aws.s3.bucket", "aws_s3_bucket.own", bucket="own",
            policy={"Statement": [{**statement, "Action": "s3:GetObject"}]}),
    ]
    ctx = ctx_of(*resources)
    assert reached(ctx, "aws_iam_role.a") == [
        ("resource_policy", "aws_ecr_repository_policy.shared", None,
         PolicyDocument(parsed.statements, (), "aws_ecr_repository_policy.shared")),
        ("resource_policy", "aws_ecr_registry_policy.r", None,
         PolicyDocument(parsed.statements, (), "aws_ecr_registry_policy.r")),
        ("resource_policy", "aws_s3_bucket.own", "aws_s3_bucket.own",
         PolicyDocument(parse_policy({"Statement": [{**statement, "Action": "s3:GetObject"}]}, "").statements, (),
                        "aws_s3_bucket.own")),
    ]
    assert [(u.resource.address, u.unknown) for u in unresolved(ctx)] == [
        ("aws_ecr_repository_policy.bad",
         Unknown(f"policy of aws_ecr_repository_policy.bad cannot be read: {NOT_JSON}"))]

