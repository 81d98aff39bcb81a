"""Azure Resource Manager shapes -> rulebook kinds, for every engine that speaks them.

azure-native (Pulumi) inputs and azapi (Terraform) bodies both carry a resource's ARM properties in
camelCase; azure-native flattens `properties` into the inputs and renames a few fields (ipRules[].value
is iPAddressOrRange, a storage account's networkAcls is networkRuleSet). The readers below accept both
spellings, so the two engines read the same property the same way. `parentId` is the azapi parent (a
role assignment's scope, a container's account), read after the azure-native path parameters.
"""

from __future__ import annotations

from typing import Any, Callable

from .reader import Props, Reader, as_list, each, enabled
from .unknown import Unknown, concat_known

Builder = Callable[[Reader], tuple[str, Props]]


def _network(r: Reader, *rules_keys: str) -> Props:
    """Network rules of a registry or storage account (networkRuleSet; networkAcls in a storage body)."""
    key = next((k for k in rules_keys if r.get(k) is not None), None)
    if key is None:
        return {}
    return dict(network_default_action=r.at(key, "defaultAction"),
                ip_rules=each(r.at(key, "ipRules"), "iPAddressOrRange", "value"),
                subnet_ids=each(r.at(key, "virtualNetworkRules"), "virtualNetworkResourceId", "id"))


def registry(r: Reader) -> tuple[str, Props]:
    return "azure.acr.registry", dict(
        name=r.get("registryName", "name"), id=r.get("id"), admin_enabled=r.get("adminUserEnabled"),
        anonymous_pull_enabled=r.get("anonymousPullEnabled"),
        public_network_access_enabled=enabled(r.get("publicNetworkAccess")), **_network(r, "networkRuleSet"))


def token(r: Reader) -> tuple[str, Props]:
    """A registry token; passwords it declares are long-lived credentials (IDF-001)."""
    return "azure.acr.token", dict(name=r.get("tokenName", "name"), passwords=as_list(r.at("credentials", "passwords")))


def role_assignment(r: Reader) -> tuple[str, Props]:
    return "azure.role_assignment", dict(scope=r.get("scope", "parentId"), role_definition_id=r.get("roleDefinitionId"),
                                         principal_id=r.get("principalId"), principal_type=r.get("principalType"))


def permissions(r: Reader) -> Props:
    perms = r.get("permissions")
    return dict(actions=concat_known(each(perms, "actions")), not_actions=concat_known(each(perms, "notActions")),
                data_actions=concat_known(each(perms, "dataActions")),
                not_data_actions=concat_known(each(perms, "notDataActions")))


def role_definition(r: Reader) -> tuple[str, Props]:
    return "azure.role_definition", dict(
        name=r.get("roleName"), id=r.get("id"), role_definition_id=r.get("roleDefinitionId", "name"),
        scope=r.get("scope", "parentId"), assignable_scopes=as_list(r.get("assignableScopes")), **permissions(r))


def identity(r: Reader) -> tuple[str, Props]:
    return "azure.identity", dict(name=r.get("resourceName", "name"), id=r.get("id"),
                                  principal_id=r.get("principalId"), client_id=r.get("clientId"),
                                  principal_type="ServicePrincipal")


def federated_credential(r: Reader) -> tuple[str, Props]:
    return "azure.federated_credential", dict(
        identity=r.get("resourceName", "parentId"), issuer=r.get("issuer"), subject=r.get("subject") or None,
        audiences=as_list(r.get("audiences")), claims_matching_expression=r.at("claimsMatchingExpression", "value"))


def true_unless_set(value: Any) -> Any:
    """Flags Azure or the provider turn on when unset: allowNestedItemsToBePublic (classic, the azurerm
    schema), sharedAccessKeyEnabled (classic) and allowSharedKeyAccess (ARM: Azure allows shared keys
    unless the property is false)."""
    return True if value is None else value


def storage_account(r: Reader) -> tuple[str, Props]:
    return "azure.storage.account", dict(
        name=r.get("accountName", "name"), id=r.get("id"),
        public_network_access_enabled=enabled(r.get("publicNetworkAccess")),
        allow_blob_public_access=r.get("allowBlobPublicAccess"),
        shared_key_access_enabled=true_unless_set(r.get("allowSharedKeyAccess")),
        **_network(r, "networkRuleSet", "networkAcls"))


def lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def blob_container(r: Reader) -> tuple[str, Props]:
    return "azure.storage.container", dict(account=r.get("accountName", "parentId"),
                                           public_access=lower(r.get("publicAccess")))


def _prefixes(*values: Any) -> Any:
    """A single and a plural form (sourceAddressPrefix / sourceAddressPrefixes) as one list."""
    joined = concat_known([as_list(v) for v in values if v is not None and v != ""])
    return [] if joined is None else joined if isinstance(joined, Unknown) else [v for v in joined if v != ""]


def _security_rule(rule: Any) -> Any:
    """One NSG rule, inline or its own resource; the same camelCase names in ARM and classic Pulumi."""
    if isinstance(rule, Unknown) or not isinstance(rule, dict):
        return rule if isinstance(rule, Unknown) else Unknown("security rule is not an object")
    props = rule.get("properties") if isinstance(rule.get("properties"), dict) else rule
    return {"name": rule.get("name"), "priority": props.get("priority"), "direction": props.get("direction"),
            "access": props.get("access"), "protocol": props.get("protocol"),
            "sources": _prefixes(props.get("sourceAddressPrefix"), props.get("sourceAddressPrefixes")),
            "ports": _prefixes(props.get("destinationPortRange"), props.get("destinationPortRanges"))}


def security_group(r: Reader) -> tuple[str, Props]:
    rules = as_list(r.get("securityRules"))
    return "azure.network.security_group", dict(
        name=r.get("networkSecurityGroupName", "name"), id=r.get("id"),
        rules=rules if isinstance(rules, Unknown) else [_security_rule(x) for x in rules or ()])


def security_rule(r: Reader) -> tuple[str, Props]:
    return "azure.network.security_rule", dict(
        security_group=r.get("networkSecurityGroupName", "networkSecurityGroupId", "parentId"),
        **{**_security_rule(r.props), "name": r.get("securityRuleName", "name")})


def resource_group(r: Reader) -> tuple[str, Props]:
    return "azure.resource_group", dict(name=r.get("resourceGroupName", "name"), id=r.get("id"))


# azure-native's URL path parameters: names of the resource and its parents, never in an ARM body
# (azapi gives them as `name` and `parent_id`), so a body that cannot be read says nothing about them.
PATH_KEYS = frozenset({"accountName", "registryName", "tokenName", "scope", "resourceName", "resourceGroupName",
                       "networkSecurityGroupName", "networkSecurityGroupId", "securityRuleName"})

# ARM resource types (lower case, no @api-version) -> reader.
TYPES: dict[str, Builder] = {
    "microsoft.containerregistry/registries": registry,
    "microsoft.containerregistry/registries/tokens": token,
    "microsoft.authorization/roleassignments": role_assignment,
    "microsoft.authorization/roledefinitions": role_definition,
    "microsoft.managedidentity/userassignedidentities": identity,
    "microsoft.managedidentity/userassignedidentities/federatedidentitycredentials": federated_credential,
    "microsoft.storage/storageaccounts": storage_account,
    "microsoft.storage/storageaccounts/blobservices/containers": blob_container,
    "microsoft.resources/resourcegroups": resource_group,
    "microsoft.network/networksecuritygroups": security_group,
    "microsoft.network/networksecuritygroups/securityrules": security_rule,
}


def resource_type(versioned: Any) -> str | None:
    """`Microsoft.Storage/storageAccounts@2023-05-01` -> `microsoft.storage/storageaccounts`."""
    return versioned.split("@", 1)[0].strip().lower() if isinstance(versioned, str) else None
