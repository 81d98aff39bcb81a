"""Segmented CI/CD on Azure: build agents in a private subnet, registry and artifact storage reached only
through private endpoints, a pull-only build identity and a push-capable deploy identity, both federated
with GitHub OIDC (no client secrets), secrets in Key Vault. The Pulumi twin of
reference_stacks/azure-terraform.

Names derive from the stack config; the globally unique ones (registry, storage account, Key Vault) add
a short hash of repository and prefix (the same names as the Terraform twin). Role definition IDs come from config and the
getClientConfig invoke, never from an Output of a resource being created, so `pulumi preview` (and the
offline preview gate) knows which role each identity gets.
"""

import hashlib
import re

import pulumi
import pulumi_azure_native as azure_native

config = pulumi.Config()
org = config.require("githubOrg")
repo = config.require("githubRepo")
environment = config.get("deployEnvironment") or "production"
prefix = config.get("prefix") or "ci"
location = config.get("location") or "westeurope"
vnet_cidr = config.get("vnetCidr") or "10.50.0.0/16"
client = azure_native.authorization.get_client_config()
subscription = client.subscription_id
issuer = "https://token.actions.githubusercontent.com"
audiences = ["api://AzureADTokenExchange"]

# Globally unique, deterministic: the same stack keeps its names, another copy gets others.
suffix = hashlib.sha1(f"{org}/{repo}/{prefix}".encode()).hexdigest()[:8]
compact = re.sub(r"[^a-z0-9]", "", prefix.lower())[:12]
registry_name = f"{compact}cr{suffix}"        # 5-50 alphanumerics
storage_name = f"{compact}st{suffix}"[:24]    # 3-24 lower-case alphanumerics
vault_name = f"kv-{compact}-{suffix}"[:24]    # 3-24 alphanumerics and dashes
tags = {"managed-by": "pulumi", "ci-stack": prefix, "repository": f"{org}/{repo}"}


def role(guid: str) -> str:
    return f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{guid}"


ACR_PULL = role("7f951dda-4ed3-4680-a7ca-43fe172d538d")
ACR_PUSH = role("8311e382-0749-4cb8-b61a-304f252e45ec")
BLOB_READER = role("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1")
BLOB_CONTRIBUTOR = role("ba92f5b4-2d11-453d-a403-e96b0029c9fe")

group = azure_native.resources.ResourceGroup("ci", resource_group_name=f"rg-{prefix}", location=location, tags=tags)
common = {"resource_group_name": group.name, "location": location, "tags": tags}

# --- network: a CI subnet without inbound internet, a subnet for private endpoints ---------------
base = vnet_cidr.split("/")[0].rsplit(".", 2)[0]
nsg = azure_native.network.NetworkSecurityGroup(
    "build", network_security_group_name=f"nsg-{prefix}-build", **common,
    security_rules=[{"name": "deny-internet-inbound", "priority": 4096, "direction": "Inbound", "access": "Deny",
                     "protocol": "*", "source_port_range": "*", "destination_port_range": "*",
                     "source_address_prefix": "Internet", "destination_address_prefix": "*"}])
vnet = azure_native.network.VirtualNetwork("ci", virtual_network_name=f"vnet-{prefix}", **common,
                                           address_space={"address_prefixes": [vnet_cidr]})
build_subnet = azure_native.network.Subnet(
    "build", subnet_name="snet-build", resource_group_name=group.name, virtual_network_name=vnet.name,
    address_prefix=f"{base}.1.0/24", network_security_group={"id": nsg.id},
    service_endpoints=[{"service": "Microsoft.Storage"}, {"service": "Microsoft.ContainerRegistry"},
                       {"service": "Microsoft.KeyVault"}])
endpoint_subnet = azure_native.network.Subnet(
    "endpoints", subnet_name="snet-endpoints", resource_group_name=group.name, virtual_network_name=vnet.name,
    address_prefix=f"{base}.2.0/24", opts=pulumi.ResourceOptions(depends_on=[build_subnet]))


def private_endpoint(name: str, target: pulumi.Output, group_id: str, zone: str) -> None:
    """A private endpoint in the endpoint subnet, resolvable from the VNet through its private DNS zone."""
    endpoint = azure_native.network.PrivateEndpoint(
        name, private_endpoint_name=f"pe-{prefix}-{name}", **common, subnet={"id": endpoint_subnet.id},
        private_link_service_connections=[{"name": name, "private_link_service_id": target,
                                           "group_ids": [group_id]}])
    dns = azure_native.privatedns.PrivateZone(name, private_zone_name=zone, resource_group_name=group.name,
                                              location="Global", tags=tags)
    azure_native.privatedns.VirtualNetworkLink(
        name, virtual_network_link_name=f"link-{prefix}-{name}", private_zone_name=dns.name,
        resource_group_name=group.name, location="Global", registration_enabled=False,
        virtual_network={"id": vnet.id}, tags=tags)
    azure_native.network.PrivateDnsZoneGroup(
        name, private_dns_zone_group_name="default", private_endpoint_name=endpoint.name,
        resource_group_name=group.name, private_dns_zone_configs=[{"name": name, "private_dns_zone_id": dns.id}])


# --- registry: Premium, no admin user, no anonymous pull, private endpoint only -------------------
registry = azure_native.containerregistry.Registry(
    "ci", registry_name=registry_name, **common, sku={"name": "Premium"}, admin_user_enabled=False,
    anonymous_pull_enabled=False, public_network_access="Disabled", network_rule_bypass_options="None",
    network_rule_set={"default_action": "Deny"})
private_endpoint("registry", registry.id, "registry", "privatelink.azurecr.io")

# --- artifact storage: Entra ID only, no public blobs, private endpoint only ------------------------
artifacts = azure_native.storage.StorageAccount(
    "artifacts", account_name=storage_name, **common, kind="StorageV2", sku={"name": "Standard_ZRS"},
    minimum_tls_version="TLS1_2", enable_https_traffic_only=True, allow_blob_public_access=False,
    allow_shared_key_access=False, public_network_access="Disabled",
    network_rule_set={"default_action": "Deny", "bypass": "None"})
container = azure_native.storage.BlobContainer("artifacts", container_name="artifacts", account_name=artifacts.name,
                                               resource_group_name=group.name, public_access="None")
private_endpoint("blob", artifacts.id, "blob", "privatelink.blob.core.windows.net")

# --- identities: federated with GitHub OIDC, pinned to the repository and environment --------------
identities = {}
for stage, subject in (("build", f"repo:{org}/{repo}:ref:refs/heads/main"),
                       ("deploy", f"repo:{org}/{repo}:environment:{environment}")):
    identities[stage] = azure_native.managedidentity.UserAssignedIdentity(
        stage, resource_name_=f"id-{prefix}-{stage}", resource_group_name=group.name, location=location,
        tags={**tags, "cicd-stage": stage})
    azure_native.managedidentity.FederatedIdentityCredential(
        stage, federated_identity_credential_resource_name=f"github-{stage}", resource_group_name=group.name,
        resource_name_=identities[stage].name, issuer=issuer, subject=subject, audiences=audiences)

for name, stage, scope, role_id in (("build-pull", "build", registry.id, ACR_PULL),
                                    ("deploy-push", "deploy", registry.id, ACR_PUSH),
                                    ("build-artifacts", "build", container.id, BLOB_READER),
                                    ("deploy-artifacts", "deploy", container.id, BLOB_CONTRIBUTOR)):
    azure_native.authorization.RoleAssignment(
        name, scope=scope, role_definition_id=role_id, principal_id=identities[stage].principal_id,
        principal_type="ServicePrincipal")

# --- secrets: Key Vault with RBAC, reachable through its private endpoint only ----------------------
vault = azure_native.keyvault.Vault(
    "ci", vault_name=vault_name, **common, properties={
        "tenant_id": client.tenant_id, "sku": {"family": "A", "name": "standard"},
        "enable_rbac_authorization": True, "enable_soft_delete": True, "enable_purge_protection": True,
        "public_network_access": "Disabled",
        "network_acls": {"default_action": "Deny", "bypass": "None",
                         "virtual_network_rules": [{"id": build_subnet.id}]}})
private_endpoint("vault", vault.id, "vault", "privatelink.vaultcore.azure.net")

pulumi.export("tenant_id", client.tenant_id)
pulumi.export("subscription_id", subscription)
pulumi.export("build_client_id", identities["build"].client_id)
pulumi.export("deploy_client_id", identities["deploy"].client_id)
pulumi.export("registry_login_server", registry.login_server)
pulumi.export("artifact_storage_account", artifacts.name)
pulumi.export("key_vault_uri", vault.properties.vault_uri)
