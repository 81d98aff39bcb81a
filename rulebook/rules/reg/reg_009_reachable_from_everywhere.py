"""REG-009: Registries are not reachable from everywhere."""

from __future__ import annotations

from typing import Iterator

from ...findings import Severity
from ...model import Resource
from ...networks import beyond_ci_network
from ...unknown import Unknown
from ..base import Context, Example, Result, rule
from ..helpers import flag


@rule(
    id="REG-009",
    title="Registries are not reachable from everywhere",
    severity=Severity.MEDIUM,
    practice="P5",
    kinds=("azure.acr.registry",),
    rationale="""
A registry reachable from the whole internet can be used with a leaked credential from anywhere,
and its tokens can be brute-forced or replayed from outside the CI network. Turning off public
network access (private endpoints only), or a network rule set whose default action is Deny with
only the CI ranges allowed, makes a stolen credential useless outside the pipeline's network.
""",
    remediation="""
Set `public_network_access_enabled = false` and reach the registry through a private endpoint, or
keep public access with `network_rule_set { default_action = "Deny" }` and ip rules / subnets limited
to the CI ranges given in `ci_network` (cidrs, azure_subnet_ids).
""",
    examples=(
        Example("terraform", False, '''
resource "azurerm_container_registry" "ci" {
  name                          = "acmeci"
  resource_group_name           = "rg-ci"
  location                      = "westeurope"
  sku                           = "Premium"
  public_network_access_enabled = true
}
''', resource="azurerm_container_registry.ci"),
        Example("terraform", True, '''
resource "azurerm_container_registry" "ci" {
  name                          = "acmeci"
  resource_group_name           = "rg-ci"
  location                      = "westeurope"
  sku                           = "Premium"
  public_network_access_enabled = false

  network_rule_set {
    default_action = "Deny"
  }
}
'''),
        Example("pulumi", False, '''
import pulumi_azure_native as azure_native

azure_native.containerregistry.Registry("ci", registry_name="acmeci", resource_group_name="rg-ci",
    location="westeurope", sku={"name": "Premium"}, public_network_access="Enabled",
    network_rule_set={"default_action": "Allow"})
''', resource="ci"),
        Example("pulumi", True, '''
import pulumi_azure_native as azure_native

azure_native.containerregistry.Registry("ci", registry_name="acmeci", resource_group_name="rg-ci",
    location="westeurope", sku={"name": "Premium"}, public_network_access="Disabled",
    network_rule_set={"default_action": "Deny"})
'''),
    ),
)
def reg_009(resource: Resource, ctx: Context) -> Iterator[Result]:
    return _reachable_from_everywhere(resource, ctx)


def _reachable_from_everywhere(resource: Resource, ctx: Context) -> Iterator[Result]:
    """The decision of REG-009, kept out of the decorated function so it can be mutation tested."""
    label = resource.label()
    public = flag(resource, "public_network_access_enabled")
    if isinstance(public, Unknown):
        yield Result.undecided(resource, public, "whether public network access is enabled")
        return
    if public is False:
        return  # private endpoints only
    action = resource.get("network_default_action")
    if isinstance(action, Unknown):
        yield Result.undecided(resource, action, "the network rule set's default action")
        return
    if not (isinstance(action, str) and action.strip().lower() == "deny"):
        shown = action if isinstance(action, str) else "Allow (not set)"
        yield Result.fail(resource, f"registry {label} accepts traffic from everywhere: public network access is "
                                    f"enabled and the network rule set's default action is {shown}")
        return
    config = ctx.config
    wide, undecided = beyond_ci_network(resource.get("ip_rules"), resource.get("subnet_ids"), config)
    if wide and (config.cidrs or config.azure_subnet_ids):
        yield Result.fail(resource, f"registry {label} admits {', '.join(wide)}, outside the configured CI network")
    elif wide:
        yield Result.fail(resource, f"registry {label} admits {', '.join(wide)}: public internet addresses, and no CI "
                                    "ranges are configured to allow them (ci_network.cidrs)")
    elif undecided is not None:
        yield Result.undecided(resource, undecided, "whether the registry's network rules stay within the CI network")

