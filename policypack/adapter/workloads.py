"""Pulumi types of workloads -> rulebook kinds: instances and launch templates (bootstrap scripts,
IMDS), build and deploy environments (CodeBuild, ECS, Lambda, App Service, Container Apps) and
GitHub Actions secrets. Values marked secret by the engine (values.SecretText) are flagged so."""

from __future__ import annotations

from typing import Any, Callable

from rulebook.unknown import Unknown
from rulebook.workloads import container_entries, entry, mapping_entries, script

from rulebook.reader import Props, Reader
from .values import SecretText, has_secret

Builder = Callable[[Reader], tuple[str, Props]]


def _metadata(r: Reader) -> Props:
    return dict(metadata_http_tokens=r.at("metadataOptions", "httpTokens"),
                metadata_http_endpoint=r.at("metadataOptions", "httpEndpoint"))


def _instance(kind: str, encoded: bool) -> Builder:
    def build(r: Reader) -> tuple[str, Props]:
        b64 = r.get("userDataBase64")
        user_data = script(b64, encoded=True) if b64 is not None else script(r.get("userData"), encoded=encoded)
        return kind, dict(user_data=user_data, **_metadata(r))
    return build


def _secret_keys(variables: Any) -> frozenset[str]:
    return frozenset(k for k, v in variables.items() if has_secret(v)) if isinstance(variables, dict) else frozenset()


def _codebuild(r: Reader) -> tuple[str, Props]:
    variables = r.at("environment", "environmentVariables")
    if isinstance(variables, Unknown):
        return "aws.codebuild.project", dict(environment=variables)
    entries = []
    for i, var in enumerate(variables if isinstance(variables, list) else []):
        if isinstance(var, dict):
            kind = var.get("type") or "PLAINTEXT"
            store = isinstance(kind, str) and kind.upper() in ("PARAMETER_STORE", "SECRETS_MANAGER")
            entries.append(entry(var.get("name"), var.get("value"), f"environment.environmentVariables[{i}].value",
                                 from_store=store, secret=has_secret(var.get("value"))))
    return "aws.codebuild.project", dict(environment=entries)


def _ecs(r: Reader) -> tuple[str, Props]:
    definitions = r.get("containerDefinitions")
    return "aws.ecs.task_definition", dict(environment=container_entries(definitions, "containerDefinitions",
                                                                         secret=has_secret(definitions)))


def _lambda(r: Reader) -> tuple[str, Props]:
    variables = r.at("environment", "variables")
    return "aws.lambda.function", dict(environment=mapping_entries(variables, "environment.variables",
                                                                   _secret_keys(variables)))


def _github_secret(r: Reader) -> tuple[str, Props]:
    value = r.get("plaintextValue")
    return "github.actions_secret", dict(name=r.get("secretName"), plaintext_value=value,
                                         secret=True if has_secret(value) else None)


def _web_app(r: Reader) -> tuple[str, Props]:
    settings = r.at("siteConfig", "appSettings")
    if isinstance(settings, Unknown):
        return "azure.app_service", dict(environment=settings)
    entries = [entry(s.get("name"), s.get("value"), f"siteConfig.appSettings[{i}].value", secret=has_secret(s.get("value")))
               for i, s in enumerate(settings if isinstance(settings, list) else []) if isinstance(s, dict)]
    return "azure.app_service", dict(environment=entries)


def _container_app(r: Reader) -> tuple[str, Props]:
    containers = r.at("template", "containers")
    if isinstance(containers, Unknown):
        return "azure.container_app", dict(environment=containers)
    entries = []
    for c, container in enumerate(containers if isinstance(containers, list) else []):
        if not isinstance(container, dict):
            continue
        for i, env in enumerate(container.get("env") if isinstance(container.get("env"), list) else []):
            if isinstance(env, dict):
                ref = env.get("secretRef")
                entries.append(entry(f"{container.get('name')}/{env.get('name')}", ref or env.get("value"),
                                     f"template.containers[{c}].env[{i}].value", from_store=bool(ref),
                                     secret=has_secret(env.get("value"))))
    return "azure.container_app", dict(environment=entries)


def _virtual_machine(r: Reader) -> tuple[str, Props]:
    custom = r.at("osProfile", "customData")
    value = script(custom, encoded=True) if custom is not None else script(r.get("userData"), encoded=True)
    return "azure.vm", dict(user_data=value)


BUILDERS: dict[str, Builder] = {
    "aws:ec2/instance:Instance": _instance("aws.ec2.instance", False),
    "aws:ec2/launchTemplate:LaunchTemplate": _instance("aws.ec2.launch_template", True),
    "aws:ec2/launchConfiguration:LaunchConfiguration": _instance("aws.ec2.launch_template", False),
    "aws:codebuild/project:Project": _codebuild,
    "aws:ecs/taskDefinition:TaskDefinition": _ecs,
    "aws:lambda/function:Function": _lambda,
    "github:index/actionsSecret:ActionsSecret": _github_secret,
    "github:index/actionsEnvironmentSecret:ActionsEnvironmentSecret": _github_secret,
    "github:index/actionsOrganizationSecret:ActionsOrganizationSecret": _github_secret,
    "github:index/dependabotSecret:DependabotSecret": _github_secret,
    "azure-native:web:WebApp": _web_app,
    "azure-native:web:WebAppSlot": _web_app,
    "azure-native:app:ContainerApp": _container_app,
    "azure-native:compute:VirtualMachine": _virtual_machine,
}

__all__ = ["BUILDERS", "SecretText"]
