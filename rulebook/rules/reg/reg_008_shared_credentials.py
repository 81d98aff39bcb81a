"""REG-008: No shared registry credentials."""

from __future__ import annotations

from typing import Iterator

from ...findings import Severity
from ...model import Resource
from ...unknown import Unknown
from ..base import Context, Example, Result, rule
from ..helpers import flag


@rule(
    id="REG-008",
    title="No shared registry credentials",
    severity=Severity.HIGH,
    practice="P2",
    kinds=("azure.acr.registry",),
    rationale="""
The ACR admin user is one username and password with full push and pull rights, shared by every
pipeline that knows it, never expiring and not tied to any identity: it ends up in CI variables and
developer machines. Anonymous pull lets anyone on the network read every image without
credentials. Both bypass the RBAC assignments that the other registry rules check.
""",
    remediation="""
Let pipelines sign in with a federated identity holding AcrPull or AcrPush on the registry.
""",
    fixes={
        "terraform": """
Set `admin_enabled = false` and `anonymous_pull_enabled = false` on the registry.
""",
        "pulumi": """
Set `admin_user_enabled=False` and `anonymous_pull_enabled=False` on the registry (azure-native).
""",
    },
    examples=(
        Example("terraform", False, '''
resource "azurerm_container_registry" "ci" {
  name                = "acmeci"
  resource_group_name = "rg-ci"
  location            = "westeurope"
  sku                 = "Premium"
  admin_enabled       = true
}
''', resource="azurerm_container_registry.ci"),
        Example("terraform", True, '''
resource "azurerm_container_registry" "ci" {
  name                   = "acmeci"
  resource_group_name    = "rg-ci"
  location               = "westeurope"
  sku                    = "Premium"
  admin_enabled          = false
  anonymous_pull_enabled = false
}
'''),
        Example("pulumi", False, '''
import pulumi_azure_native as azure_native

azure_native.containerregistry.Registry("ci", registry_name="acmeci", resource_group_name="rg-ci",
    location="westeurope", sku={"name": "Premium"}, admin_user_enabled=True)
''', resource="ci"),
        Example("pulumi", True, '''
import pulumi_azure_native as azure_native

azure_native.containerregistry.Registry("ci", registry_name="acmeci", resource_group_name="rg-ci",
    location="westeurope", sku={"name": "Premium"}, admin_user_enabled=False, anonymous_pull_enabled=False)
'''),
    ),
)
def reg_008(resource: Resource, ctx: Context) -> Iterator[Result]:
    return _shared_credentials(resource, ctx)


def _shared_credentials(resource: Resource, ctx: Context) -> Iterator[Result]:
    """The decision of REG-008, kept out of the decorated function so it can be mutation tested."""
    shared = []
    for prop, what in (("admin_enabled", "the admin user (a shared password)"),
                       ("anonymous_pull_enabled", "anonymous pull")):
        value = flag(resource, prop)
        if isinstance(value, Unknown):
            yield Result.undecided(resource, value, f"whether {what} is enabled")
        elif value is True:
            shared.append(what)
    if shared:
        label = resource.label()
        yield Result.fail(resource, f"registry {label} enables {' and '.join(shared)}")

