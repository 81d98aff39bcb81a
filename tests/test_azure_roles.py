"""Azure roles (built-in by GUID or name, custom by actions/dataActions), scopes, and role-assignment grants."""

from __future__ import annotations

import pytest

from rulebook.access import azure_grants
from rulebook.azure_roles import (BUILTIN_ROLES, Capability, ScopeKind, builtin_by_guid, builtin_by_name,
                                  capabilities_of, classify_scope, guid_of, role_for_assignment)
from rulebook.config import Config
from rulebook.model import Inventory, Ref, Resource, SourceLocation
from rulebook.rules.base import Context
from rulebook.unknown import Unknown

C = Capability
SUB = "/subscriptions/00000000-0000-0000-0000-000000000001"
RG = f"{SUB}/resourceGroups/ci"
ACR_ID = f"{RG}/providers/Microsoft.ContainerRegistry/registries/cicdacr"
ACR_PUSH_ID = f"{SUB}/providers/Microsoft.Authorization/roleDefinitions/8311e382-0749-4cb8-b61a-304f252e45ec"


def res(kind: str, address: str, **props) -> Resource:
    return Resource(kind=kind, address=address, engine="terraform", props=props,
                    location=SourceLocation(file="main.tf", line=1))


def assignment(address: str, **props) -> Resource:
    return res("azure.role_assignment", address, **props)


def test_builtin_guids_are_unique_and_well_formed():
    guids = [r.guid for r in BUILTIN_ROLES]
    assert len(guids) == len(set(guids)) and all(guid_of(g) == g for g in guids)
    assert builtin_by_guid("7F951DDA-4ED3-4680-A7CA-43FE172D538D").name == "AcrPull"
    assert builtin_by_name("acrpush").guid == "8311e382-0749-4cb8-b61a-304f252e45ec"


@pytest.mark.parametrize("name, caps, everything", [
    ("AcrPull", {C.PULL}, False),
    ("AcrPush", {C.PULL, C.PUSH}, False),
    ("AcrDelete", {C.DELETE}, False),
    ("AcrImageSigner", {C.SIGN}, False),
    ("Reader", {C.READER}, False),
    ("Contributor", set(Capability), True),
    ("Owner", set(Capability), True),
    ("User Access Administrator", {C.READER, C.ADMIN}, False),
    ("Container Registry Repository Catalog Lister", {C.CATALOG_LISTING}, False),
    ("Container Registry Repository Writer", {C.PULL, C.PUSH}, False),
])
def test_builtin_capabilities(name, caps, everything):
    role = builtin_by_name(name)
    assert role.capabilities == caps and role.all_registry_actions is everything and role.builtin


def test_guid_from_full_id_or_bare():
    assert guid_of(ACR_PUSH_ID) == "8311e382-0749-4cb8-b61a-304f252e45ec"
    assert guid_of("/providers/Microsoft.Authorization/roleDefinitions/8311E382-0749-4CB8-B61A-304F252E45EC/") == \
        "8311e382-0749-4cb8-b61a-304f252e45ec"
    assert guid_of("AcrPush") is None


def test_custom_permissions_with_wildcards():
    assert capabilities_of(["Microsoft.ContainerRegistry/*"]) == (
        frozenset({C.PULL, C.PUSH, C.DELETE, C.SIGN, C.READER, C.ADMIN}), True)
    assert capabilities_of(["microsoft.containerregistry/registries/pull/read"]) == (frozenset({C.PULL}), False)
    assert capabilities_of(["Microsoft.ContainerRegistry/registries/*/read"]) == (
        frozenset({C.PULL}), False)
    assert capabilities_of([], data_actions=["Microsoft.ContainerRegistry/registries/catalog/read",
                                             "Microsoft.ContainerRegistry/registries/repositories/content/*"]) == (
        frozenset({C.CATALOG_LISTING, C.PULL, C.PUSH, C.DELETE}), False)
    # NotActions carve out: "*" except everything in the registry namespace
    assert capabilities_of(["*"], not_actions=["Microsoft.ContainerRegistry/*"]) == (
        frozenset({C.ADMIN}), False)  # still Microsoft.Authorization/roleAssignments/write
    assert capabilities_of(["*"], not_actions=["Microsoft.Authorization/*"]) == (
        frozenset({C.PULL, C.PUSH, C.DELETE, C.SIGN, C.READER, C.ADMIN}), True)
    unknown = capabilities_of([Unknown("actions from a variable")])
    assert isinstance(unknown, Unknown) and unknown.reason == "actions: actions from a variable"


def test_role_from_full_id_bare_guid_name_and_refs():
    custom = res("azure.role_definition", "azurerm_role_definition.acr_all", name="acr-all",
                 actions=["Microsoft.ContainerRegistry/*"], data_actions=[])
    lookup = res("azure.role_definition", "data.azurerm_role_definition.push", name="AcrPush",
                 id=Unknown("read at plan time"))
    inv = Inventory([custom, lookup])
    by_id = assignment("a1", role_definition_id=ACR_PUSH_ID)
    by_guid = assignment("a2", role_definition_id="7f951dda-4ed3-4680-a7ca-43fe172d538d")
    by_name = assignment("a3", role_definition_name="Owner")
    by_custom_ref = assignment("a4", role_definition_id=Ref("azurerm_role_definition.acr_all",
                                                            "role_definition_resource_id"))
    by_lookup_ref = assignment("a5", role_definition_id=Ref("data.azurerm_role_definition.push", "id"))
    by_custom_name = assignment("a6", role_definition_name="acr-all")
    assert role_for_assignment(by_id, inv).name == "AcrPush"
    assert role_for_assignment(by_guid, inv).name == "AcrPull"
    assert role_for_assignment(by_name, inv).name == "Owner"
    role = role_for_assignment(by_custom_ref, inv)
    assert not role.builtin and role.all_registry_actions and role.definition is custom
    assert role.label == "custom role acr-all"
    assert role_for_assignment(by_lookup_ref, inv).name == "AcrPush"
    assert role_for_assignment(by_custom_name, inv).definition is custom


def test_undecidable_roles_are_unknown_with_reasons():
    inv = Inventory([])
    cases = [
        (assignment("u1", role_definition_id="11111111-2222-3333-4444-555555555555"),
         "role definition 11111111-2222-3333-4444-555555555555 is neither a known built-in role nor declared here"),
        (assignment("u2", role_definition_id=Unknown("role id from a module")),
         "role_definition_id of u2: role id from a module"),
        (assignment("u3", role_definition_id=Ref("azurerm_role_definition.gone", "id")),
         "role definition azurerm_role_definition.gone.id is not in this stack/module"),
        (assignment("u4", role_definition_name="Acr Superuser"),
         "role 'Acr Superuser' is neither a known built-in role nor declared here"),
        (assignment("u5"), "u5 names no role definition"),
    ]
    for a, reason in cases:
        got = role_for_assignment(a, inv)
        assert isinstance(got, Unknown) and got.reason == reason


@pytest.mark.parametrize("scope, kind", [
    (ACR_ID, ScopeKind.REGISTRY),
    (ACR_ID + "/scopeMaps/x", ScopeKind.REGISTRY),
    (RG, ScopeKind.RESOURCE_GROUP),
    (RG.upper() + "/", ScopeKind.RESOURCE_GROUP),
    (SUB, ScopeKind.SUBSCRIPTION),
    ("/providers/Microsoft.Management/managementGroups/platform", ScopeKind.MANAGEMENT_GROUP),
    ("/", ScopeKind.MANAGEMENT_GROUP),
    (f"{RG}/providers/Microsoft.Storage/storageAccounts/logs", ScopeKind.OTHER),
])
def test_scope_from_text(scope, kind):
    got = classify_scope(scope, Inventory([]))
    assert got.kind is kind
    assert got.kind.contains_registries is (kind is not ScopeKind.OTHER)


def test_scope_from_refs_and_unknowns():
    registry = res("azure.acr.registry", "azurerm_container_registry.acr", name="cicdacr", id=ACR_ID)
    group = res("azure.resource_group", "azurerm_resource_group.ci", name="ci")
    inv = Inventory([registry, group])
    reg = classify_scope(Ref("azurerm_container_registry.acr", "id"), inv)
    assert reg.kind is ScopeKind.REGISTRY and reg.registry is registry
    assert classify_scope(ACR_ID, inv).registry is registry
    assert classify_scope(Ref("azurerm_resource_group.ci", "id"), inv).kind is ScopeKind.RESOURCE_GROUP
    missing = classify_scope(Ref("azurerm_key_vault.gone", "id"), inv)
    assert isinstance(missing, Unknown) and missing.reason == ("assignment scope azurerm_key_vault.gone.id "
                                                               "is not in this stack/module")
    assert isinstance(classify_scope(Ref("module.ci.azurerm_storage_account.x", "id"), inv), Unknown)
    assert isinstance(classify_scope(Unknown("x"), inv), Unknown)


@pytest.mark.parametrize("address, kind", [
    ("data.azurerm_subscription.current", ScopeKind.SUBSCRIPTION),
    ("module.platform.data.azurerm_subscription.this", ScopeKind.SUBSCRIPTION),
    ("data.azurerm_resource_group.shared", ScopeKind.RESOURCE_GROUP),
    ("data.azurerm_management_group.root", ScopeKind.MANAGEMENT_GROUP),
    ("data.azurerm_container_registry.shared", ScopeKind.REGISTRY),
])
def test_scope_through_a_data_source_without_a_kind(address, kind):
    """A subscription or resource group read by a data source has no kind, but its type says what it is."""
    scope = classify_scope(Ref(address, "id"), Inventory([]))
    assert scope.kind is kind and scope.text == address and scope.registry is None


def test_azure_grants_join_role_scope_and_principal():
    registry = res("azure.acr.registry", "azurerm_container_registry.acr", name="cicdacr", id=ACR_ID)
    ci = res("azure.identity", "azurerm_user_assigned_identity.ci", name="ci", principal_type="ServicePrincipal")
    pull = assignment("azurerm_role_assignment.pull", scope=Ref("azurerm_container_registry.acr", "id"),
                      role_definition_name="AcrPull", principal_id=Ref("azurerm_user_assigned_identity.ci",
                                                                       "principal_id"))
    push_rg = assignment("azurerm_role_assignment.push", scope=RG, role_definition_id=ACR_PUSH_ID,
                         principal_id="00000000-0000-0000-0000-00000000beef", principal_type="User")
    owner = assignment("azurerm_role_assignment.owner", scope=ACR_ID,
                       role_definition_id="8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
                       principal_id=Unknown("principal from var"))
    odd = assignment("azurerm_role_assignment.odd", scope=Unknown("scope from var"), role_definition_name="AcrPull",
                     principal_id=Ref("azurerm_user_assigned_identity.ci", "principal_id"))
    ctx = Context(Inventory([registry, ci, pull, push_rg, owner, odd]), Config())
    g_pull, g_push, g_owner, g_odd = azure_grants(ctx)
    assert g_pull.capabilities == {C.PULL} and g_pull.scope.kind is ScopeKind.REGISTRY
    assert g_pull.scope.registry is registry and g_pull.identity.address == "azurerm_user_assigned_identity.ci"
    assert g_pull.is_human is False and g_pull.unknown is None and g_pull.principal_unknown is None
    assert g_push.capabilities == {C.PULL, C.PUSH} and g_push.scope.kind is ScopeKind.RESOURCE_GROUP
    assert g_push.identity is None and g_push.is_human is True
    assert g_push.principal_unknown.reason == ("principal of azurerm_role_assignment.push: "
                                               "'00000000-0000-0000-0000-00000000beef' names no identity declared here")
    assert g_owner.all_registry_actions and g_owner.role.name == "Owner"
    assert g_owner.principal_unknown.reason == "principal of azurerm_role_assignment.owner: principal from var"
    assert isinstance(g_owner.is_human, Unknown)
    assert g_odd.scope is None and g_odd.unknown.reason == "assignment scope: scope from var"
    assert azure_grants(ctx) is azure_grants(ctx)
