"""Engine-neutral resource kinds: the contract between adapters and rules.

Adapters (Terraform HCL, Terraform plan JSON, Pulumi) translate native resources into these kinds
and fill exactly these props (snake_case). A prop the input does not set is left out; a prop whose
value is not known at plan time is an Unknown. Types in the descriptions:
  str / bool / int / list[...] / dict  plain values;  ref  a value pointing at another resource
  (a Ref, or the concrete name/arn/id string);  policy  a PolicyDocument (rulebook.policy.parse_policy).
Every kind may also carry `id` (the provider's identifier, e.g. a Pulumi output or a plan value),
used only to resolve references. Every resource also carries `tags` (the effective tags: provider
default tags included, rulebook.adapters.effective_tags) and `values`: its literal leaves, values
written in its own configuration (Terraform: not read through a variable, local or another resource;
Pulumi: every known input that is not a Pulumi secret), for secret scans. A string prop may be a
rulebook.model.Linked value: the engine said which resource it comes from, and Inventory.resolve
follows that instead of the name. Rules read only these kinds and props; a rule that needs more
means this file needs more.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    description: str
    props: dict[str, str]


ENVIRONMENT = ("list[dict]: variables as {name, value, path, from_store: value is a secret-store reference "
               "(PARAMETER_STORE, valueFrom, Key Vault, secret_name), secret: the engine marks it secret}")


def _k(name: str, description: str, /, **props: str) -> Kind:  # positional-only: props may be called "name"
    return Kind(name, description, props)


KINDS: dict[str, Kind] = {k.name: k for k in [
    # --- AWS IAM -----------------------------------------------------------------------------
    _k("aws.iam.role", "IAM role",
       name="str", arn="str", assume_role_policy="policy: trust policy",
       inline_policies="list[policy]: inline_policy blocks declared on the role",
       managed_policy_arns="list[ref]: policies attached on the role itself"),
    _k("aws.iam.user", "IAM user (a human or a long-lived machine identity)", name="str", arn="str"),
    _k("aws.iam.group", "IAM group", name="str", arn="str"),
    _k("aws.iam.group_membership", "users placed in groups (group membership / user group membership)",
       groups="list[ref]", users="list[ref]"),
    _k("aws.iam.policy", "customer managed policy", name="str", arn="str", policy="policy"),
    _k("aws.iam.inline_policy", "inline policy of a role, user or group (role_policy/user_policy/group_policy)",
       identity="ref: the role, user or group (name or Ref)", identity_type="str: role|user|group",
       policy="policy", name="str"),
    _k("aws.iam.policy_attachment", "managed policy attached to identities (any attachment resource)",
       policy_arn="ref", roles="list[ref]", users="list[ref]", groups="list[ref]",
       policy_arns="list[ref]: several policies in one resource (aws_iam_role_policy_attachments_exclusive)"),
    _k("aws.iam.access_key", "long-lived IAM access key", user="ref", status="str"),
    _k("aws.iam.oidc_provider", "IAM OpenID Connect provider", url="str", arn="str",
       client_id_list="list[str]"),
    _k("aws.iam.saml_provider", "IAM SAML provider (human single sign-on)", name="str", arn="str"),
    _k("aws.caller_identity", "the identity and account the deployment runs as (data aws_caller_identity)",
       account_id="str", arn="str"),
    _k("aws.provider", "aws provider configuration (plan JSON provider_config per alias, Pulumi aws provider)",
       allowed_account_ids="list[str]: accounts the provider may deploy into", alias="str"),
    # --- AWS ECR -----------------------------------------------------------------------------
    _k("aws.ecr.repository", "ECR repository (private or public)", name="str", arn="str",
       image_tag_mutability="str: MUTABLE|IMMUTABLE|...", public="bool: ecr-public repository"),
    _k("aws.ecr.repository_policy", "ECR repository policy", repository="ref", policy="policy"),
    _k("aws.ecr.registry_policy", "ECR registry policy", policy="policy"),
    # --- AWS S3 ------------------------------------------------------------------------------
    _k("aws.s3.bucket", "S3 bucket", bucket="str: bucket name", arn="str", acl="str",
       grants="list[dict]: {type, uri, id, permissions}", policy="policy: legacy inline bucket policy"),
    _k("aws.s3.public_access_block", "S3 public access block; bucket absent = account-level",
       bucket="ref", block_public_acls="bool", block_public_policy="bool",
       ignore_public_acls="bool", restrict_public_buckets="bool"),
    _k("aws.s3.bucket_policy", "S3 bucket policy", bucket="ref", policy="policy"),
    _k("aws.s3.bucket_acl", "S3 bucket ACL", bucket="ref", acl="str", grants="list[dict]"),
    _k("aws.s3.ownership_controls", "S3 bucket ownership controls", bucket="ref", object_ownership="str"),
    _k("aws.s3.access_point", "S3 access point (its own policy and network origin in front of a bucket)",
       bucket="ref", name="str", arn="str", policy="policy: legacy inline access point policy",
       vpc_id="ref: set = reachable only from that VPC (network origin VPC)",
       block_public_acls="bool", block_public_policy="bool", ignore_public_acls="bool",
       restrict_public_buckets="bool"),
    _k("aws.s3.access_point_policy", "policy of an S3 access point declared as its own resource",
       access_point="ref: the access point's ARN or Ref", policy="policy"),
    # --- AWS network -------------------------------------------------------------------------
    _k("aws.ec2.vpc_endpoint", "VPC endpoint (the vpce-... a bucket policy may pin)", id="str",
       vpc_id="ref", service_name="str", endpoint_type="str: Gateway|Interface|..."),
    _k("aws.ec2.security_group", "EC2/VPC security group with its inline ingress rules", name="str", id="str",
       vpc_id="ref", ingress="list[dict]: {protocol: str (-1 = all), from_port: int, to_port: int, "
       "sources: list[str] IPv4 and IPv6 CIDRs}"),
    _k("aws.ec2.security_group_rule", "one security group rule declared as its own resource "
       "(aws_security_group_rule, aws_vpc_security_group_ingress_rule)", security_group="ref",
       direction="str: ingress|egress", protocol="str", from_port="int", to_port="int",
       sources="list[str]: IPv4 and IPv6 CIDRs"),
    # --- Azure -------------------------------------------------------------------------------
    _k("azure.acr.registry", "Azure Container Registry", name="str", id="str",
       admin_enabled="bool", anonymous_pull_enabled="bool", public_network_access_enabled="bool",
       network_default_action="str: Allow|Deny", ip_rules="list[str]: CIDRs",
       subnet_ids="list[ref]"),
    _k("azure.acr.token_password", "ACR token password (long-lived)", token="ref"),
    _k("azure.role_assignment", "Azure RBAC role assignment", scope="ref: resource id or Ref",
       role_definition_id="ref: full resource id, bare GUID or Ref", role_definition_name="str",
       principal_id="ref", principal_type="str: User|Group|ServicePrincipal|..."),
    _k("azure.role_definition", "Azure custom role definition (or a looked-up built-in)", name="str", id="str",
       role_definition_id="str: GUID", scope="ref", assignable_scopes="list[ref]",
       actions="list[str]", not_actions="list[str]", data_actions="list[str]", not_data_actions="list[str]"),
    _k("azure.identity", "Azure principal: user-assigned identity, service principal, user or group",
       name="str", id="str", principal_id="str", client_id="str",
       principal_type="str: ServicePrincipal|User|Group"),
    _k("azure.federated_credential", "federated identity credential (user-assigned identity or app)",
       identity="ref: parent identity or application", issuer="str", subject="str",
       audiences="list[str]", claims_matching_expression="str"),
    _k("azure.ad.password", "Entra ID application or service principal password (long-lived)",
       owner="ref: application or service principal"),
    _k("azure.storage.account", "Azure storage account", name="str", id="str",
       public_network_access_enabled="bool", network_default_action="str: Allow|Deny",
       ip_rules="list[str]", subnet_ids="list[ref]",
       allow_blob_public_access="bool: unset = the provider's default, filled in by the adapter "
       "(azurerm: true; azure-native: left out, Azure's default is false)",
       shared_key_access_enabled="bool: unset = enabled, filled in by the adapter (azurerm and classic "
       "pulumi-azure default to true; Azure allows shared keys unless allowSharedKeyAccess is false)"),
    _k("azure.storage.network_rules", "network rules of a storage account declared as their own resource; "
       "they replace the account's network_rules block", account="ref: storage account id (or name) or Ref",
       network_default_action="str: Allow|Deny", ip_rules="list[str]", subnet_ids="list[ref]"),
    _k("azure.storage.container", "Azure blob container", account="ref", public_access="str: none|blob|container"),
    _k("azure.resource_group", "Azure resource group", name="str", id="str"),
    _k("azure.network.security_group", "Azure network security group with its inline rules", name="str", id="str",
       rules="list[dict]: {name, priority: int, direction: Inbound|Outbound, access: Allow|Deny, protocol, "
       "sources: list[str] address prefixes or service tags, ports: list[str] destination ports or ranges}"),
    _k("azure.network.security_rule", "one NSG rule declared as its own resource", security_group="ref",
       name="str", priority="int", direction="str", access="str", protocol="str", sources="list[str]",
       ports="list[str]"),
    # --- Compute and build/deploy environments (secrets, IMDS) ------------------------------
    _k("aws.ec2.instance", "EC2 instance (a build agent or any host)",
       user_data="str: bootstrap script as the instance runs it (base64 decoded)",
       metadata_http_tokens="str: required|optional (IMDSv2 enforced when required)",
       metadata_http_endpoint="str: enabled|disabled"),
    _k("aws.ec2.launch_template", "EC2 launch template or launch configuration",
       user_data="str: bootstrap script (base64 decoded)", metadata_http_tokens="str: required|optional",
       metadata_http_endpoint="str: enabled|disabled"),
    _k("azure.vm", "Azure virtual machine or scale set", user_data="str: custom_data / user_data (decoded)"),
    _k("aws.codebuild.project", "CodeBuild project", environment=ENVIRONMENT),
    _k("aws.ecs.task_definition", "ECS task definition", environment=ENVIRONMENT + " (name: container/VAR)"),
    _k("aws.lambda.function", "Lambda function", environment=ENVIRONMENT),
    _k("azure.app_service", "App Service / Function App (web app, function app)",
       environment=ENVIRONMENT + " (app settings and connection strings)"),
    _k("azure.container_app", "Azure Container App", environment=ENVIRONMENT + " (name: container/VAR)"),
    _k("github.actions_secret", "GitHub Actions / Dependabot secret (repository, environment, organisation)",
       name="str", plaintext_value="str: value stored unencrypted in configuration",
       secret="bool: the engine marks plaintext_value secret/sensitive"),
    # --- Commands the deployment runs ---------------------------------------------------------
    _k("deploy.command", "a command the deployment runs (Terraform local-exec/remote-exec provisioners, Pulumi "
       "command resources); address RESOURCE.provisioner[N] for a provisioner",
       script="str: the command text (remote-exec inline lines joined by newlines, script files read inside the "
       "scan root); `${...}` stands for a value read when it runs (self attributes, values unknown at plan time)",
       runs_on="str: local (the CI runner or whoever runs the deployment) | remote (the host it connects to)",
       when="str: create | destroy, when `script` runs (a plan does not say: left out)",
       other_phases="list[dict]: {when: update|delete, script} further commands of the same resource (Pulumi)"),
    # --- Terraform declarations (secrets in variables, outputs and locals) ----------------------
    _k("terraform.variable", "Terraform input variable (address var.NAME); values holds its literal leaves",
       name="str", value="any: its value in this scan (default, tfvars or module argument)",
       sensitive="bool", source="str: default|tfvars|environment|module_call|unset",
       literal="bool: the value is written in the configuration (a default, tfvars or literal argument)",
       used_by="list[str]: where the module reads it (resource.attribute, local, output)",
       attributes="list[str]: attribute names of its object type, when it is declared as one"),
    _k("terraform.variable_value", "a root variable's value as a variables file (.tfvars) writes it, located at the "
       "assignment (address `var.NAME (FILE)`); values holds its literal leaves", name="str", value="any",
       source="str: tfvars", declared="bool: the root module declares the variable",
       used_by="list[str]: where the root module reads it"),
    _k("terraform.output", "Terraform output (address output.NAME)", name="str", value="any", sensitive="bool",
       exposes="list[str]: resource attributes the value is built from (aws_iam_access_key.ci.secret)"),
    _k("terraform.local", "Terraform local value (address local.NAME); values holds its literal leaves",
       name="str", value="any", literal="bool: the expression references nothing",
       used_by="list[str]: where the module reads it"),
    _k("terraform.provider", "Terraform provider configuration (address provider.NAME[.ALIAS]); values holds its "
       "literal leaves (access_key, secret_key, client_secret, token, ...)", name="str", alias="str",
       allowed_account_ids="list[str]: aws provider only, the accounts it may deploy into"),
    # --- Anything else ----------------------------------------------------------------------------
    _k("unmapped", "a resource type no rule models; only its literal values are read (secret scans)"),
]}
