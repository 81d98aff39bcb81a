"""The subject grammar of each CI issuer: which repository and which protected context a subject pins."""

from __future__ import annotations

import pytest

from rulebook.conditions import Pattern
from rulebook.oidc_subjects import covered, host_path, pairs, read
from rulebook.unknown import Unknown

GH = "token.actions.githubusercontent.com"


def glob(text: str) -> Pattern:
    return Pattern(text, any(c in text for c in "*?"))


@pytest.mark.parametrize("issuer, subject, repository, context", [
    # GitHub, default subjects
    (GH, "repo:acme/app:environment:production", "acme/app", "environment production"),
    (GH, "repo:acme/app:ref:refs/heads/main", "acme/app", "branch main"),
    (GH, "repo:acme/app:ref:refs/tags/v1.2.3", "acme/app", "tags v1.2.3"),
    (GH, "repo:acme/app:ref:refs/tags/v*", "acme/app", "tags v*"),
    (GH, "repo:acme/app:pull_request", "acme/app", None),
    (GH, "repo:acme/app:ref:refs/heads/*", "acme/app", None),
    (GH, "repo:acme/app:ref:refs/pull/1/merge", "acme/app", None),
    (GH, "repo:acme/app:*", "acme/app", None),
    (GH, "repo:acme/app:environment:*", "acme/app", None),
    (GH, "repo:acme/app:environment:prod*", "acme/app", None),
    (GH, "repo:acme/app", "acme/app", None),
    (GH, "repo:acme/*", None, None),
    (GH, "repo:acme/app*:environment:production", None, None),  # the wildcard spans repositories
    (GH, "repo:acme/ap?:ref:refs/heads/main", None, None),
    (GH, "repo:*", None, None),
    (GH, "repo:*:environment:production", None, None),
    (GH, "*:environment:production", None, None),
    (GH, "repo:acme/app:*:environment:production", "acme/app", "environment production"),  # read from the end
    (GH, "repo:acme/app:*:environment:*:ref:refs/heads/main", "acme/app", "branch main"),
    (GH, "repo:acme/app:*:environment:production:*", "acme/app", None),  # between wildcards: not read
    # a free-text claim first: a workflow named "x:repo:acme/app" forges the rest
    (GH, "workflow:deploy:repo:acme/app:ref:refs/heads/main", None, None),
    (GH, "repo:acme/app:workflow:deploy:environment:production", "acme/app", None),
    (GH + "/acme-enterprise", "repo:acme/app:environment:production", "acme/app", "environment production"),
    # GitHub, customised subjects (immutable IDs, reusable workflows)
    (GH, "repository_owner_id:72338139:repository_id:590297138:environment:production",
     "repository id 590297138", "environment production"),
    (GH, "repository_owner_id:72338139:*", None, None),
    (GH, "repository_owner:acme:environment:production", None, "environment production"),
    (GH, "repository_owner:acme:*:environment:production", None, None),
    (GH, "repo:acme/app:job_workflow_ref:acme/workflows/.github/workflows/deploy.yml@refs/heads/main", "acme/app",
     "reusable workflow acme/workflows/.github/workflows/deploy.yml@refs/heads/main"),
    (GH, "repo:acme/app:job_workflow_ref:acme/workflows/.github/workflows/deploy.yml@*", "acme/app", None),
    (GH, "repo:acme/app:*:job_workflow_ref:acme/w/.github/workflows/d.yml@refs/heads/main", "acme/app",
     "reusable workflow acme/w/.github/workflows/d.yml@refs/heads/main"),
    # GitLab
    ("https://gitlab.com", "project_path:acme/platform/app:ref_type:branch:ref:main", "acme/platform/app",
     "branch main"),
    ("gitlab.com", "project_path:acme/app:ref_type:tag:ref:v*", "acme/app", "tags v*"),
    ("gitlab.com", "project_path:acme/app:ref_type:branch:ref:*", "acme/app", None),
    ("gitlab.com", "project_path:acme/app:*", "acme/app", None),
    ("gitlab.com", "project_path:acme/*", None, None),
    # Terraform Cloud
    ("app.terraform.io", "organization:acme:project:ci:workspace:app-prod:run_phase:apply", "acme/app-prod",
     "run phase apply"),
    ("app.terraform.io", "organization:acme:project:*:workspace:app-prod:run_phase:apply", "acme/app-prod",
     "run phase apply"),
    ("app.terraform.io", "organization:acme:project:ci:workspace:app-prod:run_phase:*", "acme/app-prod", None),
    ("app.terraform.io", "organization:acme:project:ci:workspace:*", None, None),
    # CircleCI (v1 and v2 subjects)
    ("oidc.circleci.com/org/0c9a", "org/0c9a/project/77f1/user/5e2b", "0c9a/77f1", None),
    ("oidc.circleci.com/org/0c9a", "org/0c9a/project/77f1/user/*", "0c9a/77f1", None),
    ("oidc.circleci.com/org/0c9a", "org/0c9a/project/*", None, None),
    ("oidc.circleci.com/org/0c9a",
     "org/0c9a/project/77f1/user/5e2b/vcs-origin/github.com/acme/app/vcs-ref/refs/heads/main", "0c9a/77f1",
     "branch main"),
    # Bitbucket
    ("api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc", "{8d9f}{4b1c}:*", "{8d9f}",
     "deployment environment {4b1c}"),
    ("api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc", "{8d9f}:*", "{8d9f}", None),
    ("api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc", "{8d9f}*", "{8d9f}", None),
    ("api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc", "{8d*", None, None),
    # Azure DevOps
    ("vstoken.dev.azure.com/6f0e", "sc://acme/platform/deploy-prod", "acme/platform/deploy-prod",
     "service connection acme/platform/deploy-prod"),
    ("vstoken.dev.azure.com/6f0e", "sc://acme/platform/*", None, None),
    # an issuer from the configuration: read by the subject's shape
    ("gitlab.acme.internal", "project_path:acme/app:ref_type:branch:ref:main", "acme/app", "branch main"),
    ("ghes.acme.internal/_services/token", "repo:acme/app:pull_request", "acme/app", None),
])
def test_reading(issuer, subject, repository, context):
    reading = read(glob(subject), issuer)
    assert (reading.repository, reading.context) == (repository, context)


def test_literal_stars_under_string_equals_are_not_wildcards():
    reading = read(Pattern("repo:acme/*:pull_request", False), GH)
    assert reading.repository == "acme/*"


def test_scope_and_admits_say_what_is_admitted():
    assert read(glob("repo:acme/*"), GH).scope == "any repository of acme matching acme/*"
    assert read(glob("repo:*"), GH).scope == "any repository"
    assert read(glob("repo:acme/app:pull_request"), GH).admits == "pull requests"
    assert read(glob("repo:acme/app:ref:refs/heads/*"), GH).admits == "any branch matching refs/heads/*"
    assert read(glob("repo:acme/app:*"), GH).admits == "any branch, tag, environment or pull request"
    assert read(glob("repo:acme/app:environment:production"), GH).describe() == \
        "repository acme/app, environment production"


def test_an_issuer_of_unknown_grammar_is_unknown():
    reading = read(glob("deploy-*"), "ci.acme.internal")
    assert isinstance(reading, Unknown)
    assert "ci.acme.internal" in reading.reason


def test_pairs_stop_at_a_wildcard():
    fields = pairs(glob("repo:acme/app:ref:refs/heads/ma*"), ("repo", "ref"))
    assert [(f.key, f.value, f.exact) for f in fields.values()] == [
        ("repo", "acme/app", True), ("ref", "refs/heads/ma", False)]


@pytest.mark.parametrize("subject, globs, expected", [
    ("repo:acme/app:environment:production", ("repo:acme/*:environment:production",), True),
    ("repo:acme/app:pull_request", ("repo:acme/*:environment:production",), False),
    ("repo:acme/app:environment:prod*", ("repo:acme/app:environment:*",), True),
    ("repo:acme/app:environment:prod*", ("repo:acme/app:environment:prod?",), False),  # ? covers one character
    ("repo:acme/app:*", ("repo:acme/app:environment:*",), False),
])
def test_configured_deploy_subjects(subject, globs, expected):
    assert (covered(glob(subject), globs) is not None) is expected


@pytest.mark.parametrize("text, expected", [
    ("arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com", GH),
    ("https://token.actions.githubusercontent.com/acme/", GH + "/acme"),
    ("gitlab.com", "gitlab.com"),
])
def test_host_path(text, expected):
    assert host_path(text) == expected


@pytest.mark.parametrize("text", [
    "https://token.actions.githubusercontent.com/acme-corp",
    "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com/acme-corp",
    "token.actions.githubusercontent.com/acme-corp:sub",
])
def test_the_enterprise_issuer_form_is_the_github_issuer(text):
    from rulebook.ci_principals import CI_OIDC_ISSUERS
    from rulebook.identities import issuer_of

    assert issuer_of(text, CI_OIDC_ISSUERS) == GH
    assert read(glob("repo:acme/app:pull_request"), text.removesuffix(":sub")).ci == "GitHub Actions"
