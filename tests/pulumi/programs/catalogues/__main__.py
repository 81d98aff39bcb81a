"""AWS managed policies by ARN and Azure built-in roles by id, as ordinary programs attach them."""

import json

import pulumi_aws as aws
import pulumi_azure_native as azure_native

partition = aws.get_partition().partition
build = aws.iam.Role("build", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "codebuild.amazonaws.com"}}],
}))
aws.iam.RolePolicyAttachment("readonly", role=build.name,
                             policy_arn=f"arn:{partition}:iam::aws:policy/ReadOnlyAccess")
aws.iam.RolePolicyAttachment("billing", role=build.name, policy_arn=aws.iam.ManagedPolicy.BILLING)
aws.iam.RolePolicyAttachment("cni", role=build.name, policy_arn="arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy")

ROLES = "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/"
group = azure_native.resources.ResourceGroup("ci")
vault = azure_native.keyvault.Vault("secrets", resource_group_name=group.name, properties={
    "tenant_id": "00000000-0000-0000-0000-000000000001", "sku": {"family": "A", "name": "standard"},
    "enable_rbac_authorization": True})
deployer = azure_native.managedidentity.UserAssignedIdentity("deployer", resource_group_name=group.name)
# Key Vault Secrets Officer on the vault: no registry access, whatever the role
azure_native.authorization.RoleAssignment("vault-officer", scope=vault.id, principal_id=deployer.principal_id,
                                          principal_type="ServicePrincipal",
                                          role_definition_id=ROLES + "b86a8fe4-44ce-4948-aee5-eccb2c155cd7")
# Reader on the resource group: lists (and pulls from) every registry in it
azure_native.authorization.RoleAssignment("group-reader", scope=group.id, principal_id=deployer.principal_id,
                                          principal_type="ServicePrincipal",
                                          role_definition_id=ROLES + "acdd72a7-3385-48ef-bd42-f606fba81ae7")
