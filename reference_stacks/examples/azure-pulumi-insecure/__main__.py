"""The insecure twin of reference_stacks/azure-pulumi (and the azure-native mirror of
examples/azure-terraform-insecure): the mistakes cicd-guard exists to stop.

Each resource names the rules it trips. What azure-native cannot express (Entra ID applications and
their passwords, flexible federated credentials) is listed with its reason in ../parity.yaml.
"""

import base64

import pulumi_azure_native as azure_native

subscription = azure_native.authorization.get_client_config().subscription_id
ACR_PUSH = f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/8311e382-0749-4cb8-b61a-304f252e45ec"

group = azure_native.resources.ResourceGroup("ci", resource_group_name="rg-ci", location="westeurope")
common = {"resource_group_name": group.name, "location": "westeurope"}

# REG-008 (admin user: one shared password), REG-009 (anonymous pull, open to every network).
azure_native.containerregistry.Registry("ci", registry_name="acmeci", **common, sku={"name": "Premium"},
                                        admin_user_enabled=True, anonymous_pull_enabled=True,
                                        public_network_access="Enabled")

# The pipeline's identity. Its federated credential trusts pull requests (IDF-004: a pull request can
# push). Azure matches a managed identity's subject exactly, so it cannot trust a whole organisation.
pipeline = azure_native.managedidentity.UserAssignedIdentity("ci", resource_name_="id-ci-pipeline", **common)
azure_native.managedidentity.FederatedIdentityCredential(
    "ci", federated_identity_credential_resource_name="github-pull-requests", resource_name_=pipeline.name,
    resource_group_name=group.name, issuer="https://token.actions.githubusercontent.com",
    audiences=["api://AzureADTokenExchange"], subject="repo:acme/app:pull_request")

# A deploy identity whose GitHub federated credential accepts a second audience besides Entra ID's token
# exchange (IDF-002).
deploy = azure_native.managedidentity.UserAssignedIdentity("deploy", resource_name_="id-ci-deploy", **common)
azure_native.managedidentity.FederatedIdentityCredential(
    "github", federated_identity_credential_resource_name="github-deploy", resource_name_=deploy.name,
    resource_group_name=group.name, issuer="https://token.actions.githubusercontent.com",
    audiences=["api://AzureADTokenExchange", "https://github.com/acme"], subject="repo:acme/app:environment:prod")

# REG-005 (push on every registry of the subscription), REG-006 (push for an identity that is not a
# deploy identity).
azure_native.authorization.RoleAssignment("ci-push", scope=f"/subscriptions/{subscription}",
                                          role_definition_id=ACR_PUSH, principal_id=pipeline.principal_id,
                                          principal_type="ServicePrincipal")

# IDF-006 (shared keys allowed), BKT-005 (open to every network), BKT-006 (public blobs allowed).
artifacts = azure_native.storage.StorageAccount(
    "artifacts", account_name="acmeciartifacts", **common, kind="StorageV2", sku={"name": "Standard_LRS"},
    allow_blob_public_access=True, allow_shared_key_access=True, public_network_access="Enabled")

# BKT-006: a container anyone can list and read.
azure_native.storage.BlobContainer("artifacts", container_name="artifacts", account_name=artifacts.name,
                                   resource_group_name=group.name, public_access="Container")

# NET-001: SSH to the build agents from the internet.
azure_native.network.NetworkSecurityGroup("agents", network_security_group_name="nsg-ci-agents", **common,
                                          security_rules=[{
                                              "name": "ssh", "priority": 100, "direction": "Inbound",
                                              "access": "Allow", "protocol": "Tcp", "source_port_range": "*",
                                              "destination_port_range": "22", "source_address_prefix": "Internet",
                                              "destination_address_prefix": "*"}])

# SEC-002: a registry password in a plain-text app setting.
azure_native.web.WebApp("deployer", name="acme-ci-deployer", **common, kind="app,linux",
                        server_farm_id="/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ci/providers/Microsoft.Web/serverFarms/ci",
                        site_config={"app_settings": [
                            {"name": "REGISTRY_URL", "value": "acmeci.azurecr.io"},
                            {"name": "REGISTRY_PASSWORD", "value": "demo-acr-password-not-real"}]})

# SEC-003: the build agent signs in with a service principal password from its custom data.
agent_boot = "#!/bin/bash\naz login --service-principal -u pipeline -p demo-sp-password-not-real --tenant acme.example.com\n"
azure_native.compute.VirtualMachine("agent", vm_name="ci-agent", **common,
                                    hardware_profile={"vm_size": "Standard_D2s_v5"},
                                    os_profile={"computer_name": "ci-agent", "admin_username": "ci",
                                                "custom_data": base64.b64encode(agent_boot.encode()).decode()})
