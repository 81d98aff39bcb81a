"""IDF-006: Azure storage accounts accept only Entra ID, not their shared account keys."""

from __future__ import annotations

from typing import Iterator

from ...findings import Severity
from ...model import Resource
from ...unknown import Unknown
from ..base import Context, Example, Result, rule
from ..bkt._common import label
from ..helpers import flag


@rule(
    id="IDF-006",
    title="No shared-key access to Azure storage",
    severity=Severity.MEDIUM,
    practice="P6",
    kinds=("azure.storage.account",),
    rationale="""
A storage account's two access keys are long-lived passwords with full control of every container,
and every SAS token signed with them inherits that reach. Pipelines copy them into variables and
connection strings, where they outlive the job by months and nothing records who used them. Shared
keys stay usable until the account forbids them: the azurerm provider and the classic Pulumi
provider enable them when `shared_access_key_enabled` is not set, and Azure itself allows them when
azure-native's `allowSharedKeyAccess` is left out, so an account that does not say `false` fails.
""",
    remediation="""
Let the pipeline reach the account through a federated identity holding a role such as Storage Blob
Data Contributor, and issue user-delegation SAS tokens instead of account-key SAS.
""",
    fixes={
        "terraform": """
Set `shared_access_key_enabled = false` on the storage account and `storage_use_azuread = true` in
the azurerm provider, so Terraform itself uses Entra ID for data-plane calls.
""",
        "pulumi": """
Set `allow_shared_key_access=False` on the storage account (azure-native; classic Pulumi:
`shared_access_key_enabled=False`).
""",
    },
    examples=(
        Example("terraform", False, '''
resource "azurerm_storage_account" "artifacts" {
  name                     = "acmeciartifacts"
  resource_group_name      = "rg-ci"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "ZRS"
}
''', resource="azurerm_storage_account.artifacts"),
        Example("terraform", True, '''
resource "azurerm_storage_account" "artifacts" {
  name                      = "acmeciartifacts"
  resource_group_name       = "rg-ci"
  location                  = "westeurope"
  account_tier              = "Standard"
  account_replication_type  = "ZRS"
  shared_access_key_enabled = false
}
'''),
        Example("pulumi", False, '''
import pulumi_azure_native as azure_native

azure_native.storage.StorageAccount("artifacts", account_name="acmeciartifacts", resource_group_name="rg-ci",
    kind="StorageV2", sku={"name": "Standard_ZRS"})
''', resource="artifacts"),
        Example("pulumi", True, '''
import pulumi_azure_native as azure_native

azure_native.storage.StorageAccount("artifacts", account_name="acmeciartifacts", resource_group_name="rg-ci",
    kind="StorageV2", sku={"name": "Standard_ZRS"}, allow_shared_key_access=False)
'''),
    ),
)
def idf_006(resource: Resource, ctx: Context) -> Iterator[Result]:
    return _storage_shared_key(resource, ctx)


def _storage_shared_key(resource: Resource, ctx: Context) -> Iterator[Result]:
    """The decision of IDF-006, kept out of the decorated function so it can be mutation tested."""
    enabled = flag(resource, "shared_key_access_enabled")
    if isinstance(enabled, Unknown):
        yield Result.undecided(resource, enabled, "whether shared-key access is disabled")
    elif enabled is not False:
        yield Result.fail(resource, f"storage account {label(resource)} accepts its shared access keys: anyone "
                                    f"holding an account key or a SAS token signed with it has full data access "
                                    f"without Entra ID")
