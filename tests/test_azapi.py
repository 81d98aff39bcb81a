"""azapi resources through the Terraform scanner (sources and a plan): storage accounts, registries and
role assignments read by their ARM type, with an object body (azapi v2) and a jsonencode body (v1), as
exact (rule, status, resource, line) rows."""

from __future__ import annotations

import json
from pathlib import Path

from hcl_scanner.plan import read_plan
from rulebook.config import Config
from rulebook.engine import evaluate
from rulebook.rules import REGISTRY
from rulebook.unknown import Unknown
from test_bkt_rules import rows, tf_rows

STORAGE_RULES = ["IDF-006", "BKT-005", "BKT-006"]
REGISTRY_RULES = ["REG-008", "REG-009"]
RG = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ci"
OWNER = "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
ACR_PULL = "/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d"

STORAGE = f'''
variable "resource_types" {{
  default = {{ storage_account = "Microsoft.Storage/storageAccounts@2023-05-01" }}
}}

resource "azapi_resource" "open" {{
  type      = var.resource_types.storage_account
  name      = "acmeopen"
  parent_id = "{RG}"
  body = {{
    kind = "StorageV2"
    properties = {{
      allowSharedKeyAccess  = true
      publicNetworkAccess   = "Enabled"
      allowBlobPublicAccess = true
    }}
  }}
}}

resource "azapi_resource" "closed" {{
  type      = "microsoft.storage/storageaccounts@2023-05-01"
  name      = "acmeclosed"
  parent_id = "{RG}"
  body = jsonencode({{
    kind = "StorageV2"
    properties = {{
      allowSharedKeyAccess  = false
      publicNetworkAccess   = "Enabled"
      allowBlobPublicAccess = false
      networkAcls           = {{ defaultAction = "Deny", ipRules = [{{ value = "203.0.113.0/24", action = "Allow" }}] }}
    }}
  }})
}}

resource "azapi_resource" "v1open" {{
  type      = "Microsoft.Storage/storageAccounts@2021-09-01"
  name      = "acmev1"
  parent_id = "{RG}"
  body = jsonencode({{
    properties = {{ publicNetworkAccess = "Disabled" }}
  }})
}}

resource "azapi_resource" "lock" {{
  type      = "Microsoft.Authorization/locks@2020-05-01"
  name      = "lock"
  parent_id = azapi_resource.open.id
  body      = {{ properties = {{ level = "CanNotDelete" }} }}
}}
'''


def test_storage_accounts(tmp_path):
    assert tf_rows(tmp_path, STORAGE, STORAGE_RULES) == [
        ("BKT-005", "failed", "azapi_resource.open", 6),
        ("BKT-006", "failed", "azapi_resource.open", 6),
        ("IDF-006", "failed", "azapi_resource.open", 6),
        ("IDF-006", "failed", "azapi_resource.v1open", 35),  # allowSharedKeyAccess unset: Azure allows keys
    ]


REGISTRIES = f'''
resource "azapi_resource" "admin" {{
  type      = "Microsoft.ContainerRegistry/registries@2023-07-01"
  name      = "acmeadmin"
  parent_id = "{RG}"
  body = {{
    sku        = {{ name = "Premium" }}
    properties = {{ adminUserEnabled = true, publicNetworkAccess = "Enabled" }}
  }}
}}

resource "azapi_resource" "private" {{
  type      = "Microsoft.ContainerRegistry/registries@2023-07-01"
  name      = "acmeprivate"
  parent_id = "{RG}"
  body = jsonencode({{
    sku        = {{ name = "Premium" }}
    properties = {{ adminUserEnabled = false, anonymousPullEnabled = false, publicNetworkAccess = "Disabled" }}
  }})
}}

resource "azapi_resource" "anonymous" {{
  type      = "Microsoft.ContainerRegistry/registries@2023-07-01"
  name      = "acmeanon"
  parent_id = "{RG}"
  body = jsonencode({{
    properties = {{ adminUserEnabled = false, anonymousPullEnabled = true, publicNetworkAccess = "Disabled" }}
  }})
}}
'''


def test_registries(tmp_path):
    assert tf_rows(tmp_path, REGISTRIES, REGISTRY_RULES) == [
        ("REG-008", "failed", "azapi_resource.admin", 2),
        ("REG-009", "failed", "azapi_resource.admin", 2),
        ("REG-008", "failed", "azapi_resource.anonymous", 22),
    ]


ASSIGNMENTS = f'''
resource "azapi_resource" "owner" {{
  type      = "Microsoft.Authorization/roleAssignments@2022-04-01"
  name      = "00000000-0000-0000-0000-0000000000a1"
  parent_id = "{RG}"
  body = {{
    properties = {{
      roleDefinitionId = "{OWNER}"
      principalId      = "11111111-1111-1111-1111-111111111111"
      principalType    = "ServicePrincipal"
    }}
  }}
}}

resource "azapi_resource" "pull" {{
  type      = "Microsoft.Authorization/roleAssignments@2022-04-01"
  name      = "00000000-0000-0000-0000-0000000000a2"
  parent_id = "{RG}/providers/Microsoft.ContainerRegistry/registries/acmeci"
  body = jsonencode({{
    properties = {{
      roleDefinitionId = "{ACR_PULL}"
      principalId      = "11111111-1111-1111-1111-111111111111"
      principalType    = "ServicePrincipal"
    }}
  }})
}}
'''


def test_role_assignments(tmp_path):
    assert tf_rows(tmp_path, ASSIGNMENTS, ["REG-002"]) == [
        ("REG-002", "failed", "azapi_resource.owner", 2),
    ]


PATCH = f'''
resource "azapi_update_resource" "keys_on" {{
  type        = "Microsoft.Storage/storageAccounts@2023-05-01"
  resource_id = "{RG}/providers/Microsoft.Storage/storageAccounts/acme"
  body        = {{ properties = {{ allowSharedKeyAccess = true }} }}
}}

resource "azapi_update_resource" "encryption" {{
  type        = "Microsoft.Storage/storageAccounts@2023-05-01"
  resource_id = "{RG}/providers/Microsoft.Storage/storageAccounts/acme"
  body        = {{ properties = {{ encryption = {{ keySource = "Microsoft.Keyvault" }} }} }}
}}
'''


def test_a_patch_is_judged_on_what_it_sends_and_the_rest_is_unknown(tmp_path):
    assert tf_rows(tmp_path, PATCH, ["IDF-006"]) == [
        ("IDF-006", "failed", "azapi_update_resource.keys_on", 2),
        ("IDF-006", "unknown", "azapi_update_resource.encryption", 8),
    ]


def test_an_unknown_body_leaves_every_property_unknown(tmp_path):
    text = f'''
variable "body" {{}}

resource "azapi_resource" "sa" {{
  type      = "Microsoft.Storage/storageAccounts@2023-05-01"
  name      = "acme"
  parent_id = "{RG}"
  body      = var.body
}}
'''
    assert [r[:3] for r in tf_rows(tmp_path, text, STORAGE_RULES)] == [
        ("BKT-005", "unknown", "azapi_resource.sa"),
        ("BKT-006", "unknown", "azapi_resource.sa"),
        ("IDF-006", "unknown", "azapi_resource.sa"),
    ]


def _plan(tmp_path: Path, body: object, unknown: object) -> list[tuple]:
    """A plan as `terraform show -json` writes it for an azapi v2 storage account."""
    values = {"type": "Microsoft.Storage/storageAccounts@2023-05-01", "name": "acmeplan", "parent_id": RG,
              "body": body}
    resource = {"address": "azapi_resource.sa", "mode": "managed", "type": "azapi_resource", "name": "sa",
                "provider_name": "registry.terraform.io/azure/azapi", "schema_version": 2,
                "values": values, "sensitive_values": {}}
    change = {**{k: resource[k] for k in ("address", "mode", "type", "name", "provider_name")},
              "change": {"actions": ["create"], "before": None, "after": values,
                         "after_unknown": {"id": True, "output": True, **({"body": unknown} if unknown else {})},
                         "before_sensitive": False, "after_sensitive": {}}}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "terraform_version": "1.9.5",
                                "planned_values": {"root_module": {"resources": [resource]}},
                                "resource_changes": [change]}))
    inventory, errors = read_plan(path, None)
    assert errors == []
    findings = evaluate(inventory, Config(), rules=[REGISTRY[r] for r in STORAGE_RULES])
    return sorted((r[:3] for r in rows(findings)), key=lambda r: r[0])


def test_plan_object_body(tmp_path):
    body = {"kind": "StorageV2", "properties": {"allowSharedKeyAccess": True, "publicNetworkAccess": "Disabled"}}
    assert _plan(tmp_path, body, None) == [("IDF-006", "failed", "azapi_resource.sa")]


def test_plan_json_text_body_passes(tmp_path):
    body = json.dumps({"properties": {"allowSharedKeyAccess": False, "publicNetworkAccess": "Disabled",
                                      "allowBlobPublicAccess": False}})
    assert _plan(tmp_path, body, None) == []


def test_plan_body_property_known_after_apply(tmp_path):
    body = {"properties": {"publicNetworkAccess": "Disabled", "allowSharedKeyAccess": None}}
    assert _plan(tmp_path, body, {"properties": {"allowSharedKeyAccess": True}}) == [
        ("IDF-006", "unknown", "azapi_resource.sa")]


def test_the_body_json_is_read_as_the_object_it_encodes():
    from hcl_scanner.adapter_azapi import body_object

    assert body_object('{"properties": {"a": 1}}') == {"properties": {"a": 1}}
    assert body_object("[1]") == Unknown("body is not a JSON object")
    assert body_object("{") == Unknown("body is not JSON")
    assert body_object(None) is None


def test_an_azapi_resource_of_unknown_type_is_noted_as_not_analysed(tmp_path):
    from hcl_scanner import scan

    (tmp_path / "main.tf").write_text('''
variable "resource_type" {}

resource "azapi_resource" "sa" {
  type      = var.resource_type
  name      = "acme"
  parent_id = "/subscriptions/0000/resourceGroups/rg"
  body      = { properties = { allowSharedKeyAccess = true } }
}
''')
    result = scan([str(tmp_path)], repo_root=str(tmp_path))
    assert [n for n in result.notes if "azapi" in n] == [
        "azapi_resource.sa: resource type is not known before apply "
        "(variable resource_type has no value (no default, not set in tfvars, --var-file or TF_VAR_resource_type)): "
        "not analysed"]


FOLDED = f'''
resource "azapi_resource" "sa" {{
  type      = "Microsoft.Storage/storageAccounts@2023-05-01"
  name      = "acme"
  parent_id = "{RG}"
  body      = {{ properties = {{ allowSharedKeyAccess = false, publicNetworkAccess = "Disabled" }} }}
}}

resource "azapi_update_resource" "keys_on" {{
  type        = "Microsoft.Storage/storageAccounts@2023-05-01"
  resource_id = azapi_resource.sa.id
  body        = {{ properties = {{ allowSharedKeyAccess = true }} }}
}}

resource "azapi_update_resource" "encryption" {{
  type        = "Microsoft.Storage/storageAccounts@2023-05-01"
  resource_id = azapi_resource.sa.id
  body        = {{ properties = {{ encryption = {{ keySource = "Microsoft.Keyvault" }} }} }}
}}
'''


def test_a_patch_of_a_resource_declared_here_is_folded_into_it(tmp_path):
    """The patch turning shared keys back on fails on the account; the one that only sets encryption
    says nothing, and neither patch is judged on its own."""
    assert tf_rows(tmp_path, FOLDED, STORAGE_RULES) == [("IDF-006", "failed", "azapi_resource.sa", 2)]


def test_a_plan_patch_of_a_resource_in_the_plan_is_folded_into_it(tmp_path):
    account = {"type": "Microsoft.Storage/storageAccounts@2023-05-01", "name": "acme", "parent_id": RG,
               "body": {"properties": {"allowSharedKeyAccess": False, "publicNetworkAccess": "Disabled"}}}
    patch = {"type": "Microsoft.Storage/storageAccounts@2023-05-01",
             "body": {"properties": {"allowSharedKeyAccess": True}}}
    provider = "registry.terraform.io/azure/azapi"

    def res(kind: str, name: str, values: dict) -> dict:
        return {"address": f"{kind}.{name}", "mode": "managed", "type": kind, "name": name,
                "provider_name": provider, "values": values, "sensitive_values": {}}

    def change(kind: str, name: str, values: dict, unknown: dict) -> dict:
        return {"address": f"{kind}.{name}", "mode": "managed", "type": kind, "name": name,
                "provider_name": provider,
                "change": {"actions": ["create"], "before": None, "after": values, "after_unknown": unknown,
                           "before_sensitive": False, "after_sensitive": {}}}

    conf = {"root_module": {"resources": [
        {"address": "azapi_resource.sa", "mode": "managed", "type": "azapi_resource", "name": "sa",
         "expressions": {}},
        {"address": "azapi_update_resource.keys_on", "mode": "managed", "type": "azapi_update_resource",
         "name": "keys_on",
         "expressions": {"resource_id": {"references": ["azapi_resource.sa.id", "azapi_resource.sa"]}}}]}}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({
        "format_version": "1.2", "terraform_version": "1.9.5", "configuration": conf,
        "planned_values": {"root_module": {"resources": [res("azapi_resource", "sa", account),
                                                         res("azapi_update_resource", "keys_on", patch)]}},
        "resource_changes": [change("azapi_resource", "sa", account, {"id": True}),
                             change("azapi_update_resource", "keys_on", patch, {"id": True, "resource_id": True})]}))
    inventory, errors = read_plan(path, None)
    assert errors == []
    findings = evaluate(inventory, Config(), rules=[REGISTRY[r] for r in STORAGE_RULES])
    assert [r[:3] for r in rows(findings)] == [("IDF-006", "failed", "azapi_resource.sa")]
