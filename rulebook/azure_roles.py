"""Azure RBAC roles as registry capabilities, and role-assignment scopes.

Built-in roles are identified by their GUID (the same in every tenant) or their name, and come
from the complete catalogue of built-in role definitions (rulebook/azure_catalogue.py). The
capabilities of every role, built-in or custom (azure.role_definition), are derived from its
actions/dataActions with Azure's wildcard rules, against probe operations of each capability.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

from . import azure_catalogue
from .actions import glob_match
from .azure_catalogue import Permission, RoleDefinition
from .model import Inventory, Ref, Resource
from .unknown import Unknown


class Capability(str, Enum):
    PULL = "pull"
    PUSH = "push"
    DELETE = "delete"
    SIGN = "sign"
    CATALOG_LISTING = "catalog-listing"  # list every repository of the registry
    READER = "reader"  # read the registry resource and its configuration (Reader-style)
    ADMIN = "admin"  # change the registry, its credentials, tokens, policies or role assignments

    def __str__(self) -> str:
        return self.value


C = Capability
_FULL = frozenset({C.PULL, C.PUSH, C.DELETE, C.SIGN, C.CATALOG_LISTING, C.READER, C.ADMIN})


@dataclass(frozen=True, slots=True)
class AzureRole:
    name: str
    guid: str | None
    capabilities: frozenset[Capability]
    all_registry_actions: bool = False  # grants every Microsoft.ContainerRegistry operation (Owner, Contributor, ...)
    builtin: bool = True
    definition: Resource | None = None  # custom roles: the azure.role_definition resource

    @property
    def label(self) -> str:
        kind = "built-in role" if self.builtin else "custom role"
        return f"{kind} {self.name}"


_GUID = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s*$", re.IGNORECASE)

_ACR = "Microsoft.ContainerRegistry/registries/"
_ASSIGN = "Microsoft.Authorization/roleAssignments/write"
# a task run works in the registry with full data-plane access (Container Registry Tasks Contributor)
_RUNS = (_ACR + "scheduleRun/action", _ACR + "tasks/write", _ACR + "taskruns/write")
# operations that exercise each capability: (control-plane actions, data actions)
_PROBES: dict[Capability, tuple[tuple[str, ...], tuple[str, ...]]] = {
    C.PULL: ((_ACR + "pull/read", _ACR + "quarantine/read") + _RUNS,
             (_ACR + "repositories/content/read", _ACR + "quarantinedArtifacts/read")),
    C.PUSH: ((_ACR + "push/write", _ACR + "quarantine/write", _ACR + "importImage/action") + _RUNS,
             (_ACR + "repositories/content/write", _ACR + "quarantinedArtifacts/write")),
    C.DELETE: ((_ACR + "artifacts/delete",) + _RUNS, (_ACR + "repositories/content/delete",)),
    C.SIGN: ((_ACR + "sign/write",), (_ACR + "trustedCollections/write",)),
    C.CATALOG_LISTING: ((), (_ACR + "catalog/read",)),
    C.READER: ((_ACR + "read",), ()),
    C.ADMIN: ((_ACR + "write", _ACR + "delete", _ACR + "listCredentials/action",
               _ACR + "regenerateCredential/action", _ACR + "tokens/write", _ACR + "scopeMaps/write",
               _ACR + "cacheRules/write", _ACR + "credentialSets/write", _ACR + "importPipelines/write",
               _ACR + "exportPipelines/write", _ACR + "pipelineRuns/write", _ASSIGN) + _RUNS, ()),
}
_SENTINEL = "Microsoft.ContainerRegistry/\x00every-operation"
_DELEGATED = re.compile(r"GuidEquals\s*\{([^}]*)\}", re.IGNORECASE)


def guid_of(role_definition_id: str) -> str | None:
    """The GUID of a role definition given as a full resource id or a bare GUID."""
    match = _GUID.search(role_definition_id.strip().rstrip("/"))
    return match.group(1).lower() if match else None


def _dashed(text: str) -> str | None:
    """A GUID as an ABAC condition writes it (with or without dashes), in canonical form."""
    h = re.sub(r"[^0-9a-fA-F]", "", text).lower()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}" if len(h) == 32 else None


def _delegated_roles(condition: str) -> tuple[str, ...] | None:
    """The roles a conditional roleAssignments/write may hand out; None when the condition says otherwise."""
    if "roleassignments:roledefinitionid" not in condition.lower():
        return None
    found = [_dashed(g) for m in _DELEGATED.finditer(condition) for g in m.group(1).split(",")]
    if not found or any(g is None for g in found):
        return None
    return tuple(g for g in found if g)


@lru_cache(maxsize=None)
def _unconditional_capabilities(guid: str) -> frozenset[Capability]:
    """A delegated role's capabilities, its own conditions ignored (no chains followed: errs towards access)."""
    definition = azure_catalogue.by_guid(guid)
    if definition is None:
        return _FULL  # not a built-in role: it may reach registries
    caps: set[Capability] = set()
    for p in definition.permissions:
        found = capabilities_of(p.actions, p.not_actions, p.data_actions, p.not_data_actions)
        assert not isinstance(found, Unknown)
        caps |= found[0]
    return frozenset(caps)


def _block_capabilities(p: Permission) -> tuple[frozenset[Capability], bool]:
    """One permission block. A delegation constrained to named roles keeps ADMIN only when one of
    those roles reaches registries (Key Vault Data Access Administrator's cannot)."""
    found = capabilities_of(p.actions, p.not_actions, p.data_actions, p.not_data_actions)
    assert not isinstance(found, Unknown)
    caps, everything = found
    if p.condition and C.ADMIN in caps and not everything:
        without = capabilities_of([a for a in p.actions if not glob_match(a, _ASSIGN)], p.not_actions)
        delegated = _delegated_roles(p.condition)
        if (not isinstance(without, Unknown) and C.ADMIN not in without[0] and delegated is not None
                and not any(_unconditional_capabilities(g) for g in delegated)):
            caps = caps - {C.ADMIN}
    return caps, everything


def _builtin(definition: RoleDefinition) -> AzureRole:
    caps: set[Capability] = set()
    everything = False
    for p in definition.permissions:  # Azure unions the blocks
        block_caps, block_everything = _block_capabilities(p)
        caps |= block_caps
        everything = everything or block_everything
    return AzureRole(definition.name, definition.guid, frozenset(caps), everything)


def builtin_by_guid(guid: str) -> AzureRole | None:
    return _builtin_role(guid.strip().lower())


@lru_cache(maxsize=None)
def _builtin_role(guid: str) -> AzureRole | None:
    definition = azure_catalogue.by_guid(guid)
    return _builtin(definition) if definition else None


def builtin_by_name(name: str) -> AzureRole | None:
    definition = azure_catalogue.by_name(name)
    return builtin_by_guid(definition.guid) if definition else None


def _granted(op: str, allowed: list[str], denied: list[str]) -> bool:
    return any(glob_match(p, op) for p in allowed) and not any(glob_match(p, op) for p in denied)


def capabilities_of(actions: Any = (), not_actions: Any = (), data_actions: Any = (),
                    not_data_actions: Any = ()) -> tuple[frozenset[Capability], bool] | Unknown:
    """Capabilities and the `all registry operations` flag of a permission block (custom roles)."""
    lists = []
    for label, value in (("actions", actions), ("not_actions", not_actions), ("data_actions", data_actions),
                         ("not_data_actions", not_data_actions)):
        if isinstance(value, Unknown):
            return Unknown(f"{label}: {value.reason}")
        items = list(value or ())
        for item in items:
            if isinstance(item, Unknown):
                return Unknown(f"{label}: {item.reason}")
        lists.append([str(i) for i in items])
    act, not_act, data, not_data = lists
    caps = {cap for cap, (control, data_ops) in _PROBES.items()
            if any(_granted(op, act, not_act) for op in control)
            or any(_granted(op, data, not_data) for op in data_ops)}
    everything = _granted(_SENTINEL, act, not_act) and not any(
        p.lower().startswith("microsoft.containerregistry") for p in not_act)
    return (_FULL if everything else frozenset(caps)), everything


def _custom_role(definition: Resource) -> AzureRole | Unknown:
    props = definition.props
    found = capabilities_of(props.get("actions"), props.get("not_actions"), props.get("data_actions"),
                            props.get("not_data_actions"))
    if isinstance(found, Unknown):
        return Unknown(f"permissions of role definition {definition.address}: {found.reason}")
    caps, everything = found
    guid = props.get("role_definition_id")
    return AzureRole(definition.label(),
                     guid.lower() if isinstance(guid, str) else None, caps, everything, False, definition)


def role_from_definition(definition: Resource) -> AzureRole | Unknown:
    """A declared or looked-up azure.role_definition: a built-in by GUID/name, else a custom role."""
    props = definition.props
    for key in ("role_definition_id", "id"):
        value = props.get(key)
        if isinstance(value, str) and (guid := guid_of(value)) and (hit := builtin_by_guid(guid)):
            return hit
    has_permissions = any(props.get(k) is not None for k in ("actions", "data_actions"))
    name = props.get("name")
    if not has_permissions and isinstance(name, str) and (hit := builtin_by_name(name)):
        return hit
    if has_permissions:
        return _custom_role(definition)
    if isinstance(name, Unknown):
        return Unknown(f"name of role definition {definition.address}: {name.reason}")
    return Unknown(f"role definition {definition.address} declares no permissions and is not a known built-in role")


def role_for_assignment(assignment: Resource, inventory: Inventory) -> AzureRole | Unknown:
    """The role an azure.role_assignment grants, from role_definition_id (id, GUID or Ref) or name."""
    rid = assignment.props.get("role_definition_id")
    rname = assignment.props.get("role_definition_name")
    if rid is not None:
        if isinstance(rid, Unknown):
            return Unknown(f"role_definition_id of {assignment.address}: {rid.reason}")
        if isinstance(rid, Ref):
            definition = inventory.resolve(rid, ("azure.role_definition",))
            if isinstance(definition, Unknown):
                return definition
            if definition is None:
                return Unknown(f"role definition {rid} is not in this stack/module")
            return role_from_definition(definition)
        if isinstance(rid, str):
            guid = guid_of(rid)
            if guid and (hit := builtin_by_guid(guid)):
                return hit
            for definition in inventory.of_kind("azure.role_definition"):
                ids = [definition.props.get("id"), definition.props.get("role_definition_id")]
                if any(isinstance(i, str) and (i == rid or (guid and guid_of(i) == guid)) for i in ids):
                    return role_from_definition(definition)
            return Unknown(f"role definition {rid} is neither a known built-in role nor declared here")
    if rname is not None:
        if isinstance(rname, Unknown):
            return Unknown(f"role_definition_name of {assignment.address}: {rname.reason}")
        if isinstance(rname, str):
            if hit := builtin_by_name(rname):
                return hit
            for definition in inventory.of_kind("azure.role_definition"):
                if definition.props.get("name") == rname:
                    return role_from_definition(definition)
            return Unknown(f"role {rname!r} is neither a known built-in role nor declared here")
    return Unknown(f"{assignment.address} names no role definition")


class ScopeKind(str, Enum):
    REGISTRY = "registry"
    RESOURCE_GROUP = "resource group"
    SUBSCRIPTION = "subscription"
    MANAGEMENT_GROUP = "management group"
    OTHER = "other resource"  # a resource that is not a registry (storage account, vault, ...)

    def __str__(self) -> str:
        return self.value

    @property
    def contains_registries(self) -> bool:
        """Whether registries may sit at or under this scope."""
        return self is not ScopeKind.OTHER


@dataclass(frozen=True, slots=True)
class Scope:
    kind: ScopeKind
    text: str  # the scope as written or resolved (resource id or address)
    registry: Resource | None = None  # the registry, when the scope is one declared here


_MG = re.compile(r"^/providers/microsoft\.management/managementgroups/[^/]+$", re.IGNORECASE)
_SUB = re.compile(r"^/subscriptions/[^/]+$", re.IGNORECASE)
_RG = re.compile(r"^/subscriptions/[^/]+/resourcegroups/[^/]+$", re.IGNORECASE)
_REG = re.compile(r"/providers/microsoft\.containerregistry/registries/([^/]+)", re.IGNORECASE)
# a resource of any provider but the management groups': `.../providers/Microsoft.KeyVault/vaults/kv`
_RESOURCE = re.compile(r"/providers/(?!microsoft\.management/)[^/]+/[^/]+/[^/]+", re.IGNORECASE)


# Scopes referenced through a data source or resource that has no kind of its own (the Terraform
# type in a Ref's address says what it is; a subscription id itself is only known after reading it).
_SCOPE_TYPES = {
    "azurerm_subscription": ScopeKind.SUBSCRIPTION,
    "azurerm_management_group": ScopeKind.MANAGEMENT_GROUP,
    "azurerm_resource_group": ScopeKind.RESOURCE_GROUP,
    "azurerm_container_registry": ScopeKind.REGISTRY,
}


# data sources and resources whose `id` is not the id of one resource of their own type
_NOT_ONE_RESOURCE = frozenset({"azurerm_resources", "azurerm_client_config", "azurerm_subscriptions",
                               "azurerm_resource_group_template_deployment",
                               "azurerm_subscription_template_deployment",
                               "azurerm_management_group_template_deployment",
                               "azurerm_tenant_template_deployment"})


def _kind_of_type(tf_type: str, attribute: str) -> ScopeKind | None:
    """What the `id` of a Terraform azurerm type is as a scope: any type but the containers of
    registries, a registry and its parts is a resource that holds no registry (a key vault...)."""
    if tf_type in _SCOPE_TYPES:
        return _SCOPE_TYPES[tf_type]
    if tf_type.startswith("azurerm_container_registry"):
        return ScopeKind.REGISTRY  # a part of a registry (scope map, task...): at most that registry
    if tf_type.startswith("azurerm_") and attribute == "id" and tf_type not in _NOT_ONE_RESOURCE:
        return ScopeKind.OTHER
    return None  # another attribute (node_resource_group_id...) or provider: not known here


def _address_type(address: str) -> str:
    """`module.m.data.azurerm_subscription.current` -> `azurerm_subscription`."""
    parts = address.split(".")
    while len(parts) >= 2 and parts[0] == "module":
        parts = parts[2:]
    if parts and parts[0] == "data":
        parts = parts[1:]
    return parts[0] if len(parts) >= 2 else ""


def classify_scope(scope: Any, inventory: Inventory) -> Scope | Unknown:
    """Registry / resource group / subscription / management group, from an id or a Ref."""
    if isinstance(scope, Unknown):
        return Unknown(f"assignment scope: {scope.reason}")
    if isinstance(scope, Ref):
        target = inventory.by_address(scope.address)
        if target is None:
            by_type = _kind_of_type(_address_type(scope.address), scope.attribute)
            if by_type is not None:  # e.g. data.azurerm_subscription.current.id: no kind, but a known scope
                return Scope(by_type, scope.address)
            return Unknown(f"assignment scope {scope} is not in this stack/module")
        if target.kind == "azure.acr.registry":
            return Scope(ScopeKind.REGISTRY, target.address, target)
        if target.kind == "azure.resource_group":
            return Scope(ScopeKind.RESOURCE_GROUP, target.address)
        return Scope(ScopeKind.OTHER, target.address)
    if not isinstance(scope, str) or not scope.strip():
        return Unknown(f"assignment scope {scope!r} is not a resource id")
    text = scope.strip().rstrip("/") or "/"
    if text == "/" or _MG.match(text):
        return Scope(ScopeKind.MANAGEMENT_GROUP, text)
    if _SUB.match(text):
        return Scope(ScopeKind.SUBSCRIPTION, text)
    if _RG.match(text):
        return Scope(ScopeKind.RESOURCE_GROUP, text)
    match = _REG.search(text)
    if match:
        registry = next((r for r in inventory.of_kind("azure.acr.registry")
                         if r.props.get("id") == text or r.props.get("name") == match.group(1)), None)
        return Scope(ScopeKind.REGISTRY, text, registry)
    if text.lower().startswith("/subscriptions/") or _RESOURCE.search(text):
        return Scope(ScopeKind.OTHER, text)  # a vault, an account...: whatever comes before it
    return Unknown(f"assignment scope {text!r} is not an Azure resource id")
