"""Terraform types of workloads -> rulebook kinds: instances and launch templates (bootstrap scripts,
IMDS), build and deploy environments (CodeBuild, ECS, Lambda, App Service, Container Apps) and
GitHub Actions secrets. Registered into adapter.MANAGED; same input shapes as adapter.py."""

from __future__ import annotations

from typing import Any, Callable

from rulebook.unknown import Unknown
from rulebook.workloads import container_entries, entry, mapping_entries, script

Builder = Callable[[Any], tuple[str, dict]]


def _first_block(value: Any) -> Any:
    """The first nested block (a dict), Unknown, or None."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, (dict, Unknown)) else None


def _in(value: Any, key: str) -> Any:
    block = _first_block(value)
    return block.get(key) if isinstance(block, dict) else block


def _metadata(ctx: Any) -> dict:
    options = ctx.get("metadata_options")
    return {"metadata_http_tokens": _in(options, "http_tokens"),
            "metadata_http_endpoint": _in(options, "http_endpoint")}


def _instance(kind: str, encoded_attr: str | None) -> Builder:
    def build(ctx: Any) -> tuple[str, dict]:
        plain, encoded = ctx.get("user_data"), ctx.get("user_data_base64")
        if encoded_attr == "user_data":  # launch templates take user_data base64-encoded
            plain, encoded = None, plain
        user_data = script(encoded, encoded=True) if encoded is not None else script(plain)
        return kind, {"user_data": user_data, **_metadata(ctx)}
    return build


def _azure_vm(ctx: Any) -> tuple[str, dict]:
    custom = ctx.get("custom_data")
    if custom is None:
        custom = _in(ctx.get("os_profile"), "custom_data")
        value = script(custom)
    else:
        value = script(custom, encoded=True)
    if value is None:
        value = script(ctx.get("user_data"), encoded=True)
    return "azure.vm", {"user_data": value}


def _codebuild(ctx: Any) -> tuple[str, dict]:
    env = _first_block(ctx.get("environment"))
    if not isinstance(env, dict):
        return "aws.codebuild.project", {"environment": env if isinstance(env, Unknown) else []}
    variables = env.get("environment_variable")
    if isinstance(variables, Unknown):
        return "aws.codebuild.project", {"environment": variables}
    entries = []
    for i, var in enumerate(variables if isinstance(variables, list) else []):
        if isinstance(var, Unknown):
            return "aws.codebuild.project", {"environment": var}
        if isinstance(var, dict):
            kind = var.get("type") or "PLAINTEXT"
            store = isinstance(kind, str) and kind.upper() in ("PARAMETER_STORE", "SECRETS_MANAGER")
            entries.append(entry(var.get("name"), var.get("value"), f"environment[0].environment_variable[{i}].value",
                                 from_store=store))
    return "aws.codebuild.project", {"environment": entries}


def _ecs(ctx: Any) -> tuple[str, dict]:
    return "aws.ecs.task_definition", {"environment": container_entries(ctx.get("container_definitions"),
                                                                        "container_definitions")}


def _lambda(ctx: Any) -> tuple[str, dict]:
    variables = _in(ctx.get("environment"), "variables")
    return "aws.lambda.function", {"environment": mapping_entries(variables, "environment[0].variables")}


def _app_service(ctx: Any) -> tuple[str, dict]:
    entries = mapping_entries(ctx.get("app_settings"), "app_settings")
    if isinstance(entries, Unknown):
        return "azure.app_service", {"environment": entries}
    strings = ctx.get("connection_string")
    for i, conn in enumerate(strings if isinstance(strings, list) else []):
        if isinstance(conn, dict):
            entries.append(entry(f"{conn.get('name')}_CONNECTION_STRING", conn.get("value"),
                                 f"connection_string[{i}].value"))
    return "azure.app_service", {"environment": entries}


def _container_app(ctx: Any) -> tuple[str, dict]:
    template = _first_block(ctx.get("template"))
    if isinstance(template, Unknown):
        return "azure.container_app", {"environment": template}
    entries = []
    containers = template.get("container") if isinstance(template, dict) else None
    for c, container in enumerate(containers if isinstance(containers, list) else []):
        if not isinstance(container, dict):
            continue
        envs = container.get("env")
        if isinstance(envs, Unknown):
            return "azure.container_app", {"environment": envs}
        for i, env in enumerate(envs if isinstance(envs, list) else []):
            if isinstance(env, dict):
                entries.append(entry(f"{container.get('name')}/{env.get('name')}",
                                     env.get("secret_name") if env.get("secret_name") else env.get("value"),
                                     f"template[0].container[{c}].env[{i}].value",
                                     from_store=bool(env.get("secret_name"))))
    return "azure.container_app", {"environment": entries}


def _github_secret(ctx: Any) -> tuple[str, dict]:
    return "github.actions_secret", {"name": ctx.get("secret_name"), "plaintext_value": ctx.get("plaintext_value")}


_APP_SERVICES = ("azurerm_linux_web_app", "azurerm_windows_web_app", "azurerm_app_service", "azurerm_function_app",
                 "azurerm_linux_function_app", "azurerm_windows_function_app", "azurerm_linux_web_app_slot",
                 "azurerm_windows_web_app_slot")
_AZURE_VMS = ("azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine", "azurerm_virtual_machine",
              "azurerm_linux_virtual_machine_scale_set", "azurerm_windows_virtual_machine_scale_set",
              "azurerm_orchestrated_virtual_machine_scale_set")
_GITHUB_SECRETS = ("github_actions_secret", "github_actions_environment_secret", "github_actions_organization_secret",
                   "github_dependabot_secret", "github_dependabot_organization_secret", "github_codespaces_secret")

MANAGED: dict[str, Builder] = {
    "aws_instance": _instance("aws.ec2.instance", None),
    "aws_launch_template": _instance("aws.ec2.launch_template", "user_data"),
    "aws_launch_configuration": _instance("aws.ec2.launch_template", None),
    "aws_codebuild_project": _codebuild,
    "aws_ecs_task_definition": _ecs,
    "aws_lambda_function": _lambda,
    "azurerm_container_app": _container_app,
    **{t: _app_service for t in _APP_SERVICES},
    **{t: _azure_vm for t in _AZURE_VMS},
    **{t: _github_secret for t in _GITHUB_SECRETS},
}
