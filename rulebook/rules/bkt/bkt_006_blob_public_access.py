"""BKT-006: Azure blob containers cannot be made public."""

from __future__ import annotations

from typing import Iterator

from ...findings import Severity
from ...model import Resource
from ...unknown import Unknown
from ..base import Context, Example, Result, rule
from ..helpers import flag
from ._common import label

PUBLIC_LEVELS = {"blob": "anyone may read every blob whose name they know",
                 "container": "anyone may list and read every blob"}


def _account(resource: Resource) -> Iterator[Result]:
    allowed = flag(resource, "allow_blob_public_access")
    if isinstance(allowed, Unknown):
        yield Result.undecided(resource, allowed, "whether blobs may be made public")
    elif allowed is True:
        yield Result.fail(resource, f"storage account {label(resource)} allows public blob access: any container "
                                    f"can be opened to anonymous readers")


def _container(resource: Resource) -> Iterator[Result]:
    access = resource.get("public_access")
    if isinstance(access, Unknown):
        yield Result.undecided(resource, access, "the container's public access level")
    elif isinstance(access, str) and access.strip().lower() in PUBLIC_LEVELS:
        level = access.strip().lower()
        yield Result.fail(resource, f"container public access level is {level}: {PUBLIC_LEVELS[level]}")


@rule(
    id="BKT-006",
    title="No anonymous access to blob storage",
    severity=Severity.HIGH,
    practice="P8",
    kinds=("azure.storage.account", "azure.storage.container"),
    rationale="""
Anonymous blob access serves a container's artifacts, logs and packages to anyone on the internet
without a credential, and nothing records who read them. Whether a container can be public is an
account setting (allow_nested_items_to_be_public, which the azurerm provider turns on unless told
otherwise); the container's access level then opens it. Artifact storage never needs it.
""",
    remediation="""
Give readers a role such as Storage Blob Data Reader instead of anonymous access.
""",
    fixes={
        "terraform": """
Set `allow_nested_items_to_be_public = false` on the storage account and `container_access_type =
"private"` on every container.
""",
        "pulumi": """
Set `allow_blob_public_access=False` on the storage account and `public_access="None"` on every blob
container (azure-native).
""",
    },
    examples=(
        Example("terraform", False, '''
resource "azurerm_storage_account" "artifacts" {
  name                            = "acmeciartifacts"
  resource_group_name             = "rg-ci"
  location                        = "westeurope"
  account_tier                    = "Standard"
  account_replication_type        = "ZRS"
  allow_nested_items_to_be_public = true
}
''', resource="azurerm_storage_account.artifacts"),
        Example("terraform", True, '''
resource "azurerm_storage_account" "artifacts" {
  name                            = "acmeciartifacts"
  resource_group_name             = "rg-ci"
  location                        = "westeurope"
  account_tier                    = "Standard"
  account_replication_type        = "ZRS"
  allow_nested_items_to_be_public = false
}

resource "azurerm_storage_container" "artifacts" {
  name                  = "artifacts"
  storage_account_id    = azurerm_storage_account.artifacts.id
  container_access_type = "private"
}
'''),
        Example("pulumi", False, '''
import pulumi_azure_native as azure_native

azure_native.storage.BlobContainer("artifacts", account_name="acmeciartifacts", resource_group_name="rg-ci",
    public_access="Container")
''', resource="artifacts"),
        Example("pulumi", True, '''
import pulumi_azure_native as azure_native

azure_native.storage.StorageAccount("artifacts", account_name="acmeciartifacts", resource_group_name="rg-ci",
    kind="StorageV2", sku={"name": "Standard_ZRS"}, allow_blob_public_access=False)
azure_native.storage.BlobContainer("artifacts", account_name="acmeciartifacts", resource_group_name="rg-ci",
    public_access="None")
'''),
    ),
)
def bkt_006(resource: Resource, ctx: Context) -> Iterator[Result]:
    yield from (_account(resource) if resource.kind == "azure.storage.account" else _container(resource))
