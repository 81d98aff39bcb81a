"""BKT-005: Azure storage accounts refuse traffic from outside the CI network."""

from __future__ import annotations

from typing import Iterator

from ...findings import Severity
from ...model import Resource
from ...networks import beyond_ci_network
from ...unknown import Unknown
from ..base import Context, Example, Result, rule
from ..helpers import Possible, addresses, flag, linked
from ._common import artifact_store, label


def _judge(account: Resource, rules: Resource, ctx: Context) -> Iterator[Result]:
    """The account's effective network rules (its own block, or the separate resource replacing it)."""
    name = label(account)
    where = "" if rules is account else f" ({rules.address})"
    action = rules.get("network_default_action")
    if isinstance(action, Unknown):
        yield Result.undecided(account, action, "the network rules' default action")
        return
    if not (isinstance(action, str) and action.strip().lower() == "deny"):
        shown = action if isinstance(action, str) else "Allow (no network rules)"
        yield Result.fail(account, f"storage account {name} accepts traffic from everywhere: public network "
                                   f"access is enabled and the network rules' default action is {shown}{where}")
        return
    wide, undecided = beyond_ci_network(rules.get("ip_rules"), rules.get("subnet_ids"), ctx.config)
    if wide:
        yield Result.fail(account, f"storage account {name} admits {', '.join(wide)}{where}, outside the "
                                   f"configured CI network")
    elif undecided is not None:
        yield Result.undecided(account, undecided, "whether the network rules stay within the CI network")


@rule(
    id="BKT-005",
    title="Storage accounts refuse traffic from outside the CI network",
    severity=Severity.HIGH,
    practice="P5",
    scope="inventory",
    kinds=("azure.storage.account", "azure.storage.network_rules"),
    rationale="""
A storage account holding build artifacts, state or caches that accepts traffic from the whole
internet can be read or overwritten with any leaked SAS token, account key or stolen identity
token from anywhere. Disabling public network access (private endpoints only), or network rules
whose default action is Deny with only the CI network's ranges and subnets allowed, makes a stolen
credential useless outside the pipeline's network.
""",
    remediation="""
Only the CI ranges and subnets of `ci_network` (cidrs, azure_subnet_ids) may stay allowed.
""",
    fixes={
        "terraform": """
Set `public_network_access_enabled = false` and reach the account through a private endpoint, or keep
public access with `network_rules { default_action = "Deny" }` (or an
azurerm_storage_account_network_rules resource) listing only the CI ranges and subnets.
""",
        "pulumi": """
Set `public_network_access="Disabled"` (azure-native) and reach the account through a private
endpoint, or keep public access with `network_rule_set={"default_action": "Deny", ...}` listing only
the CI ranges and subnets.
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
  name                     = "acmeciartifacts"
  resource_group_name      = "rg-ci"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "ZRS"
}

resource "azurerm_storage_account_network_rules" "artifacts" {
  storage_account_id = azurerm_storage_account.artifacts.id
  default_action     = "Deny"
  ip_rules           = ["10.42.0.0/16"]
}
'''),
        Example("pulumi", False, '''
import pulumi_azure_native as azure_native

azure_native.storage.StorageAccount("artifacts", account_name="acmeciartifacts", resource_group_name="rg-ci",
    kind="StorageV2", sku={"name": "Standard_ZRS"}, public_network_access="Enabled",
    network_rule_set={"default_action": "Allow"})
''', resource="artifacts"),
        Example("pulumi", True, '''
import pulumi_azure_native as azure_native

azure_native.storage.StorageAccount("artifacts", account_name="acmeciartifacts", resource_group_name="rg-ci",
    kind="StorageV2", sku={"name": "Standard_ZRS"}, public_network_access="Disabled")
'''),
    ),
)
def bkt_005(ctx: Context) -> Iterator[Result]:
    return _storage_network(ctx)


def _storage_network(ctx: Context) -> Iterator[Result]:
    """The decision of BKT-005, kept out of the decorated function so it can be mutation tested."""
    inventory = ctx.inventory
    accounts = inventory.of_kind("azure.storage.account")
    separate, possible, crowded = linked(inventory, accounts, inventory.of_kind("azure.storage.network_rules"),
                                         "account")
    outcomes: dict[str, list[bool]] = {}  # a separate rules resource judged once, whichever account asks
    for account in accounts:
        chosen = artifact_store(account, ctx.config)
        if isinstance(chosen, Unknown):
            yield Result.undecided(account, chosen, "whether it is an artifact store (artifact_buckets)")
            continue
        if chosen is False:
            continue
        public = flag(account, "public_network_access_enabled")
        if isinstance(public, Unknown):
            yield Result.undecided(account, public, "whether public network access is enabled")
            continue
        if public is False:
            continue  # private endpoints only, whatever the rules say
        own = separate.get(account.address)
        if own is None and account.address in crowded:
            yield Result.undecided(account, crowded[account.address][1], "which network rules apply to it")
            continue
        if own is None and possible.get(account.address):
            yield from _judge_undecided(account, possible[account.address], ctx, outcomes)
            continue
        yield from _judge(account, own[0] if own else account, ctx)


def _judge_undecided(account: Resource, possible: list[Possible], ctx: Context,
                     judged: dict[str, list[bool]]) -> Iterator[Result]:
    """Which network rules apply is not known: the account's own, or a separate resource that may
    replace them. When every candidate fails, the account fails whichever applies; when every one
    passes, it passes; otherwise the link decides and the result is UNKNOWN. An outcome is the
    `unknown` flag of each result (none: passes); a separate resource's is the same for every account."""
    outcomes = [_outcome(account, account, ctx)]
    for rules, _ in possible:
        if rules.address not in judged:
            judged[rules.address] = _outcome(account, rules, ctx)
        outcomes.append(judged[rules.address])
    if not any(outcomes):
        return
    if all(outcome and not any(outcome) for outcome in outcomes):
        names = addresses(possible)
        yield Result.fail(account, f"storage account {label(account)} accepts traffic from outside the CI network "
                                   f"whichever network rules apply (its own, or {names})")
        return
    differs = [p for p, outcome in zip(possible, outcomes[1:]) if outcome != outcomes[0]]
    rules, reason = (differs or possible)[0]
    yield Result.undecided(account, reason, f"whether {rules.address} holds this account's network rules")


def _outcome(account: Resource, rules: Resource, ctx: Context) -> list[bool]:
    return [result.unknown for result in _judge(account, rules, ctx)]
