# The insecure twin of reference_stacks/azure-terraform: the mistakes cicd-guard exists to stop.

resource "azurerm_resource_group" "ci" {
  name     = "rg-ci"
  location = "westeurope"
}

# A registry with a shared admin password, anonymous pull and open network access.
resource "azurerm_container_registry" "ci" {
  name                          = "acmeci"
  resource_group_name           = azurerm_resource_group.ci.name
  location                      = azurerm_resource_group.ci.location
  sku                           = "Premium"
  admin_enabled                 = true
  anonymous_pull_enabled        = true
  public_network_access_enabled = true
}

# A service principal with a client secret pasted into the pipeline's variables.
resource "azuread_application" "ci" {
  display_name = "ci-pipeline"
}

resource "azuread_service_principal" "ci" {
  client_id = azuread_application.ci.client_id
}

resource "azuread_application_password" "ci" {
  application_id = azuread_application.ci.id
  display_name   = "pipeline"
}

# Push for the pipeline at subscription scope.
data "azurerm_subscription" "current" {}

resource "azurerm_role_assignment" "ci_push" {
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "AcrPush"
  principal_id         = azuread_service_principal.ci.object_id
}

# Artifact storage open to the internet, with shared keys and public blobs allowed.
resource "azurerm_storage_account" "artifacts" {
  name                            = "acmeciartifacts"
  resource_group_name             = azurerm_resource_group.ci.name
  location                        = azurerm_resource_group.ci.location
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  allow_nested_items_to_be_public = true
  shared_access_key_enabled       = true
}

# A container anyone can list and read, and build agents with SSH open to the internet.
resource "azurerm_storage_container" "artifacts" {
  name                  = "artifacts"
  storage_account_id    = azurerm_storage_account.artifacts.id
  container_access_type = "container"
}

resource "azurerm_network_security_group" "agents" {
  name                = "nsg-ci-agents"
  location            = azurerm_resource_group.ci.location
  resource_group_name = azurerm_resource_group.ci.name

  security_rule {
    name                       = "ssh"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "22"
    source_address_prefix      = "Internet"
    destination_address_prefix = "*"
  }
}

# The deploy app keeps the registry password in an app setting, and build agents log in with the
# service principal's password from their custom data.
resource "azurerm_linux_web_app" "deployer" {
  name                = "acme-ci-deployer"
  resource_group_name = azurerm_resource_group.ci.name
  location            = azurerm_resource_group.ci.location
  service_plan_id     = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ci/providers/Microsoft.Web/serverFarms/ci"
  site_config {}
  app_settings = {
    REGISTRY_URL      = "acmeci.azurecr.io"
    REGISTRY_PASSWORD = "demo-acr-password-not-real"
  }
}

resource "azurerm_linux_virtual_machine" "agent" {
  name                = "ci-agent"
  resource_group_name = azurerm_resource_group.ci.name
  location            = azurerm_resource_group.ci.location
  size                = "Standard_D2s_v5"
  admin_username      = "ci"
  custom_data = base64encode(<<-EOT
    #!/bin/bash
    az login --service-principal -u pipeline -p demo-sp-password-not-real --tenant acme.example.com
  EOT
  )
}

# The pipeline also signs in through OIDC, with a flexible credential any repository of the organisation
# (and any branch or pull request of it) can use.
resource "azuread_application_flexible_federated_identity_credential" "ci" {
  application_id             = azuread_application.ci.id
  display_name               = "github-any-repository"
  audience                   = "api://AzureADTokenExchange"
  issuer                     = "https://token.actions.githubusercontent.com"
  claims_matching_expression = "claims['sub'] matches 'repo:acme/*'"
}
