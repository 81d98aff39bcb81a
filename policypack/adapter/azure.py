"""pulumi-azure-native 3.x (any API version), classic pulumi-azure and pulumi-azuread -> rulebook kinds."""

from __future__ import annotations

import re
from typing import Any, Callable

from rulebook import arm
from rulebook.reader import Props, Reader, as_list, each

Builder = Callable[[Reader], tuple[str, Props]]

_VERSIONED = re.compile(r"^azure-native:([A-Za-z0-9]+)/v[0-9]{8}(?:preview)?:(\w+)$")


def normalise_token(token: str) -> str:
    """azure-native:storage/v20240101:StorageAccount -> azure-native:storage:StorageAccount."""
    match = _VERSIONED.match(token)
    return f"azure-native:{match.group(1)}:{match.group(2)}" if match else token


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
        scope=r.get("scope"), assignable_scopes=as_list(r.get("assignableScopes")), **arm.permissions(r))


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
                 allow_blob_public_access=arm.true_unless_set(r.get("allowNestedItemsToBePublic")),
                 shared_key_access_enabled=arm.true_unless_set(r.get("sharedAccessKeyEnabled")))
    if r.get("networkRules") is not None:
        props.update(_classic_network(r, ("networkRules",)))
    return "azure.storage.account", props


def _classic_network_rules(r: Reader) -> tuple[str, Props]:
    return "azure.storage.network_rules", dict(account=r.get("storageAccountId", "storageAccountName"),
                                               **_classic_network(r, ()))


def _classic_container(r: Reader) -> tuple[str, Props]:
    access = arm.lower(r.get("containerAccessType"))
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


# azure-native: the ARM shapes, read by rulebook/arm.py (shared with Terraform's azapi provider).
BUILDERS: dict[str, Builder] = {
    "azure-native:containerregistry:Registry": arm.registry,
    "azure-native:authorization:RoleAssignment": arm.role_assignment,
    "azure-native:authorization:RoleDefinition": arm.role_definition,
    "azure-native:managedidentity:UserAssignedIdentity": arm.identity,
    "azure-native:managedidentity:FederatedIdentityCredential": arm.federated_credential,
    "azure-native:containerregistry:Token": arm.token,
    "azure-native:storage:StorageAccount": arm.storage_account,
    "azure-native:storage:BlobContainer": arm.blob_container,
    "azure-native:resources:ResourceGroup": arm.resource_group,
    "azure-native:network:NetworkSecurityGroup": arm.security_group,
    "azure-native:network:SecurityRule": arm.security_rule,
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
    "azure:network/networkSecurityGroup:NetworkSecurityGroup": arm.security_group,
    "azure:network/networkSecurityRule:NetworkSecurityRule": arm.security_rule,
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
