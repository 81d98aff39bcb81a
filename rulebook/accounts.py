"""Which AWS accounts are ours, where each was learned, and whether a principal is in another one.

Own accounts (RULEBOOK.md) are the accounts the stack deploys into, learned as Terraform and Pulumi
learn them:
- the `aws_accounts` setting (cicd-guard.yaml or the pack's config);
- `allowed_account_ids` of the aws provider (Terraform, every alias; Pulumi `aws:allowedAccountIds`):
  the adapters translate provider configurations into `aws.provider` resources, this module decides;
- the account `data "aws_caller_identity"` reads (the account the deployment runs in);
- the account in the ARN of any resource the stack declares (a repository whose ARN is known, and the
  Resource ARNs of a repository policy, which name the repository it governs).
"Another account" is any other. With no source, or a principal whose account cannot be read (a Ref to
something not declared here, a unique ID), the answer is Unknown with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from .model import Ref, Resource
from .unknown import Unknown

PROVIDER_KIND = "aws.provider"
PROVIDER_KINDS = (PROVIDER_KIND, "terraform.provider")  # HCL provider blocks are terraform.provider
CALLER_KIND = "aws.caller_identity"
_ACCOUNT = re.compile(r"\d{12}")


@dataclass(frozen=True)
class OwnAccounts:
    sources: dict[str, str] = field(default_factory=dict)  # account ID -> where it was learned
    unknown: Unknown | None = None  # a source whose value is not known at plan time

    def with_sources(self, extra: dict[str, str]) -> "OwnAccounts":
        return OwnAccounts({**extra, **self.sources}, self.unknown)

    def owns(self, account: str) -> bool | Unknown:
        if account in self.sources:
            return True
        if self.unknown is not None:
            return Unknown(f"whether {account} is one of this stack's accounts cannot be decided: "
                           f"{self.unknown.reason}")
        if not self.sources:
            return Unknown(f"this stack's own AWS accounts are not known (no provider allowed_account_ids, "
                           f"aws_accounts setting or declared ARN names them), so whether {account} is another "
                           f"account cannot be decided")
        return False

    def describe(self) -> str:
        """`111122223333 from allowed_account_ids of provider.aws`, for messages."""
        by_source: dict[str, list[str]] = {}
        for account, source in self.sources.items():
            by_source.setdefault(source, []).append(account)
        return "; ".join(f"{', '.join(sorted(ids))} from {source}" for source, ids in by_source.items())


def own_accounts(ctx: Any) -> OwnAccounts:
    """The stack's own accounts (memoised per run)."""
    return ctx.derived("rulebook.accounts", _own_accounts)


def arn_account(value: Any) -> str | None:
    """The 12-digit account of an ARN, or None."""
    if not isinstance(value, str):
        return None
    parts = value.strip().split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and _ACCOUNT.fullmatch(parts[4]):
        return parts[4]
    return None


def principal_account(value: Any, ctx: Any = None) -> str | None | Unknown:
    """The account an AWS principal entry belongs to: an ID, None when it has none (`*`), or Unknown.

    A Ref to a role or user declared in the stack belongs to one of its accounts: its ARN's account when
    known, else "own" (the marker OWN).
    """
    if isinstance(value, Unknown):
        return Unknown(f"principal not known at plan time: {value.reason}")
    if isinstance(value, Ref):
        target = ctx.inventory.by_address(value.address) if ctx is not None else None
        if target is None:
            return Unknown(f"{value} is not declared in this stack/module, so its account cannot be read")
        if target.kind == CALLER_KIND:
            return OWN  # the identity the deployment runs as: in the account it deploys into
        return arn_account(target.props.get("arn")) or OWN
    if not isinstance(value, str):
        return Unknown(f"principal {value!r} is not an account or ARN")
    text = value.strip()
    if text == "*":
        return None
    if _ACCOUNT.fullmatch(text):
        return text
    account = arn_account(text)
    if account is not None:
        return account
    if ctx is not None and _caller_account(text, ctx):
        return OWN
    return Unknown(f"the account of principal {text} cannot be read from it")


_REFERENCE = re.compile(r"\$\{([^{}]+)\.account_id\}")


def _caller_account(text: str, ctx: Any) -> bool:
    """An ARN whose account is `${data.aws_caller_identity.<name>.account_id}` (a value known only at apply,
    rendered into the text): the account the deployment runs in, when that data source is declared here."""
    parts = text.split(":", 5)
    found = _REFERENCE.fullmatch(parts[4]) if len(parts) == 6 and parts[0] == "arn" else None
    target = ctx.inventory.by_address(found.group(1)) if found else None
    return target is not None and target.kind == CALLER_KIND


OWN = "<declared in this stack>"


def is_other_account(value: Any, ctx: Any, extra: dict[str, str] | None = None) -> bool | Unknown:
    """Is an AWS principal entry in another account than the stack's own? False for `*` (not an account)."""
    account = principal_account(value, ctx)
    if account is None or account == OWN:
        return False
    if isinstance(account, Unknown):
        return account
    owns = own_accounts(ctx).with_sources(extra or {}).owns(account)
    return owns if isinstance(owns, Unknown) else not owns


def declared_arn_accounts(resources: Iterable[Resource]) -> dict[str, str]:
    """Accounts in the known ARNs of declared resources: account -> `the ARN of <address>`."""
    out: dict[str, str] = {}
    for resource in resources:
        account = arn_account(resource.props.get("arn"))
        if account is not None and account not in out:
            out[account] = f"the ARN of {resource.address}"
    return out


def _provider_label(provider: Resource) -> str:
    """`provider.aws.prod` (Terraform) as is; a Pulumi provider by its name: `provider prod`."""
    address = provider.address
    return address if address.startswith("provider.") or ".provider." in address else f"provider {address}"


def _own_accounts(ctx: Any) -> OwnAccounts:
    sources: dict[str, str] = {}
    unknown: Unknown | None = None
    config = ctx.config
    for account in getattr(config, "aws_accounts", ()) or ():
        sources.setdefault(str(account), f"the aws_accounts setting ({getattr(config, 'source', 'config')})")
    for provider in ctx.inventory.of_kind(*PROVIDER_KINDS):
        if provider.kind == "terraform.provider" and provider.props.get("name") != "aws":
            continue
        ids = provider.props.get("allowed_account_ids")
        if isinstance(ids, Unknown):
            unknown = unknown if unknown is not None else Unknown(
                f"allowed_account_ids of {_provider_label(provider)}: {ids.reason}")
            continue
        for account in ids or ():
            if isinstance(account, Unknown):
                unknown = unknown if unknown is not None else Unknown(
                    f"allowed_account_ids of {_provider_label(provider)}: {account.reason}")
            elif _ACCOUNT.fullmatch(str(account).strip()):
                sources.setdefault(str(account).strip(), f"allowed_account_ids of {_provider_label(provider)}")
    for caller in ctx.inventory.of_kind(CALLER_KIND):
        account = caller.props.get("account_id")
        if isinstance(account, str) and _ACCOUNT.fullmatch(account.strip()):
            sources.setdefault(account.strip(), f"the account of {caller.address} (where the deployment runs)")
    for account, source in declared_arn_accounts(r for r in ctx.inventory.resources
                                                 if r.kind not in PROVIDER_KINDS + (CALLER_KIND,)).items():
        sources.setdefault(account, source)
    return OwnAccounts(sources, unknown)


__all__ = ["OWN", "OwnAccounts", "PROVIDER_KIND", "arn_account", "declared_arn_accounts", "is_other_account",
           "own_accounts", "principal_account"]
