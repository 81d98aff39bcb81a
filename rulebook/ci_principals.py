"""Who can be CI/CD: the OIDC issuers CI runs under, the AWS services CI runs as, and who never is.

One table each, with the reason for every entry; identities.py classifies with them, and the rule
docs quote `describe()` so that what counts is written in one place.
"""

from __future__ import annotations

from typing import Any

# CI OIDC issuers (RULEBOOK.md "CI/CD identity"); config.oidc_issuers adds self-managed GitLab etc.
CI_OIDC_ISSUERS: tuple[str, ...] = (
    "token.actions.githubusercontent.com",
    "gitlab.com",
    "app.terraform.io",
    "oidc.circleci.com/org/",
    "api.bitbucket.org/",
    "vstoken.dev.azure.com/",
)

# AWS service principals: (is a CI/CD identity when it may assume the role, why)
SERVICE_PRINCIPALS: dict[str, tuple[bool, str]] = {
    "codebuild.amazonaws.com": (True, "CodeBuild runs build and test jobs"),
    "codepipeline.amazonaws.com": (True, "CodePipeline runs release pipelines"),
    "ec2.amazonaws.com": (True, "EC2 instances run self-hosted CI runners and build agents"),
    "ecs-tasks.amazonaws.com": (True, "ECS tasks run containerised CI runners and jobs"),
    "lambda.amazonaws.com": (True, "Lambda functions run pipeline steps and deployment hooks"),
    "ecr.amazonaws.com": (False, "ECR itself (repository creation templates, replication), not a pipeline"),
    "pullthroughcache.ecr.amazonaws.com": (False, "ECR's pull-through cache, not a pipeline"),
    "replication.ecr.amazonaws.com": (False, "ECR replication, not a pipeline"),
    "s3.amazonaws.com": (False, "S3 replication and notifications, not a pipeline"),
    "events.amazonaws.com": (False, "EventBridge delivers events; it runs no build"),
    "monitoring.rds.amazonaws.com": (False, "RDS enhanced monitoring"),
    "vpc-flow-logs.amazonaws.com": (False, "VPC flow logs delivery"),
}
NOT_CI_SERVICE = "an AWS service outside CI"
# The registry's own services: a role only they assume is part of the registry (creation templates,
# pull-through cache, replication), not an identity people or pipelines hold.
REGISTRY_SERVICES = frozenset({"ecr.amazonaws.com", "pullthroughcache.ecr.amazonaws.com",
                               "replication.ecr.amazonaws.com"})


def service_is_ci(service: str) -> tuple[bool, str]:
    """(CI/CD?, why) for a Service principal; a service not listed is not one CI runs as."""
    hit = SERVICE_PRINCIPALS.get(service.strip().lower())
    return hit if hit is not None else (False, NOT_CI_SERVICE)


def is_saml_provider(value: Any) -> bool:
    """A SAML provider ARN (`arn:aws:iam::123456789012:saml-provider/Okta`): human single sign-on."""
    if not isinstance(value, str):
        return False
    parts = value.strip().split(":", 5)
    return len(parts) == 6 and parts[2] == "iam" and parts[5].startswith("saml-provider/")


def describe() -> str:
    """What counts as a CI/CD identity, for rule docs (Markdown)."""
    ci = [f"`{s}` ({why})" for s, (is_ci, why) in SERVICE_PRINCIPALS.items() if is_ci]
    other = [f"`{s}`" for s, (is_ci, _) in SERVICE_PRINCIPALS.items() if not is_ci]
    return (f"A CI/CD identity is one a CI OIDC issuer may assume ({', '.join(f'`{i}`' for i in CI_OIDC_ISSUERS)} "
            f"and the configured `oidc.issuers`), one tagged `cicd-stage`, or one these AWS services may assume: "
            f"{', '.join(ci)}. Roles only other services assume ({', '.join(other)}, any service not listed) and "
            f"roles trusted by a SAML provider (human single sign-on) are not.")


__all__ = ["CI_OIDC_ISSUERS", "REGISTRY_SERVICES", "SERVICE_PRINCIPALS", "describe", "is_saml_provider", "service_is_ci"]
