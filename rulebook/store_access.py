"""The access map of artifact stores: who can read, write and administer each S3 bucket and Azure
storage account, through what, and from which networks it accepts traffic.

Read from the same model the BKT rules judge: identity policies (inline, attached, AWS managed),
bucket policies (with the condition analyzer for the network a Deny confines access to), ACLs,
Azure role assignments, shared keys and anonymous containers. Buckets and accounts are those the
`artifact_buckets` selector picks (every one by default). A grant whose reach cannot be decided at
plan time is kept with `certain = False` and the reason, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from . import actions as catalogue
from .access import azure_grants
from .azure_roles import ScopeKind, guid_of
from .conditions import caller_bound
from .identities import AttachedPolicy, Identity, identities, names_identity
from .model import Ref, Resource
from .networks import open_to_internet
from .policy import PolicyDocument, Statement
from .rules.base import Context
from .rules.bkt._common import artifact_store, bucket_policies, label, network_deny
from .rules.bkt.bkt_002_public_acls import PUBLIC_GROUPS
from .rules.helpers import flag, linked
from .unknown import Unknown

STORE_CAPABILITIES = ("read", "write", "administer", "unknown")
_READ = {"s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions", "s3:GetObjectAttributes"}
_WRITE = {"s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:RestoreObject", "s3:PutObjectRetention",
          "s3:PutObjectLegalHold", "s3:ReplicateObject"}
_ADMIN = {"s3:DeleteBucket", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration",
          "s3:PutReplicationConfiguration", "s3:PutEncryptionConfiguration", "s3:PutBucketObjectLockConfiguration"}
_CAP_OF_ACL = {"public-read": ("read",), "public-read-write": ("read", "write"), "authenticated-read": ("read",)}
_CAP_OF_GRANT = {"READ": ("read",), "WRITE": ("write",), "READ_ACP": ("read",), "WRITE_ACP": ("administer",),
                 "FULL_CONTROL": ("read", "write", "administer")}

# Built-in Azure roles that reach blob data (by GUID and name), as store capabilities. Owner, Contributor
# and the account-level roles may list the account keys, which give every data right.
_KEYS = ("read", "write", "administer")
STORAGE_ROLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": ("Owner", _KEYS),
    "b24988ac-6180-42a0-ab88-20f7382dd24c": ("Contributor", _KEYS),
    "17d1049b-9a84-46fb-8f53-869881c3d3ab": ("Storage Account Contributor", _KEYS),
    "81a9662b-bebf-436f-a333-f67b29880f12": ("Storage Account Key Operator Service Role", _KEYS),
    "c12c1c16-33a1-487b-954d-41c89c60f349": ("Reader and Data Access", ("read", "write")),
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": ("Storage Blob Data Owner", _KEYS),
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": ("Storage Blob Data Contributor", ("read", "write")),
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": ("Storage Blob Data Reader", ("read",)),
}
_ROLE_BY_NAME = {name.lower(): (name, caps) for name, caps in STORAGE_ROLES.values()}
_DATA_PROBES = {"read": "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
                "write": "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write"}
_KEY_PROBE = "Microsoft.Storage/storageAccounts/listKeys/action"


@dataclass
class StoreAccess:
    """One capability of one holder on one artifact store, and where it comes from."""

    capability: str  # read | write | administer | unknown
    holder: str
    holder_address: str | None
    through: str
    actions: tuple[str, ...] = ()
    certain: bool = True
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"capability": self.capability, "holder": self.holder, "holder_address": self.holder_address,
                "through": self.through, "actions": list(self.actions), "certain": self.certain,
                "reason": self.reason or None}


@dataclass
class StoreEntry:
    label: str  # "S3 bucket acme-ci-artifacts", "storage account acmeci"
    address: str
    accesses: list[StoreAccess] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)  # where it accepts traffic from

    def as_dict(self) -> dict[str, Any]:
        return {"store": self.label, "address": self.address, "networks": self.networks,
                "access": [a.as_dict() for a in self.accesses]}


def _who(ident: Identity) -> str:
    return f"identity {ident.name}" if ident.type == "azure" else f"{ident.type} {ident.name}"


def _text(value: Any) -> str:
    return f"(unknown: {value.reason})" if isinstance(value, Unknown) else str(value)


# --- S3 ------------------------------------------------------------------------------------------------

def _s3_actions(statement: Statement) -> dict[str, tuple[str, ...]]:
    """The statement's S3 actions by store capability."""
    acts = (catalogue.expand_not(statement.not_actions, ["s3"]) if statement.not_actions
            else catalogue.expand([a for a in statement.actions if isinstance(a, str)], ["s3"]))
    admin = {a for a in acts if a in _ADMIN or "permissions management" in (catalogue.access_level(a) or "").lower()}
    caps = {"read": acts & _READ, "write": acts & _WRITE, "administer": admin}
    return {cap: tuple(sorted(found)) for cap, found in caps.items() if found}


_TEMPLATE = re.compile(r"\$\{([^}]*)\}")


def _covers_bucket(statement: Statement, bucket: Resource) -> bool | Unknown:
    """Whether a statement's Resource reaches the bucket or its objects."""
    if statement.not_resources:
        return True
    name, arn = bucket.get("bucket"), bucket.get("arn")
    target = f"arn:aws:s3:::{name}" if isinstance(name, str) else arn if isinstance(arn, str) else None
    undecided: Unknown | None = None
    for value in statement.resources:
        if isinstance(value, Unknown):
            undecided = undecided if undecided is not None else value
        elif isinstance(value, Ref):
            if value.address == bucket.address:
                return True
        elif isinstance(value, str):
            text = _TEMPLATE.sub(lambda m: target or m.group(0) if m.group(1).startswith(bucket.address + ".")
                                 else m.group(0), value)
            if text.strip() == "*":
                return True
            if "${" in text or target is None:
                undecided = undecided if undecided is not None else Unknown(f"resource {value} is only known "
                                                                            f"after apply")
            elif catalogue.glob_match(text, target) or catalogue.glob_match(text, target + "/object"):
                return True
    return undecided if undecided is not None else False


def _conditions_note(statement: Statement) -> str:
    """What a statement's conditions do to who may call, as the BKT rules judge it."""
    if not statement.conditions:
        return ""
    bound = caller_bound(statement)
    if bound.bounded is True:
        return f"only callers bounded by {', '.join(bound.keys)}"
    if isinstance(bound.bounded, Unknown):
        return f"conditions not decidable: {bound.bounded.reason}"
    keys = sorted({c.key for c in statement.conditions})
    return f"conditions on {', '.join(keys)} bound no caller" + (f" ({bound.why})" if bound.why else "")


def _statement_accesses(statement: Statement, bucket: Resource, holder: str, address: str | None,
                        through: str) -> list[StoreAccess]:
    caps = _s3_actions(statement)
    if not caps:
        return []
    covers = _covers_bucket(statement, bucket)
    if covers is False:
        return []
    reasons = [covers.reason] if isinstance(covers, Unknown) else []
    reasons += [n for n in [_conditions_note(statement)] if n]
    return [StoreAccess(cap, holder, address, through, acts, covers is True, "; ".join(reasons))
            for cap, acts in caps.items()]


def _identity_accesses(bucket: Resource, idents: list[Identity]) -> Iterable[StoreAccess]:
    for ident in idents:
        for attached in ident.policies:
            if attached.is_resource_policy:
                continue  # read from the bucket's own policies, with every principal they name
            yield from _attached_accesses(bucket, ident, attached)


def _attached_accesses(bucket: Resource, ident: Identity, attached: AttachedPolicy) -> Iterable[StoreAccess]:
    doc = attached.document
    if isinstance(doc, Unknown):
        yield StoreAccess("unknown", _who(ident), ident.address, attached.label, (), False, doc.reason)
        return
    for statement in doc.allows():
        yield from _statement_accesses(statement, bucket, _who(ident), ident.address,
                                       f"{statement.label} of {attached.label}")


def _principal_holder(ptype: str, value: Any, idents: list[Identity]) -> tuple[str, str | None]:
    ident = next((i for i in idents if names_identity(value, i)), None)
    if ident is not None:
        return _who(ident), ident.address
    if isinstance(value, Ref):
        return value.address, value.address
    text = _text(value).strip()
    if text == "*":
        return "everyone (Principal *)", None
    return (f"service {text}" if ptype == "Service" else f"principal {text}"), None


def _policy_accesses(bucket: Resource, docs: list[tuple[Resource, PolicyDocument | Unknown]],
                     idents: list[Identity]) -> Iterable[StoreAccess]:
    for holder, doc in docs:
        what = "inline policy" if holder is bucket else holder.address
        if isinstance(doc, Unknown):
            yield StoreAccess("unknown", f"principals of {what}", None, what, (), False, doc.reason)
            continue
        for statement in doc.allows():
            through = f"{statement.label} of {what}"
            if statement.not_principals is not None:
                yield from _statement_accesses(statement, bucket, "everyone but the NotPrincipal list", None, through)
            for ptype, values in (statement.principals or {}).items():
                for value in values:
                    who, address = _principal_holder(ptype, value, idents)
                    yield from _statement_accesses(statement, bucket, who, address, through)


def _acl_accesses(bucket: Resource, acls: list[Resource]) -> Iterable[StoreAccess]:
    for holder in [bucket] + acls:
        where = "the bucket's acl" if holder is bucket else holder.address
        acl = holder.get("acl")
        if isinstance(acl, str) and acl.strip().lower() in _CAP_OF_ACL:
            who = "any AWS account (ACL)" if acl.strip().lower() == "authenticated-read" else "everyone (ACL)"
            for cap in _CAP_OF_ACL[acl.strip().lower()]:
                yield StoreAccess(cap, who, None, f"canned ACL {acl.strip()} ({where})")
        grants = holder.get("grants")
        for grant in grants if isinstance(grants, list) else ():
            uri = grant.get("uri") if isinstance(grant, dict) else None
            if not (isinstance(uri, str) and uri.strip() in PUBLIC_GROUPS):
                continue
            who = f"{PUBLIC_GROUPS[uri.strip()]} (ACL grant)"
            perms = grant.get("permissions") if isinstance(grant.get("permissions"), list) else []
            for perm in perms:
                for cap in _CAP_OF_GRANT.get(str(perm).upper(), ()):
                    yield StoreAccess(cap, who, None, f"grant {perm} ({where})")


def _s3_networks(bucket: Resource, docs: list[tuple[Resource, PolicyDocument | Unknown]],
                 ctx: Context) -> list[str]:
    out: list[str] = []
    undecided: list[str] = []
    for _, doc in docs:
        if isinstance(doc, Unknown):
            undecided.append(f"(unknown: {doc.reason})")
            continue
        for statement in doc.denies():
            found = network_deny(statement)
            if found is None:
                continue
            if found.undecided is not None:
                undecided.append(f"(unknown: {found.undecided.reason})")
                continue
            what = "reads and writes" if len(found.covered) == 2 else (
                "reads" if "s3:GetObject" in found.covered else "writes")
            for allowed in found.allowed:
                values = ", ".join(_network_value(allowed.key, v, ctx) for v in allowed.values)
                out.append(f"{values} (objects: {what} only from there, {statement.label})")
    for point in ctx.inventory.of_kind("aws.s3.access_point"):
        target = ctx.inventory.resolve(point.get("bucket"), ("aws.s3.bucket",))
        if target is bucket and point.get("vpc_id") is not None:
            out.append(f"access point {label(point)}: VPC {_text(point.get('vpc_id'))}")
    if not out:
        out.append("anywhere: no bucket policy confines object access to a network")
    return out + undecided


def _network_value(key: str, value: Any, ctx: Context) -> str:
    kind = {"aws:sourcevpce": "VPC endpoint", "aws:sourcevpc": "VPC", "aws:sourceip": "CIDR"}.get(key.lower(), key)
    if isinstance(value, Ref):
        endpoint = ctx.inventory.resolve(value, ("aws.ec2.vpc_endpoint",))
        vpc = endpoint.get("vpc_id") if endpoint is not None else None
        where = vpc.address if isinstance(vpc, Ref) else _text(vpc)
        return f"{kind} {value.address}" + (f" in VPC {where}" if vpc is not None else "")
    text = _text(value)
    return f"{kind} {text}" + (" (the internet)" if kind == "CIDR" and open_to_internet(text) else "")


def _s3_entries(ctx: Context, idents: list[Identity]) -> list[StoreEntry]:
    inventory = ctx.inventory
    buckets = [b for b in inventory.of_kind("aws.s3.bucket") if artifact_store(b, ctx.config) is not False]
    acls, _, _ = linked(inventory, inventory.of_kind("aws.s3.bucket"), inventory.of_kind("aws.s3.bucket_acl"), "bucket")
    entries = []
    for bucket in buckets:
        entry = StoreEntry(f"S3 bucket {label(bucket)}", bucket.address)
        docs, _ = bucket_policies(ctx, bucket)  # drawn from the policies the configuration links to it
        entry.accesses += list(_identity_accesses(bucket, idents))
        entry.accesses += list(_policy_accesses(bucket, docs, idents))
        entry.accesses += list(_acl_accesses(bucket, acls.get(bucket.address, [])))
        entry.networks = _s3_networks(bucket, docs, ctx)
        entries.append(entry)
    return entries


# --- Azure storage -----------------------------------------------------------------------------------

def _role_caps(assignment: Resource, ctx: Context) -> tuple[str, tuple[str, ...]] | Unknown | None:
    """(role name, store capabilities) of an assignment's role; None when it reaches no blob data."""
    rid, rname = assignment.get("role_definition_id"), assignment.get("role_definition_name")
    if isinstance(rid, Ref):
        definition = ctx.inventory.resolve(rid, ("azure.role_definition",))
        if definition is None:
            return Unknown(f"role definition {rid} is not in this stack/module")
        return _definition_caps(definition)
    if isinstance(rid, str) and (guid := guid_of(rid)):
        return STORAGE_ROLES.get(guid.lower())
    if isinstance(rname, str):
        return _ROLE_BY_NAME.get(rname.strip().lower())
    value = rid if isinstance(rid, Unknown) else rname
    return value if isinstance(value, Unknown) else None


def _definition_caps(definition: Resource) -> tuple[str, tuple[str, ...]] | Unknown | None:
    props = definition.props
    name = props.get("name")
    known = props.get("role_definition_id") or props.get("id")
    if isinstance(known, str) and (guid := guid_of(known)) and guid.lower() in STORAGE_ROLES:
        return STORAGE_ROLES[guid.lower()]
    if props.get("actions") is None and props.get("data_actions") is None:
        return _ROLE_BY_NAME.get(name.strip().lower()) if isinstance(name, str) else None
    for key in ("actions", "data_actions"):
        if isinstance(props.get(key), Unknown):
            return props[key]
    actions, data = props.get("actions") or [], props.get("data_actions") or []
    label_ = f"custom role {name}" if isinstance(name, str) else f"custom role {definition.address}"
    if any(isinstance(p, str) and catalogue.glob_match(p, _KEY_PROBE) for p in actions):
        return label_, _KEYS
    caps = tuple(c for c, probe in _DATA_PROBES.items() if any(isinstance(p, str) and catalogue.glob_match(p, probe)
                                                               for p in data))
    return (label_, caps) if caps else None


def _scope_reaches(grant: Any, account: Resource, ctx: Context) -> bool | Unknown:
    scope = grant.scope
    if scope is None:
        return grant.unknown if grant.unknown is not None else Unknown("scope not known")
    if scope.kind in (ScopeKind.RESOURCE_GROUP, ScopeKind.SUBSCRIPTION, ScopeKind.MANAGEMENT_GROUP):
        return True
    if scope.kind is not ScopeKind.OTHER:
        return False
    target = ctx.inventory.by_address(scope.text)
    if target is not None:
        if target.address == account.address:
            return True
        return target.kind == "azure.storage.container" and \
            ctx.inventory.resolve(target.get("account"), ("azure.storage.account",)) is account
    name = account.get("name")
    return isinstance(name, str) and f"/storageaccounts/{name.lower()}" in scope.text.lower()


def _azure_role_accesses(account: Resource, ctx: Context) -> Iterable[StoreAccess]:
    for grant in azure_grants(ctx):
        caps = _role_caps(grant.assignment, ctx)
        if caps is None:
            continue
        reach = _scope_reaches(grant, account, ctx)
        if reach is False:
            continue
        holder = _who(grant.identity) if grant.identity is not None else \
            f"principal {_text(grant.assignment.get('principal_id'))}"
        address = grant.identity.address if grant.identity is not None else None
        if isinstance(caps, Unknown):
            yield StoreAccess("unknown", holder, address, grant.assignment.address, (), False, caps.reason)
            continue
        name, capabilities = caps
        through = f"{name} ({grant.assignment.address})"
        if grant.scope is not None and grant.scope.kind is not ScopeKind.OTHER:
            through += f" on {grant.scope.kind} {grant.scope.text}"
        reason = reach.reason if isinstance(reach, Unknown) else ""
        for cap in capabilities:
            yield StoreAccess(cap, holder, address, through, (), reach is True, reason)


def _key_and_anonymous_accesses(account: Resource, containers: list[Resource]) -> Iterable[StoreAccess]:
    shared = flag(account, "shared_key_access_enabled")
    if shared is not False:
        through = "shared key access enabled" + (" (the default)" if shared is None else "")
        reason = shared.reason if isinstance(shared, Unknown) else ""
        for cap in _KEYS:
            yield StoreAccess(cap, "anyone holding an account key or SAS token", None, through, (),
                              not isinstance(shared, Unknown), reason)
    public = flag(account, "allow_blob_public_access")
    for container in containers:
        level = container.get("public_access")
        if isinstance(level, str) and level.lower() in ("blob", "container") and public is not False:
            yield StoreAccess("read", "anyone (anonymous)", None, f"container {container.address} public access "
                                                                  f"{level.lower()}", (), public is True,
                              "" if public is True else "whether the account allows public blobs is not known")


def _azure_networks(account: Resource, rules: Resource) -> list[str]:
    public = flag(account, "public_network_access_enabled")
    if public is False:
        return ["private endpoints only (public network access disabled)"]
    action = rules.get("network_default_action")
    if not (isinstance(action, str) and action.strip().lower() == "deny"):
        return ["anywhere: network rules default to Allow" + (f" ({_text(action)})" if action is not None else "")]
    out: list[str] = []
    for prop, what in (("ip_rules", "CIDR"), ("subnet_ids", "subnet")):
        values = rules.get(prop)
        if isinstance(values, Unknown):
            out.append(f"{what}s (unknown: {values.reason})")
        elif isinstance(values, list):
            out += [f"{what} {_text(v)}" for v in values]
    return out or ["nowhere but trusted Azure services and private endpoints (default Deny, no rules)"]


def _azure_entries(ctx: Context) -> list[StoreEntry]:
    inventory = ctx.inventory
    accounts = [a for a in inventory.of_kind("azure.storage.account") if artifact_store(a, ctx.config) is not False]
    every = inventory.of_kind("azure.storage.account")
    separate, _, _ = linked(inventory, every, inventory.of_kind("azure.storage.network_rules"), "account")
    containers, _, _ = linked(inventory, every, inventory.of_kind("azure.storage.container"), "account")
    entries = []
    for account in accounts:
        entry = StoreEntry(f"storage account {label(account)}", account.address)
        entry.accesses += list(_azure_role_accesses(account, ctx))
        entry.accesses += list(_key_and_anonymous_accesses(account, containers.get(account.address, [])))
        own = separate.get(account.address)
        entry.networks = _azure_networks(account, own[0] if own else account)
        entries.append(entry)
    return entries


def store_entries(ctx: Context) -> list[StoreEntry]:
    """Every artifact store of the stack with who can reach it and from where."""
    idents = [i for i in identities(ctx) if i.is_aws]
    entries = _s3_entries(ctx, idents) + _azure_entries(ctx)
    for entry in entries:
        entry.accesses = list({(a.capability, a.holder, a.through): a for a in entry.accesses}.values())
        entry.accesses.sort(key=lambda a: (STORE_CAPABILITIES.index(a.capability), a.holder, a.through))
    return entries


__all__ = ["STORE_CAPABILITIES", "StoreAccess", "StoreEntry", "store_entries"]
