"""Terraform resource types -> rulebook kinds, shared by the HCL path and the plan JSON path.

Input attributes are Terraform-shaped (as in a plan's `after`: nested blocks are lists of dicts);
values may be plain data, Ref or Unknown. One small function per type family fills the props that
rulebook/kinds.py documents; nothing here decides policy (no "public", no "admin").
"""

from __future__ import annotations

from typing import Any, Callable

from rulebook import managed_policies
from rulebook.adapters import effective_tags, leaves, policy_argument
from rulebook.model import Resource, SourceLocation
from rulebook.unknown import Unknown, concat_known

from . import adapter_commands, adapter_network, adapter_workloads

Attrs = dict[str, Any]
UNMAPPED = "unmapped"  # a managed type no rule models: kept for the secret scan of its literal values


class _Ctx:
    """One translation: the attributes, and the notes collected while reading them."""

    def __init__(self, attrs: Attrs, address: str) -> None:
        self.attrs = attrs
        self.address = address
        self.notes: list[str] = []

    def get(self, key: str) -> Any:
        return self.attrs.get(key)

    def first(self, *keys: str) -> Any:
        """The first of several alternative argument names that is set (provider renames)."""
        for key in keys:
            value = self.attrs.get(key)
            if value is not None:
                return value
        return None

    def policy(self, value: Any, where: str) -> Any:
        """A PolicyDocument, or Unknown with the reason (malformed documents are also noted)."""
        return policy_argument(value, where, self.address, self.notes)


def _given(value: Any) -> Any:
    """The value, or None when unset (None, "", []); never tests truthiness (Unknown has none)."""
    if isinstance(value, (str, list)) and len(value) == 0:
        return None
    return value


def _blocks(value: Any) -> list[Any] | Unknown:
    """Nested blocks as a list (a single dict is accepted); Unknown stays Unknown."""
    if value is None:
        return []
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        return [value]
    if isinstance(value, (list, tuple)):
        return list(value)
    return []


def _in_block(value: Any, key: str) -> Any:
    """`key` of the first nested block (network_rule_set[0].default_action and the like)."""
    blocks = _blocks(value)
    if isinstance(blocks, Unknown):
        return blocks
    if not blocks:
        return None
    block = blocks[0]
    if isinstance(block, Unknown):
        return block
    return block.get(key) if isinstance(block, dict) else None


def _each(value: Any, key: str) -> list[Any] | Unknown | None:
    """`key` of every nested block, or None when there is no block."""
    blocks = _blocks(value)
    if isinstance(blocks, Unknown):
        return blocks
    if not blocks:
        return None
    out: list[Any] = []
    for block in blocks:
        if isinstance(block, Unknown):
            return block
        if isinstance(block, dict) and block.get(key) is not None:
            out.append(block[key])
    return out


def _one(value: Any) -> list[Any] | Unknown | None:
    """A single reference as a one-element list (kinds model memberships as lists)."""
    if value is None or isinstance(value, Unknown):
        return value
    return [value]


def _list(value: Any) -> list[Any] | Unknown | None:
    if value is None or isinstance(value, Unknown):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


# --- AWS IAM ---------------------------------------------------------------------------------------

def _role(c: _Ctx) -> tuple[str, Attrs]:
    trust = c.policy(c.get("assume_role_policy"), "assume_role_policy")
    inline: list[Any] | Unknown | None = None
    blocks = _blocks(c.get("inline_policy"))
    if isinstance(blocks, Unknown):
        inline = blocks
    elif blocks:
        inline = []
        for i, block in enumerate(blocks):
            if isinstance(block, Unknown):
                inline.append(block)
            elif isinstance(block, dict) and block.get("policy") not in (None, ""):
                inline.append(c.policy(block["policy"], f"inline_policy[{i}].policy"))
    return "aws.iam.role", dict(name=c.get("name"), arn=c.get("arn"),
                                assume_role_policy=trust,
                                inline_policies=inline, managed_policy_arns=_list(c.get("managed_policy_arns")))


def _principal(kind: str) -> Callable[[_Ctx], tuple[str, Attrs]]:
    return lambda c: (kind, dict(name=c.get("name"), arn=c.get("arn")))


def _group_membership(c: _Ctx) -> tuple[str, Attrs]:
    return "aws.iam.group_membership", dict(groups=_one(c.get("group")), users=_list(c.get("users")))


def _user_group_membership(c: _Ctx) -> tuple[str, Attrs]:
    return "aws.iam.group_membership", dict(groups=_list(c.get("groups")), users=_one(c.get("user")))


def _managed_policy(c: _Ctx) -> tuple[str, Attrs]:
    return "aws.iam.policy", dict(name=c.get("name"), arn=c.get("arn"),
                                  policy=c.policy(c.get("policy"), "policy"))


def _policy_lookup(c: _Ctx) -> tuple[str, Attrs]:
    """data "aws_iam_policy": an AWS managed policy's statements come from the rulebook's catalogue."""
    arn, read = c.get("arn"), c.get("policy")
    found = managed_policies.read_data_source(arn, c.get("name"), c.get("path_prefix"))
    if isinstance(found, tuple):
        arn, policy = (arn if isinstance(arn, str) else found[0]), found[1]
    else:
        policy = found if found is not None else Unknown(f"customer policy {arn} is read from the account")
    if isinstance(read, str) and read:  # a plan that read the data source carries the document itself
        policy = c.policy(read, "policy")
    return "aws.iam.policy", dict(name=c.get("name"), arn=arn, policy=policy)


def _inline_policy(identity_type: str) -> Callable[[_Ctx], tuple[str, Attrs]]:
    def build(c: _Ctx) -> tuple[str, Attrs]:
        return "aws.iam.inline_policy", dict(identity=c.get(identity_type), identity_type=identity_type,
                                             policy=c.policy(c.get("policy"), "policy"), name=c.get("name"))
    return build


def _attachment(identity_type: str) -> Callable[[_Ctx], tuple[str, Attrs]]:
    def build(c: _Ctx) -> tuple[str, Attrs]:
        return "aws.iam.policy_attachment", {"policy_arn": c.get("policy_arn"),
                                             f"{identity_type}s": _one(c.get(identity_type))}
    return build


def _policy_attachment(c: _Ctx) -> tuple[str, Attrs]:
    return "aws.iam.policy_attachment", dict(policy_arn=c.get("policy_arn"), roles=_list(c.get("roles")),
                                             users=_list(c.get("users")), groups=_list(c.get("groups")))


def _role_attachments_exclusive(c: _Ctx) -> tuple[str, Attrs]:
    return "aws.iam.policy_attachment", dict(policy_arns=_list(c.get("policy_arns")),
                                             roles=_one(c.get("role_name")))


def _access_key(c: _Ctx) -> tuple[str, Attrs]:
    return "aws.iam.access_key", dict(user=c.get("user"), status=c.get("status"))


def _oidc_provider(c: _Ctx) -> tuple[str, Attrs]:
    return "aws.iam.oidc_provider", dict(url=c.get("url"), arn=c.get("arn"),
                                         client_id_list=_list(c.get("client_id_list")))


# --- AWS ECR ---------------------------------------------------------------------------------------

def _saml_provider(c: _Ctx) -> tuple[str, Attrs]:
    return "aws.iam.saml_provider", dict(name=c.get("name"), arn=c.get("arn"))


def _caller_identity(c: _Ctx) -> tuple[str, Attrs]:
    return "aws.caller_identity", dict(account_id=c.get("account_id"), arn=c.get("arn"))


def _aws_provider(c: _Ctx) -> tuple[str, Attrs]:
    return "aws.provider", dict(allowed_account_ids=c.get("allowed_account_ids"), alias=c.get("alias"))


def _ecr_repository(c: _Ctx) -> tuple[str, Attrs]:
    return "aws.ecr.repository", dict(name=c.get("name"), arn=c.get("arn"),
                                      image_tag_mutability=c.get("image_tag_mutability"), public=False)


def _ecrpublic_repository(c: _Ctx) -> tuple[str, Attrs]:
    return "aws.ecr.repository", dict(name=c.get("repository_name"), arn=c.get("arn"), public=True)


def _ecr_repository_policy(c: _Ctx) -> tuple[str, Attrs]:
    return "aws.ecr.repository_policy", dict(repository=c.first("repository", "repository_name"),
                                             policy=c.policy(c.get("policy"), "policy"))


def _ecr_registry_policy(c: _Ctx) -> tuple[str, Attrs]:
    return "aws.ecr.registry_policy", dict(policy=c.policy(c.get("policy"), "policy"))


# --- AWS S3 ----------------------------------------------------------------------------------------

def _grant(block: Any, permissions: Any) -> dict[str, Any] | Unknown:
    if isinstance(block, Unknown):
        return block
    return {"type": block.get("type"), "uri": block.get("uri"), "id": block.get("id"),
            "permissions": _list(permissions) if permissions is not None else []}


def _bucket(c: _Ctx) -> tuple[str, Attrs]:
    grants: list[Any] | Unknown | None = None
    blocks = _blocks(c.get("grant"))
    if isinstance(blocks, Unknown):
        grants = blocks
    elif blocks:
        grants = [_grant(b, b.get("permissions") if isinstance(b, dict) else None) for b in blocks]
    return "aws.s3.bucket", dict(bucket=c.get("bucket"), arn=c.get("arn"), acl=_given(c.get("acl")),
                                 grants=grants, policy=c.policy(c.get("policy"), "policy"))


_BLOCK_FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")


def _public_access_block(c: _Ctx) -> tuple[str, Attrs]:
    return "aws.s3.public_access_block", dict(bucket=c.get("bucket"), **{f: c.get(f) for f in _BLOCK_FLAGS})


def _bucket_policy(c: _Ctx) -> tuple[str, Attrs]:
    return "aws.s3.bucket_policy", dict(bucket=c.get("bucket"), policy=c.policy(c.get("policy"), "policy"))


def _bucket_acl(c: _Ctx) -> tuple[str, Attrs]:
    grants: list[Any] | Unknown | None = None
    blocks = _blocks(_in_block(c.get("access_control_policy"), "grant"))
    if isinstance(blocks, Unknown):
        grants = blocks
    elif blocks:
        grants = []
        for block in blocks:
            if isinstance(block, Unknown):
                grants.append(block)
                continue
            grantee = _blocks(block.get("grantee"))
            first = grantee if isinstance(grantee, Unknown) else (grantee[0] if grantee else {})
            grants.append(_grant(first, block.get("permission")))
    return "aws.s3.bucket_acl", dict(bucket=c.get("bucket"), acl=_given(c.get("acl")), grants=grants)


def _ownership_controls(c: _Ctx) -> tuple[str, Attrs]:
    return "aws.s3.ownership_controls", dict(bucket=c.get("bucket"),
                                             object_ownership=_in_block(c.get("rule"), "object_ownership"))


def _access_point(c: _Ctx) -> tuple[str, Attrs]:
    block = c.get("public_access_block_configuration")
    return "aws.s3.access_point", dict(bucket=c.get("bucket"), name=c.get("name"), arn=c.get("arn"),
                                       policy=c.policy(c.get("policy"), "policy"),
                                       vpc_id=_in_block(c.get("vpc_configuration"), "vpc_id"),
                                       **{f: _in_block(block, f) for f in _BLOCK_FLAGS})


def _access_point_policy(c: _Ctx) -> tuple[str, Attrs]:
    return "aws.s3.access_point_policy", dict(access_point=c.get("access_point_arn"),
                                              policy=c.policy(c.get("policy"), "policy"))


# --- Azure -----------------------------------------------------------------------------------------

def _acr(c: _Ctx) -> tuple[str, Attrs]:
    rules = c.get("network_rule_set")
    return "azure.acr.registry", dict(
        name=c.get("name"), id=c.get("id"), admin_enabled=c.get("admin_enabled"),
        anonymous_pull_enabled=c.get("anonymous_pull_enabled"),
        public_network_access_enabled=c.get("public_network_access_enabled"),
        network_default_action=_in_block(rules, "default_action"),
        ip_rules=_each(_in_block(rules, "ip_rule"), "ip_range"),
        subnet_ids=_each(_in_block(rules, "virtual_network"), "subnet_id"))


def _acr_token_password(c: _Ctx) -> tuple[str, Attrs]:
    return "azure.acr.token_password", dict(token=c.get("container_registry_token_id"))


def _role_assignment(c: _Ctx) -> tuple[str, Attrs]:
    return "azure.role_assignment", dict(scope=c.get("scope"), role_definition_id=c.get("role_definition_id"),
                                         role_definition_name=c.get("role_definition_name"),
                                         principal_id=c.get("principal_id"), principal_type=c.get("principal_type"))


def _role_definition(c: _Ctx) -> tuple[str, Attrs]:
    perms = c.get("permissions")
    return "azure.role_definition", dict(
        name=c.get("name"), id=c.first("role_definition_resource_id", "id"),
        role_definition_id=c.get("role_definition_id"), scope=c.get("scope"),
        assignable_scopes=_list(c.get("assignable_scopes")),
        actions=concat_known(_each(perms, "actions")), not_actions=concat_known(_each(perms, "not_actions")),
        data_actions=concat_known(_each(perms, "data_actions")), not_data_actions=concat_known(_each(perms, "not_data_actions")))


def _identity(principal_type: str, *name_keys: str) -> Callable[[_Ctx], tuple[str, Attrs]]:
    def build(c: _Ctx) -> tuple[str, Attrs]:
        return "azure.identity", dict(name=c.first(*name_keys), id=c.get("id"),
                                      principal_id=c.first("principal_id", "object_id"),
                                      client_id=c.first("client_id", "application_id"),
                                      principal_type=principal_type)
    return build


def _federated_credential(*identity_keys: str) -> Callable[[_Ctx], tuple[str, Attrs]]:
    def build(c: _Ctx) -> tuple[str, Attrs]:
        claims = c.get("claims_matching_expression")
        if isinstance(claims, (list, dict)):
            claims = _in_block(claims, "value")
        return "azure.federated_credential", dict(identity=c.first(*identity_keys), issuer=c.get("issuer"),
                                                  subject=_given(c.get("subject")),
                                                  audiences=_list(c.first("audience", "audiences")),
                                                  claims_matching_expression=claims)
    return build


def _ad_password(*owner_keys: str) -> Callable[[_Ctx], tuple[str, Attrs]]:
    return lambda c: ("azure.ad.password", dict(owner=c.first(*owner_keys)))


def _default(value: Any, provider_default: Any) -> Any:
    """What the provider sends when the argument is not set (as a plan's `after` shows it)."""
    return provider_default if value is None else value


def _network_rule_props(c: _Ctx, rules: Any) -> Attrs:
    return dict(network_default_action=_in_block(rules, "default_action"),
                ip_rules=_list(_in_block(rules, "ip_rules")),
                subnet_ids=_list(_in_block(rules, "virtual_network_subnet_ids")))


def _storage_account(c: _Ctx) -> tuple[str, Attrs]:
    rules = c.get("network_rules")
    props = dict(name=c.get("name"), id=c.get("id"),
                 public_network_access_enabled=c.get("public_network_access_enabled"),
                 allow_blob_public_access=_default(c.first("allow_nested_items_to_be_public",
                                                           "allow_blob_public_access"), True),
                 shared_key_access_enabled=_default(c.get("shared_access_key_enabled"), True))
    if rules is not None and rules != []:
        props.update(_network_rule_props(c, rules))
    return "azure.storage.account", props


def _storage_network_rules(c: _Ctx) -> tuple[str, Attrs]:
    return "azure.storage.network_rules", dict(account=c.first("storage_account_id", "storage_account_name"),
                                               **_network_rule_props(c, [c.attrs]))


_CONTAINER_ACCESS = {"private": "none"}


def _storage_container(c: _Ctx) -> tuple[str, Attrs]:
    access = c.get("container_access_type")
    if isinstance(access, str):
        access = _CONTAINER_ACCESS.get(access, access)
    return "azure.storage.container", dict(account=c.first("storage_account_id", "storage_account_name"),
                                           public_access=access)


def _resource_group(c: _Ctx) -> tuple[str, Attrs]:
    return "azure.resource_group", dict(name=c.get("name"), id=c.get("id"))


Builder = Callable[[_Ctx], tuple[str, Attrs]]

MANAGED: dict[str, Builder] = {
    "aws_iam_role": _role,
    "aws_iam_user": _principal("aws.iam.user"),
    "aws_iam_group": _principal("aws.iam.group"),
    "aws_iam_group_membership": _group_membership,
    "aws_iam_user_group_membership": _user_group_membership,
    "aws_iam_policy": _managed_policy,
    "aws_iam_role_policy": _inline_policy("role"),
    "aws_iam_user_policy": _inline_policy("user"),
    "aws_iam_group_policy": _inline_policy("group"),
    "aws_iam_role_policy_attachment": _attachment("role"),
    "aws_iam_user_policy_attachment": _attachment("user"),
    "aws_iam_group_policy_attachment": _attachment("group"),
    "aws_iam_policy_attachment": _policy_attachment,
    "aws_iam_role_policy_attachments_exclusive": _role_attachments_exclusive,
    "aws_iam_access_key": _access_key,
    "aws_iam_openid_connect_provider": _oidc_provider,
    "aws_iam_saml_provider": _saml_provider,
    "aws_ecr_repository": _ecr_repository,
    "aws_ecrpublic_repository": _ecrpublic_repository,
    "aws_ecr_repository_policy": _ecr_repository_policy,
    "aws_ecrpublic_repository_policy": _ecr_repository_policy,
    "aws_ecr_registry_policy": _ecr_registry_policy,
    "aws_s3_bucket": _bucket,
    "aws_s3_bucket_public_access_block": _public_access_block,
    "aws_s3_account_public_access_block": _public_access_block,
    "aws_s3_bucket_policy": _bucket_policy,
    "aws_s3_bucket_acl": _bucket_acl,
    "aws_s3_bucket_ownership_controls": _ownership_controls,
    "aws_s3_access_point": _access_point,
    "aws_s3control_access_point_policy": _access_point_policy,
    "azurerm_container_registry": _acr,
    "azurerm_container_registry_token_password": _acr_token_password,
    "azurerm_role_assignment": _role_assignment,
    "azurerm_role_definition": _role_definition,
    "azurerm_user_assigned_identity": _identity("ServicePrincipal", "name"),
    "azuread_service_principal": _identity("ServicePrincipal", "display_name"),
    "azuread_user": _identity("User", "user_principal_name", "display_name"),
    "azuread_group": _identity("Group", "display_name"),
    "azurerm_federated_identity_credential": _federated_credential("parent_id", "user_assigned_identity_id"),
    "azuread_application_federated_identity_credential": _federated_credential("application_id",
                                                                                "application_object_id"),
    "azuread_application_flexible_federated_identity_credential": _federated_credential("application_id"),
    "azuread_application_password": _ad_password("application_id", "application_object_id"),
    "azuread_service_principal_password": _ad_password("service_principal_id"),
    "azurerm_storage_account": _storage_account,
    "azurerm_storage_account_network_rules": _storage_network_rules,
    "azurerm_storage_container": _storage_container,
    "azurerm_resource_group": _resource_group,
}

MANAGED.update(adapter_workloads.MANAGED)
MANAGED.update(adapter_network.MANAGED)

# Data sources that stand for resources the rules reason about (a built-in role looked up by name).
DATA: dict[str, Builder] = {
    "azurerm_role_definition": _role_definition,
    "aws_iam_policy": _policy_lookup,
    "aws_caller_identity": _caller_identity,
}


# Provider configurations (mode "provider"): which accounts the stack deploys into.
PROVIDERS: dict[str, Builder] = {
    "aws": _aws_provider,
}


def _builders(mode: str) -> dict[str, Builder]:
    if mode == "provisioner":  # commands a resource runs (adapter_commands.py)
        return adapter_commands.PROVISIONERS
    return DATA if mode == "data" else PROVIDERS if mode == "provider" else MANAGED


def to_resource(tf_type: str, address: str, attrs: dict, location: SourceLocation, engine: str,
                mode: str = "managed", tags: Any = None) -> Resource | None:
    """The rulebook Resource for one Terraform resource instance, or None for types no rule reads."""
    builder = _builders(mode).get(tf_type)
    if builder is None and mode in ("data", "provider"):
        return None
    ctx = _Ctx(attrs, address)
    kind, props = builder(ctx) if builder is not None else (UNMAPPED, {})
    return Resource(kind=kind, address=address, engine=engine,
                    props={k: v for k, v in props.items() if v is not None},
                    tags=tags if tags is not None else effective_tags(attrs.get("tags"), attrs.get("tags_all")),
                    location=location,
                    native_type=tf_type, values=list(leaves(attrs)), notes=ctx.notes)
