# Segmented CI/CD on Azure: build agents in a private subnet, registry and artifact storage reached
# only through private endpoints, a pull-only build identity and a push-capable deploy identity,
# both federated with GitHub OIDC (no client secrets), secrets in Key Vault.

data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "ci" {
  name     = "rg-${var.prefix}"
  location = var.location
  tags     = local.tags
}

# --- network ----------------------------------------------------------------------------------
resource "azurerm_virtual_network" "ci" {
  name                = "vnet-${var.prefix}"
  location            = azurerm_resource_group.ci.location
  resource_group_name = azurerm_resource_group.ci.name
  address_space       = [var.vnet_cidr]
}

resource "azurerm_subnet" "build" {
  name                 = "snet-build"
  resource_group_name  = azurerm_resource_group.ci.name
  virtual_network_name = azurerm_virtual_network.ci.name
  address_prefixes     = [cidrsubnet(var.vnet_cidr, 8, 1)]
  service_endpoints    = ["Microsoft.Storage", "Microsoft.ContainerRegistry"]
}

resource "azurerm_subnet" "endpoints" {
  name                 = "snet-endpoints"
  resource_group_name  = azurerm_resource_group.ci.name
  virtual_network_name = azurerm_virtual_network.ci.name
  address_prefixes     = [cidrsubnet(var.vnet_cidr, 8, 2)]
}

resource "azurerm_network_security_group" "build" {
  name                = "nsg-${var.prefix}-build"
  location            = azurerm_resource_group.ci.location
  resource_group_name = azurerm_resource_group.ci.name

  security_rule {
    name                       = "deny-internet-inbound"
    priority                   = 4096
    direction                  = "Inbound"
    access                     = "Deny"
    protocol                   = "*"
    source_port_range          = "*"
    destination_port_range     = "*"
    source_address_prefix      = "Internet"
    destination_address_prefix = "*"
  }
}

resource "azurerm_subnet_network_security_group_association" "build" {
  subnet_id                 = azurerm_subnet.build.id
  network_security_group_id = azurerm_network_security_group.build.id
}

# --- private DNS: the VNet resolves the registry, blob and vault names to their private endpoints -----
locals {
  private_zones = {
    registry = "privatelink.azurecr.io"
    blob     = "privatelink.blob.core.windows.net"
    vault    = "privatelink.vaultcore.azure.net"
  }
}

resource "azurerm_private_dns_zone" "ci" {
  for_each            = local.private_zones
  name                = each.value
  resource_group_name = azurerm_resource_group.ci.name
  tags                = local.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "ci" {
  for_each              = local.private_zones
  name                  = "link-${var.prefix}-${each.key}"
  resource_group_name   = azurerm_resource_group.ci.name
  private_dns_zone_name = azurerm_private_dns_zone.ci[each.key].name
  virtual_network_id    = azurerm_virtual_network.ci.id
  registration_enabled  = false
}

# --- registry: no admin user, no anonymous pull, private endpoint only -------------------------
resource "azurerm_container_registry" "ci" {
  name                          = "${local.compact}cr${local.suffix}"
  resource_group_name           = azurerm_resource_group.ci.name
  location                      = azurerm_resource_group.ci.location
  sku                           = "Premium"
  admin_enabled                 = false
  anonymous_pull_enabled        = false
  public_network_access_enabled = false

  network_rule_set {
    default_action = "Deny"
  }
}

resource "azurerm_private_endpoint" "registry" {
  name                = "pe-${var.prefix}-registry"
  location            = azurerm_resource_group.ci.location
  resource_group_name = azurerm_resource_group.ci.name
  subnet_id           = azurerm_subnet.endpoints.id

  private_service_connection {
    name                           = "acr"
    private_connection_resource_id = azurerm_container_registry.ci.id
    subresource_names              = ["registry"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [azurerm_private_dns_zone.ci["registry"].id]
  }
}

# --- artifact storage: Entra ID only, no public blobs, CI subnet only ---------------------------
resource "azurerm_storage_account" "artifacts" {
  name                            = substr("${local.compact}st${local.suffix}", 0, 24)
  resource_group_name             = azurerm_resource_group.ci.name
  location                        = azurerm_resource_group.ci.location
  account_tier                    = "Standard"
  account_replication_type        = "ZRS"
  min_tls_version                 = "TLS1_2"
  allow_nested_items_to_be_public = false
  shared_access_key_enabled       = false
  public_network_access_enabled   = false

  network_rules {
    default_action             = "Deny"
    bypass                     = ["None"]
    virtual_network_subnet_ids = [azurerm_subnet.build.id]
  }
}

resource "azurerm_storage_container" "artifacts" {
  name                  = "artifacts"
  storage_account_id    = azurerm_storage_account.artifacts.id
  container_access_type = "private"
}

resource "azurerm_private_endpoint" "artifacts" {
  name                = "pe-${var.prefix}-blob"
  location            = azurerm_resource_group.ci.location
  resource_group_name = azurerm_resource_group.ci.name
  subnet_id           = azurerm_subnet.endpoints.id

  private_service_connection {
    name                           = "blob"
    private_connection_resource_id = azurerm_storage_account.artifacts.id
    subresource_names              = ["blob"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [azurerm_private_dns_zone.ci["blob"].id]
  }
}

# --- identities: federated with GitHub OIDC, scoped to the registry ------------------------------
resource "azurerm_user_assigned_identity" "build" {
  name                = "id-${var.prefix}-build"
  resource_group_name = azurerm_resource_group.ci.name
  location            = azurerm_resource_group.ci.location
  tags = {
    cicd-stage = "build"
  }
}

resource "azurerm_user_assigned_identity" "deploy" {
  name                = "id-${var.prefix}-deploy"
  resource_group_name = azurerm_resource_group.ci.name
  location            = azurerm_resource_group.ci.location
  tags = {
    cicd-stage = "deploy"
  }
}

resource "azurerm_federated_identity_credential" "build" {
  name                = "github-main"
  resource_group_name = azurerm_resource_group.ci.name
  parent_id           = azurerm_user_assigned_identity.build.id
  issuer              = "https://token.actions.githubusercontent.com"
  subject             = "repo:${local.repository}:ref:refs/heads/main"
  audience            = ["api://AzureADTokenExchange"]
}

resource "azurerm_federated_identity_credential" "deploy" {
  name                = "github-deploy"
  resource_group_name = azurerm_resource_group.ci.name
  parent_id           = azurerm_user_assigned_identity.deploy.id
  issuer              = "https://token.actions.githubusercontent.com"
  subject             = "repo:${local.repository}:environment:${var.deploy_environment}"
  audience            = ["api://AzureADTokenExchange"]
}

resource "azurerm_role_assignment" "build_pull" {
  scope                = azurerm_container_registry.ci.id
  role_definition_name = "AcrPull"
  principal_id         = azurerm_user_assigned_identity.build.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deploy_push" {
  scope                = azurerm_container_registry.ci.id
  role_definition_name = "AcrPush"
  principal_id         = azurerm_user_assigned_identity.deploy.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "build_artifacts" {
  scope                = azurerm_storage_container.artifacts.id
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_user_assigned_identity.build.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "deploy_artifacts" {
  scope                = azurerm_storage_container.artifacts.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.deploy.principal_id
  principal_type       = "ServicePrincipal"
}

# --- secrets: Key Vault with RBAC, reachable from the CI network only ---------------------------
resource "azurerm_key_vault" "ci" {
  name                          = substr("kv-${local.compact}-${local.suffix}", 0, 24)
  location                      = azurerm_resource_group.ci.location
  resource_group_name           = azurerm_resource_group.ci.name
  tenant_id                     = data.azurerm_client_config.current.tenant_id
  sku_name                      = "standard"
  rbac_authorization_enabled    = true
  purge_protection_enabled      = true
  public_network_access_enabled = false

  network_acls {
    default_action             = "Deny"
    bypass                     = "None"
    virtual_network_subnet_ids = [azurerm_subnet.build.id]
  }
}

resource "azurerm_private_endpoint" "vault" {
  name                = "pe-${var.prefix}-vault"
  location            = azurerm_resource_group.ci.location
  resource_group_name = azurerm_resource_group.ci.name
  subnet_id           = azurerm_subnet.endpoints.id

  private_service_connection {
    name                           = "vault"
    private_connection_resource_id = azurerm_key_vault.ci.id
    subresource_names              = ["vault"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [azurerm_private_dns_zone.ci["vault"].id]
  }
}
