"""Azure roles (built-in by GUID or name, custom by actions/dataActions), scopes, and role-assignment grants."""

from __future__ import annotations

import pytest

from rulebook.access import azure_grants
from rulebook import azure_catalogue
from rulebook.azure_roles import (Capability, ScopeKind, builtin_by_guid, builtin_by_name, capabilities_of,
                                  classify_scope, guid_of, role_for_assignment)
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


ALL = set(Capability)

# Role name, GUID (verified against Microsoft Learn, "Azure built-in roles") and what it can do to a
# registry, derived from its actions/dataActions in the catalogue.
VERIFIED = [
    ("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", ALL, True),
    ("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c", ALL, True),
    ("Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7", {C.READER, C.PULL}, False),  # */read covers pull/read
    ("User Access Administrator", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", {C.READER, C.PULL, C.ADMIN}, False),
    ("Role Based Access Control Administrator", "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
     {C.READER, C.PULL, C.ADMIN}, False),
    ("AcrPull", "7f951dda-4ed3-4680-a7ca-43fe172d538d", {C.PULL}, False),
    ("AcrPush", "8311e382-0749-4cb8-b61a-304f252e45ec", {C.PULL, C.PUSH}, False),
    ("AcrDelete", "c2f4ef07-c644-48eb-af81-4b1b4947fb11", {C.DELETE}, False),
    ("AcrImageSigner", "6cef56e8-d556-48e5-a04f-b8e64114680f", {C.SIGN}, False),
    ("AcrQuarantineReader", "cdda3590-29a3-44f6-95f2-9f980659eb04", {C.PULL}, False),
    ("AcrQuarantineWriter", "c8d4ff99-41c3-41a8-9f60-21dfdad59608", {C.PULL, C.PUSH}, False),
    ("Container Registry Repository Reader", "b93aa761-3e63-49ed-ac28-beffa264f7ac", {C.PULL}, False),
    ("Container Registry Repository Writer", "2a1e307c-b015-4ebd-883e-5b7698a07328", {C.PULL, C.PUSH}, False),
    ("Container Registry Repository Contributor", "2efddaa5-3f1f-4df3-97df-af3f13818f4c",
     {C.PULL, C.PUSH, C.DELETE}, False),
    ("Container Registry Repository Catalog Lister", "bfdb9389-c9a5-478a-bb2f-ba9ca092c3c7",
     {C.CATALOG_LISTING}, False),
    ("Container Registry Data Importer and Data Reader", "577a9874-89fd-4f24-9dbd-b5034d0ad23a",
     {C.PULL, C.PUSH, C.CATALOG_LISTING, C.READER}, False),  # importImage writes images
    ("Container Registry Tasks Contributor", "fb382eab-e894-4461-af04-94435c366c3f",
     {C.PULL, C.PUSH, C.DELETE, C.ADMIN, C.READER}, False),  # a task run has full data-plane access
    ("Container Registry Configuration Reader and Data Access Configuration Reader",
     "69b07be0-09bf-439a-b9a6-e73de851bd59", {C.READER, C.ADMIN}, False),  # listCredentials
    ("Container Registry Contributor and Data Access Configuration Administrator",
     "3bc748fc-213d-45c1-8d91-9da5725539b9", {C.READER, C.ADMIN}, False),
    ("Container Registry Cache Rule Administrator", "df87f177-bb12-4db1-9793-a413691eff94", {C.ADMIN}, False),
    ("Container Registry Cache Rule Reader", "c357b964-0002-4b64-a50d-7a28f02edc52", set(), False),
    ("Container Registry Credential Set Administrator", "f094fb07-0703-4400-ad6a-e16dd8000e14", {C.ADMIN}, False),
    ("Container Registry Credential Set Reader", "29093635-9924-4f2c-913b-650a12949526", set(), False),
    ("Container Registry Transfer Pipeline Contributor", "bf94e731-3a51-4a7c-8c54-a1ab9971dfc1", {C.ADMIN}, False),
    # roles of other services: known, and no registry capability
    ("Key Vault Secrets Officer", "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", set(), False),
    ("Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6", set(), False),
    ("Key Vault Administrator", "00482a5a-887f-4fb3-b363-3b7fe8e74483", set(), False),
    ("Storage Blob Data Contributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe", set(), False),
    # may assign role assignments, but only of Key Vault roles (an ABAC condition on the block)
    ("Key Vault Data Access Administrator", "8b54135c-b56d-4d72-a534-26097cfdc8d8", set(), False),
]


@pytest.mark.parametrize("name, guid, caps, everything", VERIFIED)
def test_builtin_roles_by_guid_and_name(name, guid, caps, everything):
    by_guid, by_name = builtin_by_guid(guid.upper()), builtin_by_name(name.lower())
    assert by_guid is by_name and by_guid.name == name and by_guid.guid == guid
    assert by_guid.capabilities == caps and by_guid.all_registry_actions is everything and by_guid.builtin


def test_catalogue_is_complete_and_matches_its_recorded_source():
    raw = azure_catalogue.catalogue_file()
    assert raw["sha256"] == azure_catalogue.content_hash(raw["roles"])
    source = raw["source"]
    assert source["repository"].endswith("easimon/azure-builtin-roles") and source["license"] == "MIT"
    assert len(source["commit"]) == 40 and source["date"][:4].isdigit()
    assert len(raw["roles"]) > 900 and all(guid_of(g) == g for g in raw["roles"])
    names = [r["name"].lower() for r in raw["roles"].values()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("condition, delegated", [
    ("((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR "
     "(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals"
     "{4633458b-17de-408a-b874-0445c86b69e6, B86A8FE4-44CE-4948-AEE5-ECCB2C155CD7}))", "none"),
    ("@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals"
     "{7f951dda4ed34680a7ca43fe172d538d}", "registry"),  # AcrPull, written without dashes
    ("@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals"
     "{11111111-2222-3333-4444-555555555555}", "registry"),  # not a built-in role: may reach registries
    ("@Resource[HasObotoken] boolequals true", "registry"),  # says nothing about which roles
])
def test_constrained_delegation_keeps_admin_only_for_roles_that_reach_registries(condition, delegated):
    from rulebook.azure_catalogue import Permission
    from rulebook.azure_roles import _block_capabilities
    block = Permission(("Microsoft.Authorization/roleAssignments/write", "*/read"), (), (), (), condition)
    caps, everything = _block_capabilities(block)
    assert (C.ADMIN in caps) is (delegated == "registry") and not everything


def test_guid_from_full_id_or_bare():
    assert guid_of(ACR_PUSH_ID) == "8311e382-0749-4cb8-b61a-304f252e45ec"
    assert guid_of("/providers/Microsoft.Authorization/roleDefinitions/8311E382-0749-4CB8-B61A-304F252E45EC/") == \
        "8311e382-0749-4cb8-b61a-304f252e45ec"
    assert guid_of("AcrPush") is None


def test_custom_permissions_with_wildcards():
    assert capabilities_of(["Microsoft.ContainerRegistry/*"]) == (frozenset(ALL), True)
    assert capabilities_of(["microsoft.containerregistry/registries/pull/read"]) == (frozenset({C.PULL}), False)
    assert capabilities_of(["Microsoft.ContainerRegistry/registries/*/read"]) == (
        frozenset({C.PULL}), False)
    assert capabilities_of([], data_actions=["Microsoft.ContainerRegistry/registries/catalog/read",
                                             "Microsoft.ContainerRegistry/registries/repositories/content/*"]) == (
        frozenset({C.CATALOG_LISTING, C.PULL, C.PUSH, C.DELETE}), False)
    # NotActions carve out: "*" except everything in the registry namespace
    assert capabilities_of(["*"], not_actions=["Microsoft.ContainerRegistry/*"]) == (
        frozenset({C.ADMIN}), False)  # still Microsoft.Authorization/roleAssignments/write
    assert capabilities_of(["*"], not_actions=["Microsoft.Authorization/*"]) == (frozenset(ALL), True)
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
    (f"{RG}/providers/Microsoft.KeyVault/vaults/ci-secrets", ScopeKind.OTHER),
    # the prefix is interpolated, the resource type is not: a vault wherever it lives
    ("${azurerm_resource_group.rg.id}/providers/Microsoft.KeyVault/vaults/kv", ScopeKind.OTHER),
    ("${azurerm_resource_group.rg.id}/providers/Microsoft.ContainerRegistry/registries/r", ScopeKind.REGISTRY),
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
    missing = classify_scope(Ref("module.ci.output_scope", "id"), inv)
    assert isinstance(missing, Unknown) and missing.reason == ("assignment scope module.ci.output_scope.id "
                                                               "is not in this stack/module")
    assert isinstance(classify_scope(Ref("azapi_resource.thing", "id"), inv), Unknown)  # any ARM type
    # not the resource's own id: the AKS node resource group may hold registries; a listing may be any resource
    assert isinstance(classify_scope(Ref("azurerm_kubernetes_cluster.aks", "node_resource_group_id"), inv), Unknown)
    assert isinstance(classify_scope(Ref("data.azurerm_resources.all", "id"), inv), Unknown)
    assert isinstance(classify_scope(Unknown("x"), inv), Unknown)


@pytest.mark.parametrize("address, kind", [
    ("data.azurerm_subscription.current", ScopeKind.SUBSCRIPTION),
    ("module.platform.data.azurerm_subscription.this", ScopeKind.SUBSCRIPTION),
    ("data.azurerm_resource_group.shared", ScopeKind.RESOURCE_GROUP),
    ("data.azurerm_management_group.root", ScopeKind.MANAGEMENT_GROUP),
    ("data.azurerm_container_registry.shared", ScopeKind.REGISTRY),
    ("azurerm_container_registry_scope_map.ci", ScopeKind.REGISTRY),  # a part of a registry
    # resources that hold no registry, declared or read but not modelled: decided by their type
    ("azurerm_key_vault.this", ScopeKind.OTHER),
    ("module.ci.azurerm_storage_account.x", ScopeKind.OTHER),
    ("data.azurerm_key_vault.shared", ScopeKind.OTHER),
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


AZURE_TF = '''
resource "azurerm_resource_group" "rg" {
  name     = "rg-ci"
  location = "westeurope"
}

resource "azurerm_key_vault" "this" {
  name                = "ci-secrets"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "westeurope"
  tenant_id           = "00000000-0000-0000-0000-000000000001"
  sku_name            = "standard"
}

resource "azurerm_user_assigned_identity" "ci" {
  name                = "id-ci"
  resource_group_name = azurerm_resource_group.rg.name
  location            = "westeurope"
}

resource "azurerm_role_assignment" "assignment" {
  scope                = SCOPE
  role_definition_name = "ROLE"
  principal_id         = azurerm_user_assigned_identity.ci.principal_id
}
'''


@pytest.mark.parametrize("scope, role, rows", [
    # a key vault, a storage account, any resource that is not a registry: no registry access, whatever the role
    ("azurerm_key_vault.this.id", "Key Vault Secrets Officer", []),
    ("azurerm_key_vault.this.id", "Owner", []),
    ("data.azurerm_storage_account.artifacts.id", "AcrPush", []),
    ('"${azurerm_resource_group.rg.id}/providers/Microsoft.KeyVault/vaults/ci-secrets"', "AcrPush", []),
    # a role of another service on the group that holds registries: no registry capability
    ("azurerm_resource_group.rg.id", "Key Vault Secrets User", []),
    # the group holds registries: AcrPush there reaches every one of them
    ("azurerm_resource_group.rg.id", "AcrPush", [("REG-005", "failed", 21), ("REG-006", "failed", 21)]),
])
def test_terraform_scope_and_role_decide_without_unknowns(tmp_path, scope, role, rows):
    from hcl_scanner import scan
    from rulebook.engine import evaluate
    from rulebook.rules import REGISTRY

    text = AZURE_TF.replace("SCOPE", scope).replace("ROLE", role)
    if "data.azurerm_storage_account" in scope:
        text += 'data "azurerm_storage_account" "artifacts" {\n  name                = "artifacts"\n' \
                '  resource_group_name = "rg-ci"\n}\n'
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(text)
    result = scan([str(root)], repo_root=str(root))
    assert result.errors == []
    rules = [REGISTRY[r] for r in REGISTRY if r.startswith("REG-")]
    findings = [f for inv in result.inventories for f in evaluate(inv, Config(), rules=rules)]
    assert sorted((f.rule_id, f.status.value, f.line) for f in findings
                  if f.resource == "azurerm_role_assignment.assignment") == rows
