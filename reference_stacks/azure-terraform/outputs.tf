# What the GitHub workflows need (azure/login client-id, tenant-id, subscription-id): set them as
# repository or environment variables, not secrets; none of them is a credential.

output "tenant_id" {
  description = "Entra ID tenant of the identities."
  value       = data.azurerm_client_config.current.tenant_id
}

output "subscription_id" {
  description = "Subscription holding the stack."
  value       = data.azurerm_client_config.current.subscription_id
}

output "build_client_id" {
  description = "Client ID of the build identity (AcrPull), federated with the main branch."
  value       = azurerm_user_assigned_identity.build.client_id
}

output "deploy_client_id" {
  description = "Client ID of the deploy identity (AcrPush), federated with the protected environment."
  value       = azurerm_user_assigned_identity.deploy.client_id
}

output "registry_login_server" {
  description = "Registry host to push to and pull from (resolves privately inside the CI network)."
  value       = azurerm_container_registry.ci.login_server
}

output "artifact_storage_account" {
  description = "Artifact storage account (Entra ID only, private endpoint only)."
  value       = azurerm_storage_account.artifacts.name
}

output "key_vault_uri" {
  description = "Key Vault holding the pipeline's secrets."
  value       = azurerm_key_vault.ci.vault_uri
}
