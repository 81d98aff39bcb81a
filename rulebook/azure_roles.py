"""Azure RBAC roles as registry capabilities, and role-assignment scopes.

Built-in roles are identified by their GUID (the same in every tenant) or their name. The GUIDs and
descriptions are those of Microsoft Learn, "Azure built-in roles" (Privileged, General and
Containers sections, page dated 2026-09-10); no maintained PyPI package ships the built-in role
definitions. Capabilities of custom roles (azure.role_definition) are derived from their
actions/dataActions with Azure's wildcard rules, against probe operations of each capability.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, Iterable

from .actions import glob_match
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


def _b(name: str, guid: str, caps: Iterable[Capability], everything: bool = False) -> AzureRole:
    return AzureRole(name, guid, frozenset(caps), everything)


BUILTIN_ROLES: tuple[AzureRole, ...] = (
    # Privileged / General
    _b("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", _FULL, True),
    _b("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c", _FULL, True),
    _b("Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7", {C.READER}),
    _b("User Access Administrator", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", {C.READER, C.ADMIN}),
    _b("Role Based Access Control Administrator", "f58310d9-a9f6-439a-9e8d-f62e7b41a168", {C.READER, C.ADMIN}),
    # Containers: ACR data roles
    _b("AcrPull", "7f951dda-4ed3-4680-a7ca-43fe172d538d", {C.PULL}),
    _b("AcrPush", "8311e382-0749-4cb8-b61a-304f252e45ec", {C.PULL, C.PUSH}),
    _b("AcrDelete", "c2f4ef07-c644-48eb-af81-4b1b4947fb11", {C.DELETE}),
    _b("AcrImageSigner", "6cef56e8-d556-48e5-a04f-b8e64114680f", {C.SIGN}),
    _b("AcrQuarantineReader", "cdda3590-29a3-44f6-95f2-9f980659eb04", {C.PULL}),
    _b("AcrQuarantineWriter", "c8d4ff99-41c3-41a8-9f60-21dfdad59608", {C.PULL, C.PUSH}),
    # Containers: "Container Registry *" roles (ABAC-capable repository roles and configuration roles)
    _b("Container Registry Repository Reader", "b93aa761-3e63-49ed-ac28-beffa264f7ac", {C.PULL}),
    _b("Container Registry Repository Writer", "2a1e307c-b015-4ebd-883e-5b7698a07328", {C.PULL, C.PUSH}),
    _b("Container Registry Repository Contributor", "2efddaa5-3f1f-4df3-97df-af3f13818f4c",
       {C.PULL, C.PUSH, C.DELETE}),
    _b("Container Registry Repository Catalog Lister", "bfdb9389-c9a5-478a-bb2f-ba9ca092c3c7", {C.CATALOG_LISTING}),
    # "import images ... list repositories, view images and tags, get manifests, and pull images"
    _b("Container Registry Data Importer and Data Reader", "577a9874-89fd-4f24-9dbd-b5034d0ad23a",
       {C.PULL, C.PUSH, C.CATALOG_LISTING}),
    # "can be used for full registry data plane permissions including reading/writing/deleting"
    _b("Container Registry Tasks Contributor", "fb382eab-e894-4461-af04-94435c366c3f",
       {C.PULL, C.PUSH, C.DELETE, C.ADMIN}),
    # these two expose admin user credentials, scope maps and tokens: data access by another path
    _b("Container Registry Configuration Reader and Data Access Configuration Reader",
       "69b07be0-09bf-439a-b9a6-e73de851bd59", {C.READER, C.ADMIN}),
    _b("Container Registry Contributor and Data Access Configuration Administrator",
       "3bc748fc-213d-45c1-8d91-9da5725539b9", {C.READER, C.ADMIN}),
    _b("Container Registry Cache Rule Administrator", "df87f177-bb12-4db1-9793-a413691eff94", {C.ADMIN}),
    _b("Container Registry Cache Rule Reader", "c357b964-0002-4b64-a50d-7a28f02edc52", {C.READER}),
    _b("Container Registry Credential Set Administrator", "f094fb07-0703-4400-ad6a-e16dd8000e14", {C.ADMIN}),
    _b("Container Registry Credential Set Reader", "29093635-9924-4f2c-913b-650a12949526", {C.READER}),
    _b("Container Registry Transfer Pipeline Contributor", "bf94e731-3a51-4a7c-8c54-a1ab9971dfc1", {C.ADMIN}),
)
_BY_GUID = {r.guid: r for r in BUILTIN_ROLES if r.guid}
_BY_NAME = {r.name.lower(): r for r in BUILTIN_ROLES}
_GUID = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s*$", re.IGNORECASE)

_ACR = "Microsoft.ContainerRegistry/registries/"
# operations that exercise each capability: (control-plane actions, data actions)
_PROBES: dict[Capability, tuple[tuple[str, ...], tuple[str, ...]]] = {
    C.PULL: ((_ACR + "pull/read",), (_ACR + "repositories/content/read",)),
    C.PUSH: ((_ACR + "push/write",), (_ACR + "repositories/content/write",)),
    C.DELETE: ((_ACR + "artifacts/delete",), (_ACR + "repositories/content/delete",)),
    C.SIGN: ((_ACR + "sign/write",), (_ACR + "trustedCollections/write",)),
    C.CATALOG_LISTING: ((), (_ACR + "catalog/read",)),
    C.READER: ((_ACR + "read",), ()),
    C.ADMIN: ((_ACR + "write", _ACR + "delete", _ACR + "listCredentials/action",
               _ACR + "regenerateCredential/action", _ACR + "tokens/write", _ACR + "scopeMaps/write",
               _ACR + "importImage/action", "Microsoft.Authorization/roleAssignments/write"), ()),
}
_SENTINEL = "Microsoft.ContainerRegistry/\x00every-operation"


def builtin_by_guid(guid: str) -> AzureRole | None:
    return _BY_GUID.get(guid.lower())


def builtin_by_name(name: str) -> AzureRole | None:
    return _BY_NAME.get(name.strip().lower())


def guid_of(role_definition_id: str) -> str | None:
    """The GUID of a role definition given as a full resource id or a bare GUID."""
    match = _GUID.search(role_definition_id.strip().rstrip("/"))
    return match.group(1).lower() if match else None


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
    return frozenset(caps), everything


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


# Scopes referenced through a data source or resource that has no kind of its own (the Terraform
# type in a Ref's address says what it is; a subscription id itself is only known after reading it).
_SCOPE_TYPES = {
    "azurerm_subscription": ScopeKind.SUBSCRIPTION,
    "azurerm_management_group": ScopeKind.MANAGEMENT_GROUP,
    "azurerm_resource_group": ScopeKind.RESOURCE_GROUP,
    "azurerm_container_registry": ScopeKind.REGISTRY,
}


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
            by_type = _SCOPE_TYPES.get(_address_type(scope.address))
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
    if text.lower().startswith("/subscriptions/"):
        return Scope(ScopeKind.OTHER, text)
    return Unknown(f"assignment scope {text!r} is not an Azure resource id")
