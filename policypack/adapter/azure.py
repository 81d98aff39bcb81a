"""pulumi-azure-native 3.x (any API version), classic pulumi-azure and pulumi-azuread -> rulebook kinds."""

from __future__ import annotations

import re
from typing import Any, Callable

from rulebook.unknown import Unknown, concat_known

from .reader import Props, Reader, as_list, each, enabled

Builder = Callable[[Reader], tuple[str, Props]]

_VERSIONED = re.compile(r"^azure-native:([A-Za-z0-9]+)/v[0-9]{8}(?:preview)?:(\w+)$")


def normalise_token(token: str) -> str:
    """azure-native:storage/v20240101:StorageAccount -> azure-native:storage:StorageAccount."""
    match = _VERSIONED.match(token)
    return f"azure-native:{match.group(1)}:{match.group(2)}" if match else token


# --- azure-native ------------------------------------------------------------------------------------

def _network(r: Reader, rules_key: str) -> Props:
    rules = r.get(rules_key)
    if rules is None:
        return {}
    return dict(network_default_action=r.at(rules_key, "defaultAction"),
                ip_rules=each(r.at(rules_key, "ipRules"), "iPAddressOrRange"),
                subnet_ids=each(r.at(rules_key, "virtualNetworkRules"), "virtualNetworkResourceId"))


def _native_registry(r: Reader) -> tuple[str, Props]:
    return "azure.acr.registry", dict(
        name=r.get("registryName", "name"), id=r.get("id"), admin_enabled=r.get("adminUserEnabled"),
        anonymous_pull_enabled=r.get("anonymousPullEnabled"),
        public_network_access_enabled=enabled(r.get("publicNetworkAccess")), **_network(r, "networkRuleSet"))


def _native_role_assignment(r: Reader) -> tuple[str, Props]:
    return "azure.role_assignment", dict(scope=r.get("scope"), role_definition_id=r.get("roleDefinitionId"),
                                         principal_id=r.get("principalId"), principal_type=r.get("principalType"))


def _permissions(r: Reader) -> Props:
    perms = r.get("permissions")
    return dict(actions=concat_known(each(perms, "actions")), not_actions=concat_known(each(perms, "notActions")),
                data_actions=concat_known(each(perms, "dataActions")),
                not_data_actions=concat_known(each(perms, "notDataActions")))


def _native_role_definition(r: Reader) -> tuple[str, Props]:
    return "azure.role_definition", dict(
        name=r.get("roleName"), id=r.get("id"), role_definition_id=r.get("roleDefinitionId", "name"),
        scope=r.get("scope"), assignable_scopes=as_list(r.get("assignableScopes")), **_permissions(r))


def _native_identity(r: Reader) -> tuple[str, Props]:
    return "azure.identity", dict(name=r.get("resourceName", "name"), id=r.get("id"),
                                  principal_id=r.get("principalId"), client_id=r.get("clientId"),
                                  principal_type="ServicePrincipal")


def _native_federated_credential(r: Reader) -> tuple[str, Props]:
    return "azure.federated_credential", dict(
        identity=r.get("resourceName"), issuer=r.get("issuer"), subject=r.get("subject") or None,
        audiences=as_list(r.get("audiences")), claims_matching_expression=r.at("claimsMatchingExpression", "value"))


def _true_unless_set(value: Any) -> Any:
    """Flags Azure or the provider turn on when unset: allowNestedItemsToBePublic (classic, the azurerm
    schema), sharedAccessKeyEnabled (classic) and allowSharedKeyAccess (azure-native: Azure allows
    shared keys unless the property is false)."""
    return True if value is None else value


def _native_storage_account(r: Reader) -> tuple[str, Props]:
    return "azure.storage.account", dict(
        name=r.get("accountName", "name"), id=r.get("id"),
        public_network_access_enabled=enabled(r.get("publicNetworkAccess")),
        allow_blob_public_access=r.get("allowBlobPublicAccess"),
        shared_key_access_enabled=_true_unless_set(r.get("allowSharedKeyAccess")), **_network(r, "networkRuleSet"))


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _native_blob_container(r: Reader) -> tuple[str, Props]:
    return "azure.storage.container", dict(account=r.get("accountName"), public_access=_lower(r.get("publicAccess")))


def _prefixes(*values: Any) -> Any:
    """A single and a plural form (sourceAddressPrefix / sourceAddressPrefixes) as one list."""
    joined = concat_known([as_list(v) for v in values if v is not None and v != ""])
    return [] if joined is None else joined if isinstance(joined, Unknown) else [v for v in joined if v != ""]


def _security_rule(rule: Any) -> Any:
    """One NSG rule, inline or its own resource; the same camelCase names in azure-native and classic."""
    if isinstance(rule, Unknown) or not isinstance(rule, dict):
        return rule if isinstance(rule, Unknown) else Unknown("security rule is not an object")
    props = rule.get("properties") if isinstance(rule.get("properties"), dict) else rule
    return {"name": rule.get("name"), "priority": props.get("priority"), "direction": props.get("direction"),
            "access": props.get("access"), "protocol": props.get("protocol"),
            "sources": _prefixes(props.get("sourceAddressPrefix"), props.get("sourceAddressPrefixes")),
            "ports": _prefixes(props.get("destinationPortRange"), props.get("destinationPortRanges"))}


def _security_group(r: Reader) -> tuple[str, Props]:
    rules = as_list(r.get("securityRules"))
    return "azure.network.security_group", dict(
        name=r.get("networkSecurityGroupName", "name"), id=r.get("id"),
        rules=rules if isinstance(rules, Unknown) else [_security_rule(x) for x in rules or ()])


def _security_rule_resource(r: Reader) -> tuple[str, Props]:
    return "azure.network.security_rule", dict(
        security_group=r.get("networkSecurityGroupName", "networkSecurityGroupId"),
        **{**_security_rule(r.props), "name": r.get("securityRuleName", "name")})


def _native_resource_group(r: Reader) -> tuple[str, Props]:
    return "azure.resource_group", dict(name=r.get("resourceGroupName", "name"), id=r.get("id"))


# --- classic pulumi-azure (the azurerm schema in camelCase) -----------------------------------------

def _classic_registry(r: Reader) -> tuple[str, Props]:
    rules = r.get("networkRuleSet")
    network = {} if rules is None else dict(
        network_default_action=r.at("networkRuleSet", "defaultAction"),
        ip_rules=each(r.at("networkRuleSet", "ipRules"), "ipRange"))
    return "azure.acr.registry", dict(
        name=r.get("name"), id=r.get("id"), admin_enabled=r.get("adminEnabled"),
        anonymous_pull_enabled=r.get("anonymousPullEnabled"),
        public_network_access_enabled=r.get("publicNetworkAccessEnabled"), **network)


def _classic_assignment(r: Reader) -> tuple[str, Props]:
    return "azure.role_assignment", dict(scope=r.get("scope"), role_definition_id=r.get("roleDefinitionId"),
                                         role_definition_name=r.get("roleDefinitionName"),
                                         principal_id=r.get("principalId"), principal_type=r.get("principalType"))


def _classic_role_definition(r: Reader) -> tuple[str, Props]:
    return "azure.role_definition", dict(
        name=r.get("name"), id=r.get("roleDefinitionResourceId", "id"), role_definition_id=r.get("roleDefinitionId"),
        scope=r.get("scope"), assignable_scopes=as_list(r.get("assignableScopes")), **_permissions(r))


def _classic_identity(r: Reader) -> tuple[str, Props]:
    return "azure.identity", dict(name=r.get("name"), id=r.get("id"), principal_id=r.get("principalId"),
                                  client_id=r.get("clientId"), principal_type="ServicePrincipal")


def _federated(*identity_keys: str) -> Builder:
    def build(r: Reader) -> tuple[str, Props]:
        return "azure.federated_credential", dict(
            identity=r.get(*identity_keys), issuer=r.get("issuer"), subject=r.get("subject") or None,
            audiences=as_list(r.get("audiences", "audience")), claims_matching_expression=r.get("claimsMatchingExpression"))
    return build


def _classic_network(r: Reader, rules: Any) -> Props:
    return dict(network_default_action=r.at(*rules, "defaultAction"), ip_rules=as_list(r.at(*rules, "ipRules")),
                subnet_ids=as_list(r.at(*rules, "virtualNetworkSubnetIds")))


def _classic_storage_account(r: Reader) -> tuple[str, Props]:
    props = dict(name=r.get("name"), id=r.get("id"),
                 public_network_access_enabled=r.get("publicNetworkAccessEnabled"),
                 allow_blob_public_access=_true_unless_set(r.get("allowNestedItemsToBePublic")),
                 shared_key_access_enabled=_true_unless_set(r.get("sharedAccessKeyEnabled")))
    if r.get("networkRules") is not None:
        props.update(_classic_network(r, ("networkRules",)))
    return "azure.storage.account", props


def _classic_network_rules(r: Reader) -> tuple[str, Props]:
    return "azure.storage.network_rules", dict(account=r.get("storageAccountId", "storageAccountName"),
                                               **_classic_network(r, ()))


def _classic_container(r: Reader) -> tuple[str, Props]:
    access = _lower(r.get("containerAccessType"))
    return "azure.storage.container", dict(account=r.get("storageAccountId", "storageAccountName"),
                                           public_access="none" if access == "private" else access)


def _classic_resource_group(r: Reader) -> tuple[str, Props]:
    return "azure.resource_group", dict(name=r.get("name"), id=r.get("id"))


def _ad_password(*owner_keys: str) -> Builder:
    return lambda r: ("azure.ad.password", dict(owner=r.get(*owner_keys)))


def _ad_identity(principal_type: str, *name_keys: str) -> Builder:
    return lambda r: ("azure.identity", dict(name=r.get(*name_keys), id=r.get("id"),
                                             principal_id=r.get("objectId"), client_id=r.get("clientId"),
                                             principal_type=principal_type))


BUILDERS: dict[str, Builder] = {
    "azure-native:containerregistry:Registry": _native_registry,
    "azure-native:authorization:RoleAssignment": _native_role_assignment,
    "azure-native:authorization:RoleDefinition": _native_role_definition,
    "azure-native:managedidentity:UserAssignedIdentity": _native_identity,
    "azure-native:managedidentity:FederatedIdentityCredential": _native_federated_credential,
    "azure-native:storage:StorageAccount": _native_storage_account,
    "azure-native:storage:BlobContainer": _native_blob_container,
    "azure-native:resources:ResourceGroup": _native_resource_group,
    "azure-native:network:NetworkSecurityGroup": _security_group,
    "azure-native:network:SecurityRule": _security_rule_resource,
    "azure:containerservice/registry:Registry": _classic_registry,
    "azure:containerservice/tokenPassword:TokenPassword":
        lambda r: ("azure.acr.token_password", dict(token=r.get("containerRegistryTokenId"))),
    "azure:authorization/assignment:Assignment": _classic_assignment,
    "azure:authorization/roleDefinition:RoleDefinition": _classic_role_definition,
    "azure:authorization/userAssignedIdentity:UserAssignedIdentity": _classic_identity,
    "azure:armmsi/federatedIdentityCredential:FederatedIdentityCredential": _federated("parentId"),
    "azure:storage/account:Account": _classic_storage_account,
    "azure:storage/accountNetworkRules:AccountNetworkRules": _classic_network_rules,
    "azure:storage/container:Container": _classic_container,
    "azure:core/resourceGroup:ResourceGroup": _classic_resource_group,
    "azure:network/networkSecurityGroup:NetworkSecurityGroup": _security_group,
    "azure:network/networkSecurityRule:NetworkSecurityRule": _security_rule_resource,
    "azuread:index/applicationPassword:ApplicationPassword": _ad_password("applicationId", "applicationObjectId"),
    "azuread:index/servicePrincipalPassword:ServicePrincipalPassword": _ad_password("servicePrincipalId"),
    "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential":
        _federated("applicationId", "applicationObjectId"),
    "azuread:index/applicationFlexibleFederatedIdentityCredential:ApplicationFlexibleFederatedIdentityCredential":
        _federated("applicationId"),
    "azuread:index/servicePrincipal:ServicePrincipal": _ad_identity("ServicePrincipal", "displayName"),
    "azuread:index/user:User": _ad_identity("User", "userPrincipalName", "displayName"),
    "azuread:index/group:Group": _ad_identity("Group", "displayName"),
}
