"""pulumi-aws 7.x type tokens (and the aliases of earlier majors) -> rulebook kinds."""

from __future__ import annotations

import json
from typing import Any, Callable

from rulebook.adapters import joined
from rulebook.unknown import Unknown

from rulebook.reader import Props, Reader, as_list, one

Builder = Callable[[Reader], tuple[str, Props]]


def _role(r: Reader) -> tuple[str, Props]:
    inline: Any = None
    blocks = as_list(r.get("inlinePolicies", "inlinePolicy"))
    if isinstance(blocks, Unknown):
        inline = blocks
    elif blocks:
        inline = []
        for index, block in enumerate(blocks):
            if isinstance(block, Unknown):
                inline.append(block)
            elif isinstance(block, dict) and block.get("policy") not in (None, ""):
                inline.append(r.policy(block["policy"], f"inlinePolicies[{index}].policy"))
    return "aws.iam.role", dict(name=r.get("name"), arn=r.get("arn"),
                                assume_role_policy=r.policy(r.get("assumeRolePolicy"), "assumeRolePolicy"),
                                inline_policies=inline, managed_policy_arns=as_list(r.get("managedPolicyArns")))


def _principal(kind: str) -> Builder:
    return lambda r: (kind, dict(name=r.get("name"), arn=r.get("arn")))


def _group_membership(r: Reader) -> tuple[str, Props]:
    return "aws.iam.group_membership", dict(groups=one(r.get("group")), users=as_list(r.get("users")))


def _user_group_membership(r: Reader) -> tuple[str, Props]:
    return "aws.iam.group_membership", dict(groups=as_list(r.get("groups")), users=one(r.get("user")))


def _managed_policy(r: Reader) -> tuple[str, Props]:
    return "aws.iam.policy", dict(name=r.get("name"), arn=r.get("arn"),
                                  policy=r.policy(r.get("policy"), "policy"))


def _inline_policy(identity_type: str) -> Builder:
    def build(r: Reader) -> tuple[str, Props]:
        return "aws.iam.inline_policy", dict(identity=r.get(identity_type), identity_type=identity_type,
                                             policy=r.policy(r.get("policy"), "policy"), name=r.get("name"))
    return build


def _attachment(identity_type: str) -> Builder:
    def build(r: Reader) -> tuple[str, Props]:
        return "aws.iam.policy_attachment", {"policy_arn": r.get("policyArn"),
                                             f"{identity_type}s": one(r.get(identity_type))}
    return build


def _policy_attachment(r: Reader) -> tuple[str, Props]:
    return "aws.iam.policy_attachment", dict(policy_arn=r.get("policyArn"), roles=as_list(r.get("roles")),
                                             users=as_list(r.get("users")), groups=as_list(r.get("groups")))


def _attachments_exclusive(identity_type: str) -> Builder:
    def build(r: Reader) -> tuple[str, Props]:
        return "aws.iam.policy_attachment", {"policy_arns": as_list(r.get("policyArns")),
                                             f"{identity_type}s": one(r.get(f"{identity_type}Name"))}
    return build


def _access_key(r: Reader) -> tuple[str, Props]:
    return "aws.iam.access_key", dict(user=r.get("user"), status=r.get("status"))


def _oidc_provider(r: Reader) -> tuple[str, Props]:
    return "aws.iam.oidc_provider", dict(url=r.get("url"), arn=r.get("arn"),
                                         client_id_list=as_list(r.get("clientIdLists", "clientIdList")))


def _saml_provider(r: Reader) -> tuple[str, Props]:
    return "aws.iam.saml_provider", dict(name=r.get("name"), arn=r.get("arn"))


def _aws_provider(r: Reader) -> tuple[str, Props]:
    """A provider resource; the engine passes its config as text, so a list arrives JSON-encoded."""
    ids = r.get("allowedAccountIds")
    if isinstance(ids, str):
        try:
            ids = json.loads(ids)
        except ValueError:
            ids = [part.strip() for part in ids.split(",") if part.strip()]
    return "aws.provider", dict(allowed_account_ids=as_list(ids), alias=None)


def _ecr_repository(r: Reader) -> tuple[str, Props]:
    return "aws.ecr.repository", dict(name=r.get("name"), arn=r.get("arn"),
                                      image_tag_mutability=r.get("imageTagMutability"), public=False)


def _ecrpublic_repository(r: Reader) -> tuple[str, Props]:
    return "aws.ecr.repository", dict(name=r.get("repositoryName"), arn=r.get("arn"), public=True)


def _ecr_repository_policy(r: Reader) -> tuple[str, Props]:
    return "aws.ecr.repository_policy", dict(repository=r.get("repository", "repositoryName"),
                                             policy=r.policy(r.get("policy"), "policy"))


def _ecr_registry_policy(r: Reader) -> tuple[str, Props]:
    return "aws.ecr.registry_policy", dict(policy=r.policy(r.get("policy"), "policy"))


def _grant(grantee: Any, permissions: Any) -> dict[str, Any] | Unknown:
    if isinstance(grantee, Unknown):
        return grantee
    grantee = grantee if isinstance(grantee, dict) else {}
    return {"type": grantee.get("type"), "uri": grantee.get("uri"), "id": grantee.get("id"),
            "permissions": as_list(permissions) if permissions is not None else []}


def _bucket(r: Reader) -> tuple[str, Props]:
    grants: Any = as_list(r.get("grants", "grant"))
    if isinstance(grants, list):
        grants = [g if isinstance(g, Unknown) else _grant(g, g.get("permissions") if isinstance(g, dict) else None)
                  for g in grants] or None
    return "aws.s3.bucket", dict(bucket=r.get("bucket"), arn=r.get("arn"), acl=r.get("acl") or None,
                                 grants=grants, policy=r.policy(r.get("policy"), "policy"))


_BLOCK_FLAGS = {"block_public_acls": "blockPublicAcls", "block_public_policy": "blockPublicPolicy",
                "ignore_public_acls": "ignorePublicAcls", "restrict_public_buckets": "restrictPublicBuckets"}


def _public_access_block(r: Reader) -> tuple[str, Props]:
    return "aws.s3.public_access_block", dict(bucket=r.get("bucket"),
                                              **{k: r.get(v) for k, v in _BLOCK_FLAGS.items()})


def _bucket_policy(r: Reader) -> tuple[str, Props]:
    return "aws.s3.bucket_policy", dict(bucket=r.get("bucket"), policy=r.policy(r.get("policy"), "policy"))


def _bucket_acl(r: Reader) -> tuple[str, Props]:
    grants: Any = as_list(r.at("accessControlPolicy", "grants"))
    if isinstance(grants, list):
        grants = [g if isinstance(g, Unknown) else
                  _grant(g.get("grantee") if isinstance(g, dict) else None,
                         g.get("permission") if isinstance(g, dict) else None)
                  for g in grants] or None
    return "aws.s3.bucket_acl", dict(bucket=r.get("bucket"), acl=r.get("acl") or None, grants=grants)


def _ownership_controls(r: Reader) -> tuple[str, Props]:
    return "aws.s3.ownership_controls", dict(bucket=r.get("bucket"),
                                             object_ownership=r.at("rule", "objectOwnership"))


def _access_point(r: Reader) -> tuple[str, Props]:
    return "aws.s3.access_point", dict(
        bucket=r.get("bucket"), name=r.get("name"), arn=r.get("arn"), policy=r.policy(r.get("policy"), "policy"),
        vpc_id=r.at("vpcConfiguration", "vpcId"),
        **{k: r.at("publicAccessBlockConfiguration", v) for k, v in _BLOCK_FLAGS.items()})


def _access_point_policy(r: Reader) -> tuple[str, Props]:
    return "aws.s3.access_point_policy", dict(access_point=r.get("accessPointArn"),
                                              policy=r.policy(r.get("policy"), "policy"))


def _sg_ingress(block: Any) -> Any:
    if isinstance(block, Unknown) or not isinstance(block, dict):
        return block if isinstance(block, Unknown) else Unknown("ingress entry is not an object")
    return {"protocol": block.get("protocol"), "from_port": block.get("fromPort"), "to_port": block.get("toPort"),
            "sources": joined(block.get("cidrBlocks"), block.get("ipv6CidrBlocks"))}


def _security_group(r: Reader) -> tuple[str, Props]:
    blocks = as_list(r.get("ingress"))
    ingress = blocks if isinstance(blocks, Unknown) else [_sg_ingress(b) for b in blocks or ()]
    return "aws.ec2.security_group", dict(name=r.get("name"), id=r.get("id"), vpc_id=r.get("vpcId"), ingress=ingress)


def _security_group_rule(r: Reader) -> tuple[str, Props]:
    return "aws.ec2.security_group_rule", dict(
        security_group=r.get("securityGroupId"), direction=r.get("type"), protocol=r.get("protocol"),
        from_port=r.get("fromPort"), to_port=r.get("toPort"),
        sources=joined(r.get("cidrBlocks"), r.get("ipv6CidrBlocks")))


def _vpc_ingress_rule(r: Reader) -> tuple[str, Props]:
    return "aws.ec2.security_group_rule", dict(
        security_group=r.get("securityGroupId"), direction="ingress", protocol=r.get("ipProtocol"),
        from_port=r.get("fromPort"), to_port=r.get("toPort"), sources=joined(r.get("cidrIpv4"), r.get("cidrIpv6")))


def _vpc_endpoint(r: Reader) -> tuple[str, Props]:
    return "aws.ec2.vpc_endpoint", dict(id=r.get("id"), vpc_id=r.get("vpcId"), service_name=r.get("serviceName"),
                                        endpoint_type=r.get("vpcEndpointType"))


def _aliases(builder: Builder, *tokens: str) -> dict[str, Builder]:
    return {token: builder for token in tokens}


BUILDERS: dict[str, Builder] = {
    "aws:iam/role:Role": _role,
    "aws:iam/user:User": _principal("aws.iam.user"),
    "aws:iam/group:Group": _principal("aws.iam.group"),
    "aws:iam/groupMembership:GroupMembership": _group_membership,
    "aws:iam/userGroupMembership:UserGroupMembership": _user_group_membership,
    "aws:iam/policy:Policy": _managed_policy,
    "aws:iam/rolePolicy:RolePolicy": _inline_policy("role"),
    "aws:iam/userPolicy:UserPolicy": _inline_policy("user"),
    "aws:iam/groupPolicy:GroupPolicy": _inline_policy("group"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _attachment("role"),
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": _attachment("user"),
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": _attachment("group"),
    "aws:iam/policyAttachment:PolicyAttachment": _policy_attachment,
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": _attachments_exclusive("role"),
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": _attachments_exclusive("user"),
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": _attachments_exclusive("group"),
    "aws:iam/accessKey:AccessKey": _access_key,
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _oidc_provider,
    "aws:iam/samlProvider:SamlProvider": _saml_provider,
    "pulumi:providers:aws": _aws_provider,
    "aws:ecr/repository:Repository": _ecr_repository,
    "aws:ecrpublic/repository:Repository": _ecrpublic_repository,
    "aws:ecr/repositoryPolicy:RepositoryPolicy": _ecr_repository_policy,
    "aws:ecrpublic/repositoryPolicy:RepositoryPolicy": _ecr_repository_policy,
    "aws:ecr/registryPolicy:RegistryPolicy": _ecr_registry_policy,
    **_aliases(_bucket, "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _public_access_block,
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": _public_access_block,
    "aws:s3/bucketPolicy:BucketPolicy": _bucket_policy,
    **_aliases(_bucket_acl, "aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _ownership_controls,
    "aws:s3/accessPoint:AccessPoint": _access_point,
    "aws:s3control/accessPointPolicy:AccessPointPolicy": _access_point_policy,
    **_aliases(_security_group, "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"),
    "aws:ec2/securityGroupRule:SecurityGroupRule": _security_group_rule,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _vpc_ingress_rule,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
}
