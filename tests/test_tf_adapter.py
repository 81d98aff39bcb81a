"""Terraform resource types -> rulebook kinds and props (shared by the HCL and plan paths)."""

from __future__ import annotations

import json

import pytest

from hcl_scanner.adapter import DATA, MANAGED, to_resource
from rulebook.kinds import KINDS
from rulebook.model import Ref, SourceLocation
from rulebook.policy import PolicyDocument
from rulebook.unknown import Unknown

LOC = SourceLocation("main.tf", 3, 9)
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}
POLICY_JSON = json.dumps(POLICY)
ROLE = Ref("aws_iam_role.ci", "name")


def _r(tf_type: str, attrs: dict, mode: str = "managed", **kw):
    resource = to_resource(tf_type, f"{tf_type}.x", attrs, LOC, "terraform", mode=mode, **kw)
    assert resource is not None
    return resource


def _plain(props: dict) -> dict:
    """Props with policy documents shown as (effect, actions, resources) tuples, for exact comparison."""
    def show(value):
        if isinstance(value, PolicyDocument):
            return [(s.effect, s.actions, s.resources) for s in value.statements]
        if isinstance(value, list):
            return [show(v) for v in value]
        return value
    return {k: show(v) for k, v in props.items()}


ECR_ALL = [("Allow", ("ecr:*",), ("*",))]

CASES = [
    ("aws_iam_role", {"name": "ci", "arn": "arn:aws:iam::1:role/ci", "assume_role_policy": POLICY_JSON,
                      "inline_policy": [{"name": "a", "policy": POLICY_JSON}, {}],
                      "managed_policy_arns": ["arn:aws:iam::aws:policy/AdministratorAccess"]},
     "aws.iam.role", {"name": "ci", "arn": "arn:aws:iam::1:role/ci", "assume_role_policy": ECR_ALL,
                      "inline_policies": [ECR_ALL],
                      "managed_policy_arns": ["arn:aws:iam::aws:policy/AdministratorAccess"]}),
    ("aws_iam_user", {"name": "dev", "path": "/"}, "aws.iam.user", {"name": "dev"}),
    ("aws_iam_group", {"name": "devs", "arn": "arn:aws:iam::1:group/devs"}, "aws.iam.group",
     {"name": "devs", "arn": "arn:aws:iam::1:group/devs"}),
    ("aws_iam_group_membership", {"name": "m", "group": "devs", "users": ["a", "b"]},
     "aws.iam.group_membership", {"groups": ["devs"], "users": ["a", "b"]}),
    ("aws_iam_user_group_membership", {"user": "a", "groups": ["devs", "ops"]},
     "aws.iam.group_membership", {"groups": ["devs", "ops"], "users": ["a"]}),
    ("aws_iam_policy", {"name": "p", "policy": POLICY}, "aws.iam.policy", {"name": "p", "policy": ECR_ALL}),
    ("aws_iam_role_policy", {"name": "i", "role": ROLE, "policy": POLICY_JSON}, "aws.iam.inline_policy",
     {"identity": ROLE, "identity_type": "role", "policy": ECR_ALL, "name": "i"}),
    ("aws_iam_user_policy", {"user": "dev", "policy": POLICY_JSON}, "aws.iam.inline_policy",
     {"identity": "dev", "identity_type": "user", "policy": ECR_ALL}),
    ("aws_iam_group_policy", {"group": "devs", "policy": POLICY_JSON}, "aws.iam.inline_policy",
     {"identity": "devs", "identity_type": "group", "policy": ECR_ALL}),
    ("aws_iam_role_policy_attachment", {"role": ROLE, "policy_arn": "arn:p"}, "aws.iam.policy_attachment",
     {"policy_arn": "arn:p", "roles": [ROLE]}),
    ("aws_iam_user_policy_attachment", {"user": "dev", "policy_arn": "arn:p"}, "aws.iam.policy_attachment",
     {"policy_arn": "arn:p", "users": ["dev"]}),
    ("aws_iam_group_policy_attachment", {"group": "devs", "policy_arn": "arn:p"}, "aws.iam.policy_attachment",
     {"policy_arn": "arn:p", "groups": ["devs"]}),
    ("aws_iam_policy_attachment", {"name": "x", "policy_arn": "arn:p", "roles": ["r"], "users": ["u"],
                                   "groups": []},
     "aws.iam.policy_attachment", {"policy_arn": "arn:p", "roles": ["r"], "users": ["u"], "groups": []}),
    ("aws_iam_role_policy_attachments_exclusive", {"role_name": "ci", "policy_arns": ["arn:a", "arn:b"]},
     "aws.iam.policy_attachment", {"policy_arns": ["arn:a", "arn:b"], "roles": ["ci"]}),
    ("aws_iam_access_key", {"user": "dev", "status": "Active"}, "aws.iam.access_key",
     {"user": "dev", "status": "Active"}),
    ("aws_iam_openid_connect_provider", {"url": "https://token.actions.githubusercontent.com",
                                         "client_id_list": ["sts.amazonaws.com"]},
     "aws.iam.oidc_provider", {"url": "https://token.actions.githubusercontent.com",
                               "client_id_list": ["sts.amazonaws.com"]}),
    ("aws_iam_saml_provider", {"name": "okta"}, "aws.iam.saml_provider", {"name": "okta"}),
    ("aws_ecr_repository", {"name": "app", "image_tag_mutability": "IMMUTABLE"}, "aws.ecr.repository",
     {"name": "app", "image_tag_mutability": "IMMUTABLE", "public": False}),
    ("aws_ecrpublic_repository", {"repository_name": "pub"}, "aws.ecr.repository",
     {"name": "pub", "public": True}),
    ("aws_ecr_repository_policy", {"repository": "app", "policy": POLICY_JSON}, "aws.ecr.repository_policy",
     {"repository": "app", "policy": ECR_ALL}),
    ("aws_ecrpublic_repository_policy", {"repository_name": "pub", "policy": POLICY_JSON},
     "aws.ecr.repository_policy", {"repository": "pub", "policy": ECR_ALL}),
    ("aws_ecr_registry_policy", {"policy": POLICY_JSON}, "aws.ecr.registry_policy", {"policy": ECR_ALL}),
    ("aws_s3_bucket", {"bucket": "b", "acl": "public-read", "policy": POLICY_JSON,
                       "grant": [{"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers",
                                  "permissions": ["READ"]}]},
     "aws.s3.bucket", {"bucket": "b", "acl": "public-read", "policy": ECR_ALL,
                       "grants": [{"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers",
                                   "id": None, "permissions": ["READ"]}]}),
    ("aws_s3_bucket_public_access_block", {"bucket": Ref("aws_s3_bucket.b", "id"), "block_public_acls": True,
                                           "block_public_policy": True, "ignore_public_acls": False},
     "aws.s3.public_access_block", {"bucket": Ref("aws_s3_bucket.b", "id"), "block_public_acls": True,
                                    "block_public_policy": True, "ignore_public_acls": False}),
    ("aws_s3_account_public_access_block", {"block_public_acls": True, "block_public_policy": True,
                                            "ignore_public_acls": True, "restrict_public_buckets": True},
     "aws.s3.public_access_block", {"block_public_acls": True, "block_public_policy": True,
                                    "ignore_public_acls": True, "restrict_public_buckets": True}),
    ("aws_s3_bucket_policy", {"bucket": "b", "policy": POLICY_JSON}, "aws.s3.bucket_policy",
     {"bucket": "b", "policy": ECR_ALL}),
    ("aws_s3_bucket_acl", {"bucket": "b", "access_control_policy": [{
        "owner": [{"id": "o"}],
        "grant": [{"permission": "READ", "grantee": [{"type": "Group",
                                                      "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}]},
                  {"permission": "FULL_CONTROL", "grantee": [{"type": "CanonicalUser", "id": "o"}]}]}]},
     "aws.s3.bucket_acl", {"bucket": "b", "grants": [
         {"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers", "id": None,
          "permissions": ["READ"]},
         {"type": "CanonicalUser", "uri": None, "id": "o", "permissions": ["FULL_CONTROL"]}]}),
    ("aws_s3_bucket_acl", {"bucket": "b", "acl": "private"}, "aws.s3.bucket_acl", {"bucket": "b", "acl": "private"}),
    ("aws_s3_bucket_ownership_controls", {"bucket": "b", "rule": [{"object_ownership": "BucketOwnerEnforced"}]},
     "aws.s3.ownership_controls", {"bucket": "b", "object_ownership": "BucketOwnerEnforced"}),
    ("azurerm_container_registry", {"name": "acr", "admin_enabled": True, "anonymous_pull_enabled": False,
                                    "public_network_access_enabled": True,
                                    "network_rule_set": [{"default_action": "Deny",
                                                          "ip_rule": [{"action": "Allow", "ip_range": "10.0.0.0/8"}],
                                                          "virtual_network": [{"action": "Allow",
                                                                               "subnet_id": "/sub/1"}]}]},
     "azure.acr.registry", {"name": "acr", "admin_enabled": True, "anonymous_pull_enabled": False,
                            "public_network_access_enabled": True, "network_default_action": "Deny",
                            "ip_rules": ["10.0.0.0/8"], "subnet_ids": ["/sub/1"]}),
    ("azurerm_container_registry_token_password", {"container_registry_token_id": "/tok", "password1": [{}]},
     "azure.acr.token_password", {"token": "/tok"}),
    ("azurerm_role_assignment", {"scope": "/subscriptions/s", "role_definition_name": "AcrPush",
                                 "principal_id": "p", "principal_type": "User"},
     "azure.role_assignment", {"scope": "/subscriptions/s", "role_definition_name": "AcrPush",
                               "principal_id": "p", "principal_type": "User"}),
    ("azurerm_role_definition", {"name": "c", "scope": "/subscriptions/s", "assignable_scopes": ["/subscriptions/s"],
                                 "role_definition_id": "0000", "role_definition_resource_id": "/x/0000",
                                 "id": "/x/0000|/subscriptions/s",
                                 "permissions": [{"actions": ["Microsoft.ContainerRegistry/*"],
                                                  "data_actions": ["a"]},
                                                 {"actions": ["Microsoft.Storage/*"], "not_actions": ["n"]}]},
     "azure.role_definition", {"name": "c", "id": "/x/0000", "role_definition_id": "0000",
                               "scope": "/subscriptions/s", "assignable_scopes": ["/subscriptions/s"],
                               "actions": ["Microsoft.ContainerRegistry/*", "Microsoft.Storage/*"],
                               "not_actions": ["n"], "data_actions": ["a"], "not_data_actions": []}),
    ("azurerm_user_assigned_identity", {"name": "id", "principal_id": "p", "client_id": "c", "id": "/id"},
     "azure.identity", {"name": "id", "id": "/id", "principal_id": "p", "client_id": "c",
                        "principal_type": "ServicePrincipal"}),
    ("azuread_service_principal", {"client_id": "c", "object_id": "o", "display_name": "sp"},
     "azure.identity", {"name": "sp", "principal_id": "o", "client_id": "c", "principal_type": "ServicePrincipal"}),
    ("azuread_user", {"user_principal_name": "a@x", "display_name": "A", "object_id": "o"},
     "azure.identity", {"name": "a@x", "principal_id": "o", "principal_type": "User"}),
    ("azuread_group", {"display_name": "devs", "object_id": "o"},
     "azure.identity", {"name": "devs", "principal_id": "o", "principal_type": "Group"}),
    ("azurerm_federated_identity_credential", {"parent_id": "/id", "issuer": "https://i", "subject": "repo:a/b:*",
                                               "audience": ["api://AzureADTokenExchange"]},
     "azure.federated_credential", {"identity": "/id", "issuer": "https://i", "subject": "repo:a/b:*",
                                    "audiences": ["api://AzureADTokenExchange"]}),
    ("azuread_application_federated_identity_credential",
     {"application_id": "/applications/1", "issuer": "https://i", "subject": "",
      "audiences": ["api://AzureADTokenExchange"], "claims_matching_expression": [{"value": "claims['sub'] matches 'repo:a/*'",
                                                                                  "language_version": 1}]},
     "azure.federated_credential", {"identity": "/applications/1", "issuer": "https://i",
                                    "audiences": ["api://AzureADTokenExchange"],
                                    "claims_matching_expression": "claims['sub'] matches 'repo:a/*'"}),
    ("azuread_application_flexible_federated_identity_credential",
     {"application_id": "/applications/1", "issuer": "https://i", "audience": "api://AzureADTokenExchange",
      "claims_matching_expression": "claims['sub'] matches 'repo:a/*'"},
     "azure.federated_credential", {"identity": "/applications/1", "issuer": "https://i",
                                    "audiences": ["api://AzureADTokenExchange"],
                                    "claims_matching_expression": "claims['sub'] matches 'repo:a/*'"}),
    ("azuread_application_password", {"application_id": "/applications/1"}, "azure.ad.password",
     {"owner": "/applications/1"}),
    ("azuread_application_password", {"application_object_id": "o"}, "azure.ad.password", {"owner": "o"}),
    ("azuread_service_principal_password", {"service_principal_id": "/sp/1"}, "azure.ad.password",
     {"owner": "/sp/1"}),
    ("azurerm_storage_account", {"name": "sa", "public_network_access_enabled": True,
                                 "allow_nested_items_to_be_public": True, "shared_access_key_enabled": False,
                                 "network_rules": [{"default_action": "Deny", "ip_rules": ["1.2.3.0/24"],
                                                    "virtual_network_subnet_ids": ["/sub/1"]}]},
     "azure.storage.account", {"name": "sa", "public_network_access_enabled": True, "allow_blob_public_access": True,
                               "shared_key_access_enabled": False, "network_default_action": "Deny",
                               "ip_rules": ["1.2.3.0/24"], "subnet_ids": ["/sub/1"]}),
    ("azurerm_storage_account", {"name": "old", "allow_blob_public_access": False}, "azure.storage.account",
     {"name": "old", "allow_blob_public_access": False, "shared_key_access_enabled": True}),
    ("azurerm_storage_account_network_rules", {"storage_account_id": "/sa", "default_action": "Allow",
                                               "ip_rules": [], "virtual_network_subnet_ids": ["/sub/2"]},
     "azure.storage.network_rules", {"account": "/sa", "network_default_action": "Allow", "ip_rules": [],
                                     "subnet_ids": ["/sub/2"]}),
    ("azurerm_storage_container", {"storage_account_id": "/sa", "container_access_type": "private"},
     "azure.storage.container", {"account": "/sa", "public_access": "none"}),
    ("azurerm_storage_container", {"storage_account_name": "sa", "container_access_type": "container"},
     "azure.storage.container", {"account": "sa", "public_access": "container"}),
    ("azurerm_resource_group", {"name": "rg", "location": "westeurope"}, "azure.resource_group", {"name": "rg"}),
    ("aws_s3_access_point", {"bucket": "b", "name": "ap", "vpc_configuration": [{"vpc_id": "vpc-1"}],
                             "public_access_block_configuration": [{"block_public_acls": True,
                                                                    "block_public_policy": False}]},
     "aws.s3.access_point", {"bucket": "b", "name": "ap", "vpc_id": "vpc-1", "block_public_acls": True,
                             "block_public_policy": False}),
    ("aws_s3control_access_point_policy", {"access_point_arn": "arn:ap", "policy": '{"Statement": []}'},
     "aws.s3.access_point_policy", {"access_point": "arn:ap", "policy": []}),
    ("aws_security_group", {"name": "sg", "vpc_id": "vpc-1", "ingress": [
        {"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"],
         "ipv6_cidr_blocks": ["::/0"], "security_groups": []}], "egress": []},
     "aws.ec2.security_group", {"name": "sg", "vpc_id": "vpc-1", "ingress": [
         {"protocol": "tcp", "from_port": 22, "to_port": 22, "sources": ["0.0.0.0/0", "::/0"]}]}),
    ("aws_default_security_group", {"vpc_id": "vpc-1", "ingress": [{"protocol": -1, "self": True, "from_port": 0,
                                                                   "to_port": 0}]},
     "aws.ec2.security_group", {"vpc_id": "vpc-1", "ingress": [
         {"protocol": -1, "from_port": 0, "to_port": 0, "sources": []}]}),
    ("aws_security_group_rule", {"type": "ingress", "security_group_id": "sg-1", "from_port": 0, "to_port": 0,
                                 "protocol": "-1", "ipv6_cidr_blocks": ["::/0"]},
     "aws.ec2.security_group_rule", {"security_group": "sg-1", "direction": "ingress", "protocol": "-1",
                                     "from_port": 0, "to_port": 0, "sources": ["::/0"]}),
    ("aws_vpc_security_group_ingress_rule", {"security_group_id": "sg-1", "cidr_ipv4": "0.0.0.0/0",
                                             "ip_protocol": "tcp", "from_port": 443, "to_port": 443},
     "aws.ec2.security_group_rule", {"security_group": "sg-1", "direction": "ingress", "protocol": "tcp",
                                     "from_port": 443, "to_port": 443, "sources": ["0.0.0.0/0"]}),
    ("aws_vpc_endpoint", {"vpc_id": "vpc-1", "service_name": "com.amazonaws.eu-west-1.s3",
                          "vpc_endpoint_type": "Gateway"},
     "aws.ec2.vpc_endpoint", {"vpc_id": "vpc-1", "service_name": "com.amazonaws.eu-west-1.s3",
                              "endpoint_type": "Gateway"}),
    ("azurerm_network_security_group", {"name": "nsg", "security_rule": [
        {"name": "ssh", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
         "source_address_prefix": "Internet", "source_address_prefixes": [], "destination_port_range": "",
         "destination_port_ranges": ["22", "8080"]}]},
     "azure.network.security_group", {"name": "nsg", "rules": [
         {"name": "ssh", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
          "sources": ["Internet"], "ports": ["22", "8080"]}]}),
    ("azurerm_network_security_rule", {"name": "ssh", "priority": 100, "direction": "Inbound", "access": "Allow",
                                       "protocol": "Tcp", "source_address_prefixes": ["0.0.0.0/0"],
                                       "destination_port_range": "22", "network_security_group_name": "nsg"},
     "azure.network.security_rule", {"security_group": "nsg", "name": "ssh", "priority": 100,
                                     "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
                                     "sources": ["0.0.0.0/0"], "ports": ["22"]}),
    ("azurerm_storage_account", {"name": "defaults"}, "azure.storage.account",
     {"name": "defaults", "allow_blob_public_access": True, "shared_key_access_enabled": True}),
]

_SCRIPT_B64 = "IyEvYmluL3NoCmVjaG8gaGkK"  # "#!/bin/sh\necho hi\n"
_ENV = {"name": "DB_PASSWORD", "value": "v", "path": "", "from_store": False, "secret": False}
CASES += [
    ("aws_instance", {"user_data": "#!/bin/sh", "metadata_options": [{"http_tokens": "required"}]}, "aws.ec2.instance",
     {"user_data": "#!/bin/sh", "metadata_http_tokens": "required"}),
    ("aws_launch_template", {"user_data": _SCRIPT_B64}, "aws.ec2.launch_template", {"user_data": "#!/bin/sh\necho hi\n"}),
    ("aws_launch_configuration", {"user_data_base64": _SCRIPT_B64, "metadata_options": [{"http_tokens": "optional",
                                                                                        "http_endpoint": "enabled"}]},
     "aws.ec2.launch_template", {"user_data": "#!/bin/sh\necho hi\n", "metadata_http_tokens": "optional",
                                 "metadata_http_endpoint": "enabled"}),
    ("aws_codebuild_project", {"environment": [{"environment_variable": [
        {"name": "DB_PASSWORD", "value": "v"}, {"name": "T", "value": "/p", "type": "PARAMETER_STORE"}]}]},
     "aws.codebuild.project", {"environment": [
         {**_ENV, "path": "environment[0].environment_variable[0].value"},
         {**_ENV, "name": "T", "value": "/p", "path": "environment[0].environment_variable[1].value",
          "from_store": True}]}),
    ("aws_ecs_task_definition", {"container_definitions": '[{"name": "app", "environment": [{"name": "DB_PASSWORD", '
                                                          '"value": "v"}], "secrets": [{"name": "K", "valueFrom": "arn"}]}]'},
     "aws.ecs.task_definition", {"environment": [
         {**_ENV, "name": "app/DB_PASSWORD", "path": "container_definitions"},
         {**_ENV, "name": "app/K", "value": "arn", "path": "container_definitions", "from_store": True}]}),
    ("aws_lambda_function", {"environment": [{"variables": {"DB_PASSWORD": "v"}}]}, "aws.lambda.function",
     {"environment": [{**_ENV, "path": "environment[0].variables.DB_PASSWORD"}]}),
    ("azurerm_container_app", {"template": [{"container": [{"name": "app", "env": [
        {"name": "DB_PASSWORD", "value": "v"}, {"name": "K", "secret_name": "k"}]}]}]}, "azure.container_app",
     {"environment": [{**_ENV, "name": "app/DB_PASSWORD", "path": "template[0].container[0].env[0].value"},
                      {**_ENV, "name": "app/K", "value": "k", "path": "template[0].container[0].env[1].value",
                       "from_store": True}]}),
]
CASES += [(t, {"app_settings": {"DB_PASSWORD": "v"}, "connection_string": [{"name": "db", "value": "c"}]},
           "azure.app_service", {"environment": [{**_ENV, "path": "app_settings.DB_PASSWORD"},
                                                 {**_ENV, "name": "db_CONNECTION_STRING", "value": "c",
                                                  "path": "connection_string[0].value"}]})
          for t in ("azurerm_linux_web_app", "azurerm_windows_web_app", "azurerm_app_service", "azurerm_function_app",
                    "azurerm_linux_function_app", "azurerm_windows_function_app", "azurerm_linux_web_app_slot",
                    "azurerm_windows_web_app_slot")]
CASES += [(t, {"custom_data": _SCRIPT_B64}, "azure.vm", {"user_data": "#!/bin/sh\necho hi\n"})
          for t in ("azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine",
                    "azurerm_linux_virtual_machine_scale_set", "azurerm_windows_virtual_machine_scale_set",
                    "azurerm_orchestrated_virtual_machine_scale_set")]
CASES += [("azurerm_virtual_machine", {"os_profile": [{"custom_data": "#!/bin/sh"}]}, "azure.vm",
           {"user_data": "#!/bin/sh"})]
CASES += [(t, {"secret_name": "S", "plaintext_value": "v"}, "github.actions_secret",
           {"name": "S", "plaintext_value": "v"})
          for t in ("github_actions_secret", "github_actions_environment_secret", "github_actions_organization_secret",
                    "github_dependabot_secret", "github_dependabot_organization_secret", "github_codespaces_secret")]


@pytest.mark.parametrize("tf_type,attrs,kind,props", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_mapping(tf_type, attrs, kind, props):
    resource = _r(tf_type, attrs)
    assert resource.kind == kind
    assert _plain(resource.props) == props
    assert resource.native_type == tf_type
    assert resource.location == LOC
    assert resource.notes == []


def test_every_type_is_covered_and_every_prop_is_documented():
    assert {c[0] for c in CASES} == set(MANAGED)
    for tf_type, attrs, kind, props in CASES:
        assert set(props) <= set(KINDS[kind].props), (tf_type, set(props) - set(KINDS[kind].props))


def test_data_sources():
    builtin = _r("azurerm_role_definition", {"name": "AcrPush"}, mode="data")
    assert (builtin.kind, builtin.props) == ("azure.role_definition", {"name": "AcrPush"})
    assert set(DATA) == {"azurerm_role_definition", "aws_iam_policy", "aws_caller_identity"}
    managed = _r("aws_iam_policy", {"name": "AmazonEC2ContainerRegistryPullOnly"}, mode="data")
    assert (managed.kind, managed.props["arn"]) == ("aws.iam.policy",
                                                    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly")
    caller = _r("aws_caller_identity", {"account_id": "111122223333"}, mode="data")
    assert (caller.kind, caller.props) == ("aws.caller_identity", {"account_id": "111122223333"})
    assert to_resource("aws_iam_policy_document", "data.aws_iam_policy_document.x", {"json": "{}"}, LOC,
                       "terraform", mode="data") is None
    assert to_resource("aws_iam_role", "data.aws_iam_role.x", {"name": "r"}, LOC, "terraform", mode="data") is None


def test_provider_configurations():
    prod = to_resource("aws", "provider.aws.prod", {"alias": "prod", "allowed_account_ids": ["111122223333"]}, LOC,
                       "terraform", mode="provider")
    assert (prod.kind, prod.props) == ("aws.provider", {"alias": "prod", "allowed_account_ids": ["111122223333"]})
    assert to_resource("azurerm", "provider.azurerm", {}, LOC, "terraform", mode="provider") is None


def test_unmapped_type_keeps_its_literal_values_for_secret_scans():
    resource = to_resource("aws_db_instance", "aws_db_instance.x", {"engine": "postgres"}, LOC, "terraform")
    assert (resource.kind, resource.props, resource.values) == ("unmapped", {}, [("engine", "postgres")])


def test_malformed_policy_becomes_unknown_and_is_noted():
    resource = _r("aws_iam_policy", {"name": "p", "policy": '{"Version": "2012-10-17", "Statement": ['})
    reason = "policy document is not valid JSON: Expecting value at line 1"
    assert resource.props["policy"] == Unknown(reason)
    assert resource.notes == [f"policy: {reason}"]


def test_policy_that_is_not_a_policy_becomes_unknown_and_is_noted():
    resource = _r("aws_iam_role", {"name": "r", "assume_role_policy": '{"Statement": [{"Effect": "Maybe"}]}',
                                   "inline_policy": [{"name": "i", "policy": "[1]"}]})
    effect = "policy document is malformed: statement #1 has Effect 'Maybe' (Allow or Deny expected)"
    inline = "policy document is malformed: policy must be a JSON object, got list"
    assert resource.props["assume_role_policy"] == Unknown(effect)
    assert resource.props["inline_policies"] == [Unknown(inline)]
    assert resource.notes == [f"assume_role_policy: {effect}", f"inline_policy[0].policy: {inline}"]


def test_unknown_and_ref_policies():
    unknown = Unknown("known after apply")
    assert _r("aws_iam_policy", {"policy": unknown}).props["policy"] is unknown
    ref = _r("aws_s3_bucket_policy", {"bucket": "b", "policy": Ref("aws_iam_policy.p", "policy")}).props["policy"]
    assert ref == Unknown("policy document is aws_iam_policy.p.policy, not known before apply")


def test_policy_dict_with_refs_and_unknowns_inside():
    arn = Ref("aws_ecr_repository.app", "arn")
    doc = _r("aws_iam_policy", {"policy": {"Statement": [
        {"Effect": "Allow", "Action": ["ecr:PutImage"], "Resource": [arn]},
        {"Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": Unknown("var.repo is unknown")}]}}).props["policy"]
    assert isinstance(doc, PolicyDocument)
    assert doc.statements[0].resources == (arn,)
    assert doc.unknowns == (Unknown("var.repo is unknown"),)
    assert doc.origin == "aws_iam_policy.x"


def test_unknown_statements_are_kept_in_place_and_listed_as_unknowns():
    # the same document from the Pulumi adapter gives the same result (tests/pulumi/test_pulumi_adapter.py)
    dynamic, effect = Unknown("dynamic statement over an unknown list"), Unknown("var.effect is unknown")
    doc = _r("aws_iam_policy", {"policy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "ecr:DescribeRepositories", "Resource": "*"}, dynamic,
        {"Effect": effect, "Action": "ecr:*", "Resource": "*"}]}}).props["policy"]
    assert [(s.effect, s.actions) for s in doc.statements] == [
        ("Deny", ("ecr:DescribeRepositories",)), (dynamic, ()), (effect, ("ecr:*",))]
    assert [s.effect for s in doc.undecided()] == [dynamic, effect]
    assert doc.unknowns == (dynamic, effect)


def test_both_adapters_translate_tags_and_policies_alike():
    from policypack.adapter import to_resource as pulumi_resource

    unknown = Unknown("dynamic statement")
    policy = {"Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}, unknown]}
    cases = [({"tags": {"a": "1"}, "tags_all": {"a": "1", "team": "ci"}},
              {"tags": {"a": "1"}, "tagsAll": {"a": "1", "team": "ci"}}),
             ({"tags": {"a": "1"}}, {"tags": {"a": "1"}}),
             ({"tags_all": Unknown("default tags")}, {"tagsAll": Unknown("default tags")})]
    for tf_attrs, pulumi_props in cases:
        terraform = _r("aws_iam_policy", {"name": "p", "policy": policy, **tf_attrs})
        pulumi = pulumi_resource("aws:iam/policy:Policy", "p", {"name": "p", "policy": policy, **pulumi_props})
        assert terraform.tags == pulumi.tags
        assert terraform.props["policy"].statements == pulumi.props["policy"].statements
        assert terraform.props["policy"].unknowns == pulumi.props["policy"].unknowns


def test_unknown_values_pass_through_without_truth_tests():
    unknown = Unknown("known after apply")
    assert _r("aws_s3_bucket", {"bucket": "b", "acl": unknown, "grant": unknown}).props == {
        "bucket": "b", "acl": unknown, "grants": unknown}
    assert _r("azurerm_container_registry", {"name": "a", "network_rule_set": unknown}).props == {
        "name": "a", "network_default_action": unknown, "ip_rules": unknown, "subnet_ids": unknown}
    assert _r("azurerm_role_definition", {"name": "c", "permissions": [unknown]}).props == {
        "name": "c", "actions": unknown, "not_actions": unknown, "data_actions": unknown,
        "not_data_actions": unknown}
    assert _r("aws_iam_role", {"name": "r", "inline_policy": unknown, "managed_policy_arns": unknown}).props == {
        "name": "r", "inline_policies": unknown, "managed_policy_arns": unknown}
    assert _r("azurerm_federated_identity_credential", {"subject": unknown}).props == {"subject": unknown}
    assert _r("aws_s3_bucket_acl", {"bucket": "b", "access_control_policy": [{"grant": [unknown]}]}).props == {
        "bucket": "b", "grants": [unknown]}


def test_empty_strings_are_unset():
    assert _r("aws_s3_bucket", {"bucket": "b", "acl": "", "policy": "", "grant": []}).props == {"bucket": "b"}


@pytest.mark.parametrize("attrs,expected", [
    ({"tags": {"cicd-stage": "deploy"}, "tags_all": {"cicd-stage": "deploy", "owner": "platform"}},
     {"cicd-stage": "deploy", "owner": "platform"}),
    ({"tags": {"cicd-stage": "deploy"}, "tags_all": Unknown("known after apply")}, {"cicd-stage": "deploy"}),
    ({"tags": {"a": "b"}}, {"a": "b"}),
    ({"tags": None}, {}),
    ({}, {}),
    ({"tags": Unknown("var.tags is unknown")}, Unknown("var.tags is unknown")),
    ({"tags_all": Unknown("known after apply")}, Unknown("known after apply")),
])
def test_tags(attrs, expected):
    assert _r("aws_iam_role", dict(name="r", **attrs)).tags == expected


def test_explicit_tags_win():
    assert _r("aws_iam_role", {"name": "r", "tags": {"a": "b"}}, tags={"cicd-stage": "build"}).tags == {
        "cicd-stage": "build"}


def test_values_hold_every_literal_leaf():
    resource = _r("aws_iam_role", {"name": "r", "max_session_duration": 3600, "force_detach_policies": False,
                                   "description": None, "arn": Ref("aws_iam_role.x", "arn"),
                                   "unique_id": Unknown("known after apply"),
                                   "inline_policy": [{"name": "i", "policy": POLICY_JSON}],
                                   "tags": {"secret": "AKIAIOSFODNN7EXAMPLE"}})
    assert resource.values == [("name", "r"), ("max_session_duration", 3600), ("force_detach_policies", False),
                               ("inline_policy[0].name", "i"), ("inline_policy[0].policy", POLICY_JSON),
                               ("tags.secret", "AKIAIOSFODNN7EXAMPLE")]


def test_engine_and_address_are_kept():
    resource = to_resource("aws_iam_user", "module.a.aws_iam_user.u[0]", {"name": "u"}, LOC, "terraform-plan")
    assert (resource.address, resource.engine) == ("module.a.aws_iam_user.u[0]", "terraform-plan")
