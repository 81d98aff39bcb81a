"""The Pulumi adapter: type tokens and camelCase props (as the policy SDK hands them over) -> model."""

from __future__ import annotations

import json

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policypack.adapter import UNMAPPED, to_inventory, to_resource
from rulebook.policy import PolicyDocument
from rulebook.unknown import Unknown

TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
                                                  "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/x"},
                                                  "Condition": {"stringequals": {"X:Sub": "repo:a/b:ref:refs/heads/main"}}}]}


def proxied(props: dict) -> object:
    return unknown_checking_proxy(props)


def test_role_from_proxies_keeps_unknowns_and_reads_policies_in_every_form():
    props = proxied({"name": "ci", "arn": UNKNOWN_STRING_VALUE, "assumeRolePolicy": json.dumps(TRUST),
                     "inlinePolicies": [{"name": "a", "policy": {"Statement": [{"Effect": "Allow", "Action": "ecr:*",
                                                                              "Resource": "*"}]}},
                                        {"name": "b", "policy": UNKNOWN_STRING_VALUE}],
                     "managedPolicyArns": ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"],
                     "maxSessionDuration": 3600.0, "tags": {"cicd-stage": "deploy"}})
    role = to_resource("aws:iam/role:Role", "ci", props, "urn:pulumi:dev::p::aws:iam/role:Role::ci")
    assert role.kind == "aws.iam.role" and role.address == "ci" and role.engine == "pulumi"
    assert role.props["arn"] == Unknown("arn is not known until the resources it depends on exist (preview)")
    trust = role.props["assume_role_policy"]
    assert isinstance(trust, PolicyDocument)
    assert trust.statements[0].conditions_on("x:sub")[0].values == ("repo:a/b:ref:refs/heads/main",)
    first, second = role.props["inline_policies"]
    assert first.statements[0].actions == ("ecr:*",)
    assert second == Unknown("inlinePolicies[1].policy is not known until the resources it depends on exist (preview)")
    assert role.props["managed_policy_arns"] == ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"]
    assert role.tags == {"cicd-stage": "deploy"}
    assert ("maxSessionDuration", 3600) in role.values and isinstance(dict(role.values)["maxSessionDuration"], int)
    assert role.location.urn == "urn:pulumi:dev::p::aws:iam/role:Role::ci"


def test_malformed_policy_is_unknown_with_a_note_not_a_pass():
    policy = to_resource("aws:iam/rolePolicy:RolePolicy", "p", proxied({"role": "ci", "policy": "{not json"}))
    assert policy.props["identity"] == "ci" and policy.props["identity_type"] == "role"
    assert isinstance(policy.props["policy"], Unknown)
    assert policy.notes == ["policy: policy document is not valid JSON: Expecting property name enclosed in "
                            "double quotes at line 1"]


def test_s3_aliases_and_acl_grants():
    for token in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"):
        bucket = to_resource(token, "b", {"bucket": "art", "acl": "public-read",
                                          "grants": [{"type": "Group", "uri": "http://acs/AllUsers",
                                                      "permissions": ["READ"]}]})
        assert bucket.kind == "aws.s3.bucket"
        assert bucket.props == {"bucket": "art", "acl": "public-read",
                                "grants": [{"type": "Group", "uri": "http://acs/AllUsers", "id": None,
                                            "permissions": ["READ"]}]}
    acl = to_resource("aws:s3/bucketAclV2:BucketAclV2", "acl", {"bucket": "art", "accessControlPolicy": {
        "grants": [{"grantee": {"type": "CanonicalUser", "id": "abc"}, "permission": "FULL_CONTROL"}]}})
    assert acl.props["grants"] == [{"type": "CanonicalUser", "uri": None, "id": "abc", "permissions": ["FULL_CONTROL"]}]
    pab = to_resource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab",
                      proxied({"bucket": UNKNOWN_STRING_VALUE, "blockPublicAcls": True}))
    assert pab.props == {"bucket": Unknown("bucket is not known until the resources it depends on exist (preview)"),
                         "block_public_acls": True}
    own = to_resource("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "own",
                      {"bucket": "art", "rule": {"objectOwnership": "BucketOwnerEnforced"}})
    assert own.props == {"bucket": "art", "object_ownership": "BucketOwnerEnforced"}


def test_iam_links_are_concrete_names():
    attach = to_resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a",
                         {"role": "ci-1234567", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})
    assert attach.props == {"policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess", "roles": ["ci-1234567"]}
    exclusive = to_resource("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", "x",
                            {"roleName": "ci", "policyArns": ["arn:1", "arn:2"]})
    assert exclusive.props == {"policy_arns": ["arn:1", "arn:2"], "roles": ["ci"]}
    member = to_resource("aws:iam/userGroupMembership:UserGroupMembership", "m", {"user": "dev", "groups": ["g"]})
    assert member.props == {"groups": ["g"], "users": ["dev"]}
    repo = to_resource("aws:ecrpublic/repository:Repository", "r", {"repositoryName": "pub"})
    assert repo.props == {"name": "pub", "public": True}


def test_azure_native_any_api_version():
    account = to_resource("azure-native:storage/v20240101:StorageAccount", "sa", proxied({
        "accountName": "artifacts", "publicNetworkAccess": "Enabled", "allowBlobPublicAccess": False,
        "allowSharedKeyAccess": True, "networkRuleSet": {"defaultAction": "Allow", "ipRules": [
            {"iPAddressOrRange": "10.0.0.0/8", "action": "Allow"}], "virtualNetworkRules": [
            {"virtualNetworkResourceId": UNKNOWN_STRING_VALUE}]}}))
    assert account.kind == "azure.storage.account"
    assert account.props == {
        "name": "artifacts", "public_network_access_enabled": True, "allow_blob_public_access": False,
        "shared_key_access_enabled": True, "network_default_action": "Allow", "ip_rules": ["10.0.0.0/8"],
        "subnet_ids": Unknown("networkRuleSet.virtualNetworkRules[0].virtualNetworkResourceId is not known until "
                              "the resources it depends on exist (preview)")}
    registry = to_resource("azure-native:containerregistry:Registry", "acr", {
        "registryName": "acr1", "adminUserEnabled": True, "anonymousPullEnabled": False,
        "publicNetworkAccess": "Disabled"})
    assert registry.props == {"name": "acr1", "admin_enabled": True, "anonymous_pull_enabled": False,
                              "public_network_access_enabled": False}
    assignment = to_resource("azure-native:authorization/v20220401:RoleAssignment", "ra", {
        "scope": "/subscriptions/s/resourceGroups/rg", "principalId": "p", "principalType": "User",
        "roleDefinitionId": "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/"
                            "8311e382-0749-4cb8-b61a-304f252e45ec"})
    assert assignment.kind == "azure.role_assignment" and assignment.props["principal_type"] == "User"
    definition = to_resource("azure-native:authorization:RoleDefinition", "rd", {
        "roleName": "pusher", "scope": "/subscriptions/s", "permissions": [
            {"actions": ["Microsoft.ContainerRegistry/registries/push/write"], "dataActions": []},
            {"actions": ["Microsoft.ContainerRegistry/registries/read"]}], "assignableScopes": ["/subscriptions/s"]})
    assert definition.props["actions"] == ["Microsoft.ContainerRegistry/registries/push/write",
                                           "Microsoft.ContainerRegistry/registries/read"]
    fic = to_resource("azure-native:managedidentity:FederatedIdentityCredential", "f", {
        "resourceName": "deployer", "issuer": "https://token.actions.githubusercontent.com",
        "subject": "repo:a/b:environment:prod", "audiences": ["api://AzureADTokenExchange"]})
    assert fic.props == {"identity": "deployer", "issuer": "https://token.actions.githubusercontent.com",
                         "subject": "repo:a/b:environment:prod", "audiences": ["api://AzureADTokenExchange"]}
    container = to_resource("azure-native:storage:BlobContainer", "c", {"accountName": "artifacts",
                                                                        "publicAccess": "Container"})
    assert container.props == {"account": "artifacts", "public_access": "container"}


def test_classic_azure_and_azuread():
    container = to_resource("azure:storage/container:Container", "c", {"storageAccountName": "sa",
                                                                       "containerAccessType": "private"})
    assert container.props == {"account": "sa", "public_access": "none"}
    account = to_resource("azure:storage/account:Account", "sa", {"name": "sa", "allowNestedItemsToBePublic": True,
                                                                  "networkRules": {"defaultAction": "Deny",
                                                                                   "ipRules": ["1.2.3.4"]}})
    assert account.props == {"name": "sa", "allow_blob_public_access": True, "shared_key_access_enabled": True,
                             "network_default_action": "Deny", "ip_rules": ["1.2.3.4"]}
    password = to_resource("azuread:index/applicationPassword:ApplicationPassword", "pw", {"applicationId": "app"})
    assert (password.kind, password.props) == ("azure.ad.password", {"owner": "app"})


def test_unmapped_types_stay_for_secret_scans_and_names_stay_unique():
    inventory = to_inventory([
        ("aws:rds/instance:Instance", "fn", {"engine": "postgres", "tags": {"TOKEN": "ghp_x"}}, "urn:1"),
        ("aws:iam/role:Role", "ci", {"name": "ci"}, "urn:2"),
        ("aws:iam/policy:Policy", "ci", {"name": "ci-policy", "policy": "{\"Statement\": []}"}, "urn:3"),
    ])
    fn, role, policy = inventory.resources
    assert fn.kind == UNMAPPED and fn.values == [("engine", "postgres"), ("tags.TOKEN", "ghp_x")]
    assert (role.address, policy.address) == ("ci", "ci (aws:iam/policy:Policy)")
    assert inventory.resolve("ci-policy") is policy
