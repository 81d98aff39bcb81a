"""The action catalogue, ECR action classes and AWS managed policies."""

from __future__ import annotations

import pytest

from rulebook import actions, managed_policies
from rulebook.policy import PolicyDocument
from rulebook.registry_actions import (ActionClass, actions_in, by_class, classify, covers_all_registry_actions,
                                       registry_actions)

A = ActionClass
PUSH = {"ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
        "ecr:BatchCheckLayerAvailability"}


def test_catalogue_has_ecr_and_canonical_case():
    ecr = actions.service_actions("ecr")
    assert {"ecr:DescribeRepositories", "ecr:PutImage", "ecr:GetAuthorizationToken"} <= ecr
    assert actions.canonical("ECR:describerepositories") == "ecr:DescribeRepositories"
    assert actions.access_level("ecr:PutImage") == "Write"
    assert actions.access_level("ecr:SetRepositoryPolicy") == "Permissions management, Write"
    assert actions.service_actions("no-such-service") == frozenset()
    assert "ecr" in actions.services() and "s3" in actions.services()
    assert actions.catalogue_version().startswith("0.1.")


def test_expand_prefix_wildcard():
    got = actions.expand(["ecr:Describe*"])
    assert {"ecr:DescribeRepositories", "ecr:DescribeRegistry", "ecr:DescribeImages"} <= got
    assert all(a.startswith("ecr:Describe") for a in got)
    assert "ecr:ListImages" not in got


def test_expand_infix_wildcard_and_question_mark():
    got = actions.expand("ecr:*Image*")
    assert {"ecr:PutImage", "ecr:BatchGetImage", "ecr:ListImages", "ecr:BatchDeleteImage"} <= got
    assert "ecr:DescribeRepositories" not in got
    assert actions.expand("ecr:?utImage") == {"ecr:PutImage"}


def test_expand_is_case_insensitive_like_iam():
    assert actions.expand("ECR:describe*") == actions.expand("ecr:Describe*")
    assert actions.expand(["ecr:putimage"]) == {"ecr:PutImage"}


def test_expand_star_within_services_and_everywhere():
    registry = actions.expand("*", services=("ecr", "ecr-public"))
    assert registry == actions.service_actions("ecr") | actions.service_actions("ecr-public")
    assert registry_actions() == registry
    everything = actions.expand("*")
    assert registry < everything and "s3:GetObject" in everything


def test_expand_service_wildcard_and_scope():
    got = actions.expand("ecr*:DescribeRepositories")
    assert got == {"ecr:DescribeRepositories", "ecr-public:DescribeRepositories"}
    assert actions.expand("s3:*", services=("ecr",)) == frozenset()


def test_unknown_literal_actions_are_kept_and_non_strings_skipped():
    from rulebook.unknown import Unknown
    assert actions.expand(["ecr:NotYetInTheCatalogue", Unknown("x")]) == {"ecr:NotYetInTheCatalogue"}


def test_expand_not_is_everything_else_in_the_service():
    rest = actions.expand_not(["ecr:Describe*", "ecr:List*"], services=("ecr",))
    assert "ecr:PutImage" in rest and "ecr:DescribeRepositories" not in rest and "ecr:ListImages" not in rest
    assert rest | actions.expand(["ecr:Describe*", "ecr:List*"]) == actions.service_actions("ecr")
    assert actions.expand_not("s3:*", services=("ecr",)) == actions.service_actions("ecr")


def test_glob_matching():
    assert actions.matches("*", "ecr:PutImage")
    assert actions.matches("ecr:put*", "ecr:PutImage")
    assert not actions.matches("ecr:Put", "ecr:PutImage")
    assert actions.glob_match("arn:aws:ecr:*:*:repository/*", "arn:aws:ecr:eu-west-1:1:repository/app")


@pytest.mark.parametrize("action, classes", [
    ("ecr:GetAuthorizationToken", {A.AUTH}),
    ("ecr:BatchGetImage", {A.PULL}),
    ("ecr:GetDownloadUrlForLayer", {A.PULL}),
    ("ecr:BatchCheckLayerAvailability", {A.PULL, A.PUSH}),
    ("ecr:PutImage", {A.PUSH}),
    ("ECR:uploadlayerpart", {A.PUSH}),
    ("ecr:DescribeRepositories", {A.ENUMERATE}),
    ("ecr:DescribeRegistry", {A.ENUMERATE}),
    ("ecr:ListImages", {A.IMAGE_LISTING}),
    ("ecr:DescribeImages", {A.IMAGE_LISTING}),
    ("ecr:CreateRepository", {A.ADMIN}),
    ("ecr:DeleteRepository", {A.ADMIN}),
    ("ecr:SetRepositoryPolicy", {A.ADMIN}),
    ("ecr:PutRegistryPolicy", {A.ADMIN}),
    ("ecr:PutImageTagMutability", {A.ADMIN}),
    ("ecr:BatchDeleteImage", {A.ADMIN}),
    ("ecr:PutReplicationConfiguration", {A.ADMIN}),
    ("ecr:TagResource", {A.ADMIN}),
    ("ecr:GetLifecyclePolicy", set()),
    ("ecr:ListTagsForResource", set()),
    ("ecr-public:PutImage", {A.PUSH}),
    ("ecr-public:DescribeRegistries", {A.ENUMERATE}),
    ("ecr-public:DescribeImageTags", {A.IMAGE_LISTING}),
    ("ecr-public:SetRepositoryPolicy", {A.ADMIN}),
    ("s3:PutObject", set()),
])
def test_classify(action, classes):
    assert classify(action) == frozenset(classes)


def test_classes_partition_as_the_rulebook_says():
    assert actions_in(A.PUSH) & actions.service_actions("ecr") == PUSH
    assert actions_in(A.PULL) == {"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                                  "ecr:BatchCheckLayerAvailability", "ecr:BatchImportUpstreamImage"}
    assert actions_in(A.ENUMERATE) & actions.service_actions("ecr") == {"ecr:DescribeRepositories",
                                                                        "ecr:DescribeRegistry"}
    grouped = by_class(["ecr:PutImage", "ecr:BatchCheckLayerAvailability", "s3:GetObject"])
    assert grouped == {A.PUSH: {"ecr:PutImage", "ecr:BatchCheckLayerAvailability"}}
    # the shared layer check joins whichever class it accompanies, but makes none on its own
    assert by_class(["ecr:BatchCheckLayerAvailability"]) == {}
    assert by_class(["ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability"]) == {
        A.PULL: {"ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability"}}


def test_covers_all_registry_actions():
    assert covers_all_registry_actions(["*"])
    assert covers_all_registry_actions(["ecr:*"])
    assert covers_all_registry_actions(["ECR-PUBLIC:*"])
    assert not covers_all_registry_actions(["ecr:Describe*", "ecr:Put*"])


# --- AWS managed policies --------------------------------------------------------------------


def test_managed_policy_by_arn_in_every_partition():
    for partition in ("aws", "aws-cn", "aws-us-gov"):
        doc = managed_policies.managed_policy(f"arn:{partition}:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly")
        assert isinstance(doc, PolicyDocument)
        assert doc.origin == "AWS managed policy AmazonEC2ContainerRegistryReadOnly (v3)"
    assert managed_policies.arn_for("PowerUserAccess") == "arn:aws:iam::aws:policy/PowerUserAccess"


def test_managed_policy_arn_parsing_with_paths():
    parsed = managed_policies.parse_arn("arn:aws:iam::aws:policy/service-role/AWSCodeBuildAdminAccess")
    assert parsed == managed_policies.ManagedPolicyArn("aws", "/service-role/", "AWSCodeBuildAdminAccess")
    assert managed_policies.is_aws_managed_arn("arn:aws:iam::aws:policy/service-role/AWSCodeBuildAdminAccess")
    # a known name under another path is another policy: not assumed to be the same
    assert managed_policies.managed_policy("arn:aws:iam::aws:policy/service-role/AdministratorAccess") is None
    assert not managed_policies.is_aws_managed_arn("arn:aws:iam::123456789012:policy/ci-push")
    assert managed_policies.managed_policy("arn:aws:iam::aws:policy/SomethingNew") is None


@pytest.mark.parametrize("name, present, absent", [
    ("AmazonEC2ContainerRegistryReadOnly", {A.AUTH, A.PULL, A.ENUMERATE, A.IMAGE_LISTING}, {A.PUSH, A.ADMIN}),
    ("AmazonEC2ContainerRegistryPullOnly", {A.AUTH, A.PULL}, {A.ENUMERATE, A.PUSH, A.ADMIN, A.IMAGE_LISTING}),
    ("AmazonEC2ContainerRegistryPowerUser", {A.PULL, A.PUSH, A.ENUMERATE}, {A.ADMIN}),
    ("AmazonEC2ContainerRegistryFullAccess", {A.PULL, A.PUSH, A.ENUMERATE, A.ADMIN}, set()),
    ("AdministratorAccess", {A.PULL, A.PUSH, A.ENUMERATE, A.ADMIN}, set()),
    ("PowerUserAccess", {A.PULL, A.PUSH, A.ENUMERATE, A.ADMIN}, set()),
    ("AmazonS3FullAccess", set(), {A.PULL, A.PUSH, A.ENUMERATE, A.ADMIN, A.AUTH}),
    ("AmazonS3ReadOnlyAccess", set(), {A.PULL, A.PUSH, A.ENUMERATE, A.ADMIN, A.AUTH}),
])
def test_managed_policy_registry_classes(name, present, absent):
    doc = managed_policies.managed_policy(managed_policies.arn_for(name))
    granted: set[ActionClass] = set()
    for s in doc.allows():
        found = actions.expand_not(s.not_actions, ("ecr",)) if s.not_actions else actions.expand(s.actions, ("ecr",))
        granted |= set(by_class(found))
    assert present <= granted and not (absent & granted)


def test_known_managed_policies():
    assert set(managed_policies.known_policies()) >= {
        "AmazonEC2ContainerRegistryReadOnly", "AmazonEC2ContainerRegistryPullOnly",
        "AmazonEC2ContainerRegistryPowerUser", "AmazonEC2ContainerRegistryFullAccess", "AdministratorAccess",
        "PowerUserAccess", "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess"}
    s3 = managed_policies.managed_policy(managed_policies.arn_for("AmazonS3ReadOnlyAccess"))
    assert "s3:GetObject" in actions.expand(next(iter(s3.allows())).actions)
    assert "s3:PutObject" not in actions.expand(next(iter(s3.allows())).actions)
