import pulumi_azure_native as azure_native

group = azure_native.resources.ResourceGroup("ci")
registry = azure_native.containerregistry.Registry(
    "images",
    resource_group_name=group.name,
    sku={"name": "Premium"},
    admin_user_enabled=True,
    public_network_access="Enabled",
    network_rule_set={"default_action": "Allow"},
)
deployer = azure_native.managedidentity.UserAssignedIdentity("deployer", resource_group_name=group.name)
azure_native.managedidentity.FederatedIdentityCredential(
    "github",
    resource_group_name=group.name,
    resource_name_=deployer.name,
    issuer="https://token.actions.githubusercontent.com",
    subject="repo:acme/app:environment:prod",
    audiences=["api://AzureADTokenExchange"],
)
azure_native.authorization.RoleAssignment(
    "push",
    scope=registry.id,
    principal_id=deployer.principal_id,
    principal_type="ServicePrincipal",
    role_definition_id="/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/"
                       "roleDefinitions/8311e382-0749-4cb8-b61a-304f252e45ec",
)
account = azure_native.storage.StorageAccount(
    "artifacts",
    resource_group_name=group.name,
    kind="StorageV2",
    sku={"name": "Standard_LRS"},
    allow_blob_public_access=False,
    allow_shared_key_access=False,
    network_rule_set={"default_action": "Deny", "ip_rules": [{"i_p_address_or_range": "203.0.113.0/24"}]},
)
azure_native.storage.BlobContainer("drops", account_name=account.name, resource_group_name=group.name,
                                   public_access="None")
