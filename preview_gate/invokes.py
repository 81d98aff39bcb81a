"""Offline answers to the provider functions programs commonly call (data sources)."""

from __future__ import annotations

import json
from typing import Any

from .outputs import DEFAULT_CLOUD, Cloud


def _one_or_many(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def _principals(blocks: list[dict[str, Any]] | None) -> dict[str, Any] | str | None:
    if not blocks:
        return None
    out: dict[str, list[Any]] = {}
    for block in blocks:
        ids = block.get("identifiers") or []
        out.setdefault(block.get("type", "AWS"), []).extend(ids if isinstance(ids, list) else [ids])
    if list(out) == ["*"]:
        return "*"
    return {k: _one_or_many(v) for k, v in out.items()}


def _statement(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if raw.get("sid"):
        out["Sid"] = raw["sid"]
    out["Effect"] = raw.get("effect") or "Allow"
    for key, name in (("actions", "Action"), ("notActions", "NotAction"), ("resources", "Resource"),
                      ("notResources", "NotResource")):
        if raw.get(key):
            out[name] = _one_or_many(list(raw[key]))
    for key, name in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        principals = _principals(raw.get(key))
        if principals is not None:
            out[name] = principals
    conditions: dict[str, dict[str, Any]] = {}
    for cond in raw.get("conditions") or []:
        values = cond.get("values") or []
        conditions.setdefault(cond.get("test", ""), {})[cond.get("variable", "")] = _one_or_many(list(values))
    if conditions:
        out["Condition"] = conditions
    return out


def policy_document(args: dict[str, Any], cloud: Cloud) -> dict[str, Any]:
    """aws.iam.get_policy_document: source documents, own statements, then overrides by Sid."""
    statements: list[dict[str, Any]] = []

    def merge(new: list[dict[str, Any]]) -> None:
        for statement in new:
            sid = statement.get("Sid")
            index = next((i for i, s in enumerate(statements) if sid and s.get("Sid") == sid), None)
            if index is None:
                statements.append(statement)
            else:
                statements[index] = statement

    for text in args.get("sourcePolicyDocuments") or []:
        merge(list(json.loads(text).get("Statement", [])))
    merge([_statement(s) for s in args.get("statements") or []])
    for text in args.get("overridePolicyDocuments") or []:
        merge(list(json.loads(text).get("Statement", [])))
    document: dict[str, Any] = {"Version": args.get("version") or "2012-10-17", "Statement": statements}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
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


def answers(token: str) -> bool:
    return token in FUNCTIONS


def call(token: str, args: dict[str, Any], cloud: Cloud = DEFAULT_CLOUD) -> dict[str, Any]:
    """The function's result, or {} (every field None) for a function the gate does not know."""
    function = FUNCTIONS.get(token)
    return function(args, cloud) if function else {}
