"""Who can publish: identities that may push images or write to artifact stores (IDF-004).

Read from the same effective permissions the REG rules and the access map use: ECR push grants
(rulebook.access), Azure roles with push on a registry (AcrPush, Owner, custom roles), and write or
administer access to the artifact stores of `rulebook.store_access` (S3 buckets, storage accounts).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...access import azure_grants, grants_of
from ...azure_roles import Capability
from ...identities import Identity
from ...registry_actions import ActionClass
from ...store_access import StoreEntry, store_entries
from ...unknown import Unknown
from ..base import Context


@dataclass(frozen=True)
class Writes:
    capable: bool | Unknown  # True: it may push or write; Unknown: a policy or role that decides it is not known
    what: tuple[str, ...] = ()  # "push images to ECR (ecr:PutImage, ...)", "write to S3 bucket acme-artifacts"


def _stores(ctx: Context) -> list[StoreEntry]:
    return ctx.derived("rulebook.rules.idf.stores", store_entries)


def writes(ctx: Context, ident: Identity) -> Writes:
    """May `ident` push images or write artifacts? Undecidable policies make it Unknown, never False."""
    what: list[str] = []
    unknown: Unknown | None = None
    for grant in grants_of(ctx, ident):
        if grant.action_class is ActionClass.PUSH:
            what.append(f"push images ({', '.join(sorted(grant.actions))}) through {grant.origin}")
        elif grant.action_class is None and grant.unknown is not None and unknown is None:
            unknown = grant.unknown
    for grant in azure_grants(ctx):
        if grant.identity is not ident:
            continue
        if grant.role is not None and Capability.PUSH in grant.capabilities:
            what.append(f"push images through {grant.role.label} ({grant.assignment.address})")
        elif grant.unknown is not None and unknown is None:
            unknown = Unknown(f"{grant.assignment.address}: {grant.unknown.reason}")
    for store in _stores(ctx):
        for access in store.accesses:
            if access.holder_address != ident.address:
                continue
            if access.capability in ("write", "administer") and access.certain:
                what.append(f"{access.capability} {store.label} through {access.through}")
            elif access.capability in ("write", "administer", "unknown") and unknown is None:
                unknown = Unknown(f"{store.label}: {access.reason or access.through}")
    if what:
        return Writes(True, tuple(dict.fromkeys(what)))
    if unknown is None and ident.unknowns:
        unknown = ident.unknowns[0]
    return Writes(unknown if unknown is not None else False)
