"""Offline answers to the provider functions programs commonly call (data sources)."""

from __future__ import annotations

import json
from typing import Any

from rulebook.policy_document import render

from .outputs import DEFAULT_CLOUD, Cloud


# Pulumi's names for the data source's arguments, where they differ from Terraform's
_TERRAFORM_NAMES = {"statements": "statement", "conditions": "condition", "notActions": "not_actions",
                    "notResources": "not_resources", "notPrincipals": "not_principals", "policyId": "policy_id",
                    "sourcePolicyDocuments": "source_policy_documents",
                    "overridePolicyDocuments": "override_policy_documents"}


def _terraform_shaped(value: Any) -> Any:
    if isinstance(value, dict):
        return {_TERRAFORM_NAMES.get(k, k): _terraform_shaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_terraform_shaped(v) for v in value]
    return value


def policy_document(args: dict[str, Any], cloud: Cloud) -> dict[str, Any]:
    """aws.iam.get_policy_document, rendered as the provider renders the data source."""
    document = render(_terraform_shaped(args))
    text = json.dumps(document, indent=2)
    return {"json": text, "minifiedJson": json.dumps(document, separators=(",", ":")), "id": str(hash(text))}


def role_definition(args: dict[str, Any], cloud: Cloud) -> dict[str, Any]:
    """Built-in role look-ups (azure-native getRoleDefinition by GUID; classic by GUID or name)."""
    from rulebook.azure_roles import builtin_by_guid, builtin_by_name
    guid = args.get("roleDefinitionId") or ""
    role = builtin_by_guid(guid) if guid else builtin_by_name(args.get("name") or "")
    guid = guid or (role.guid if role else "")
    scope = args.get("scope") or f"/subscriptions/{cloud.subscription}"
    rid = f"{scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}" if guid else ""
    name = role.name if role else args.get("name", "")
    return {"id": rid, "name": guid, "roleName": name, "roleDefinitionId": guid, "type": "BuiltInRole",
            "roleType": "BuiltInRole", "scope": scope, "assignableScopes": ["/"], "permissions": [],
            "displayName": name}


FUNCTIONS = {
    "aws:iam/getPolicyDocument:getPolicyDocument": policy_document,
    "aws:index/getCallerIdentity:getCallerIdentity": lambda _, cloud: {
        "accountId": cloud.account, "arn": f"arn:aws:iam::{cloud.account}:user/gate", "userId": "AIDAGATE",
        "id": cloud.account},
    "aws:index/getRegion:getRegion": lambda _, cloud: {"name": cloud.region, "region": cloud.region,
                                                        "id": cloud.region,
                                                        "endpoint": f"ec2.{cloud.region}.amazonaws.com"},
    "aws:index/getPartition:getPartition": lambda _, cloud: {"partition": "aws", "dnsSuffix": "amazonaws.com",
                                                              "id": "aws"},
    "aws:index/getAvailabilityZones:getAvailabilityZones": lambda _, cloud: {
        "names": [f"{cloud.region}{z}" for z in "abc"], "zoneIds": [f"use1-az{n}" for n in (1, 2, 4)],
        "groupNames": [cloud.region] * 3, "id": cloud.region, "state": "available"},
    "azure-native:authorization:getRoleDefinition": role_definition,
    "azure:authorization/getRoleDefinition:getRoleDefinition": role_definition,
    "azure-native:authorization:getClientConfig": lambda _, cloud: {
        "clientId": "22222222-2222-2222-2222-222222222222", "objectId": "33333333-3333-3333-3333-333333333333",
        "subscriptionId": cloud.subscription, "tenantId": cloud.tenant},
}


def computable(field: str, cloud: Cloud) -> Any:
    """A field of any function's result the gate knows from the stack's provider config."""
    return {"accountId": cloud.account, "region": cloud.region, "partition": "aws",
            "subscriptionId": cloud.subscription, "tenantId": cloud.tenant}.get(field)


def answers(token: str) -> bool:
    return token in FUNCTIONS


def call(token: str, args: dict[str, Any], cloud: Cloud = DEFAULT_CLOUD) -> dict[str, Any]:
    """The function's result, or {} (every field None) for a function the gate does not know."""
    function = FUNCTIONS.get(token)
    return function(args, cloud) if function else {}
