"""Realistic computed outputs for resources registered offline, per type token.

The engine's providers fill in what a cloud would: auto-names (during Check, so policies see them),
ARNs, IDs, principal IDs, pulumi-random results. Values are derived from the URN, so runs are
reproducible. During a preview, everything the cloud computes is the engine's unknown sentinel;
auto-names stay known.
Account, region, subscription and tenant come from the stack's provider config (Cloud), so ARNs
name the account the program really deploys to.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any, Mapping

from pulumi.runtime.rpc import UNKNOWN

_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def _account_ids(text: str) -> list[str]:
    """aws:allowedAccountIds as stack config holds it: a JSON list, or one ID (or a comma list) as text."""
    try:
        value = json.loads(text)
    except ValueError:
        value = text.split(",")
    values = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in values if _ACCOUNT_ID.match(str(v).strip())]


@dataclass(frozen=True)
class Cloud:
    """Where the providers would create resources: the AWS account and region, the Azure subscription
    and tenant. Placeholders unless the stack's provider config names them."""

    account: str = "123456789012"
    region: str = "us-east-1"
    subscription: str = "00000000-0000-0000-0000-000000000000"
    tenant: str = "11111111-1111-1111-1111-111111111111"

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> "Cloud":
        """The stack config keys the providers read: aws:region, aws:allowedAccountIds (when it names
        exactly one account), azure-native:/azure:subscriptionId and tenantId. Secrets stay unread."""
        found: dict[str, str] = {}
        accounts = _account_ids(config.get("aws:allowedAccountIds", ""))
        if len(accounts) == 1:
            found["account"] = accounts[0]
        region = config.get("aws:region", "")
        if re.match(r"^[a-z]{2}(-[a-z]+)+-[0-9]$", region):
            found["region"] = region
        for field, key in (("subscription", "subscriptionId"), ("tenant", "tenantId")):
            value = config.get(f"azure-native:{key}") or config.get(f"azure:{key}") or ""
            if _GUID.match(value):
                found[field] = value.lower()
        return cls(**found)


DEFAULT_CLOUD = Cloud()

# token -> (property holding the physical name, style) for providers that auto-name resources
AUTONAME: dict[str, tuple[str, str]] = {
    "aws:iam/role:Role": ("name", "dash"),
    "aws:iam/policy:Policy": ("name", "dash"),
    "aws:iam/rolePolicy:RolePolicy": ("name", "dash"),
    "aws:iam/userPolicy:UserPolicy": ("name", "dash"),
    "aws:iam/groupPolicy:GroupPolicy": ("name", "dash"),
    "aws:ecr/repository:Repository": ("name", "dash"),
    "aws:s3/bucket:Bucket": ("bucket", "dash"),
    "aws:s3/bucketV2:BucketV2": ("bucket", "dash"),
    "azure-native:resources:ResourceGroup": ("resourceGroupName", "plain"),
    "azure-native:containerregistry:Registry": ("registryName", "alnum"),
    "azure-native:storage:StorageAccount": ("accountName", "alnum"),
    "azure-native:storage:BlobContainer": ("containerName", "plain"),
    "azure-native:managedidentity:UserAssignedIdentity": ("resourceName", "plain"),
    "azure-native:managedidentity:FederatedIdentityCredential": ("federatedIdentityCredentialResourceName", "plain"),
    "azure-native:authorization:RoleAssignment": ("roleAssignmentName", "guid"),
    "azure-native:authorization:RoleDefinition": ("roleDefinitionId", "guid"),
}

_IAM_PATHS = {"role": "role", "user": "user", "group": "group", "policy": "policy",
              "openIdConnectProvider": "oidc-provider", "instanceProfile": "instance-profile"}

_AZURE_TYPES = {
    "containerregistry:Registry": "Microsoft.ContainerRegistry/registries",
    "storage:StorageAccount": "Microsoft.Storage/storageAccounts",
    "managedidentity:UserAssignedIdentity": "Microsoft.ManagedIdentity/userAssignedIdentities",
    "network:VirtualNetwork": "Microsoft.Network/virtualNetworks",
    "network:NetworkSecurityGroup": "Microsoft.Network/networkSecurityGroups",
}

_VERSIONED = re.compile(r"^azure-native:([A-Za-z0-9]+)/v[0-9]{8}(?:preview)?:(\w+)$")


def digest(urn: str) -> str:
    return hashlib.sha256(urn.encode()).hexdigest()


def guid(urn: str, salt: str = "") -> str:
    """A GUID the provider would assign, derived from the URN (reproducible)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, urn + salt))


def normalise(token: str) -> str:
    match = _VERSIONED.match(token)
    return f"azure-native:{match.group(1)}:{match.group(2)}" if match else token


def autoname(token: str, name: str, urn: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The auto-named property a provider's Check would add, when the program did not set it."""
    spec = AUTONAME.get(normalise(token))
    if spec is None or inputs.get(spec[0]) not in (None, ""):
        return {}
    prop, style = spec
    suffix = digest(urn)[:7]
    if style == "guid":
        return {prop: guid(urn)}
    if style == "alnum":
        return {prop: (re.sub(r"[^a-z0-9]", "", name.lower()) + suffix)[:24]}
    if style == "plain":
        return {prop: f"{name}{suffix}"}
    return {prop: f"{name}-{suffix}"}


def _s(value: Any) -> str | None:
    return value if isinstance(value, str) and UNKNOWN not in value else None


def _aws(token: str, name: str, urn: str, state: dict[str, Any], cloud: Cloud) -> tuple[str, dict[str, Any]]:
    module, _, type_name = token[len("aws:"):].partition("/")
    short = type_name.split(":")[0]
    physical = _s(state.get("name")) or _s(state.get("bucket")) or f"{name}-{digest(urn)[:7]}"
    out: dict[str, Any] = {}
    if module == "iam" and short in _IAM_PATHS:
        if short == "openIdConnectProvider":
            physical = (_s(state.get("url")) or physical).removeprefix("https://")
        out["arn"] = f"arn:aws:iam::{cloud.account}:{_IAM_PATHS[short]}/{physical}"
        if short in ("role", "user", "group"):
            out["uniqueId"] = "AROA" + digest(urn)[:17].upper()
        rid = out["arn"] if short in ("policy", "openIdConnectProvider") else physical
    elif module == "s3" and short in ("bucket", "bucketV2"):
        out.update(arn=f"arn:aws:s3:::{physical}", bucketDomainName=f"{physical}.s3.amazonaws.com",
                   region=cloud.region)
        rid = physical
    elif module == "ecr" and short == "repository":
        out.update(arn=f"arn:aws:ecr:{cloud.region}:{cloud.account}:repository/{physical}", registryId=cloud.account,
                   repositoryUrl=f"{cloud.account}.dkr.ecr.{cloud.region}.amazonaws.com/{physical}")
        rid = physical
    elif module == "iam" and short == "accessKey":
        rid = "AKIA" + digest(urn)[:16].upper()  # an ID, not a secret; no secret output is produced
    else:
        rid = _s(state.get("name")) or f"{name}-{digest(urn)[:7]}"
        if "arn" not in state:
            out["arn"] = f"arn:aws:{module}:{cloud.region}:{cloud.account}:{short.lower()}/{rid}"
    return rid, out


def _azure_native(token: str, name: str, urn: str, state: dict[str, Any],
                  cloud: Cloud) -> tuple[str, dict[str, Any]]:
    _, module, type_name = normalise(token).split(":")
    sub = f"/subscriptions/{cloud.subscription}"
    group = _s(state.get("resourceGroupName")) or "rg"
    key = f"{module}:{type_name}"
    out: dict[str, Any] = {}
    if key == "resources:ResourceGroup":
        physical = _s(state.get("resourceGroupName")) or name
        rid = f"{sub}/resourceGroups/{physical}"
    elif key in ("authorization:RoleAssignment", "authorization:RoleDefinition"):
        physical = _s(state.get("roleAssignmentName")) or _s(state.get("roleDefinitionId")) or guid(urn)
        kind = "roleAssignments" if type_name == "RoleAssignment" else "roleDefinitions"
        rid = f"{_s(state.get('scope')) or sub}/providers/Microsoft.Authorization/{kind}/{physical}"
    elif key == "storage:BlobContainer":
        physical = _s(state.get("containerName")) or name
        rid = (f"{sub}/resourceGroups/{group}/providers/Microsoft.Storage/storageAccounts/"
               f"{_s(state.get('accountName')) or 'account'}/blobServices/default/containers/{physical}")
    elif key == "managedidentity:FederatedIdentityCredential":
        physical = _s(state.get("federatedIdentityCredentialResourceName")) or name
        rid = (f"{sub}/resourceGroups/{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/"
               f"{_s(state.get('resourceName')) or 'identity'}/federatedIdentityCredentials/{physical}")
    else:
        spec = AUTONAME.get(normalise(token))
        physical = (_s(state.get(spec[0])) if spec else None) or name
        arm_type = _AZURE_TYPES.get(key, f"Microsoft.{module.capitalize()}/{type_name[0].lower()}{type_name[1:]}s")
        rid = f"{sub}/resourceGroups/{group}/providers/{arm_type}/{physical}"
    out.update(id=rid, name=physical)
    if key == "managedidentity:UserAssignedIdentity":
        out.update(principalId=guid(urn, "principal"), clientId=guid(urn, "client"), tenantId=cloud.tenant)
    if key == "containerregistry:Registry":
        out["loginServer"] = f"{physical}.azurecr.io"
    return rid, out


_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _random(token: str, name: str, urn: str, state: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """pulumi-random: values of the requested shape, derived from the URN (reproducible, not secret)."""
    short = token.rsplit(":", 1)[-1]
    pool = hashlib.sha256(urn.encode()).digest() * 16  # 512 bytes: the longest length accepted below
    if short in ("RandomPassword", "RandomString"):
        length = state.get("length")
        length = int(length) if isinstance(length, (int, float)) and 0 < length <= 512 else 16
        result = "".join(_ALPHABET[b % len(_ALPHABET)] for b in pool[:length])
        return ("none" if short == "RandomPassword" else result), {"result": result}
    if short == "RandomId":
        size = state.get("byteLength")
        raw = pool[:int(size) if isinstance(size, (int, float)) and 0 < size <= 256 else 8]
        b64 = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        return b64, {"hex": raw.hex(), "b64Url": b64, "b64Std": base64.b64encode(raw).decode(),
                     "dec": str(int.from_bytes(raw, "big"))}
    if short == "RandomInteger":
        low, high = state.get("min"), state.get("max")
        low = int(low) if isinstance(low, (int, float)) else 0
        high = int(high) if isinstance(high, (int, float)) and high >= low else low
        result = low + int.from_bytes(pool[:4], "big") % (high - low + 1)
        return str(result), {"result": result}
    if short == "RandomUuid":
        result = guid(urn)
        return result, {"result": result}
    if short == "RandomPet":
        return f"{_s(state.get('prefix')) + '-' if _s(state.get('prefix')) else ''}{name}-{digest(urn)[:6]}", {}
    if short == "RandomShuffle":
        return digest(urn)[:12], {"results": list(state.get("inputs") or [])}
    return f"{name}-{digest(urn)[:7]}", {}


def computed(token: str, name: str, urn: str, state: dict[str, Any], custom: bool,
             preview: bool, cloud: Cloud = DEFAULT_CLOUD) -> tuple[str, dict[str, Any]]:
    """(id, outputs the program did not set) for a newly registered resource."""
    if not custom:
        return "", {}
    if token.startswith("pulumi:providers:"):
        return guid(urn), {}
    if token.startswith("aws:"):
        rid, out = _aws(token, name, urn, state, cloud)
    elif token.startswith("azure-native:"):
        rid, out = _azure_native(token, name, urn, state, cloud)
    elif token.startswith("random:"):
        rid, out = _random(token, name, urn, state)
    else:
        rid, out = f"{name}-{digest(urn)[:7]}", {}
    out = {k: v for k, v in out.items() if k not in state}
    out.setdefault("id", rid)
    if preview:
        return "", {k: UNKNOWN for k in out}
    return rid, out
